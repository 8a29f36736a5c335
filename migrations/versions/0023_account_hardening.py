"""Account hardening.

Revision ID: 0023_account_hardening
Revises: 0022_household_reasons
"""
from alembic import op
import sqlalchemy as sa


revision = '0023_account_hardening'
down_revision = '0022_household_reasons'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
