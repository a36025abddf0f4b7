"""access: roles held for one facility, calendar or department; one Entra group per scoped role

Revision ID: 0014
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_constraint('uq_role_assignment_employee_id_module_key_role_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_role_assignment_employee_id_module_key_role_key_scope'),
            ['employee_id', 'module_key', 'role_key', 'scope'])
    with op.batch_alter_table('group_mapping', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_constraint('uq_group_mapping_module_key_role_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_group_mapping_module_key_role_key_scope'), ['module_key', 'role_key', 'scope'])


def downgrade():
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
        batch_op.drop_column('scope')
