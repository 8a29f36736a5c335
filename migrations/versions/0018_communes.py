"""The official registry of French communes: communes (current and former), their postcodes, and territories.

Revision ID: 0018_communes
Revises: 0017_structure_phone
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_communes'
down_revision = '0017_structure_phone'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'communes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=5), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('search_name', sa.String(length=120), nullable=False),
        sa.Column('current_code', sa.String(length=5), nullable=False),
        sa.Column('departement_code', sa.String(length=3), nullable=False),
        sa.Column('region_code', sa.String(length=3), nullable=False),
        sa.Column('epci_code', sa.String(length=9), nullable=True),
        sa.Column('population', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_communes')),
        sa.UniqueConstraint('code', 'kind', name='uq_communes_code_kind'),
    )
    op.create_index('ix_communes_search_name', 'communes', ['search_name'])
    op.create_index(op.f('ix_communes_code'), 'communes', ['code'])
    op.create_index(op.f('ix_communes_current_code'), 'communes', ['current_code'])
    op.create_index(op.f('ix_communes_epci_code'), 'communes', ['epci_code'])
    op.create_table(
        'commune_postcodes',
        sa.Column('postcode', sa.String(length=5), nullable=False),
        sa.Column('code', sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint('postcode', 'code', name=op.f('pk_commune_postcodes')),
    )
    op.create_table(
        'territories',
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('code', sa.String(length=9), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'code', name=op.f('pk_territories')),
    )


def downgrade():
    op.drop_table('territories')
    op.drop_table('commune_postcodes')
    op.drop_index(op.f('ix_communes_epci_code'), table_name='communes')
    op.drop_index(op.f('ix_communes_current_code'), table_name='communes')
    op.drop_index(op.f('ix_communes_code'), table_name='communes')
    op.drop_index('ix_communes_search_name', table_name='communes')
    op.drop_table('communes')
