"""`GET /users/{id}/calendarView/delta` (contract §6.5): instances in a window, then changes.

The tokens carry the window; query options other than the window are refused. Like Outlook, a
changed event that is now outside the window comes back as `@removed` (gotcha 9). With
`delta_empty_pages` on, every page comes after an empty one that has only a nextLink (gotcha 8).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, request

from app.devtenant import events
from app.devtenant.context import tenant
from app.devtenant.errors import bad_request
from app.devtenant.graph.calendar import READ_CALENDARS, find_mailbox_or_404, response_zone, with_preference
from app.devtenant.graph.common import link, require
from app.devtenant.graph.delta import delta_page, empty_page_cursor, new_cursor, read_cursor
from app.devtenant.state import Mailbox
from app.devtenant.timezones import parse_query_datetime

blueprint = Blueprint("calendar_delta", __name__)
UNSUPPORTED = ("$select", "$filter", "$orderby", "$expand", "$search")
MAX_PAGE_SIZE = re.compile(r"odata\.maxpagesize\s*=\s*(\d+)", re.IGNORECASE)
DEFAULT_PAGE_SIZE = 10


@blueprint.get("/users/<user_key>/calendarView/delta")
def calendar_view_delta(user_key: str) -> Any:
    require(READ_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    for option in UNSUPPORTED:
        if option in request.args:
            raise bad_request(
                "ErrorInvalidUrlQuery",
                f"The query parameter '{option}' is not supported with change tracking over the 'CalendarView' resource.",
            )
    path = f"/users/{user_key}/calendarView/delta"
    token = request.args.get("$deltatoken") or request.args.get("$skiptoken")
    if token:
        cursor = read_cursor(
            token,
            lambda c: link(
                path, startDateTime=(c or {}).get("start", ""), endDateTime=(c or {}).get("end", "")
            ),
        )
        if cursor.get("mailbox") != mailbox.id:
            raise bad_request("syncStateNotFound", "The sync state does not belong to this mailbox.")
    else:
        start, end = request.args.get("startDateTime"), request.args.get("endDateTime")
        if not start or not end:
            raise bad_request(
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
            )
        cursor = {
            **new_cursor(None, tenant().state.event_version, initial=True),
            "mailbox": mailbox.id,
            "start": start,
            "end": end,
        }
    if request.args.get("$deltatoken"):
        cursor["upto"] = tenant().state.event_version
    items = _initial(mailbox, cursor) if cursor.get("initial") else _changes(mailbox, cursor)
    fragment = "Collection(event)"
    if (empty := empty_page_cursor(cursor)) is not None:
        return with_preference(delta_page([], empty, None, None, path, fragment))
    offset = cursor.get("offset", 0)
    size = _page_size()
    page = items[offset : offset + size]
    if offset + size < len(items):
        return with_preference(
            delta_page(page, {**cursor, "offset": offset + size}, None, None, path, fragment)
        )
    final = {
        **new_cursor(None, cursor.get("upto", cursor["version"])),
        "mailbox": mailbox.id,
        "start": cursor["start"],
        "end": cursor["end"],
    }
    return with_preference(delta_page(page, None, final, None, path, fragment))


def _page_size() -> int:
    match = MAX_PAGE_SIZE.search(request.headers.get("Prefer", ""))
    return max(1, int(match.group(1))) if match else DEFAULT_PAGE_SIZE


def _window(cursor: dict[str, Any]) -> tuple[Any, Any]:
    try:
        return parse_query_datetime(cursor["start"]), parse_query_datetime(cursor["end"])
    except ValueError:
        raise bad_request(
            "ErrorInvalidParameter", "The value of StartDateTime or EndDateTime is not a valid date and time."
        ) from None


def _initial(mailbox: Mailbox, cursor: dict[str, Any]) -> list[dict[str, Any]]:
    start, end = _window(cursor)
    found = [i for e in mailbox.events.values() for i in events.instances(e, start, end)]
    found.sort(key=lambda e: (e["_start"], e["id"]))
    return [events.render(e, response_zone()) for e in found]


def _changes(mailbox: Mailbox, cursor: dict[str, Any]) -> list[dict[str, Any]]:
    start, end = _window(cursor)
    since, upto = cursor["version"], cursor.get("upto", tenant().state.event_version)
    changed: list[str] = []
    for version, mailbox_id, event_id in tenant().state.event_log:
        if mailbox_id == mailbox.id and since < version <= upto and event_id not in changed:
            changed.append(event_id)
    items: list[dict[str, Any]] = []
    for event_id in changed:
        event = mailbox.events.get(event_id)
        inside = events.instances(event, start, end) if event else []
        if inside:
            items += [events.render(i, response_zone()) for i in inside]
        else:  # deleted, or changed and now outside the window: both look like a removal
            items.append(
                {"@odata.type": "#microsoft.graph.event", "id": event_id, "@removed": {"reason": "deleted"}}
            )
    return items
