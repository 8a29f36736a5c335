"""Workbench: diagnosis, hardware reports, sanitization, repairs, locations, exits, scan batches.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:29:37.912370

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('shelf', 'bin', 'area', name='location_kind', native_enum=False, length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_locations_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_locations')),
    sa.UniqueConstraint('code', name=op.f('uq_locations_code'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_locations_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('scan_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_scan_batches_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_batches')),
    sa.UniqueConstraint('user_id', name=op.f('uq_scan_batches_user_id'))
    )
    op.create_table('device_exits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('slip_number', sa.String(length=60), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_device_exits_by_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_exits_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_exits')),
    sa.UniqueConstraint('device_id', name=op.f('uq_device_exits_device_id'))
    )
    op.create_table('diagnoses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('faults', sa.JSON(), nullable=False),
    sa.Column('grade', sa.Enum('A', 'B', 'C', 'parts_only', name='grade', native_enum=False, length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_diagnoses_by_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_diagnoses_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnoses'))
    )
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnoses_device_id'), ['device_id'], unique=False)

    op.create_table('erasure_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_erasure_logs_device_id_devices')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_erasure_logs_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_logs'))
    )
    with op.batch_alter_table('erasure_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_logs_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_logs_sha256'), ['sha256'], unique=False)

    op.create_table('hardware_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_hardware_reports_device_id_devices')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_hardware_reports_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hardware_reports'))
    )
    with op.batch_alter_table('hardware_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hardware_reports_device_id'), ['device_id'], unique=False)

    op.create_table('repairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('fault_type', sa.Enum('boot', 'case_chassis', 'configuration', 'integrated_keyboard', 'integrated_pointing_device', 'integrated_screen', 'internal_storage', 'operating_system', 'overheating', 'performance', 'ports_slots_connectors', 'power_battery', 'system_board', 'virus_malware', 'other', 'unknown', name='fault_type', native_enum=False), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('minutes_spent', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('fixed', 'repairable', 'end_of_life', name='repair_status', native_enum=False, length=20), nullable=True),
    sa.Column('barrier', sa.Enum('spare_parts_not_available', 'spare_parts_too_expensive', 'no_way_to_open_product', 'repair_information_not_available', 'lack_of_equipment', 'item_too_worn_out', name='repair_barrier', native_enum=False), nullable=True),
    sa.Column('parts_used', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_repairs_by_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_repairs_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repairs'))
    )
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repairs_device_id'), ['device_id'], unique=False)

    op.create_table('sanitizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drive_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Enum('clear', 'purge', 'destroy', name='sanitization_level', native_enum=False, length=20), nullable=False),
    sa.Column('technique', sa.Enum('overwrite', 'block_erase', 'crypto_erase', 'destruction', name='sanitization_technique', native_enum=False, length=20), nullable=False),
    sa.Column('destruction_method', sa.Enum('shred', 'drill', 'crush', 'degauss', name='destruction_method', native_enum=False, length=20), nullable=True),
    sa.Column('tool', sa.Enum('nwipe', 'hdparm', 'nvme_cli', 'other', name='sanitization_tool', native_enum=False, length=20), nullable=False),
    sa.Column('tool_version', sa.String(length=40), nullable=False),
    sa.Column('method', sa.String(length=80), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=True),
    sa.Column('verification', sa.Enum('none', 'last_pass', 'all_passes', name='verification', native_enum=False, length=20), nullable=False),
    sa.Column('blanking', sa.Boolean(), nullable=True),
    sa.Column('result', sa.Enum('success', 'failed', name='sanitization_result', native_enum=False, length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('witness', sa.String(length=120), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('validated_by_id', sa.Integer(), nullable=True),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_sanitizations_device_id_devices')),
    sa.ForeignKeyConstraint(['drive_id'], ['drives.id'], name=op.f('fk_sanitizations_drive_id_drives')),
    sa.ForeignKeyConstraint(['log_id'], ['erasure_logs.id'], name=op.f('fk_sanitizations_log_id_erasure_logs')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_sanitizations_operator_id_users')),
    sa.ForeignKeyConstraint(['validated_by_id'], ['users.id'], name=op.f('fk_sanitizations_validated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanitizations'))
    )
    with op.batch_alter_table('sanitizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sanitizations_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sanitizations_drive_id'), ['drive_id'], unique=False)

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.Enum('A', 'B', 'C', 'parts_only', name='grade', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('cpu', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('ram_bytes', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('screen_inches', sa.Numeric(precision=4, scale=1), nullable=True))
        batch_op.add_column(sa.Column('os_name', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('battery_health_pct', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_devices_location_id'), ['location_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_devices_location_id_locations'), 'locations', ['location_id'], ['id'])

    with op.batch_alter_table('drives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_path', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('smart_passed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('power_on_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reallocated_sectors', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('media_errors', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_drives_removed_from_id_devices'), 'devices', ['removed_from_id'], ['id'])

    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sanitization_needs_validation', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.drop_column('sanitization_needs_validation')

    with op.batch_alter_table('drives', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_drives_removed_from_id_devices'), type_='foreignkey')
        batch_op.drop_column('removed_at')
        batch_op.drop_column('removed_from_id')
        batch_op.drop_column('media_errors')
        batch_op.drop_column('reallocated_sectors')
        batch_op.drop_column('power_on_hours')
        batch_op.drop_column('smart_passed')
        batch_op.drop_column('device_path')

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_devices_location_id_locations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_devices_location_id'))
        batch_op.drop_column('location_id')
        batch_op.drop_column('battery_health_pct')
        batch_op.drop_column('os_name')
        batch_op.drop_column('screen_inches')
        batch_op.drop_column('ram_bytes')
        batch_op.drop_column('cpu')
        batch_op.drop_column('grade')

    with op.batch_alter_table('sanitizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanitizations_drive_id'))
        batch_op.drop_index(batch_op.f('ix_sanitizations_device_id'))

    op.drop_table('sanitizations')
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repairs_device_id'))

    op.drop_table('repairs')
    with op.batch_alter_table('hardware_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hardware_reports_device_id'))

    op.drop_table('hardware_reports')
    with op.batch_alter_table('erasure_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_logs_sha256'))
        batch_op.drop_index(batch_op.f('ix_erasure_logs_device_id'))

    op.drop_table('erasure_logs')
    with op.batch_alter_table('diagnoses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnoses_device_id'))

    op.drop_table('diagnoses')
    op.drop_table('device_exits')
    op.drop_table('scan_batches')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_locations_workshop_id'))

    op.drop_table('locations')
