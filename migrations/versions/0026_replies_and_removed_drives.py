"""A replayed answer keeps the Location of what the first request created; the drives taken out of a device are
found by an index (a device's page reads them).

Revision ID: 0026_replies_and_removed_drives
Revises: 0025_parts_bins
"""
from alembic import op
import sqlalchemy as sa


revision = '0026_replies_and_removed_drives'
down_revision = '0025_parts_bins'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_replies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location', sa.String(length=500), nullable=False, server_default=''))
    with op.batch_alter_table('drives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drives_removed_from_id'), ['removed_from_id'], unique=False)


def downgrade():
    with op.batch_alter_table('drives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drives_removed_from_id'))
    with op.batch_alter_table('api_replies', schema=None) as batch_op:
        batch_op.drop_column('location')
