"""jobs: the default server jobs (schedules are data; staff change them on the ops screen), send counts

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)

DEFAULT_JOBS = [
    {"name": "Outbox sweeper", "action": "outbox.sweep", "parameters": {}, "cron": None, "interval_seconds": 30},
    {"name": "Directory sync", "action": "graph.sync_users_delta", "parameters": {}, "cron": "*/15 * * * *",
     "interval_seconds": None},
    {"name": "Employee photos", "action": "graph.get_user_photo", "parameters": {"target": "all"},
     "cron": "30 2 * * *", "interval_seconds": None},
    {"name": "Bounce reports", "action": "graph.process_mailbox_ndrs", "parameters": {}, "cron": None,
     "interval_seconds": 600},
    {"name": "Role groups reconcile", "action": "access.reconcile_groups", "parameters": {}, "cron": "0 3 * * *",
     "interval_seconds": None},
    {"name": "Room calendars reconcile", "action": "facilities.reconcile_room_calendars", "parameters": {},
     "cron": "15 * * * *", "interval_seconds": None},
]


def upgrade():
    op.bulk_insert(server_job, [{**job, "enabled": True} for job in DEFAULT_JOBS])
    with op.batch_alter_table("graph_operation") as table:
        table.add_column(sa.Column("send_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("graph_operation") as table:
        table.drop_column("send_count")
    names = [job["name"] for job in DEFAULT_JOBS]
    op.execute(server_job.delete().where(server_job.c.name.in_(names)))
