"""calendars: schema changes of the calendars area after the initial schema

Outlook import sources (issue 10), and calendar_event.outlook_source_id becomes a foreign key to them.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outlook_import_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mailbox', sa.String(length=320), nullable=False),
    sa.Column('outlook_calendar_id', sa.String(length=256), nullable=True),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendar.id'], name=op.f('fk_outlook_import_source_calendar_id_calendar')),
    sa.ForeignKeyConstraint(['created_by_id'], ['employee.id'], name=op.f('fk_outlook_import_source_created_by_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlook_import_source')),
    sa.UniqueConstraint('mailbox', 'outlook_calendar_id', 'calendar_id', name=op.f('uq_outlook_import_source_mailbox_outlook_calendar_id_calendar_id'))
    )
    with op.batch_alter_table('outlook_import_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outlook_import_source_calendar_id'), ['calendar_id'], unique=False)

    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_calendar_event_outlook_source_id_outlook_import_source'),
                                    'outlook_import_source', ['outlook_source_id'], ['id'])


def downgrade():
    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_calendar_event_outlook_source_id_outlook_import_source'), type_='foreignkey')

    with op.batch_alter_table('outlook_import_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outlook_import_source_calendar_id'))

    op.drop_table('outlook_import_source')
