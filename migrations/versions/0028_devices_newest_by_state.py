"""The workshop's devices of one state, newest first, from one index: the device list filtered by state.

Revision ID: 0028_devices_newest_by_state
Revises: 0027_device_storage_total
"""
from alembic import op


revision = '0028_devices_newest_by_state'
down_revision = '0027_device_storage_total'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_devices_workshop_state', table_name='devices')
    op.create_index('ix_devices_workshop_state', 'devices', ['workshop_id', 'state', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_devices_workshop_state', table_name='devices')
    op.create_index('ix_devices_workshop_state', 'devices', ['workshop_id', 'state'], unique=False)
