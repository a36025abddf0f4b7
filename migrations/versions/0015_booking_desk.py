"""booking desk: repeating bookings (series), reminders, the citizens' cancellation cutoff and whom to call, the reminder and
approvers' digest jobs, and an index for listing a room's bookings by time

Revision ID: 0015
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0013'
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

reservation = sa.table("reservation", sa.column("space_id", sa.Integer), sa.column("exchange_event_id", sa.String),
                       sa.column("exchange_mailbox", sa.String))
facility_space = sa.table("facility_space", sa.column("id", sa.Integer),
                          sa.column("exchange_resource_mailbox", sa.String))
KINDS = ("submitted", "event_written", "event_removed", "sync_failed", "approved", "denied", "cancelled")


def _quoted(kinds: tuple[str, ...]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


def upgrade():
    op.create_table('reservation_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("frequency IN ('weekly', 'monthly')", name=op.f('ck_reservation_series_frequency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation_series')),
    sa.UniqueConstraint('reference', name=op.f('uq_reservation_series_reference'))
    )
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_reservation_series_id', ['series_id'], unique=False)
        batch_op.create_foreign_key(op.f('fk_reservation_series_id_reservation_series'), 'reservation_series',
                                    ['series_id'], ['id'])
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('exchange_mailbox', sa.String(length=320), nullable=True))
        batch_op.create_index('ix_reservation_exchange_mailbox', ['exchange_mailbox'], unique=False)
        batch_op.create_index('ix_reservation_space_start', ['space_id', 'start_at'], unique=False)
        batch_op.create_index('ix_reservation_start_at', ['start_at'], unique=False)
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_cutoff_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('contact_for_changes', sa.String(length=300), nullable=True))
    with op.batch_alter_table('reservation_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reservation_event_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reservation_event_kind'), f"kind IN ({_quoted(KINDS + ('moved',))})")
    op.execute(reservation.update().where(reservation.c.exchange_event_id.is_not(None))
               .values(exchange_mailbox=sa.select(facility_space.c.exchange_resource_mailbox)
                       .where(facility_space.c.id == reservation.c.space_id).scalar_subquery()))
    op.bulk_insert(server_job, [REMINDER_JOB, DIGEST_JOB])


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name.in_([REMINDER_JOB["name"], DIGEST_JOB["name"]])))
    op.execute(sa.table("reservation_event", sa.column("kind", sa.String)).delete().where(sa.column("kind") == "moved"))
    with op.batch_alter_table('reservation_event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reservation_event_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_reservation_event_kind'), f"kind IN ({_quoted(KINDS)})")
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        batch_op.drop_column('contact_for_changes')
        batch_op.drop_column('cancel_cutoff_hours')
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index('ix_reservation_start_at')
        batch_op.drop_index('ix_reservation_space_start')
        batch_op.drop_index('ix_reservation_exchange_mailbox')
        batch_op.drop_column('exchange_mailbox')
        batch_op.drop_column('reminder_sent_at')
        batch_op.drop_constraint(op.f('fk_reservation_series_id_reservation_series'), type_='foreignkey')
        batch_op.drop_index('ix_reservation_series_id')
        batch_op.drop_column('series_id')
    op.drop_table('reservation_series')
