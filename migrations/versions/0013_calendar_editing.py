"""calendars: what an Outlook event looked like when last taken (so staff edits are kept), changes the
server job found and told the publisher about, each calendar's managed list of categories (seeded
from the categories its events use), and the "deleted" status of a published event staff deleted

Revision ID: 0013
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)
OUTLOOK_JOB = {"name": "Outlook changes to published events", "action": "calendars.check_outlook_changes",
               "parameters": {}, "cron": None, "interval_seconds": 900, "enabled": True}


def upgrade():
    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outlook_snapshot', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('outlook_pending', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('outlook_notified_key', sa.String(length=256), nullable=True))
        batch_op.create_index('ix_calendar_event_outlook_pending', ['outlook_pending'], unique=False)
        batch_op.drop_constraint(batch_op.f('ck_calendar_event_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('draft', 'published', 'cancelled', 'deleted')")
    op.create_table(
        'calendar_category',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('calendar_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['calendar_id'], ['calendar.id'],
                                name=op.f('fk_calendar_category_calendar_id_calendar')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_category')),
        sa.UniqueConstraint('calendar_id', 'name', name=op.f('uq_calendar_category_calendar_id_name')),
    )
    op.bulk_insert(server_job, [OUTLOOK_JOB])
    op.execute(sa.text(
        "INSERT INTO calendar_category (calendar_id, name, retired, created_at)"
        " SELECT DISTINCT calendar_id, category, :retired, CURRENT_TIMESTAMP"
        " FROM calendar_event WHERE category IS NOT NULL AND category <> ''"
    ).bindparams(retired=False))


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name == OUTLOOK_JOB["name"]))
    op.drop_table('calendar_category')
    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_calendar_event_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('draft', 'published', 'cancelled')")
        batch_op.drop_index('ix_calendar_event_outlook_pending')
        batch_op.drop_column('outlook_notified_key')
        batch_op.drop_column('outlook_pending')
        batch_op.drop_column('outlook_snapshot')
