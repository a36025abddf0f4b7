"""Events and calendarView in users', rooms' and shared mailboxes (contract §6)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, json, request

from app.devtenant import events
from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request, item_not_found
from app.devtenant.graph.common import (
    OUTLOOK,
    collection,
    json_body,
    page_by_skip,
    permission,
    project,
    require,
    selected,
    top,
)
from app.devtenant.state import Mailbox
from app.devtenant.timezones import parse_query_datetime, preferred_zone

blueprint = Blueprint("calendar", __name__)

READ_CALENDARS = permission(OUTLOOK, "Calendars.Read", "Calendars.ReadWrite", "Calendars.ReadBasic")
WRITE_CALENDARS = permission(OUTLOOK, "Calendars.ReadWrite")
MAILBOX_NOT_ENABLED = "The mailbox is either inactive, soft-deleted, or is hosted on-premise."


def find_mailbox_or_404(key: str) -> Mailbox:
    state = tenant().state
    mailbox = state.find_mailbox(key)
    if mailbox is not None:
        return mailbox
    if state.find_user(key) is not None:
        raise GraphError(404, "MailboxNotEnabledForRESTAPI", MAILBOX_NOT_ENABLED)
    raise GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")


def response_zone() -> str | None:
    return preferred_zone(request.headers.get("Prefer"))


def rendered(event: dict[str, Any]) -> dict[str, Any]:
    return project(events.render(event, response_zone()), selected())


def with_preference(body: dict[str, Any], status: int = 200) -> Response:
    response = Response(status=status, mimetype="application/json")
    response.set_data(json.dumps(body))
    zone_name = response_zone()
    if zone_name:
        response.headers["Preference-Applied"] = f'outlook.timezone="{zone_name}"'
    return response


def single_event(mailbox: Mailbox, event: dict[str, Any], status: int = 200) -> Response:
    context = f"{tenant().graph_base()}/$metadata#users('{mailbox.address}')/events/$entity"
    return with_preference({"@odata.context": context, **rendered(event)}, status)


def _find_event(mailbox: Mailbox, event_id: str) -> dict[str, Any]:
    if event_id in mailbox.events:
        return mailbox.events[event_id]
    master_id, _, day = event_id.rpartition("_")
    master = mailbox.events.get(master_id)
    if master and master.get("recurrence") and day.isdigit():
        for occurrence in events.instances(
            master, master["_start"], parse_query_datetime("9999-01-01T00:00:00")
        ):
            if occurrence["id"] == event_id:
                return occurrence
    raise item_not_found()


def _check_calendar(mailbox: Mailbox, calendar_id: str | None) -> None:
    if calendar_id is not None and calendar_id != mailbox.calendar_id:
        raise item_not_found()


def _create(user_key: str, calendar_id: str | None = None) -> Response:
    require(WRITE_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    _check_calendar(mailbox, calendar_id)
    try:
        event = events.create(tenant().state, mailbox, json_body())
    except events.EventError as error:
        raise bad_request(error.code, str(error)) from None
    return single_event(mailbox, event, 201)


blueprint.add_url_rule("/users/<user_key>/events", "create_event", _create, methods=["POST"])
blueprint.add_url_rule("/users/<user_key>/calendar/events", "create_event_default", _create, methods=["POST"])
blueprint.add_url_rule(
    "/users/<user_key>/calendars/<calendar_id>/events", "create_event_in", _create, methods=["POST"]
)


@blueprint.get("/users/<user_key>/events")
def list_events(user_key: str) -> Response:
    require(READ_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    items = sorted(mailbox.events.values(), key=lambda e: e["createdDateTime"])
    page, next_link = page_by_skip([rendered(e) for e in items], top(10, 1000))
    return with_preference(collection(f"users('{mailbox.address}')/events", page, next_link))


@blueprint.get("/users/<user_key>/events/<event_id>")
def get_event(user_key: str, event_id: str) -> Response:
    require(READ_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    return single_event(mailbox, _find_event(mailbox, event_id))


@blueprint.patch("/users/<user_key>/events/<event_id>")
def update_event(user_key: str, event_id: str) -> Response:
    require(WRITE_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    if event_id not in mailbox.events:
        return _update_occurrence(mailbox, event_id)
    event = mailbox.events[event_id]
    if_match = request.headers.get("If-Match")
    if if_match and if_match not in ("*", event["@odata.etag"]):
        raise GraphError(
            412,
            "ErrorIrresolvableConflict",
            "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
        )
    try:
        events.update(tenant().state, event, json_body())
    except events.EventError as error:
        raise bad_request(error.code, str(error)) from None
    return single_event(mailbox, event)


def _update_occurrence(mailbox: Mailbox, occurrence_id: str) -> Response:
    occurrence = _find_event(mailbox, occurrence_id)  # 404 unless an occurrence of a series here
    master = mailbox.events[occurrence["seriesMasterId"]]
    try:
        changed = events.update_occurrence(tenant().state, master, occurrence, json_body())
    except events.EventError as error:
        raise bad_request(error.code, str(error)) from None
    return single_event(mailbox, changed)


@blueprint.delete("/users/<user_key>/events/<event_id>")
def delete_event(user_key: str, event_id: str) -> tuple[str, int]:
    require(WRITE_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    if event_id not in mailbox.events:
        occurrence = _find_event(mailbox, event_id)
        events.delete_occurrence(tenant().state, mailbox.events[occurrence["seriesMasterId"]], event_id)
        return "", 204
    event = events.remove(tenant().state, mailbox, event_id)
    mailbox.deleted_events[event_id] = event
    return "", 204


@blueprint.post("/users/<user_key>/events/<event_id>/cancel")
def cancel_event(user_key: str, event_id: str) -> tuple[str, int]:
    require(WRITE_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    if event_id not in mailbox.events:
        raise item_not_found()
    if not mailbox.events[event_id].get("isOrganizer"):
        raise bad_request(
            "ErrorAccessDenied",
            "Your request can't be completed. You need to be an organizer to cancel a meeting.",
        )
    comment = (request.get_json(silent=True) or {}).get("comment")
    event = events.remove(tenant().state, mailbox, event_id)
    mailbox.deleted_events[event_id] = {**event, "isCancelled": True, "cancellationComment": comment}
    return "", 202


def _calendar_view(user_key: str, calendar_id: str | None = None) -> Response:
    require(READ_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    _check_calendar(mailbox, calendar_id)
    start_text, end_text = request.args.get("startDateTime"), request.args.get("endDateTime")
    if not start_text or not end_text:
        raise bad_request(
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        )
    try:
        window_start, window_end = parse_query_datetime(start_text), parse_query_datetime(end_text)
    except ValueError:
        raise bad_request(
            "ErrorInvalidParameter", "The value of StartDateTime or EndDateTime is not a valid date and time."
        ) from None
    found = [i for e in mailbox.events.values() for i in events.instances(e, window_start, window_end)]
    found.sort(key=lambda e: (e["_start"], e["id"]))
    page, next_link = page_by_skip([rendered(e) for e in found], top(10, 1000))
    return with_preference(collection(f"users('{mailbox.address}')/calendarView", page, next_link))


blueprint.add_url_rule("/users/<user_key>/calendarView", "calendar_view", _calendar_view)
blueprint.add_url_rule("/users/<user_key>/calendar/calendarView", "calendar_view_default", _calendar_view)
blueprint.add_url_rule(
    "/users/<user_key>/calendars/<calendar_id>/calendarView", "calendar_view_in", _calendar_view
)


def _calendar_resource(mailbox: Mailbox) -> dict[str, Any]:
    return {
        "id": mailbox.calendar_id,
        "name": "Calendar",
        "color": "auto",
        "isDefaultCalendar": True,
        "canEdit": True,
        "canShare": True,
        "canViewPrivateItems": True,
        "isRemovable": False,
        "owner": mailbox.email_address,
    }


@blueprint.get("/users/<user_key>/calendar")
def default_calendar(user_key: str) -> dict[str, Any]:
    require(READ_CALENDARS)
    return _calendar_resource(find_mailbox_or_404(user_key))


@blueprint.get("/users/<user_key>/calendars")
def list_calendars(user_key: str) -> dict[str, Any]:
    require(READ_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    return collection(f"users('{mailbox.address}')/calendars", [_calendar_resource(mailbox)], None)
