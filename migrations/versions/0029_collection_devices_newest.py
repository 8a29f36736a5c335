"""A collection's devices newest first from one index: the intake page's last devices received.

Revision ID: 0029_collection_devices_newest
Revises: 0028_devices_newest_by_state
"""
from alembic import op


revision = '0029_collection_devices_newest'
down_revision = '0028_devices_newest_by_state'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_devices_donation_id', table_name='devices')
    op.create_index('ix_devices_donation_id', 'devices', ['donation_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_devices_donation_id', table_name='devices')
    op.create_index('ix_devices_donation_id', 'devices', ['donation_id'], unique=False)
