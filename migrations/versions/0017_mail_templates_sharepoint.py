"""mail template versions people edit; a facility's SharePoint list of approved reservations;
the server job that prunes old run history

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)
PRUNE_JOB = {"name": "Prune run history", "action": "jobs.prune_runs", "parameters": {}, "cron": "45 3 * * *",
             "interval_seconds": None, "enabled": True}


def upgrade():
    op.create_table(
        'mail_template_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template', sa.String(length=100), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_by_label', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_template_version')),
        sa.UniqueConstraint('template', 'number', name=op.f('uq_mail_template_version_template_number')),
    )
    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sharepoint_site_id', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('sharepoint_list_id', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('sharepoint_include_contact', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.bulk_insert(server_job, [PRUNE_JOB])


def downgrade():
    op.execute(server_job.delete().where(server_job.c.name == PRUNE_JOB["name"]))
    with op.batch_alter_table('facility', schema=None) as batch_op:
        batch_op.drop_column('sharepoint_include_contact')
        batch_op.drop_column('sharepoint_list_id')
        batch_op.drop_column('sharepoint_site_id')
    op.drop_table('mail_template_version')
