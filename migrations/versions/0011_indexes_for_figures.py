"""Indexes for the figures over a whole network: devices received and sanitizations by date, households equipped.

Revision ID: 0011
Revises: 0010
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_devices_received_at', 'devices', ['received_at'], unique=False,
                    postgresql_include=['workshop_id', 'state', 'type', 'weight_kg', 'donation_id'])
    op.create_index('ix_sanitizations_created_at', 'sanitizations', ['created_at'], unique=False,
                    postgresql_include=['drive_id', 'device_id', 'level', 'technique', 'result', 'verification',
                                        'validated_at'])
    op.create_index('ix_prescriptions_status_equipped_at', 'prescriptions', ['status', 'equipped_at'], unique=False)


def downgrade():
    op.drop_index('ix_prescriptions_status_equipped_at', table_name='prescriptions')
    op.drop_index('ix_sanitizations_created_at', table_name='sanitizations')
    op.drop_index('ix_devices_received_at', table_name='devices')
