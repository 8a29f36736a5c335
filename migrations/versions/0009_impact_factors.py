"""Impact factors per type of device, with the published figures for laptops.

Revision ID: 0009
Revises: 0008
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TYPES = ('laptop', 'desktop', 'all_in_one', 'tablet', 'smartphone', 'screen', 'printer', 'other')
#: Laptops: ADEME's figures; other types start at 0 CO2e until the coordinator enters a cited figure.
DEFAULTS = {
    'laptop': (2.0, 183, 27, 3, "Fabrication : ADEME, Impact CO2 (ordinateur portable, ~183 kg CO2e). Évité : "
                                "ADEME, étude 2022 sur les produits reconditionnés (~27 kg CO2e par an d'usage)."),
    'desktop': (7.5, 0, 0, 3, ''), 'all_in_one': (8.0, 0, 0, 3, ''), 'tablet': (0.5, 0, 0, 3, ''),
    'smartphone': (0.2, 0, 0, 3, ''), 'screen': (4.5, 0, 0, 3, ''), 'printer': (7.0, 0, 0, 3, ''),
    'other': (1.0, 0, 0, 3, ''),
}


def upgrade():
    table = op.create_table('impact_factors',
    sa.Column('device_type', sa.Enum(*TYPES, name='device_type', native_enum=False, length=20), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('manufacture_co2e_kg', sa.Numeric(precision=8, scale=1), nullable=False),
    sa.Column('avoided_co2e_kg_per_year', sa.Numeric(precision=8, scale=1), nullable=False),
    sa.Column('years_of_use', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_impact_factors_updated_by_id_users')),
    sa.PrimaryKeyConstraint('device_type', name=op.f('pk_impact_factors'))
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(table, [{'device_type': kind, 'weight_kg': weight, 'manufacture_co2e_kg': made,
                            'avoided_co2e_kg_per_year': avoided, 'years_of_use': years, 'source': source,
                            'updated_at': now}
                           for kind, (weight, made, avoided, years, source) in DEFAULTS.items()])


def downgrade():
    op.drop_table('impact_factors')
