"""booking desk: reminders, the citizens' cancellation cutoff and whom to call, the reminder and
approvers' digest jobs, and an index for listing a room's bookings by time

Revision ID: 0015
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0008'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)
REMINDER_JOB = {"name": "Reservation reminders", "action": "reservations.send_reminders",
                "parameters": {"hours_before": 24}, "cron": None, "interval_seconds": 900, "enabled": True}
DIGEST_JOB = {"name": "Reservation requests waiting (daily digest)", "action": "reservations.approval_digest",
              "parameters": {"waiting_hours": 24}, "cron": "0 8 * * *", "interval_seconds": None, "enabled": True}


def upgrade():
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_reservation_space_start', ['space_id', 'start_at'], unique=False)
        batch_op.create_index('ix_reservation_start_at', ['start_at'], unique=False)
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_for_changes', sa.String(length=300), nullable=True))
    op.bulk_insert(server_job, [REMINDER_JOB, DIGEST_JOB])


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name.in_([REMINDER_JOB["name"], DIGEST_JOB["name"]])))
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        batch_op.drop_column('contact_for_changes')
        batch_op.drop_column('cancel_cutoff_hours')
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index('ix_reservation_start_at')
        batch_op.drop_index('ix_reservation_space_start')
        batch_op.drop_column('reminder_sent_at')
