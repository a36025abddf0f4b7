"""Calendars and events: free/busy, event writes, ranges, sharing (contract §5, §6, §8)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from app.graph.client import GraphClient, segment
from app.graph.errors import TRANSIENT_STATUSES, GraphError, GraphNotFound, backoff_seconds

MAX_SCHEDULES = 20
MAX_SCHEDULE_WINDOW = timedelta(days=62)


def graph_datetime(moment: datetime) -> dict[str, str]:
    """A dateTimeTimeZone in UTC: no Windows zone table needed, understood by every Outlook API."""
    if moment.tzinfo is None:
        raise ValueError("Graph times must be time-zone aware")
    return {"dateTime": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def parse_graph_datetime(value: dict[str, str]) -> datetime:
    """Read a dateTimeTimeZone that Graph returned in UTC (no `Prefer: outlook.timezone` sent)."""
    zone = value.get("timeZone", "UTC")
    if zone not in ("UTC", "Etc/UTC", "tzone://Microsoft/Utc"):
        raise ValueError(f"expected a UTC time from Graph, got {zone!r}")
    text = value["dateTime"].rstrip("Z")
    if "." in text:  # Graph sends seven fractional digits; Python reads at most six
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def get_schedule(
    graph: GraphClient, mailbox: str, schedules: list[str], start: datetime, end: datetime,
    *, interval_minutes: int = 30,
) -> list[dict[str, Any]]:
    """Free/busy per schedule. An unknown address is an `error` entry inside the 200 (gotcha 10)."""
    if not 1 <= len(schedules) <= MAX_SCHEDULES:
        raise ValueError(f"getSchedule takes 1 to {MAX_SCHEDULES} schedules, not {len(schedules)}")
    if not timedelta(0) < end - start < MAX_SCHEDULE_WINDOW:
        raise ValueError("getSchedule windows must be shorter than 62 days")
    body = {
        "schedules": schedules,
        "startTime": graph_datetime(start),
        "endTime": graph_datetime(end),
        "availabilityViewInterval": interval_minutes,
    }
    response = graph.post(f"/users/{segment(mailbox)}/calendar/getSchedule", json=body, repeatable=True)
    return list((response.body or {}).get("value", []))


def _events_path(mailbox: str, calendar_id: str | None) -> str:
    if calendar_id:
        return f"/users/{segment(mailbox)}/calendars/{segment(calendar_id)}/events"
    return f"/users/{segment(mailbox)}/events"


def create_event(
    graph: GraphClient, mailbox: str, event: dict[str, Any], *, calendar_id: str | None = None
) -> dict[str, Any]:
    """Create an event once: a 503/504 may come after Exchange made it, so before sending again the
    event is looked up by its `transactionId` (Graph's own de-duplication is best-effort, gotcha 12).
    Without a `transactionId` a failed create is not repeated here."""
    path = _events_path(mailbox, calendar_id)
    transaction_id = event.get("transactionId")
    attempt = 0
    while True:
        attempt += 1
        try:
            return graph.post(path, json=event).body
        except GraphError as error:
            if (not transaction_id or error.status not in TRANSIENT_STATUSES
                    or attempt >= graph.settings.max_attempts):
                raise
            graph.wait(error.retry_after if error.retry_after is not None else backoff_seconds(attempt))
        found = find_event_by_transaction_id(graph, mailbox, transaction_id, *naive_window(event["start"], event["end"]),
                                             calendar_id=calendar_id)
        if found:
            return get_event(graph, mailbox, found) or {"id": found}


def update_event(graph: GraphClient, mailbox: str, event_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if k != "transactionId"}  # immutable after creation
    return graph.patch(f"/users/{segment(mailbox)}/events/{segment(event_id)}", json=changes).body


def delete_event(graph: GraphClient, mailbox: str, event_id: str) -> bool:
    """Delete; False when it was already gone."""
    return graph.delete_if_exists(f"/users/{segment(mailbox)}/events/{segment(event_id)}")


def cancel_event(graph: GraphClient, mailbox: str, event_id: str, comment: str = "") -> bool:
    """Cancel with a message to attendees (organizer only); False when already gone."""
    try:
        graph.post(f"/users/{segment(mailbox)}/events/{segment(event_id)}/cancel", json={"comment": comment},
                   repeatable=True)  # cancelling a cancelled event changes nothing
    except GraphNotFound:
        return False
    return True


def get_event(graph: GraphClient, mailbox: str, event_id: str) -> dict[str, Any] | None:
    try:
        return graph.get(f"/users/{segment(mailbox)}/events/{segment(event_id)}").body
    except GraphNotFound:
        return None


def calendar_view(
    graph: GraphClient, mailbox: str, start: datetime, end: datetime, *,
    calendar_id: str | None = None, page_size: int = 100, select: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every occurrence in [start, end), recurrences expanded, all pages followed."""
    base = f"/users/{segment(mailbox)}"
    path = f"{base}/calendars/{segment(calendar_id)}/calendarView" if calendar_id else f"{base}/calendarView"
    params: dict[str, Any] = {
        "startDateTime": start.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "endDateTime": end.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "$top": page_size,
    }
    if select:
        params["$select"] = select
    return graph.pages(path, params=params)


def graph_instant(value: str) -> datetime:
    """A DateTimeOffset Graph returns ("2027-03-09T16:00:00Z", maybe with seven fractional digits)."""
    text = value.replace("Z", "+00:00")
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits):]}"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def naive_window(start: dict[str, str], end: dict[str, str]) -> tuple[datetime, datetime]:
    """A UTC window surely holding a dateTimeTimeZone pair in any zone (local times are at most 14 h off)."""
    slack = timedelta(hours=14)
    first = datetime.fromisoformat(start["dateTime"][:19]).replace(tzinfo=timezone.utc)
    last = datetime.fromisoformat(end["dateTime"][:19]).replace(tzinfo=timezone.utc)
    return first - slack, last + slack


def apply_occurrence_changes(
    graph: GraphClient, mailbox: str, series_id: str, skipped: list[datetime],
    moved: list[tuple[datetime, dict[str, str], dict[str, str]]],
) -> tuple[int, int]:
    """Delete the skipped occurrences of a series and move the moved ones, found by `originalStart`.

    Run after the series itself was written: sending its recurrence resets Exchange's exceptions, so
    the changes are applied again each time and an occurrence already gone is simply not found.
    """
    originals = [*skipped, *(original for original, _, _ in moved)]
    if not originals:
        return 0, 0
    found: dict[datetime, str] = {}
    for item in calendar_view(graph, mailbox, min(originals) - timedelta(days=1), max(originals) + timedelta(days=1),
                              select="id,seriesMasterId,originalStart,type"):
        if item.get("seriesMasterId") == series_id and item.get("originalStart"):
            found[graph_instant(item["originalStart"])] = str(item["id"])
    deleted = sum(delete_event(graph, mailbox, found[o]) for o in skipped if o in found)
    for original, start, end in moved:
        if original in found:
            update_event(graph, mailbox, found[original], {"start": start, "end": end})
    return deleted, sum(1 for original, _, _ in moved if original in found)


def find_event_by_transaction_id(
    graph: GraphClient, mailbox: str, transaction_id: str, start: datetime, end: datetime, *,
    calendar_id: str | None = None,
) -> str | None:
    """The id of the event created with this transactionId around [start, end), if there is one.

    Graph's own de-duplication by transactionId is best-effort (gotcha 12), so a create that may
    already have reached Exchange is looked for here before it is sent again or given up for deleted.
    An occurrence found for a series answers with its series master's id.
    """
    margin = timedelta(minutes=1)
    for item in calendar_view(graph, mailbox, start - margin, end + margin, calendar_id=calendar_id,
                              select="id,transactionId,seriesMasterId,type"):
        if item.get("transactionId") == transaction_id:
            return str(item.get("seriesMasterId") or item["id"])
    return None


def share_calendar(
    graph: GraphClient, owner: str, address: str, *, role: str = "read", name: str | None = None
) -> dict[str, Any]:
    """Share the owner's calendar; the sharee gets an invitation to accept (gotcha 17)."""
    body = {
        "emailAddress": {"address": address, **({"name": name} if name else {})},
        "isInsideOrganization": True,
        "isRemovable": True,
        "role": role,
    }
    return graph.post(f"/users/{segment(owner)}/calendar/calendarPermissions", json=body).body


def list_calendar_permissions(graph: GraphClient, owner: str, calendar_id: str | None = None) -> list[dict[str, Any]]:
    """Who the owner shares a calendar with (the default one unless `calendar_id`); owner's view only."""
    folder = f"calendars/{segment(calendar_id)}" if calendar_id else "calendar"
    return list(graph.pages(f"/users/{segment(owner)}/{folder}/calendarPermissions"))


def revoke_calendar_permission(graph: GraphClient, owner: str, permission_id: str) -> bool:
    return graph.delete_if_exists(f"/users/{segment(owner)}/calendar/calendarPermissions/{segment(permission_id)}")
