"""The booking desk's list: every reservation, whatever its state, found by filters; CSV export."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from tests.reservations.desk_helpers import add_reservation
from tests.reservations.helpers import make_room, next_open_day, page_text, staff


def _second_facility() -> FacilitySpace:
    hall = Facility(name="Boykin Community Center", slug="boykin", building_abbreviation="CC")
    gym = FacilitySpace(facility=hall, name="Gymnasium", slug="gym", reservation_config=ReservationConfig())
    db.session.add(gym)
    db.session.commit()
    return gym


def test_the_list_shows_every_state_and_each_filter_narrows_it(app):
    room, gym = make_room(), _second_facility()
    day = next_open_day()
    add_reservation(room, day, status="approved", name="Ann Approved")
    add_reservation(room, day, "12:00", "13:00", status="pending", name="Pia Pending", email="pia@example.org")
    add_reservation(room, day - timedelta(days=30), status="cancelled", name="Cal Cancelled")
    denied = add_reservation(gym, day + timedelta(days=5), status="denied", name="Dee Denied")
    viewer, _ = staff(app, "reservations.viewer")

    everything = page_text(viewer.get("/staff/bookings/"))
    assert "Showing 1 to 4 of 4 bookings." in everything
    for who in ("Ann Approved", "Pia Pending", "Cal Cancelled", "Dee Denied"):
        assert who in everything
    assert "Waiting for approval" in everything and "Cancelled" in everything

    def found(query: str) -> str:
        return page_text(viewer.get(f"/staff/bookings/?{query}"))

    assert "Dee Denied" in found(f"facility={gym.facility_id}")
    assert "Ann Approved" not in found(f"facility={gym.facility_id}")
    only_room = found(f"space={room.id}")
    assert "Dee Denied" not in only_room and "3 bookings" in only_room
    pending = found("status=pending")
    assert "Pia Pending" in pending and "Ann Approved" not in pending
    window = found(f"from={(day - timedelta(days=1)).isoformat()}&to={day.isoformat()}")
    assert "of 2 bookings" in window and "Cal Cancelled" not in window and "Dee Denied" not in window
    assert "Pia Pending" in found("q=PIA@EXAMPLE") and "Ann Approved" not in found("q=pia@example")
    assert "Dee Denied" in found(f"q={denied.reference.lower()}")
    assert "Cal Cancelled" in found("q=cal+canc")
    assert "No bookings match." in found("q=100%25")  # a % is a character, not a wildcard


def test_bad_filters_are_named_and_the_list_still_answers(app):
    make_room()
    viewer, _ = staff(app, "reservations.viewer")
    response = viewer.get("/staff/bookings/?from=2026-13-45&to=&status=lost")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter the first day as a date, for example 2026-03-15." in html
    assert 'id="desk-from" name="from" value="2026-13-45" aria-invalid="true"' in html
    assert "Choose a status from the list." in html
    later = viewer.get("/staff/bookings/?from=2026-05-02&to=2026-05-01")
    assert "The last day must be on or after the first day." in later.get_data(as_text=True)


def test_pages_of_fifty_keep_the_filters(app):
    room = make_room()
    day = next_open_day()
    for n in range(120):
        add_reservation(room, day + timedelta(days=n // 4), f"{10 + n % 4}:00", f"{10 + n % 4}:30",
                        name=f"Person {n:03d}", commit=False)
    add_reservation(room, day, "16:00", "17:00", status="cancelled", name="Not Counted")
    viewer, _ = staff(app, "reservations.viewer")
    first = page_text(viewer.get("/staff/bookings/?status=approved"))
    assert "Showing 1 to 50 of 120 bookings." in first and "Page 1 of 3" in first
    html = viewer.get("/staff/bookings/?status=approved").get_data(as_text=True)
    assert 'href="/staff/bookings/?page=2&amp;status=approved"' in html
    last = page_text(viewer.get("/staff/bookings/?status=approved&page=3"))
    assert "Showing 101 to 120 of 120 bookings." in last and "Person 000" in last  # latest first
    assert "Not Counted" not in last
    beyond = page_text(viewer.get("/staff/bookings/?status=approved&page=99"))
    assert "Showing 101 to 120" in beyond


def test_htmx_gets_only_the_results(app):
    room = make_room()
    add_reservation(room, next_open_day())
    viewer, _ = staff(app, "reservations.viewer")
    fragment = viewer.get("/staff/bookings/?q=ann", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "Showing 1 to 1 of 1 booking." in body and "<h1>" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_csv_export_has_every_matching_row_and_defuses_formulas(app):
    room = make_room()
    day = next_open_day()
    add_reservation(room, day, name="=HYPERLINK(\"http://evil\")", purpose="+1 table")
    add_reservation(room, day, "12:00", "13:30", status="pending", name="Pia Pending")
    add_reservation(room, day, "14:00", "15:00", status="cancelled", name="Cal Cancelled")
    viewer, _ = staff(app, "reservations.viewer")
    response = viewer.get("/staff/bookings/export.csv?status=pending")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Reference", "Facility", "Room", "Date"]
    assert len(rows) == 2
    assert rows[1][1:8] == ["Auburn Public Library", "Study Room A", day.isoformat(), "12:00", "13:30",
                            "Waiting for approval", "Pia Pending"]
    everything = list(csv.reader(io.StringIO(viewer.get("/staff/bookings/export.csv").get_data(as_text=True))))
    assert len(everything) == 4
    formula = next(row for row in everything if "HYPERLINK" in row[7])
    assert formula[7].startswith("'=") and formula[11] == "'+1 table"


def test_the_list_needs_a_reservations_role_and_is_in_the_navigation(app, client):
    make_room()
    assert client.get("/staff/bookings/").status_code in (302, 401)
    outsider, _ = staff(app, "calendars.editor", name="Cy Calendars")
    assert outsider.get("/staff/bookings/").status_code == 403
    assert outsider.get("/staff/bookings/export.csv").status_code == 403
    viewer, _ = staff(app, "reservations.viewer")
    assert 'href="/staff/bookings/"' in viewer.get("/staff/").get_data(as_text=True)
