"""A structure's phone, shown to the mediator of a visit it prescribed when the family does not answer.

Revision ID: 0017_structure_phone
Revises: 0016_handover_signature
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_structure_phone'
down_revision = '0016_handover_signature'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=30), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.drop_column('phone')
