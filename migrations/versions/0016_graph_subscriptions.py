"""subscriptions: Graph change notification subscriptions MyGov keeps (issue 23)

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


KEEP_JOB = {"name": "Live updates from Microsoft 365", "action": "graph.keep_subscriptions", "parameters": {},
            "cron": None, "interval_seconds": 3600, "enabled": True}
server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'graph_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('target', sa.String(length=320), nullable=False),
        sa.Column('resource', sa.String(length=500), nullable=False),
        sa.Column('graph_id', sa.String(length=64), nullable=True),
        sa.Column('state_nonce', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_notification_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notifications', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('room_events', 'outlook_calendar', 'sender_inbox', 'users')",
            name=op.f('ck_graph_subscription_purpose'),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'failed', 'removed')", name=op.f('ck_graph_subscription_status')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_graph_subscription')),
        sa.UniqueConstraint('graph_id', name=op.f('uq_graph_subscription_graph_id')),
        sa.UniqueConstraint('purpose', 'target', name='uq_graph_subscription_target'),
    )
    # Hourly: subscribe what is new, renew what is past half its life (nothing without a public URL).
    op.bulk_insert(server_job, [KEEP_JOB])


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name == KEEP_JOB["name"]))
    op.drop_table('graph_subscription')
