"""The schema: migrations build it from empty, agree with the models, and enforce the data rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError

from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from app.reservations.models import Reservation

ALL_TABLES = {
    "employee", "employee_contact", "module", "role", "role_assignment", "group_mapping",
    "audit_entry", "facility", "facility_space", "reservation_config", "reservation",
    "calendar", "calendar_category", "calendar_event", "calendar_event_override", "email_message",
    "graph_operation", "server_job", "server_job_run", "sync_state", "staff_session", "alembic_version",
    "reservation_event", "room_calendar_share", "outlook_import_source", "closure", "room_occupancy",
    "occupancy_exemption", "seeding_rule", "seed_exclusion", "employee_extra_contact", "mail_template_version",
    "publishing_mailbox", "calendar_event_revision", "graph_subscription", "reservation_series",
}


def test_upgrade_from_empty_creates_every_table(app):
    assert set(inspect(db.engine).get_table_names()) == ALL_TABLES


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _space() -> FacilitySpace:
    facility = Facility(name="Library", slug="library", building_abbreviation="LIB")
    space = FacilitySpace(facility=facility, name="Program Room", slug="program-room")
    db.session.add(space)
    db.session.flush()
    return space


def _reservation(space: FacilitySpace, start: datetime, hours: int, status: str = "pending"):
    n = db.session.scalar(select(db.func.count()).select_from(Reservation)) or 0
    return Reservation(
        reference=f"R{n}", space=space, requester_name="Ann", requester_email="ann@example.org",
        purpose="Book club", attendees=10, start_at=start, end_at=start + timedelta(hours=hours),
        status=status, manage_token=f"token-{n}",
    )


START = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)


def test_times_round_trip_as_aware_utc_and_naive_times_are_refused(app):
    space = _space()
    local = START.astimezone(timezone(timedelta(hours=-6)))
    reservation = _reservation(space, local, 2)
    db.session.add(reservation)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Reservation, reservation.id)
    assert stored.start_at == START and stored.start_at.tzinfo is not None
    assert stored.start_at.utcoffset() == timedelta(0)

    naive = _reservation(space, datetime(2026, 12, 2, 9, 0), 1)
    db.session.add(naive)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_end_must_follow_start(app):
    space = _space()
    backwards = _reservation(space, START, 1)
    backwards.end_at = START - timedelta(hours=1)
    db.session.add(backwards)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.postgres
def test_postgres_refuses_overlapping_active_reservations(app):
    if db.engine.dialect.name != "postgresql":
        pytest.fail("run with DATABASE_URL=postgresql://... (CI runs this suite on PostgreSQL too)")
    space = _space()
    db.session.add(_reservation(space, START, 2))
    db.session.commit()

    db.session.add(_reservation(space, START + timedelta(hours=1), 2))
    with pytest.raises(IntegrityError, match="reservation_no_overlap"):
        db.session.commit()
    db.session.rollback()

    # Back to back is not an overlap; cancelled and denied reservations free the time.
    db.session.add(_reservation(space, START + timedelta(hours=2), 1))
    db.session.add(_reservation(space, START, 2, status="cancelled"))
    db.session.add(_reservation(space, START + timedelta(minutes=30), 1, status="denied"))
    db.session.commit()
    active = db.session.scalars(select(Reservation).where(Reservation.status == "pending")).all()
    assert len(active) == 2
