"""`flask mygov seed-demo` loads the demo city once; running it again changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app.access.models import Role
from app.calendars.models import CalendarEvent
from app.cli import mygov_cli
from app.extensions import db
from app.facilities.models import FacilitySpace


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (FacilitySpace, CalendarEvent, Role)
    }


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(mygov_cli, ["seed-demo"])
    assert first.exit_code == 0, first.output
    after_first = _counts()
    assert after_first["FacilitySpace"] >= 6 and after_first["CalendarEvent"] >= 5
    assert after_first["Role"] == 9

    second = runner.invoke(mygov_cli, ["seed-demo"])
    assert second.exit_code == 0
    assert "0 facilities, 0 spaces, 0 calendars, 0 events, 0 employees created" in second.output
    assert _counts() == after_first


def test_seeded_spaces_carry_their_room_mailboxes(app):
    app.test_cli_runner().invoke(mygov_cli, ["seed-demo"])
    room = db.session.scalar(select(FacilitySpace).where(FacilitySpace.slug == "program-room"))
    assert room.exchange_resource_mailbox == "rm_LIB_ProgramRoom@auburnal.gov"
    assert room.is_citizen_reservable and room.reservation_config.max_attendees == 80
    chambers = db.session.scalar(select(FacilitySpace).where(FacilitySpace.slug == "council-chambers"))
    assert chambers.exchange_resource_mailbox and not chambers.is_citizen_reservable
