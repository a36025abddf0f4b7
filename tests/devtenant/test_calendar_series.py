"""Recurring series in calendarView (contract §6.4): series masters through /events, occurrences
and exceptions through calendarView, deleted occurrences, sensitivity and the preferred zone."""

from __future__ import annotations

from tests.devtenant.conftest import ROOM, error_code

CENTRAL = "Central Standard Time"
WINDOW = "startDateTime=2027-03-01T00:00:00Z&endDateTime=2027-04-01T00:00:00Z"


def _series(graph, **extra) -> dict:
    body = {
        "subject": "Story time",
        "start": {"dateTime": "2027-03-02T10:00:00", "timeZone": CENTRAL},
        "end": {"dateTime": "2027-03-02T10:45:00", "timeZone": CENTRAL},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
            "range": {"type": "numbered", "startDate": "2027-03-02", "numberOfOccurrences": 4},
        },
        **extra,
    }
    created = graph.post(f"/users/{ROOM}/events", json=body)
    assert created.status_code == 201
    return created.json()


def _view(graph, **headers) -> list[dict]:
    items, url = [], f"/users/{ROOM}/calendarView?{WINDOW}&$top=2"
    while url:  # pages of two: the nextLink is followed verbatim
        page = graph.get(url, headers=headers).json()
        items += page["value"]
        url = page.get("@odata.nextLink")
    return [i for i in items if i.get("seriesMasterId")]


def test_the_master_is_listed_by_events_and_calendar_view_returns_its_occurrences(graph):
    master = _series(graph)
    listed = {e["id"]: e for e in graph.get(f"/users/{ROOM}/events?$top=100").json()["value"]}
    assert listed[master["id"]]["type"] == "seriesMaster"
    assert listed[master["id"]]["recurrence"]["range"]["numberOfOccurrences"] == 4
    occurrences = _view(graph)
    assert [o["type"] for o in occurrences] == ["occurrence"] * 4
    assert {o["seriesMasterId"] for o in occurrences} == {master["id"]}
    assert all(o["recurrence"] is None for o in occurrences)
    assert [o["originalStart"][:19] for o in occurrences] == [
        "2027-03-02T16:00:00", "2027-03-09T16:00:00", "2027-03-16T15:00:00", "2027-03-23T15:00:00"]
    local = _view(graph, Prefer=f'outlook.timezone="{CENTRAL}"')
    assert {o["start"]["dateTime"][11:19] for o in local} == {"10:00:00"}  # DST or not, 10 a.m. local


def test_changing_one_occurrence_makes_an_exception_and_changes_the_master(graph):
    master = _series(graph)
    second = _view(graph)[1]
    moved = graph.patch(f"/users/{ROOM}/events/{second['id']}", json={
        "subject": "Story time (puppets)",
        "start": {"dateTime": "2027-03-10T10:00:00", "timeZone": CENTRAL},
        "end": {"dateTime": "2027-03-10T11:00:00", "timeZone": CENTRAL},
    })
    assert moved.status_code == 200
    assert moved.json()["type"] == "exception" and moved.json()["id"] == second["id"]
    occurrences = _view(graph)
    assert [o["type"] for o in occurrences] == ["occurrence", "exception", "occurrence", "occurrence"]
    exception = occurrences[1]
    assert exception["subject"] == "Story time (puppets)"
    assert exception["start"]["dateTime"].startswith("2027-03-10T16:00:00")
    assert exception["originalStart"].startswith("2027-03-09T16:00:00")
    assert occurrences[0]["subject"] == "Story time"
    now = graph.get(f"/users/{ROOM}/events/{master['id']}").json()
    assert now["changeKey"] != master["changeKey"]
    assert graph.get(f"/users/{ROOM}/events/{second['id']}").json()["subject"] == "Story time (puppets)"
    refused = graph.patch(f"/users/{ROOM}/events/{second['id']}", json={"recurrence": None})
    assert refused.status_code == 400 and error_code(refused) == "ErrorInvalidPropertyUpdateSentByClient"


def test_deleting_one_occurrence_leaves_the_rest_of_the_series(graph):
    master = _series(graph)
    third = _view(graph)[2]
    assert graph.delete(f"/users/{ROOM}/events/{third['id']}").status_code == 204
    assert [o["originalStart"][:10] for o in _view(graph)] == ["2027-03-02", "2027-03-09", "2027-03-23"]
    gone = graph.get(f"/users/{ROOM}/events/{third['id']}")
    assert gone.status_code == 404 and error_code(gone) == "ErrorItemNotFound"
    assert graph.get(f"/users/{ROOM}/events/{master['id']}").json()["changeKey"] != master["changeKey"]
    # A new pattern starts the series afresh, without the old exceptions and deletions.
    graph.patch(f"/users/{ROOM}/events/{master['id']}", json={"recurrence": master["recurrence"]})
    assert len(_view(graph)) == 4


def test_sensitivity_is_returned_on_every_occurrence(graph):
    _series(graph, sensitivity="private")
    assert {o["sensitivity"] for o in _view(graph)} == {"private"}
    refused = graph.post(f"/users/{ROOM}/events", json={
        "subject": "x", "sensitivity": "secret",
        "start": {"dateTime": "2027-03-02T10:00:00", "timeZone": CENTRAL},
        "end": {"dateTime": "2027-03-02T11:00:00", "timeZone": CENTRAL}})
    assert refused.status_code == 400
