"""reservations: a citizen confirms their email address or the hold lapses; per-client caps

Revision ID: 0012
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)
RELEASE_JOB = {"name": "Release unconfirmed bookings", "action": "reservations.release_unconfirmed",
               "parameters": {}, "cron": None, "interval_seconds": 60, "enabled": True}


def upgrade():
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_by', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_reservation_confirm_by'), ['confirm_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservation_client_key'), ['client_key'], unique=False)
    op.bulk_insert(server_job, [RELEASE_JOB])


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name == RELEASE_JOB["name"]))
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservation_client_key'))
        batch_op.drop_index(batch_op.f('ix_reservation_confirm_by'))
        batch_op.drop_column('client_key')
        batch_op.drop_column('email_confirmed_at')
        batch_op.drop_column('confirm_by')
