"""Which release of the communes registry was loaded, and when.

Revision ID: 0019_communes_source
Revises: 0018_communes
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_communes_source'
down_revision = '0018_communes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'commune_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('integrity', sa.String(length=100), nullable=False),
        sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('communes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_sources')),
    )


def downgrade():
    op.drop_table('commune_sources')
