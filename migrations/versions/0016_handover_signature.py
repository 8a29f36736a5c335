"""The family's signature at the handover, drawn on the screen, and the handover receipt it signs.

Revision ID: 0016_handover_signature
Revises: 0015_submissions
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_handover_signature'
down_revision = '0015_submissions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature_png', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('signer_name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('no_signature_reason', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('receipt_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('receipt_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('visit_reports', schema=None) as batch_op:
        batch_op.drop_column('receipt_sha256')
        batch_op.drop_column('receipt_number')
        batch_op.drop_column('no_signature_reason')
        batch_op.drop_column('signed_at')
        batch_op.drop_column('signer_name')
        batch_op.drop_column('signature_png')
