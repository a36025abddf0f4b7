"""The CSDL checker that fails the run when a Graph exchange of the suite is not valid v1.0 (issue 23)."""

from __future__ import annotations

import json

import pytest

from tests.csdl import GraphSchema, SchemaMismatch
from tests.graph_conformance import Exchange, check_exchange, conformance_report, csdl_path

EVENT = {
    "subject": "Story time",
    "showAs": "Busy",  # enum members are case-insensitive
    "isAllDay": False,
    "start": {"dateTime": "2030-03-04T10:00:00", "timeZone": "UTC"},
    "end": {"dateTime": "2030-03-04T11:00:00", "timeZone": "UTC"},
    "attendees": [{"type": "resource", "emailAddress": {"address": "rm@auburnal.gov"}}],
}


@pytest.fixture(scope="module")
def schema() -> GraphSchema:
    path = csdl_path()
    assert path is not None, "the Graph v1.0 CSDL must be in ../shared/graph-schema"
    return GraphSchema.load(path)


def _exchange(method: str, path: str, body: object = None, status: int = 200, answer: object = None) -> Exchange:
    return Exchange(
        method,
        path,
        json.dumps(body).encode() if body is not None else b"",
        status,
        "application/json;odata.metadata=minimal",
        json.dumps(answer).encode() if answer is not None else b"",
    )


@pytest.mark.parametrize(
    ("path", "lands_on"),
    [
        ("/users/delta()", "Collection(microsoft.graph.user)"),
        ("/users/delta", "Collection(microsoft.graph.user)"),
        ("/users/abc/calendarView/delta", "Collection(microsoft.graph.event)"),
        ("/users/abc/calendar/getSchedule", "Collection(microsoft.graph.scheduleInformation)"),
        ("/places/graph.room", "Collection(microsoft.graph.room)"),
        ("/places/rm@auburnal.gov/microsoft.graph.room", "microsoft.graph.room"),
        ("/users/abc/mailFolders('inbox')/messages", "Collection(microsoft.graph.message)"),
        ("/users('abc')/events/AAMk=", "microsoft.graph.event"),
        ("/groups/g1/members", "Collection(microsoft.graph.directoryObject)"),
    ],
)
def test_paths_resolve_to_sets_navigation_casts_and_bound_operations(schema, path, lands_on):
    assert schema.resolve(path).type_name == lands_on


@pytest.mark.parametrize(
    "path", ["/rooms", "/users/abc/bookings", "/places/graph.user", "/users/abc/calendar/getScheduleNow"]
)
def test_paths_outside_the_schema_are_mismatches(schema, path):
    with pytest.raises(SchemaMismatch):
        schema.resolve(path)


def test_bodies_need_declared_names_types_and_enum_members(schema):
    assert check_exchange(schema, _exchange("POST", "/v1.0/users/abc/events", EVENT, 201)) == []
    wrong = {**EVENT, "subjekt": "x", "isAllDay": "no", "showAs": "maybe"}
    problems = check_exchange(schema, _exchange("POST", "/v1.0/users/abc/events", wrong, 201))
    assert len(problems) == 3 and any("'subjekt' is not a property" in p for p in problems)
    answer = {"@odata.context": "x", "value": [{"id": "1", "displayName": "A", "favouriteColour": "green"}]}
    assert "favouriteColour" in check_exchange(schema, _exchange("GET", "/v1.0/users", answer=answer))[0]


def test_action_parameters_are_case_insensitive_but_must_exist(schema):
    window = {"dateTime": "2030-03-04T10:00:00", "timeZone": "UTC"}
    body = {"Schedules": ["rm@auburnal.gov"], "startTime": window, "EndTime": window}
    path = "/v1.0/users/abc/calendar/getSchedule"
    assert check_exchange(schema, _exchange("POST", path, body)) == []
    assert "'Schedulez' is not a parameter" in check_exchange(schema, _exchange("POST", path, {"Schedulez": []}))[0]


def test_report_skips_refusals_and_lists_beta_apart(schema):
    exchanges = [
        _exchange("PATCH", "/v1.0/users/abc", {"favouriteColour": "green"}, status=400),
        _exchange("POST", "/beta/places", {"@odata.type": "microsoft.graph.room"}, status=201),
        _exchange("GET", "/v1.0/rooms"),
    ]
    problems, beta = conformance_report(schema, exchanges)
    assert problems == ["GET /v1.0/rooms: path: 'rooms' is not an entity set or singleton"]
    assert beta == {"POST /beta/places": 1}

