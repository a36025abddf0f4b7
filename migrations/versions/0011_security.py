"""security: mailboxes approved for calendar publishing; editors' pending changes to published events

Revision ID: 0011
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publishing_mailbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['approved_by_id'], ['employee.id'],
                                name=op.f('fk_publishing_mailbox_approved_by_id_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publishing_mailbox')),
        sa.UniqueConstraint('address', name=op.f('uq_publishing_mailbox_address')),
    )
    op.create_table(
        'calendar_event_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('proposed', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=True),
        sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'applied', 'discarded')", name=op.f('ck_calendar_event_revision_status')),
        sa.ForeignKeyConstraint(['event_id'], ['calendar_event.id'],
                                name=op.f('fk_calendar_event_revision_event_id_calendar_event')),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['employee.id'],
                                name=op.f('fk_calendar_event_revision_proposed_by_id_employee')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['employee.id'],
                                name=op.f('fk_calendar_event_revision_decided_by_id_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_event_revision')),
    )
    op.create_index('ix_calendar_event_revision_event_id', 'calendar_event_revision', ['event_id'], unique=False)


def downgrade():
    op.drop_index('ix_calendar_event_revision_event_id', table_name='calendar_event_revision')
    op.drop_table('calendar_event_revision')
    op.drop_table('publishing_mailbox')
