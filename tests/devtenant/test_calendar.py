"""Events, calendarView and getSchedule in room and user mailboxes (contract §5, §6, §8)."""

from __future__ import annotations

import datetime as dt

from tests.devtenant.conftest import ROOM, error_code

CENTRAL = "Central Standard Time"
DAY = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def _event(start: str, end: str, **extra) -> dict:
    return {
        "subject": "Booking",
        "start": {"dateTime": f"{DAY}T{start}:00", "timeZone": CENTRAL},
        "end": {"dateTime": f"{DAY}T{end}:00", "timeZone": CENTRAL},
        "showAs": "busy",
        **extra,
    }


def test_create_returns_the_full_event_in_utc(graph):
    created = graph.post(f"/users/{ROOM}/events", json=_event("10:00", "11:00", transactionId="mygov-r-1"))
    assert created.status_code == 201
    event = created.json()
    for name in ("id", "iCalUId", "changeKey", "@odata.etag", "webLink", "createdDateTime"):
        assert event[name]
    assert event["transactionId"] == "mygov-r-1" and event["isOrganizer"] is True
    assert event["start"]["timeZone"] == "UTC" and event["start"]["dateTime"].startswith(f"{DAY}T16:00:00")
    assert event["originalStartTimeZone"] == CENTRAL
    local = graph.get(
        f"/users/{ROOM}/events/{event['id']}", headers={"Prefer": f'outlook.timezone="{CENTRAL}"'}
    )
    assert local.json()["start"] == {"dateTime": f"{DAY}T10:00:00.0000000", "timeZone": CENTRAL}
    assert local.headers["Preference-Applied"] == f'outlook.timezone="{CENTRAL}"'


def test_same_transaction_id_in_the_same_mailbox_does_not_create_a_second_event(tenant, graph):
    first = graph.post(
        f"/users/{ROOM}/events", json=_event("12:00", "13:00", transactionId="mygov-r-2")
    ).json()
    retry = graph.post(
        f"/users/{ROOM}/events", json=_event("12:00", "13:00", transactionId="mygov-r-2")
    ).json()
    assert retry["id"] == first["id"]
    assert [e["id"] for e in tenant.control.events(ROOM) if e.get("transactionId") == "mygov-r-2"] == [
        first["id"]
    ]
    other_room = graph.post(
        "/users/rm_CH_ConferenceRoom2B@auburnal.gov/events",
        json=_event("12:00", "13:00", transactionId="mygov-r-2"),
    ).json()
    assert other_room["id"] != first["id"]


def test_update_delete_and_not_found(graph):
    event = graph.post(f"/users/{ROOM}/events", json=_event("14:00", "15:00")).json()
    moved = graph.patch(
        f"/users/{ROOM}/events/{event['id']}",
        json={"end": {"dateTime": f"{DAY}T16:00:00", "timeZone": CENTRAL}},
    )
    assert moved.status_code == 200 and moved.json()["end"]["dateTime"].startswith(f"{DAY}T22:00:00")
    assert moved.json()["changeKey"] != event["changeKey"]
    stale = graph.patch(
        f"/users/{ROOM}/events/{event['id']}",
        json={"subject": "x"},
        headers={"If-Match": event["@odata.etag"]},
    )
    assert stale.status_code == 412
    assert (
        graph.patch(f"/users/{ROOM}/events/{event['id']}", json={"transactionId": "new"}).status_code == 400
    )
    assert (
        graph.post(f"/users/{ROOM}/events", json=_event("10:00", "11:00", showAs="maybe")).status_code == 400
    )
    assert graph.delete(f"/users/{ROOM}/events/{event['id']}").status_code == 204
    for response in (
        graph.get(f"/users/{ROOM}/events/{event['id']}"),
        graph.delete(f"/users/{ROOM}/events/{event['id']}"),
    ):
        assert response.status_code == 404 and error_code(response) == "ErrorItemNotFound"


def test_cancel_is_for_the_organizer_only(tenant, graph):
    invite = _event("09:00", "10:00", attendees=[{"type": "resource", "emailAddress": {"address": ROOM}}])
    meeting = graph.post("/users/tasha.brewer@auburnal.gov/events", json=invite).json()
    room_copy = next(e for e in tenant.control.events(ROOM) if e["iCalUId"] == meeting["iCalUId"])
    assert room_copy["isOrganizer"] is False and room_copy["responseStatus"]["response"] == "accepted"
    refused = graph.post(f"/users/{ROOM}/events/{room_copy['id']}/cancel", json={"comment": "no"})
    assert refused.status_code == 400
    assert (
        graph.post(
            f"/users/tasha.brewer@auburnal.gov/events/{meeting['id']}/cancel", json={"comment": "Room closed"}
        ).status_code
        == 202
    )
    assert all(e["iCalUId"] != meeting["iCalUId"] for e in tenant.control.events(ROOM))


def test_calendar_view_needs_a_window_pages_by_ten_and_expands_recurrence(graph):
    missing = graph.get(f"/users/{ROOM}/calendarView")
    assert missing.status_code == 400 and error_code(missing) == "ErrorInvalidParameter"
    weekly = _event(
        "08:00",
        "08:30",
        subject="Standup",
        recurrence={
            "pattern": {
                "type": "weekly",
                "interval": 1,
                "daysOfWeek": [dt.date.fromisoformat(DAY).strftime("%A").lower()],
            },
            "range": {"type": "numbered", "startDate": DAY, "numberOfOccurrences": 12},
        },
    )
    master = graph.post(f"/users/{ROOM}/events", json=weekly).json()
    assert master["type"] == "seriesMaster"
    start, end = (
        f"{DAY}T00:00:00Z",
        (dt.date.fromisoformat(DAY) + dt.timedelta(days=120)).isoformat() + "T00:00:00Z",
    )
    instances, url = [], f"/users/{ROOM}/calendarView?startDateTime={start}&endDateTime={end}"
    first = graph.get(url).json()
    assert len(first["value"]) == 10 and "@odata.nextLink" in first
    while url:
        body = graph.get(url).json()
        instances += body["value"]
        url = body.get("@odata.nextLink")
    occurrences = [e for e in instances if e.get("seriesMasterId") == master["id"]]
    assert len(occurrences) == 12 and {e["type"] for e in occurrences} == {"occurrence"}
    assert (
        graph.get(f"/users/{ROOM}/events/{occurrences[3]['id']}").json()["start"] == occurrences[3]["start"]
    )


def test_get_schedule_is_computed_from_events_with_per_schedule_errors(tenant, graph):
    tenant.control.add_event(ROOM, _event("10:00", "11:00", showAs="busy"))
    tenant.control.add_event(ROOM, _event("11:00", "11:30", showAs="tentative"))
    body = {
        "schedules": [ROOM, "nobody@auburnal.gov", "rm_CC_Gymnasium@auburnal.gov"],
        "startTime": {"dateTime": f"{DAY}T09:00:00", "timeZone": CENTRAL},
        "endTime": {"dateTime": f"{DAY}T12:00:00", "timeZone": CENTRAL},
        "availabilityViewInterval": 30,
    }
    response = graph.post(
        "/users/noreply@auburnal.gov/calendar/getSchedule",
        json=body,
        headers={"Prefer": f'outlook.timezone="{CENTRAL}"'},
    )
    assert response.status_code == 200
    room, unknown, gym = response.json()["value"]
    assert room["scheduleId"] == ROOM and room["availabilityView"] == "002210"
    assert [(i["status"], i["start"]["dateTime"][11:16]) for i in room["scheduleItems"]] == [
        ("busy", "10:00"),
        ("tentative", "11:00"),
    ]
    assert unknown["error"]["responseCode"] == "ErrorMailRecipientNotFound" and unknown["scheduleItems"] == []
    assert gym["availabilityView"] == "000000"


def test_get_schedule_limits(graph):
    window = {
        "startTime": {"dateTime": f"{DAY}T00:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": f"{DAY}T01:00:00", "timeZone": "UTC"},
    }
    too_many = graph.post(
        f"/users/{ROOM}/calendar/getSchedule",
        json={"schedules": [f"u{i}@auburnal.gov" for i in range(21)], **window},
    )
    assert too_many.status_code == 400
    end = (dt.date.fromisoformat(DAY) + dt.timedelta(days=62)).isoformat()
    too_long = graph.post(
        f"/users/{ROOM}/calendar/getSchedule",
        json={"schedules": [ROOM], **window, "endTime": {"dateTime": f"{end}T00:00:00", "timeZone": "UTC"}},
    )
    assert too_long.status_code == 400


def test_calendar_permission_create_is_200_and_invites_the_sharee(tenant, graph):
    created = graph.post(
        f"/users/{ROOM}/calendar/calendarPermissions",
        json={
            "emailAddress": {"name": "Tasha Brewer", "address": "tasha.brewer@auburnal.gov"},
            "isInsideOrganization": True,
            "isRemovable": True,
            "role": "read",
        },
    )
    assert created.status_code == 200 and created.json()["role"] == "read"
    listed = graph.get(f"/users/{ROOM}/calendar/calendarPermissions").json()["value"]
    assert {p["emailAddress"].get("address") for p in listed} >= {"tasha.brewer@auburnal.gov"}
    assert any("invited you" in m["subject"] for m in tenant.control.messages("tasha.brewer@auburnal.gov"))
    assert (
        graph.delete(f"/users/{ROOM}/calendar/calendarPermissions/{created.json()['id']}").status_code == 204
    )
