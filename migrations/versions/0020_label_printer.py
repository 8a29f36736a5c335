"""Label printer of a workshop: how labels are sent without a dialog.

Revision ID: 0020_label_printer
Revises: 0019_communes_source
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_label_printer'
down_revision = '0019_communes_source'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
