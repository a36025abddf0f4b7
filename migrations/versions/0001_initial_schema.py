"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 22:18:58.648853

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('exchange_calendar_address', sa.String(length=320), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar')),
    sa.UniqueConstraint('slug', name=op.f('uq_calendar_slug'))
    )
    op.create_table('email_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=100), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('related_type', sa.String(length=64), nullable=True),
    sa.Column('related_id', sa.String(length=64), nullable=True),
    sa.Column('internet_message_id', sa.String(length=300), nullable=True),
    sa.Column('send_status', sa.String(length=16), nullable=False),
    sa.Column('delivery_status', sa.String(length=16), nullable=True),
    sa.Column('bounce_detail', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bounced_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("delivery_status IS NULL OR delivery_status IN ('sent', 'bounced')", name=op.f('ck_email_message_delivery_status')),
    sa.CheckConstraint("send_status IN ('queued', 'sent', 'failed')", name=op.f('ck_email_message_send_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_message')),
    sa.UniqueConstraint('internet_message_id', name=op.f('uq_email_message_internet_message_id'))
    )
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_message_recipient'), ['recipient'], unique=False)

    op.create_table('employee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.Column('entra_oid', sa.String(length=36), nullable=False),
    sa.Column('upn', sa.String(length=320), nullable=True),
    sa.Column('mail', sa.String(length=320), nullable=True),
    sa.Column('legal_name', sa.String(length=256), nullable=True),
    sa.Column('given_name', sa.String(length=128), nullable=True),
    sa.Column('surname', sa.String(length=128), nullable=True),
    sa.Column('job_title', sa.String(length=256), nullable=True),
    sa.Column('department', sa.String(length=256), nullable=True),
    sa.Column('office_location', sa.String(length=256), nullable=True),
    sa.Column('business_phone', sa.String(length=64), nullable=True),
    sa.Column('account_enabled', sa.Boolean(), nullable=False),
    sa.Column('entra_photo_hash', sa.String(length=64), nullable=True),
    sa.Column('entra_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('display_name_override', sa.String(length=256), nullable=True),
    sa.Column('public_title_override', sa.String(length=256), nullable=True),
    sa.Column('public_phone_override', sa.String(length=64), nullable=True),
    sa.Column('public_email_override', sa.String(length=320), nullable=True),
    sa.Column('photo_override_path', sa.String(length=512), nullable=True),
    sa.Column('show_publicly', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee')),
    sa.UniqueConstraint('tenant_id', 'entra_oid', name=op.f('uq_employee_tenant_id_entra_oid'))
    )
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_mail'), ['mail'], unique=False)

    op.create_table('facility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('building_abbreviation', sa.String(length=16), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('graph_building_place_id', sa.String(length=128), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility')),
    sa.UniqueConstraint('building_abbreviation', name=op.f('uq_facility_building_abbreviation')),
    sa.UniqueConstraint('slug', name=op.f('uq_facility_slug'))
    )
    op.create_table('graph_operation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('queue', sa.String(length=16), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error_status', sa.Integer(), nullable=True),
    sa.Column('last_error_code', sa.String(length=128), nullable=True),
    sa.Column('last_error_message', sa.Text(), nullable=True),
    sa.Column('last_error_request_id', sa.String(length=64), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'running', 'done', 'failed', 'dead', 'superseded')", name=op.f('ck_graph_operation_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_graph_operation')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_graph_operation_idempotency_key'))
    )
    with op.batch_alter_table('graph_operation', schema=None) as batch_op:
        batch_op.create_index('ix_graph_operation_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_graph_operation_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_graph_operation_target', ['target_type', 'target_id', 'id'], unique=False)

    op.create_table('module',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_module'))
    )
    op.create_table('server_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('cron', sa.String(length=128), nullable=True),
    sa.Column('interval_seconds', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.String(length=16), nullable=True),
    sa.Column('last_duration_seconds', sa.Float(), nullable=True),
    sa.Column('last_summary', sa.Text(), nullable=True),
    sa.CheckConstraint('(cron IS NOT NULL AND interval_seconds IS NULL) OR (cron IS NULL AND interval_seconds IS NOT NULL)', name=op.f('ck_server_job_one_schedule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server_job')),
    sa.UniqueConstraint('name', name=op.f('uq_server_job_name'))
    )
    with op.batch_alter_table('server_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_job_next_run_at'), ['next_run_at'], unique=False)

    op.create_table('sync_state',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sync_state'))
    )
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=256), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['employee.id'], name=op.f('fk_audit_entry_actor_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)

    op.create_table('calendar_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('all_day', sa.Boolean(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('rrule', sa.Text(), nullable=True),
    sa.Column('exdates', sa.JSON(), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('image_url', sa.String(length=1024), nullable=True),
    sa.Column('image_alt', sa.String(length=500), nullable=True),
    sa.Column('registration_url', sa.String(length=1024), nullable=True),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('exchange_event_id', sa.String(length=256), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('outlook_source_id', sa.Integer(), nullable=True),
    sa.Column('outlook_event_id', sa.String(length=256), nullable=True),
    sa.Column('outlook_change_key', sa.String(length=256), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('mygov', 'outlook')", name=op.f('ck_calendar_event_source')),
    sa.CheckConstraint("status IN ('draft', 'published', 'cancelled')", name=op.f('ck_calendar_event_status')),
    sa.CheckConstraint('(all_day AND start_date IS NOT NULL AND end_date > start_date AND start_at IS NULL AND end_at IS NULL) OR (NOT all_day AND start_at IS NOT NULL AND end_at > start_at AND start_date IS NULL AND end_date IS NULL)', name=op.f('ck_calendar_event_times_consistent')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_calendar_event_sequence_non_negative')),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendar.id'], name=op.f('fk_calendar_event_calendar_id_calendar')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_calendar_event_facility_id_facility')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_event')),
    sa.UniqueConstraint('outlook_source_id', 'outlook_event_id', name=op.f('uq_calendar_event_outlook_source_id_outlook_event_id')),
    sa.UniqueConstraint('uid', name=op.f('uq_calendar_event_uid'))
    )
    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_event_calendar_id'), ['calendar_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_event_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_event_start_at'), ['start_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_event_start_date'), ['start_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_event_status'), ['status'], unique=False)

    op.create_table('employee_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=256), nullable=False),
    sa.Column('public_title', sa.String(length=256), nullable=True),
    sa.Column('department', sa.String(length=256), nullable=True),
    sa.Column('public_phone', sa.String(length=64), nullable=True),
    sa.Column('public_email', sa.String(length=320), nullable=True),
    sa.Column('photo_path', sa.String(length=512), nullable=True),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_employee_contact_employee_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_contact')),
    sa.UniqueConstraint('employee_id', name=op.f('uq_employee_contact_employee_id'))
    )
    with op.batch_alter_table('employee_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_contact_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_contact_is_public'), ['is_public'], unique=False)

    op.create_table('facility_space',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('floor', sa.String(length=32), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('accessibility_notes', sa.Text(), nullable=False),
    sa.Column('photo_path', sa.String(length=512), nullable=True),
    sa.Column('exchange_resource_mailbox', sa.String(length=320), nullable=True),
    sa.Column('mailbox_display_name_override', sa.String(length=256), nullable=True),
    sa.Column('graph_place_id', sa.String(length=128), nullable=True),
    sa.Column('graph_floor_place_id', sa.String(length=128), nullable=True),
    sa.Column('provisioning_state', sa.String(length=16), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("provisioning_state IN ('none', 'provisioning', 'active', 'failed')", name=op.f('ck_facility_space_provisioning_state')),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], name=op.f('fk_facility_space_facility_id_facility')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_space')),
    sa.UniqueConstraint('exchange_resource_mailbox', name=op.f('uq_facility_space_exchange_resource_mailbox')),
    sa.UniqueConstraint('facility_id', 'slug', name=op.f('uq_facility_space_facility_id_slug'))
    )
    with op.batch_alter_table('facility_space', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facility_space_facility_id'), ['facility_id'], unique=False)

    op.create_table('role',
    sa.Column('module_key', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['module_key'], ['module.key'], name=op.f('fk_role_module_key_module')),
    sa.PrimaryKeyConstraint('module_key', 'key', name=op.f('pk_role'))
    )
    op.create_table('server_job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name=op.f('ck_server_job_run_status')),
    sa.ForeignKeyConstraint(['job_id'], ['server_job.id'], name=op.f('fk_server_job_run_job_id_server_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server_job_run')),
    sa.UniqueConstraint('job_id', 'due_at', name=op.f('uq_server_job_run_job_id_due_at'))
    )
    with op.batch_alter_table('server_job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_job_run_job_id'), ['job_id'], unique=False)

    op.create_table('calendar_event_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('recurrence_id', sa.DateTime(timezone=True), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_calendar_event_override_end_after_start')),
    sa.ForeignKeyConstraint(['event_id'], ['calendar_event.id'], name=op.f('fk_calendar_event_override_event_id_calendar_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_event_override')),
    sa.UniqueConstraint('event_id', 'recurrence_id', name=op.f('uq_calendar_event_override_event_id_recurrence_id'))
    )
    op.create_table('group_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_key', sa.String(length=32), nullable=False),
    sa.Column('role_key', sa.String(length=32), nullable=False),
    sa.Column('group_name', sa.String(length=256), nullable=False),
    sa.Column('group_object_id', sa.String(length=36), nullable=True),
    sa.Column('last_reconciled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_reconcile_result', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['module_key', 'role_key'], ['role.module_key', 'role.key'], name=op.f('fk_group_mapping_module_key_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_mapping')),
    sa.UniqueConstraint('group_object_id', name=op.f('uq_group_mapping_group_object_id')),
    sa.UniqueConstraint('module_key', 'role_key', name=op.f('uq_group_mapping_module_key_role_key'))
    )
    op.create_table('reservation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=False),
    sa.Column('requester_email', sa.String(length=320), nullable=False),
    sa.Column('requester_phone', sa.String(length=64), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('exchange_event_id', sa.String(length=256), nullable=True),
    sa.Column('manage_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'denied', 'cancelled')", name=op.f('ck_reservation_status')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_reservation_end_after_start')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['employee.id'], name=op.f('fk_reservation_decided_by_id_employee')),
    sa.ForeignKeyConstraint(['space_id'], ['facility_space.id'], name=op.f('fk_reservation_space_id_facility_space')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation')),
    sa.UniqueConstraint('manage_token', name=op.f('uq_reservation_manage_token')),
    sa.UniqueConstraint('reference', name=op.f('uq_reservation_reference'))
    )
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservation_space_id'), ['space_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reservation_status'), ['status'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Two active reservations of one space never overlap (btree_gist for the = on space_id).
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE reservation ADD CONSTRAINT reservation_no_overlap"
            " EXCLUDE USING gist (space_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)"
            " WHERE (status IN ('pending', 'approved'))"
        )

    op.create_table('reservation_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('citizen_reservable', sa.Boolean(), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('open_time', sa.Time(), nullable=False),
    sa.Column('close_time', sa.Time(), nullable=False),
    sa.Column('open_weekdays', sa.JSON(), nullable=False),
    sa.Column('min_duration_minutes', sa.Integer(), nullable=False),
    sa.Column('max_duration_minutes', sa.Integer(), nullable=False),
    sa.Column('lead_time_hours', sa.Integer(), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('max_attendees', sa.Integer(), nullable=True),
    sa.Column('rules', sa.JSON(), nullable=True),
    sa.CheckConstraint('max_duration_minutes >= min_duration_minutes', name=op.f('ck_reservation_config_max_ge_min')),
    sa.CheckConstraint('min_duration_minutes > 0', name=op.f('ck_reservation_config_min_duration_positive')),
    sa.CheckConstraint('open_time < close_time', name=op.f('ck_reservation_config_open_before_close')),
    sa.ForeignKeyConstraint(['space_id'], ['facility_space.id'], name=op.f('fk_reservation_config_space_id_facility_space')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservation_config')),
    sa.UniqueConstraint('space_id', name=op.f('uq_reservation_config_space_id'))
    )
    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('module_key', sa.String(length=32), nullable=False),
    sa.Column('role_key', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('entra-seed', 'manual')", name=op.f('ck_role_assignment_source')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_role_assignment_employee_id_employee')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['employee.id'], name=op.f('fk_role_assignment_granted_by_id_employee')),
    sa.ForeignKeyConstraint(['module_key', 'role_key'], ['role.module_key', 'role.key'], name=op.f('fk_role_assignment_module_key_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignment')),
    sa.UniqueConstraint('employee_id', 'module_key', 'role_key', name=op.f('uq_role_assignment_employee_id_module_key_role_key'))
    )
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignment_employee_id'), ['employee_id'], unique=False)



def downgrade():
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_assignment_employee_id'))

    op.drop_table('role_assignment')
    op.drop_table('reservation_config')
    with op.batch_alter_table('reservation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservation_status'))
        batch_op.drop_index(batch_op.f('ix_reservation_space_id'))

    op.drop_table('reservation')
    op.drop_table('group_mapping')
    op.drop_table('calendar_event_override')
    with op.batch_alter_table('server_job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_job_run_job_id'))

    op.drop_table('server_job_run')
    op.drop_table('role')
    with op.batch_alter_table('facility_space', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facility_space_facility_id'))

    op.drop_table('facility_space')
    with op.batch_alter_table('employee_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_contact_is_public'))
        batch_op.drop_index(batch_op.f('ix_employee_contact_department'))

    op.drop_table('employee_contact')
    with op.batch_alter_table('calendar_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_event_status'))
        batch_op.drop_index(batch_op.f('ix_calendar_event_start_date'))
        batch_op.drop_index(batch_op.f('ix_calendar_event_start_at'))
        batch_op.drop_index(batch_op.f('ix_calendar_event_category'))
        batch_op.drop_index(batch_op.f('ix_calendar_event_calendar_id'))

    op.drop_table('calendar_event')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')
    op.drop_table('sync_state')
    with op.batch_alter_table('server_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_job_next_run_at'))

    op.drop_table('server_job')
    op.drop_table('module')
    with op.batch_alter_table('graph_operation', schema=None) as batch_op:
        batch_op.drop_index('ix_graph_operation_target')
        batch_op.drop_index(batch_op.f('ix_graph_operation_kind'))
        batch_op.drop_index('ix_graph_operation_due')

    op.drop_table('graph_operation')
    op.drop_table('facility')
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_mail'))
        batch_op.drop_index(batch_op.f('ix_employee_department'))

    op.drop_table('employee')
    with op.batch_alter_table('email_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_message_recipient'))

    op.drop_table('email_message')
    op.drop_table('calendar')
