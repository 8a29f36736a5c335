"""Parts and batch exits.

Revision ID: 0025_parts_bins
Revises: 0024_donor_import_mapping
"""
from alembic import op
import sqlalchemy as sa


revision = '0025_parts_bins'
down_revision = '0024_donor_import_mapping'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scan_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_scan_batches_location_id_locations', 'locations', ['location_id'], ['id'])


def downgrade():
    with op.batch_alter_table('scan_batches', schema=None) as batch_op:
        batch_op.drop_constraint('fk_scan_batches_location_id_locations', type_='foreignkey')
        batch_op.drop_column('location_id')
