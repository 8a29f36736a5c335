"""The label format a workshop used last.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_format', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.drop_column('label_format')
