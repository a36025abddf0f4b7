"""facilities: reservation settings per space (weekly hours with several ranges a day, horizon,
setup and teardown apart, booking step, instructions), closures, and the room
occupancy table with its exclusion constraint and exemptions

Revision ID: 0010
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0014'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)
# Carries published series and closures forward in the occupancy table as the booking horizon moves.
OCCUPANCY_JOB = {"name": "Room occupancy", "action": "reservations.extend_occupancy", "parameters": {},
                 "cron": "20 1 * * *", "interval_seconds": None, "enabled": True}


def upgrade():
    op.create_table('closure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_closure_last_after_first')),
    sa.CheckConstraint('space_id IS NULL OR facility_id IS NOT NULL', name=op.f('ck_closure_space_needs_facility')),
    sa.ForeignKeyConstraint(['created_by_id'], ['employee.id'], name=op.f('fk_closure_created_by_id_employee')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_closure_facility_id_facility')),
    sa.ForeignKeyConstraint(['space_id'], ['facility_space.id'], name=op.f('fk_closure_space_id_facility_space')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure'))
    )
    with op.batch_alter_table('closure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closure_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closure_first_day'), ['first_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_closure_space_id'), ['space_id'], unique=False)
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekly_hours', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('horizon_days', sa.Integer(), nullable=False, server_default='60'))
        batch_op.add_column(sa.Column('setup_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('teardown_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('step_minutes', sa.Integer(), nullable=False, server_default='15'))
        batch_op.add_column(sa.Column('instructions', sa.Text(), nullable=False, server_default=''))
    op.create_table('occupancy_exemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('reservation', 'event', 'closure')", name=op.f('ck_occupancy_exemption_kind')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['employee.id'], name=op.f('fk_occupancy_exemption_granted_by_id_employee')),
    sa.ForeignKeyConstraint(['space_id'], ['facility_space.id'], name=op.f('fk_occupancy_exemption_space_id_facility_space')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occupancy_exemption')),
    sa.UniqueConstraint('space_id', 'kind', 'source_id', name=op.f('uq_occupancy_exemption_space_id_kind_source_id'))
    )
    with op.batch_alter_table('occupancy_exemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_occupancy_exemption_space_id'), ['space_id'], unique=False)
    op.create_table('room_occupancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('exemption_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_room_occupancy_end_after_start')),
    sa.CheckConstraint("kind IN ('reservation', 'event', 'closure')", name=op.f('ck_room_occupancy_kind')),
    sa.ForeignKeyConstraint(['exemption_id'], ['occupancy_exemption.id'], name=op.f('fk_room_occupancy_exemption_id_occupancy_exemption')),
    sa.ForeignKeyConstraint(['space_id'], ['facility_space.id'], name=op.f('fk_room_occupancy_space_id_facility_space')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_occupancy'))
    )
    with op.batch_alter_table('room_occupancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_occupancy_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_room_occupancy_space_id'), ['space_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Nothing MyGov puts in a room overlaps anything else there, unless staff exempted it.
        op.execute(
            "ALTER TABLE room_occupancy ADD CONSTRAINT room_occupancy_no_overlap"
            " EXCLUDE USING gist (space_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)"
            " WHERE (exemption_id IS NULL)"
        )
    # Today's active reservations hold their rooms in the table from the start.
    op.execute("INSERT INTO room_occupancy (space_id, kind, source_id, start_at, end_at)"
               " SELECT space_id, 'reservation', id, start_at, end_at FROM reservation"
               " WHERE status IN ('pending', 'approved')")
    # The old single buffer kept that many minutes free on both sides of each booking.
    op.execute('UPDATE reservation_config SET setup_minutes = buffer_minutes, teardown_minutes = buffer_minutes')
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        for name in ('horizon_days', 'setup_minutes', 'teardown_minutes', 'step_minutes', 'instructions'):
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column('buffer_minutes')
        batch_op.create_check_constraint(op.f('ck_reservation_config_step_minutes'), 'step_minutes IN (15, 30, 60)')
        batch_op.create_check_constraint(op.f('ck_reservation_config_setup_teardown_non_negative'),
                                          'setup_minutes >= 0 AND teardown_minutes >= 0')
        batch_op.create_check_constraint(op.f('ck_reservation_config_horizon_positive'), 'horizon_days > 0')
    op.bulk_insert(server_job, [OCCUPANCY_JOB])


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name == OCCUPANCY_JOB["name"]))
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buffer_minutes', sa.Integer(), nullable=False, server_default='0'))
    op.execute('UPDATE reservation_config SET buffer_minutes = setup_minutes')
    with op.batch_alter_table('reservation_config', schema=None) as batch_op:
        batch_op.alter_column('buffer_minutes', server_default=None)
        for name in ('step_minutes', 'setup_teardown_non_negative', 'horizon_positive'):
            batch_op.drop_constraint(op.f(f'ck_reservation_config_{name}'), type_='check')
        for name in ('instructions', 'step_minutes', 'teardown_minutes', 'setup_minutes', 'horizon_days',
                     'weekly_hours'):
            batch_op.drop_column(name)
    op.drop_table('room_occupancy')
    op.drop_table('occupancy_exemption')
    op.drop_table('closure')
