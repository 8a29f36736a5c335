"""The parts bank: catalogue of part types, stock balances and their ledger, requests between workshops.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('part_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('ram', 'storage', 'battery', 'charger', 'screen', 'keyboard', 'other', name='part_category', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('attributes_key', sa.String(length=400), nullable=False),
    sa.Column('compatible_models', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_part_types_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_types')),
    sa.UniqueConstraint('name', name=op.f('uq_part_types_name'))
    )
    with op.batch_alter_table('part_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_types_attributes_key'), ['attributes_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_types_category'), ['category'], unique=False)

    op.create_table('stock_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('part_type_id', sa.Integer(), nullable=False),
    sa.Column('condition', sa.Enum('tested_ok', 'untested', 'faulty', name='part_condition', native_enum=False, length=20), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('location_key', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_stock_levels_quantity_not_negative')),
    sa.CheckConstraint('reserved >= 0 AND reserved <= quantity', name=op.f('ck_stock_levels_reserved_within_quantity')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_stock_levels_location_id_locations')),
    sa.ForeignKeyConstraint(['part_type_id'], ['part_types.id'], name=op.f('fk_stock_levels_part_type_id_part_types')),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_stock_levels_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_levels')),
    sa.UniqueConstraint('workshop_id', 'part_type_id', 'condition', 'location_key', name=op.f('uq_stock_levels_workshop_id'))
    )
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.create_index('ix_stock_levels_part_type', ['part_type_id', 'workshop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_levels_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('part_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_type_id', sa.Integer(), nullable=False),
    sa.Column('condition', sa.Enum('tested_ok', 'untested', 'faulty', name='part_condition', native_enum=False, length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('asker_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'accepted', 'shipped', 'received', 'declined', 'cancelled', name='part_request_status', native_enum=False, length=20), nullable=False),
    sa.Column('stock_level_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_part_requests_quantity_positive')),
    sa.ForeignKeyConstraint(['asker_id'], ['structures.id'], name=op.f('fk_part_requests_asker_id_structures')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_part_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['structures.id'], name=op.f('fk_part_requests_owner_id_structures')),
    sa.ForeignKeyConstraint(['part_type_id'], ['part_types.id'], name=op.f('fk_part_requests_part_type_id_part_types')),
    sa.ForeignKeyConstraint(['stock_level_id'], ['stock_levels.id'], name=op.f('fk_part_requests_stock_level_id_stock_levels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_requests'))
    )
    with op.batch_alter_table('part_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_requests_asker_id'), ['asker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_requests_owner_id'), ['owner_id'], unique=False)

    op.create_table('stock_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stock_level_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('part_type_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('received', 'harvested', 'used', 'transfer_out', 'transfer_in', 'discarded', 'correction', name='stock_move_kind', native_enum=False, length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('repair_id', sa.Integer(), nullable=True),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_stock_moves_by_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_stock_moves_device_id_devices')),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_stock_moves_donation_id_donations')),
    sa.ForeignKeyConstraint(['part_type_id'], ['part_types.id'], name=op.f('fk_stock_moves_part_type_id_part_types')),
    sa.ForeignKeyConstraint(['repair_id'], ['repairs.id'], name=op.f('fk_stock_moves_repair_id_repairs')),
    sa.ForeignKeyConstraint(['request_id'], ['part_requests.id'], name=op.f('fk_stock_moves_request_id_part_requests')),
    sa.ForeignKeyConstraint(['stock_level_id'], ['stock_levels.id'], name=op.f('fk_stock_moves_stock_level_id_stock_levels')),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_stock_moves_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_moves'))
    )
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_moves_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_stock_moves_level', ['stock_level_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_moves_part_type_id'), ['part_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_moves_repair_id'), ['repair_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_moves_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_moves_workshop_id'), ['workshop_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_moves_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_stock_moves_request_id'))
        batch_op.drop_index(batch_op.f('ix_stock_moves_repair_id'))
        batch_op.drop_index(batch_op.f('ix_stock_moves_part_type_id'))
        batch_op.drop_index('ix_stock_moves_level')
        batch_op.drop_index(batch_op.f('ix_stock_moves_device_id'))

    op.drop_table('stock_moves')
    with op.batch_alter_table('part_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_requests_owner_id'))
        batch_op.drop_index(batch_op.f('ix_part_requests_asker_id'))

    op.drop_table('part_requests')
    with op.batch_alter_table('stock_levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_levels_workshop_id'))
        batch_op.drop_index('ix_stock_levels_part_type')

    op.drop_table('stock_levels')
    with op.batch_alter_table('part_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_types_category'))
        batch_op.drop_index(batch_op.f('ix_part_types_attributes_key'))

    op.drop_table('part_types')
