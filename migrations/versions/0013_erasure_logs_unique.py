"""One erasure log proves one erasure: the SHA-256 of erasure logs is unique.

Logs uploaded more than once before this revision are byte for byte the same file: the first upload is kept,
the sanitizations made from later copies point to it (they stay in the history), and the copies go.

Revision ID: 0013
Revises: 0012
"""
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE sanitizations SET log_id = (SELECT min(kept.id) FROM erasure_logs kept JOIN erasure_logs copied "
        "ON copied.sha256 = kept.sha256 WHERE copied.id = sanitizations.log_id) WHERE log_id IS NOT NULL")
    op.execute("DELETE FROM erasure_logs WHERE id NOT IN (SELECT min(id) FROM erasure_logs GROUP BY sha256)")
    with op.batch_alter_table('erasure_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_logs_sha256'))
        batch_op.create_index(batch_op.f('ix_erasure_logs_sha256'), ['sha256'], unique=True)


def downgrade():
    with op.batch_alter_table('erasure_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_logs_sha256'))
        batch_op.create_index(batch_op.f('ix_erasure_logs_sha256'), ['sha256'], unique=False)
