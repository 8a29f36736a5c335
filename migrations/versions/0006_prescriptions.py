"""Prescriptions, reservations and notices; the settings of prescriptions on structures; webcams found at diagnosis.

Revision ID: 0006
Revises: 0005
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('prescriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'accepted', 'declined', 'withdrawn', 'reserved', 'equipped', 'cancelled', name='prescription_status', native_enum=False, length=20), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=250), nullable=False),
    sa.Column('postcode', sa.String(length=5), nullable=False),
    sa.Column('commune', sa.String(length=120), nullable=False),
    sa.Column('insee_code', sa.String(length=5), nullable=False),
    sa.Column('qpv', sa.Boolean(), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children_preschool', sa.Integer(), nullable=False),
    sa.Column('children_primary', sa.Integer(), nullable=False),
    sa.Column('children_middle', sa.Integer(), nullable=False),
    sa.Column('children_high', sa.Integer(), nullable=False),
    sa.Column('students', sa.Integer(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('digital_level', sa.Enum('assistance', 'training', 'occasional_help', name='digital_level', native_enum=False, length=20), nullable=True),
    sa.Column('equipment', sa.Enum('laptop', 'desktop', 'tablet', 'any', name='equipment_wanted', native_enum=False, length=20), nullable=True),
    sa.Column('internet', sa.Enum('yes', 'no', 'unknown', name='internet_at_home', native_enum=False, length=20), nullable=True),
    sa.Column('visit_wanted', sa.Boolean(), nullable=False),
    sa.Column('urgency', sa.Enum('normal', 'priority', 'urgent', name='urgency', native_enum=False, length=20), nullable=False),
    sa.Column('urgency_reason', sa.String(length=500), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=False),
    sa.Column('consent_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decline_reason', sa.String(length=1000), nullable=False),
    sa.Column('cancel_reason', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('equipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consent_recorded_by_id'], ['users.id'], name=op.f('fk_prescriptions_consent_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_prescriptions_created_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_prescriptions_structure_id_structures')),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_prescriptions_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescriptions')),
    sa.UniqueConstraint('code', name=op.f('uq_prescriptions_code'))
    )
    with op.batch_alter_table('prescriptions', schema=None) as batch_op:
        batch_op.create_index('ix_prescriptions_structure_status', ['structure_id', 'status'], unique=False)
        batch_op.create_index('ix_prescriptions_workshop_status', ['workshop_id', 'status'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('url', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_notices_event_id_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prescription_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('reserved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reserved_by_id', sa.Integer(), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('release_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_reservations_device_id_devices')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescriptions.id'], name=op.f('fk_reservations_prescription_id_prescriptions')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_reservations_released_by_id_users')),
    sa.ForeignKeyConstraint(['reserved_by_id'], ['users.id'], name=op.f('fk_reservations_reserved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservations'))
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservations_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservations_prescription_id'), ['prescription_id'], unique=False)
        batch_op.create_index('uq_reservations_device_in_force', ['device_id'], unique=True, sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))
        batch_op.create_index('uq_reservations_prescription_in_force', ['prescription_id'], unique=True, sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_webcam', sa.Boolean(), nullable=True))

    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_ram_gb', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('min_storage_gb', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('warranty_months', sa.Integer(), nullable=False, server_default='6'))
        batch_op.add_column(sa.Column('support_contact', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('usual_workshop_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_structures_usual_workshop_id_structures'), 'structures', ['usual_workshop_id'], ['id'])

    _fill_webcams()


def _fill_webcams():
    """Set has_webcam of existing devices from the webcam check of their latest diagnosis."""
    bind = op.get_bind()
    latest = {}
    for device_id, checks in bind.execute(sa.text("SELECT device_id, checks FROM diagnoses ORDER BY id")):
        checks = json.loads(checks) if isinstance(checks, str) else (checks or {})
        if "webcam" in checks:
            latest[device_id] = checks["webcam"] == "ok"
    for device_id, has_webcam in latest.items():
        bind.execute(sa.text("UPDATE devices SET has_webcam = :w WHERE id = :id"), {"w": has_webcam, "id": device_id})


def downgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_structures_usual_workshop_id_structures'), type_='foreignkey')
        batch_op.drop_column('usual_workshop_id')
        batch_op.drop_column('support_contact')
        batch_op.drop_column('warranty_months')
        batch_op.drop_column('min_storage_gb')
        batch_op.drop_column('min_ram_gb')

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('has_webcam')

    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index('uq_reservations_prescription_in_force', sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))
        batch_op.drop_index('uq_reservations_device_in_force', sqlite_where=sa.text('released_at IS NULL'), postgresql_where=sa.text('released_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reservations_prescription_id'))
        batch_op.drop_index(batch_op.f('ix_reservations_device_id'))

    op.drop_table('reservations')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_user_read')

    op.drop_table('notices')
    with op.batch_alter_table('prescriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_prescriptions_workshop_status')
        batch_op.drop_index('ix_prescriptions_structure_status')

    op.drop_table('prescriptions')
