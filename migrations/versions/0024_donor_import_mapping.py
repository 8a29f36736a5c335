"""Donor import column mappings.

Revision ID: 0024_donor_import_mapping
Revises: 0023_account_hardening
"""
from alembic import op
import sqlalchemy as sa


revision = '0024_donor_import_mapping'
down_revision = '0023_account_hardening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_columns', sa.JSON(), nullable=True))
    with op.batch_alter_table('declared_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment', sa.String(length=500), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('declared_items', schema=None) as batch_op:
        batch_op.drop_column('comment')
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.drop_column('import_columns')
