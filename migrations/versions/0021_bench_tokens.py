"""Bench tokens limited to the workbench, and idempotent replies of the API.

Revision ID: 0021_bench_tokens
Revises: 0020_label_printer
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_bench_tokens'
down_revision = '0020_label_printer'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), nullable=False, server_default='full'))
    op.create_table(
        'api_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('endpoint', sa.String(length=80), nullable=False),
        sa.Column('request_sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_replies_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_replies')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_api_replies_user_id')),
    )


def downgrade():
    op.drop_table('api_replies')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scope')
