"""The reservation settings screen: facilities editors set every rule, validated on the field and
audited; a change that leaves bookings outside the rules lists them and cancels nothing."""
from __future__ import annotations

import re
from datetime import time

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.models import GraphOperation
from app.reservations.models import Reservation
from tests.facilities.helpers import make_facility, make_space, post
from tests.factories import staff_client
from tests.reservations.helpers import booking_form, make_room, next_open_day, page_text, space_url, submit

GOOD = {
    "citizen_reservable": "y", "approval_required": "y",
    "hours_1": "9:00-12:00, 13:00-20:00", "hours_2": "9-17", "hours_3": "", "hours_4": "9:00-17:00",
    "hours_5": "9:00-17:00", "hours_6": "10:00-14:00", "hours_7": "",
    "step_minutes": "30", "min_duration_minutes": "60", "max_duration_minutes": "180", "lead_time_hours": "48",
    "horizon_days": "90", "setup_minutes": "15", "teardown_minutes": "30", "cancel_cutoff_hours": "24",
    "capacity": "40", "max_attendees": "30", "instructions": "Pick up the key at the front desk.",
    "contact_for_changes": "the library front desk, 334-501-3190",
}


def _url(space) -> str:
    return f"/staff/facilities/spaces/{space.id}/reservation-settings"


def test_an_editor_makes_a_new_space_bookable_with_every_rule(app):
    space = make_space(make_facility(), exchange_resource_mailbox="rm_LIB_ProgramRoom@auburnal.gov")
    editor, _ = staff_client(app, "facilities.editor")
    page = editor.get(_url(space))
    assert page.status_code == 200
    assert not re.search(r'name="citizen_reservable" value="y" checked', page.get_data(as_text=True))

    response = post(editor, _url(space), GOOD)
    assert response.status_code == 303
    config = space.reservation_config
    assert config.citizen_reservable and config.approval_required
    assert config.weekly_hours["1"] == [["09:00", "12:00"], ["13:00", "20:00"]] and "3" not in config.weekly_hours
    assert (config.open_time, config.close_time, config.open_weekdays) == (time(9), time(20), [1, 2, 4, 5, 6])
    assert (config.step_minutes, config.setup_minutes, config.teardown_minutes, config.horizon_days,
            config.cancel_cutoff_hours, space.capacity, config.max_attendees) == (30, 15, 30, 90, 24, 40, 30)
    assert config.contact_for_changes == "the library front desk, 334-501-3190"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "facilities.reservation_settings")).one()
    assert entry.before == {} and entry.after["weekly_hours"]["2"] == [["09:00", "17:00"]]

    again = page_text(editor.get(_url(space)))
    assert "Every booking still to come fits the current rules." in again
    room_page = page_text(app.test_client().get(space_url(space)))
    assert "Pick up the key at the front desk." in room_page
    assert "Monday 9:00 AM to 12:00 PM and 1:00 PM to 8:00 PM; Tuesday 9:00 AM to 5:00 PM; Wednesday Closed" in room_page
    assert "kept free 15 minutes before each booking" in room_page


def test_bad_answers_are_refused_on_their_fields_and_nothing_changes(app):
    space = make_space(make_facility())
    editor, _ = staff_client(app, "facilities.editor")
    bad = {**GOOD, "hours_1": "9:00-13:00, 12:00-14:00", "hours_2": "nine to five", "max_duration_minutes": "30",
           "step_minutes": "20", "max_attendees": "50", "horizon_days": "0"}
    response = post(editor, _url(space), bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("hours_1", "hours_2", "max_duration_minutes", "max_attendees", "horizon_days"):
        assert re.search(rf'id="field-{field}"[^>]*aria-describedby="error-{field}[^>]*aria-invalid="true"', html), field
    text = page_text(response)
    assert "Nothing was saved: 6 answers need attention" in text
    assert "Monday: the openings overlap" in text and "Tuesday: write each opening as a 24-hour range" in text
    assert "cannot be more than the capacity (40 people)" in text and "15, 30 or 60 minutes" in text
    assert 'value="nine to five"' in html  # the answers are kept
    db.session.expire_all()
    assert space.reservation_config is None and space.capacity == 80
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_viewers_cannot_change_the_settings(app):
    space = make_space(make_facility())
    viewer, _ = staff_client(app, "facilities.viewer")
    assert viewer.get(_url(space)).status_code == 403


def test_new_rules_list_the_bookings_they_leave_out_and_cancel_nothing(app, devtenant_clean):
    space = make_room()
    day = next_open_day()
    assert submit(app.test_client(), space, booking_form(day, "18:00", "19:00")).status_code == 303
    editor, _ = staff_client(app, "facilities.editor")
    short_days = {f"hours_{n}": "9:00-17:00" for n in range(1, 7)}
    assert post(editor, _url(space), {**GOOD, **short_days, "max_attendees": "5"}).status_code == 303

    listed = page_text(editor.get(_url(space)))
    reservation = db.session.scalars(select(Reservation)).one()
    assert reservation.reference in listed
    assert f"Outside the hours on {day:%A}s (9:00 AM to 5:00 PM); 8 people, more than the 5 now allowed" in listed
    assert reservation.status == "pending"
    assert db.session.scalars(select(GraphOperation.kind).where(GraphOperation.kind == "delete_event")).all() == []

