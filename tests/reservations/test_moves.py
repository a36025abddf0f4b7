"""Moving a booking: Exchange follows (moved in the same room; removed from one room and created
in the other), never both missing nor both present once drained, and the old time is free at once."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities.models import FacilitySpace, ReservationConfig
from app.mail.models import EmailMessage
from app.reservations.availability import space_availability
from app.reservations.links import signed_token
from app.reservations.models import Reservation
from app.sqltypes import utcnow
from tests.jobs.helpers import drain
from tests.reservations.desk_helpers import outlook_booking
from tests.reservations.helpers import CITY, booking_form, csrf_token, make_room, next_open_day, page_text, staff, submit

ROOM_A = "rm_LIB_StudyRoomA@auburnal.gov"


def _room_b(room_a: FacilitySpace) -> FacilitySpace:
    config = room_a.reservation_config
    room = FacilitySpace(
        facility=room_a.facility, name="Program Room", slug="program-room", capacity=20,
        exchange_resource_mailbox="rm_LIB_ProgramRoom@auburnal.gov",
        reservation_config=ReservationConfig(**{c: getattr(config, c) for c in (
            "open_time", "close_time", "open_weekdays", "lead_time_hours", "min_duration_minutes",
            "max_duration_minutes", "approval_required")}))
    db.session.add(room)
    db.session.commit()
    return room


def graph_time(value: dict) -> datetime:
    """The instant of a dateTimeTimeZone as the dev tenant stores it (in the zone it was written in)."""
    zone = "UTC" if value.get("timeZone") in (None, "UTC") else value["timeZone"]
    return datetime.fromisoformat(value["dateTime"][:19]).replace(tzinfo=ZoneInfo(zone))


def _ours(exchange, mailbox: str, reservation: Reservation) -> list[dict]:
    return [e for e in exchange.control.events(mailbox) if e.get("subject", "").endswith(reservation.reference)]


def _move(client, path: str, space, day, start, end):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, path), "space": str(space.id),
                                   "date": day.isoformat(), "start_time": start, "end_time": end})


def test_staff_move_in_the_same_room_moves_the_event_and_frees_the_old_time_at_once(app, client, exchange):
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:00"))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    event_id = reservation.exchange_event_id
    # A real Outlook booking in the same room, later the same day, must never be hidden.
    outlook_booking(exchange, ROOM_A, day, "16:00", "17:00", "Board training")
    desk, employee = staff(app, "reservations.approver", name="Dana Desk")
    response = _move(desk, f"/staff/reservations/{reservation.id}/move", space, day, "10:30", "12:00")
    assert response.status_code == 303
    db.session.expire_all()
    assert reservation.start_at.astimezone(CITY).strftime("%H:%M") == "10:30"
    # Before the worker runs, Exchange still has 10:00-11:00; the old 10:00-10:30 is free already.
    with app.test_request_context():
        free = space_availability(space, day, 1, CITY, utcnow()).days[0].free
    spans = [(p.start.astimezone(CITY).strftime("%H:%M"), p.end.astimezone(CITY).strftime("%H:%M")) for p in free]
    assert ("09:00", "10:30") in spans and ("12:00", "16:00") in spans  # Outlook's 16:00 stays busy
    drain()
    (event,) = _ours(exchange, ROOM_A, reservation)
    assert event["id"] == event_id
    assert graph_time(event["start"]) == reservation.start_at and graph_time(event["end"]) == reservation.end_at
    db.session.expire_all()
    assert reservation.exchange_event_id == event_id
    assert [e.kind for e in reservation.history][-1] == "moved"
    assert db.session.scalars(select(AuditEntry.action)).all() == ["reservation.moved"]
    moved = db.session.scalars(select(EmailMessage).where(EmailMessage.template == "reservation_moved")).one()
    assert moved.recipient == "ann@example.org"


def test_a_move_to_another_room_removes_one_event_and_creates_the_other(app, client, exchange):
    room_a = make_room()
    room_b = _room_b(room_a)
    day = next_open_day()
    submit(client, room_a, booking_form(day, "10:00", "11:00"))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    assert len(_ours(exchange, ROOM_A, reservation)) == 1
    desk, _ = staff(app, "reservations.approver")
    assert _move(desk, f"/staff/reservations/{reservation.id}/move", room_b, day, "10:00", "11:00").status_code == 303
    # The old room is free at once, though its Exchange event is still there.
    assert len(_ours(exchange, ROOM_A, reservation)) == 1
    second = booking_form(day, "10:00", "11:00", requester_name="Bo Neighbour", requester_email="bo@example.org")
    assert submit(client, room_a, second).status_code == 303
    drain()
    db.session.expire_all()
    assert _ours(exchange, ROOM_A, reservation) == []
    (created,) = _ours(exchange, room_b.exchange_resource_mailbox, reservation)
    assert reservation.exchange_event_id == created["id"]
    assert reservation.exchange_mailbox == room_b.exchange_resource_mailbox
    assert "In Exchange" in page_text(desk.get(f"/staff/reservations/{reservation.id}"))


def test_the_citizen_moves_through_the_manage_link_and_taken_times_are_refused(app, client, exchange):
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:00"))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    outlook_booking(exchange, ROOM_A, day, "14:00", "15:00", "Board training")
    with app.test_request_context():
        path = f"/reservations/manage/{signed_token(reservation)}/move"
    taken = _move(client, path, space, day, "14:30", "15:30")
    assert taken.status_code == 409 and "That time is taken" in page_text(taken)
    closed = _move(client, path, space, day, "19:30", "21:00")
    assert closed.status_code == 422 and "when the space closes" in page_text(closed)
    done = _move(client, path, space, day, "12:00", "13:00")
    assert done.status_code == 303
    db.session.expire_all()
    assert reservation.start_at.astimezone(CITY).strftime("%H:%M") == "12:00"
    assert reservation.history[-1].actor_label == "Citizen"
    drain()
    (event,) = _ours(exchange, ROOM_A, reservation)
    assert event["id"] == reservation.exchange_event_id


def test_a_citizen_cannot_move_after_the_cutoff(app, client):
    space = make_room(lead_time_hours=0)
    space.reservation_config.cancel_cutoff_hours = 72
    space.reservation_config.contact_for_changes = "334-501-3190"
    db.session.commit()
    day = next_open_day(after_days=1)
    submit(client, space, booking_form(day, "10:00", "11:00"))
    reservation = db.session.scalars(select(Reservation)).one()
    with app.test_request_context():
        path = f"/reservations/manage/{signed_token(reservation)}/move"
    refused = _move(client, path, space, day, "12:00", "13:00")
    assert refused.status_code == 303
    assert "call 334-501-3190" in page_text(client.get(refused.headers["Location"]))
    db.session.expire_all()
    assert reservation.start_at.astimezone(CITY).strftime("%H:%M") == "10:00"


def test_the_queue_tells_an_outlook_booking_at_the_same_time_from_mygovs_own_event(app, client, exchange):
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:00"))
    drain()
    outlook_booking(exchange, ROOM_A, day, "10:00", "11:00", "Same-time Outlook meeting")
    approver, _ = staff(app, "reservations.approver")
    text = page_text(approver.get("/staff/reservations/"))
    assert "Same-time Outlook meeting" in text  # never hidden by matching times
    assert "MyGov reservation R-" not in text  # our own event is not listed as an Outlook booking


def test_a_cancelled_booking_frees_its_time_before_the_worker_removes_its_event(app, client, exchange):
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:00"))
    drain()
    reservation = db.session.scalars(select(Reservation)).one()
    with app.test_request_context():
        path = f"/reservations/manage/{signed_token(reservation)}"
    client.post(path + "/cancel", data={"csrf_token": csrf_token(client, path)})
    assert len(_ours(exchange, ROOM_A, reservation)) == 1  # the removal has not run yet
    again = submit(client, space, booking_form(day, "10:00", "11:00", requester_email="bo@example.org"))
    assert again.status_code == 303
    drain()
    assert _ours(exchange, ROOM_A, reservation) == []


def test_moved_before_the_worker_ran_still_ends_with_exactly_one_event(app, client, exchange):
    room_a = make_room()
    room_b = _room_b(room_a)
    day = next_open_day()
    submit(client, room_a, booking_form(day, "10:00", "11:00"))  # its create_event has not run
    reservation = db.session.scalars(select(Reservation)).one()
    desk, _ = staff(app, "reservations.approver")
    _move(desk, f"/staff/reservations/{reservation.id}/move", room_b, day, "12:00", "13:00")
    _move(desk, f"/staff/reservations/{reservation.id}/move", room_b, day, "14:00", "15:00")
    drain()
    db.session.expire_all()
    assert _ours(exchange, ROOM_A, reservation) == []
    (event,) = _ours(exchange, room_b.exchange_resource_mailbox, reservation)
    assert event["id"] == reservation.exchange_event_id
    assert graph_time(event["start"]) == reservation.start_at


def test_the_move_form_asks_for_dates_and_times_as_its_controls_show_them(app, client, exchange):
    """The hints match what the date and time controls display (12/18/2026, 02:00 PM) and the
    error message (month/day/year); where the browser shows plain text boxes, typing it that way works."""
    space = make_room()
    day = next_open_day()
    submit(client, space, booking_form(day, "10:00", "11:00"))
    reservation = db.session.scalars(select(Reservation)).one()
    with app.test_request_context():
        path = f"/reservations/manage/{signed_token(reservation)}/move"
    html = client.get(path).get_data(as_text=True)
    # a phone keeps the reference whole (not "R-" on one line and the rest on the next)
    assert f'<span class="text-no-wrap">{reservation.reference}</span>' in html
    form = page_text(client.get(path))
    assert "For example 03/15/" in form and "For example 2:30 PM." in form
    assert "2026-03-15" not in form and "14:30" not in form
    typed = client.post(path, data={"csrf_token": csrf_token(client, path), "space": str(space.id),
                                    "date": day.strftime("%m/%d/%Y"), "start_time": "12:00 pm", "end_time": "1:00 PM"})
    assert typed.status_code == 303, page_text(typed)
    db.session.expire_all()
    assert reservation.start_at.astimezone(CITY).strftime("%H:%M") == "12:00"
    assert reservation.end_at.astimezone(CITY).strftime("%H:%M") == "13:00"
