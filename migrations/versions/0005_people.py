"""people: removed-from-Entra marker, Entra photo file, contact photo lookup

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entra_removed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('entra_photo_path', sa.String(length=512), nullable=True))

    with op.batch_alter_table('employee_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_contact_photo_path'), ['photo_path'], unique=False)


def downgrade():
    with op.batch_alter_table('employee_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_contact_photo_path'))

    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_column('entra_photo_path')
        batch_op.drop_column('entra_removed_at')
