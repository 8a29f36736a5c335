"""Installation visits and their reports, partners' monthly reports, the workshop's usual installer.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('partner_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_partner_reports_structure_id_structures')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_partner_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_reports')),
    sa.UniqueConstraint('structure_id', 'month', 'version', name=op.f('uq_partner_reports_structure_id'))
    )
    with op.batch_alter_table('partner_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_reports_current'), ['current'], unique=False)

    op.create_table('partner_report_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('insee_code', sa.String(length=5), nullable=False),
    sa.Column('commune', sa.String(length=120), nullable=False),
    sa.Column('device_type', sa.Enum('laptop', 'desktop', 'all_in_one', 'tablet', 'smartphone', 'screen', 'printer', 'other', name='device_type', native_enum=False, length=20), nullable=False),
    sa.Column('families', sa.Integer(), nullable=False),
    sa.Column('accompanied', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['partner_reports.id'], name=op.f('fk_partner_report_lines_report_id_partner_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_report_lines'))
    )
    with op.batch_alter_table('partner_report_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_report_lines_report_id'), ['report_id'], unique=False)

    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prescription_id', sa.Integer(), nullable=False),
    sa.Column('reservation_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('installer_id', sa.Integer(), nullable=False),
    sa.Column('at_workshop', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'scheduled', 'missed', 'done', 'cancelled', name='visit_status', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('scheduled_on', sa.Date(), nullable=True),
    sa.Column('slot', sa.Enum('morning', 'afternoon', 'evening', name='visit_slot', native_enum=False, length=20), nullable=True),
    sa.Column('missed_count', sa.Integer(), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['installer_id'], ['structures.id'], name=op.f('fk_visits_installer_id_structures')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescriptions.id'], name=op.f('fk_visits_prescription_id_prescriptions')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_visits_requested_by_id_users')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_visits_reservation_id_reservations')),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_visits_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index('ix_visits_installer_status', ['installer_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_prescription_id'), ['prescription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_reservation_id'), ['reservation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('visit_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('installed_working', sa.Boolean(), nullable=False),
    sa.Column('internet_connected', sa.Boolean(), nullable=False),
    sa.Column('internet_problem', sa.String(length=500), nullable=False),
    sa.Column('accounts', sa.JSON(), nullable=False),
    sa.Column('first_steps', sa.JSON(), nullable=False),
    sa.Column('digital_level', sa.Enum('assistance', 'training', 'occasional_help', name='digital_level', native_enum=False, length=20), nullable=True),
    sa.Column('follow_ups', sa.JSON(), nullable=False),
    sa.Column('receipt_signed', sa.Boolean(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_visit_reports_reported_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_reports_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_reports')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_visit_reports_visit_id'))
    )
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('usual_installer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prescribers_request_visits', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_structures_usual_installer_id_structures'), 'structures', ['usual_installer_id'], ['id'])



def downgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_structures_usual_installer_id_structures'), type_='foreignkey')
        batch_op.drop_column('prescribers_request_visits')
        batch_op.drop_column('usual_installer_id')

    op.drop_table('visit_reports')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_visits_reservation_id'))
        batch_op.drop_index(batch_op.f('ix_visits_prescription_id'))
        batch_op.drop_index('ix_visits_installer_status')

    op.drop_table('visits')
    with op.batch_alter_table('partner_report_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_report_lines_report_id'))

    op.drop_table('partner_report_lines')
    with op.batch_alter_table('partner_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_reports_current'))

    op.drop_table('partner_reports')
