"""reservations: the history of each reservation

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reservation_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reservation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=256), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.CheckConstraint(
        "kind IN ('submitted', 'event_written', 'event_removed', 'sync_failed', 'approved', 'denied', 'cancelled')",
        name=op.f('ck_reservation_event_kind'),
    ),
    sa.ForeignKeyConstraint(['actor_id'], ['employee.id'], name=op.f('fk_reservation_event_actor_id_employee')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservation.id'], name=op.f('fk_reservation_event_reservation_id_reservation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation_event'))
    )
    with op.batch_alter_table('reservation_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservation_event_reservation_id'), ['reservation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reservation_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservation_event_reservation_id'))

    op.drop_table('reservation_event')
