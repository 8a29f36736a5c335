"""Workbench integrity: one device per intake form, devices merged into another, diagnoses that say a machine
has no storage, a scan batch per login session.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intake_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_devices_workshop_intake_key', ['workshop_id', 'intake_key'])
        batch_op.create_foreign_key('fk_devices_merged_into_id_devices', 'devices', ['merged_into_id'], ['id'])
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_storage', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('scan_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_key', sa.String(length=32), nullable=False, server_default=''))
        batch_op.drop_constraint('uq_scan_batches_user_id', type_='unique')
        batch_op.create_unique_constraint('uq_scan_batches_user_id', ['user_id', 'session_key'])


def downgrade():
    op.execute("DELETE FROM scan_batches WHERE session_key <> ''")
    with op.batch_alter_table('scan_batches', schema=None) as batch_op:
        batch_op.drop_constraint('uq_scan_batches_user_id', type_='unique')
        batch_op.create_unique_constraint('uq_scan_batches_user_id', ['user_id'])
        batch_op.drop_column('session_key')
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.drop_column('no_storage')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_constraint('fk_devices_merged_into_id_devices', type_='foreignkey')
        batch_op.drop_constraint('uq_devices_workshop_intake_key', type_='unique')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('intake_key')
