"""Each device keeps the capacity of its drives, so that the waiting list ranks the shelf without reading the drives.

Revision ID: 0027_device_storage_total
Revises: 0026_replies_and_removed_drives
"""
from alembic import op
import sqlalchemy as sa


revision = '0027_device_storage_total'
down_revision = '0026_replies_and_removed_drives'
branch_labels = None
depends_on = None

SHELF = ['id', 'tag', 'type', 'brand', 'model', 'grade', 'ram_bytes', 'has_webcam', 'received_at', 'location_id']
READY = "state = 'ready'"


def upgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('storage_total', sa.BigInteger(), nullable=False, server_default='0'))
    op.execute("UPDATE devices SET storage_total = (SELECT coalesce(sum(drives.capacity_bytes), 0) FROM drives "
               "WHERE drives.device_id = devices.id) WHERE id IN (SELECT device_id FROM drives)")
    op.drop_index('ix_devices_shelf', table_name='devices', postgresql_where=sa.text(READY),
                  sqlite_where=sa.text(READY))
    op.create_index('ix_devices_shelf', 'devices', ['workshop_id'], unique=False, postgresql_where=sa.text(READY),
                    sqlite_where=sa.text(READY), postgresql_include=[*SHELF, 'storage_total'])


def downgrade():
    op.drop_index('ix_devices_shelf', table_name='devices', postgresql_where=sa.text(READY),
                  sqlite_where=sa.text(READY))
    op.create_index('ix_devices_shelf', 'devices', ['workshop_id'], unique=False, postgresql_where=sa.text(READY),
                    sqlite_where=sa.text(READY), postgresql_include=SHELF)
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('storage_total')
