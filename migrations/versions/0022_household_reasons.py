"""Reasons about a household as a closed list of kinds; free text only on erasable objects.

Revision ID: 0022_household_reasons
Revises: 0021_bench_tokens
"""
from alembic import op
import sqlalchemy as sa


revision = '0022_household_reasons'
down_revision = '0021_bench_tokens'
branch_labels = None
depends_on = None


#: Details that events once carried as words typed about a household.
TYPED_DETAILS = ('reason', 'note')


def _scrub_erased_households():
    """Take the words typed about households already erased out of their events, and give the erasures' events
    their ground instead of the words they were given."""
    bind = op.get_bind()
    events = sa.table('events', sa.column('id', sa.Integer), sa.column('object_type', sa.String),
                      sa.column('object_id', sa.String), sa.column('action', sa.String),
                      sa.column('details', sa.JSON))
    erased = {str(i) for i in bind.execute(sa.text(
        'SELECT id FROM prescriptions WHERE personal_data_erased_at IS NOT NULL')).scalars()}
    if not erased:
        return
    objects = {('prescription', i) for i in erased}
    for table, kind in (('visits', 'visit'), ('reservations', 'reservation')):
        for object_id, prescription_id in bind.execute(sa.text(f'SELECT id, prescription_id FROM {table}')):
            if str(prescription_id) in erased:
                objects.add((kind, str(object_id)))
    rows = bind.execute(sa.select(events.c.id, events.c.object_type, events.c.object_id, events.c.action,
                                  events.c.details)
                        .where(events.c.object_type.in_(['prescription', 'visit', 'reservation']))).all()
    for event_id, object_type, object_id, action, details in rows:
        if (object_type, object_id) not in objects or not details:
            continue
        kept = {key: value for key, value in details.items() if key not in TYPED_DETAILS}
        if action == 'personal_data_erased':
            reason = str(details.get('reason') or '')
            if reason.startswith('retention:') and reason[10:].isdigit():
                kept.update(ground='retention', months=int(reason[10:]))
            else:
                kept.setdefault('ground', 'household_request')
        if kept != details:
            bind.execute(events.update().where(events.c.id == event_id).values(details=kept))


def upgrade():
    with op.batch_alter_table('prescriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_kind', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdraw_reason', sa.String(length=500), nullable=False, server_default=''))
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_kind', sa.String(length=30), nullable=False, server_default=''))
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_kind', sa.String(length=30), nullable=False, server_default=''))
    op.create_table(
        'visit_misses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('planned_on', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_visit_misses_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_misses_visit_id_visits')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_misses')),
    )
    with op.batch_alter_table('visit_misses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_misses_visit_id'), ['visit_id'], unique=False)
    _scrub_erased_households()


def downgrade():
    with op.batch_alter_table('visit_misses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_misses_visit_id'))
    op.drop_table('visit_misses')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('cancel_kind')
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_column('release_kind')
    with op.batch_alter_table('prescriptions', schema=None) as batch_op:
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('reason_kind')
