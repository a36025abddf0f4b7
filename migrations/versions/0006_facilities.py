"""facilities: provisioning errors, room-calendar reconcile results, room calendar shares,
and the server job that marks provisioned rooms active once Graph lists them

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)
PROVISIONING_JOB = {"name": "Room provisioning check", "action": "facilities.check_provisioning", "parameters": {},
                    "cron": None, "interval_seconds": 300, "enabled": True}


def upgrade():
    with op.batch_alter_table('facility_space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provisioning_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('calendar_check', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('calendar_checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('photo_alt', sa.String(length=300), nullable=True))

    op.create_table('room_calendar_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('mailbox', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('permission_id', sa.String(length=256), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('invited', 'revoked')", name=op.f('ck_room_calendar_share_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['employee.id'], name=op.f('fk_room_calendar_share_created_by_id_employee')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_room_calendar_share_employee_id_employee')),
    sa.ForeignKeyConstraint(['space_id'], ['facility_space.id'], name=op.f('fk_room_calendar_share_space_id_facility_space')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_calendar_share'))
    )
    with op.batch_alter_table('room_calendar_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_calendar_share_space_id'), ['space_id'], unique=False)
    op.bulk_insert(server_job, [PROVISIONING_JOB])


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name == PROVISIONING_JOB["name"]))
    with op.batch_alter_table('room_calendar_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_calendar_share_space_id'))
    op.drop_table('room_calendar_share')
    with op.batch_alter_table('facility_space', schema=None) as batch_op:
        batch_op.drop_column('photo_alt')
        batch_op.drop_column('calendar_checked_at')
        batch_op.drop_column('calendar_check')
        batch_op.drop_column('provisioning_error')
