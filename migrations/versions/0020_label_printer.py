"""Label printer of a workshop: how labels are sent without a dialog.

Revision ID: 0020_label_printer
Revises: 0019_communes_source
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_label_printer'
down_revision = '0019_communes_source'
branch_labels = None
depends_on = None

COLUMNS = ('label_printer_kind', 'label_printer_host', 'label_printer_port', 'label_printer_model',
           'label_printer_queue', 'label_printer_format', 'label_auto_print')


def upgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label_printer_kind', sa.String(length=12), nullable=False,
                                      server_default='none'))
        batch_op.add_column(sa.Column('label_printer_host', sa.String(length=253), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('label_printer_port', sa.Integer(), nullable=False, server_default='9100'))
        batch_op.add_column(sa.Column('label_printer_model', sa.String(length=20), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('label_printer_queue', sa.String(length=127), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('label_printer_format', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('label_auto_print', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('structures', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
