"""access: roles held for one facility, calendar or department; one Entra group per scoped role;
seeding rules (Entra group, department, job title -> role) apart from the write-back groups;
end dates on role assignments and the hourly job that ends them; employees' extra contacts

Revision ID: 0014
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0017'
branch_labels = None
depends_on = None

server_job = sa.table(
    "server_job",
    sa.column("name", sa.String), sa.column("action", sa.String), sa.column("parameters", sa.JSON),
    sa.column("cron", sa.String), sa.column("interval_seconds", sa.Integer), sa.column("enabled", sa.Boolean),
)
NEW_JOBS = [
    {"name": "Role end dates", "action": "access.end_expired_roles", "parameters": {},
     "cron": "5 * * * *", "interval_seconds": None, "enabled": True},
]


def upgrade():
    op.create_table('seeding_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=16), nullable=False),
    sa.Column('match_value', sa.String(length=256), nullable=False),
    sa.Column('match_label', sa.String(length=256), nullable=False),
    sa.Column('module_key', sa.String(length=32), nullable=False),
    sa.Column('role_key', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source_kind IN ('group', 'department', 'position')", name=op.f('ck_seeding_rule_source_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['employee.id'], name=op.f('fk_seeding_rule_created_by_id_employee')),
    sa.ForeignKeyConstraint(['module_key', 'role_key'], ['role.module_key', 'role.key'], name=op.f('fk_seeding_rule_module_key_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seeding_rule')),
    sa.UniqueConstraint('source_kind', 'match_value', 'module_key', 'role_key', 'scope', name=op.f('uq_seeding_rule_source_kind_match_value_module_key_role_key_scope'))
    )
    op.create_table('seed_exclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('module_key', sa.String(length=32), nullable=False),
    sa.Column('role_key', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['employee.id'], name=op.f('fk_seed_exclusion_created_by_id_employee')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_seed_exclusion_employee_id_employee')),
    sa.ForeignKeyConstraint(['module_key', 'role_key'], ['role.module_key', 'role.key'], name=op.f('fk_seed_exclusion_module_key_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seed_exclusion')),
    sa.UniqueConstraint('employee_id', 'module_key', 'role_key', 'scope', name=op.f('uq_seed_exclusion_employee_id_module_key_role_key_scope'))
    )
    with op.batch_alter_table('seed_exclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seed_exclusion_employee_id'), ['employee_id'], unique=False)
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('seed_rule_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_role_assignment_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_assignment_seed_rule_id'), ['seed_rule_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_role_assignment_seed_rule_id_seeding_rule'), 'seeding_rule',
                                    ['seed_rule_id'], ['id'])
        batch_op.drop_constraint('uq_role_assignment_employee_id_module_key_role_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_role_assignment_employee_id_module_key_role_key_scope'),
            ['employee_id', 'module_key', 'role_key', 'scope'])
    with op.batch_alter_table('group_mapping', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_constraint('uq_group_mapping_module_key_role_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_group_mapping_module_key_role_key_scope'), ['module_key', 'role_key', 'scope'])
    op.bulk_insert(server_job, NEW_JOBS)
    op.create_table('employee_extra_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=320), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('phone', 'email', 'hours')", name=op.f('ck_employee_extra_contact_kind')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_employee_extra_contact_employee_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_extra_contact'))
    )
    with op.batch_alter_table('employee_extra_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_extra_contact_employee_id'), ['employee_id'], unique=False)


def downgrade():
    with op.batch_alter_table('employee_extra_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_employee_extra_contact_employee_id')
    op.drop_table('employee_extra_contact')
    op.execute(server_job.delete().where(server_job.c.name.in_([job["name"] for job in NEW_JOBS])))
    op.execute("DELETE FROM role_assignment WHERE scope <> ''")
    op.execute("DELETE FROM group_mapping WHERE scope <> ''")
    with op.batch_alter_table('group_mapping', schema=None) as batch_op:
        batch_op.drop_constraint('uq_group_mapping_module_key_role_key_scope', type_='unique')
        batch_op.create_unique_constraint('uq_group_mapping_module_key_role_key', ['module_key', 'role_key'])
        batch_op.drop_column('scope')
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_constraint('uq_role_assignment_employee_id_module_key_role_key_scope', type_='unique')
        batch_op.create_unique_constraint('uq_role_assignment_employee_id_module_key_role_key',
                                          ['employee_id', 'module_key', 'role_key'])
        batch_op.drop_constraint('fk_role_assignment_seed_rule_id_seeding_rule', type_='foreignkey')
        batch_op.drop_index('ix_role_assignment_seed_rule_id')
        batch_op.drop_index('ix_role_assignment_ends_at')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('seed_rule_id')
        batch_op.drop_column('scope')
    with op.batch_alter_table('seed_exclusion', schema=None) as batch_op:
        batch_op.drop_index('ix_seed_exclusion_employee_id')
    op.drop_table('seed_exclusion')
    op.drop_table('seeding_rule')
