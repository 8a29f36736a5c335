"""Indexes for the figures over a whole network (devices received and sanitizations by date, households
equipped) and for the waiting list (the ready devices of a workshop, the capacity of their drives).

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


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
    op.create_index('ix_devices_shelf', 'devices', ['workshop_id'], unique=False,
                    postgresql_where=sa.text("state = 'ready'"), sqlite_where=sa.text("state = 'ready'"),
                    postgresql_include=['id', 'tag', 'type', 'brand', 'model', 'grade', 'ram_bytes', 'has_webcam',
                                        'received_at', 'location_id'])
    op.drop_index('ix_drives_device_id', table_name='drives')
    op.create_index('ix_drives_device_id', 'drives', ['device_id'], unique=False,
                    postgresql_include=['capacity_bytes'])


def downgrade():
    op.drop_index('ix_drives_device_id', table_name='drives')
    op.create_index('ix_drives_device_id', 'drives', ['device_id'], unique=False)
    op.drop_index('ix_devices_shelf', table_name='devices', postgresql_where=sa.text("state = 'ready'"),
                  sqlite_where=sa.text("state = 'ready'"))
    op.drop_index('ix_prescriptions_status_equipped_at', table_name='prescriptions')
    op.drop_index('ix_sanitizations_created_at', table_name='sanitizations')
    op.drop_index('ix_devices_received_at', table_name='devices')
