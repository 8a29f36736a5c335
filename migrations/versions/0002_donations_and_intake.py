"""Donations, donor inventories, devices, drives, sequences and documents.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:12:14.676083

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sequences',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sequences'))
    )
    op.create_table('donors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.Enum('company', 'public_body', 'association', 'individual', name='donor_kind', native_enum=False, length=20), nullable=False),
    sa.Column('siren', sa.String(length=9), nullable=True),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_donors_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors'))
    )
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donors_siren'), ['siren'], unique=False)
        batch_op.create_index(batch_op.f('ix_donors_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_documents_issued_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_documents_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_documents_fingerprint')),
    sa.UniqueConstraint('number', name=op.f('uq_documents_number'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_structure_id'), ['structure_id'], unique=False)

    op.create_table('donations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'collected', 'received', 'closed', name='donation_status', native_enum=False, length=20), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('pickup_address', sa.String(length=300), nullable=False),
    sa.Column('declared_value', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_donations_donor_id_donors')),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_donations_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donations'))
    )
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donations_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donations_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('declared_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('device_type', sa.Enum('laptop', 'desktop', 'all_in_one', 'tablet', 'smartphone', 'screen', 'printer', 'other', name='device_type', native_enum=False, length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_declared_counts_donation_id_donations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declared_counts')),
    sa.UniqueConstraint('donation_id', 'device_type', name=op.f('uq_declared_counts_donation_id'))
    )
    op.create_table('declared_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('device_type', sa.Enum('laptop', 'desktop', 'all_in_one', 'tablet', 'smartphone', 'screen', 'printer', 'other', name='device_type', native_enum=False, length=20), nullable=False),
    sa.Column('brand', sa.String(length=80), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('serial', sa.String(length=80), nullable=True),
    sa.Column('donor_tag', sa.String(length=80), nullable=True),
    sa.Column('purchase_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_declared_items_donation_id_donations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declared_items')),
    sa.UniqueConstraint('donation_id', 'line_number', name=op.f('uq_declared_items_donation_id'))
    )
    with op.batch_alter_table('declared_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declared_items_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_declared_items_donor_tag'), ['donor_tag'], unique=False)
        batch_op.create_index(batch_op.f('ix_declared_items_serial'), ['serial'], unique=False)

    op.create_table('import_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_import_drafts_donation_id_donations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_drafts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_drafts'))
    )
    with op.batch_alter_table('import_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_drafts_donation_id'), ['donation_id'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=20), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('declared_item_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.Enum('laptop', 'desktop', 'all_in_one', 'tablet', 'smartphone', 'screen', 'printer', 'other', name='device_type', native_enum=False, length=20), nullable=False),
    sa.Column('brand', sa.String(length=80), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('serial', sa.String(length=80), nullable=True),
    sa.Column('donor_tag', sa.String(length=80), nullable=True),
    sa.Column('weight_kg', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('accessories', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('received', 'diagnosed', 'in_repair', 'wiped', 'ready', 'reserved', 'delivered', 'harvested', 'recycled', name='device_state', native_enum=False, length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['declared_item_id'], ['declared_items.id'], name=op.f('fk_devices_declared_item_id_declared_items')),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_devices_donation_id_donations')),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_devices_received_by_id_users')),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_devices_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('declared_item_id', name=op.f('uq_devices_declared_item_id')),
    sa.UniqueConstraint('tag', name=op.f('uq_devices_tag'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_donor_tag'), ['donor_tag'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_serial'), ['serial'], unique=False)
        batch_op.create_index('ix_devices_workshop_state', ['workshop_id', 'state'], unique=False)

    op.create_table('drives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=80), nullable=True),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('capacity_bytes', sa.BigInteger(), nullable=True),
    sa.Column('interface', sa.Enum('ata_hdd', 'sata_ssd', 'nvme', 'emmc', 'usb', name='drive_interface', native_enum=False, length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_drives_device_id_devices')),
    sa.ForeignKeyConstraint(['donation_id'], ['donations.id'], name=op.f('fk_drives_donation_id_donations')),
    sa.ForeignKeyConstraint(['workshop_id'], ['structures.id'], name=op.f('fk_drives_workshop_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drives'))
    )
    with op.batch_alter_table('drives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drives_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drives_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drives_serial'), ['serial'], unique=False)
        batch_op.create_index(batch_op.f('ix_drives_workshop_id'), ['workshop_id'], unique=False)



def downgrade():
    with op.batch_alter_table('drives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drives_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_drives_serial'))
        batch_op.drop_index(batch_op.f('ix_drives_donation_id'))
        batch_op.drop_index(batch_op.f('ix_drives_device_id'))

    op.drop_table('drives')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index('ix_devices_workshop_state')
        batch_op.drop_index(batch_op.f('ix_devices_serial'))
        batch_op.drop_index(batch_op.f('ix_devices_donor_tag'))
        batch_op.drop_index(batch_op.f('ix_devices_donation_id'))

    op.drop_table('devices')
    with op.batch_alter_table('import_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_drafts_donation_id'))

    op.drop_table('import_drafts')
    with op.batch_alter_table('declared_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declared_items_serial'))
        batch_op.drop_index(batch_op.f('ix_declared_items_donor_tag'))
        batch_op.drop_index(batch_op.f('ix_declared_items_donation_id'))

    op.drop_table('declared_items')
    op.drop_table('declared_counts')
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donations_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_donations_donor_id'))

    op.drop_table('donations')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_structure_id'))
        batch_op.drop_index('ix_documents_object')

    op.drop_table('documents')
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donors_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_donors_siren'))

    op.drop_table('donors')
    op.drop_table('sequences')
