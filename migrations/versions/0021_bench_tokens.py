"""Bench tokens limited to the workbench, and idempotent replies of the API.

Revision ID: 0021_bench_tokens
Revises: 0020_label_printer
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_bench_tokens'
down_revision = '0020_label_printer'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
