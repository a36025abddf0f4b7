"""The room's Exchange calendar as reservations see it: free/busy in, the blocking event out."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from app.graph import GraphError, calendar
from app.jobs.queue import get_redis
from app.web.page_cache import limit_page_lifetime
from app.microsoft import graph_client
from app.reservations.models import Reservation

# getSchedule answers for windows shorter than 62 days.
MAX_WINDOW = timedelta(days=60)
BUSY_STATUSES = {"busy", "tentative", "oof", "workingElsewhere", "unknown"}


class ExchangeUnavailable(Exception):
    """Graph could not tell us whether the room is free (down, throttled, mailbox unknown)."""


@dataclass(frozen=True)
class ExchangeBooking:
    start: datetime
    end: datetime
    status: str
    subject: str | None


def room_bookings(mailbox: str, start: datetime, end: datetime, *, max_age: int = 0) -> list[ExchangeBooking]:
    """Everything that blocks the room between start and end, from Graph getSchedule.

    `max_age` > 0 lets a public page reuse an answer that many seconds old (Outlook bookings show
    up that much later there); submitting always asks Exchange afresh.
    """
    if max_age <= 0:
        return _fresh_bookings(mailbox, start, end)
    key = f"mygov:freebusy:{mailbox.lower()}:{start.isoformat()}:{end.isoformat()}"
    redis = get_redis()
    cached = redis.get(key)
    if cached is not None:
        limit_page_lifetime(max(redis.ttl(key), 0))  # a page showing this answer ends with it
        return [ExchangeBooking(datetime.fromisoformat(b[0]), datetime.fromisoformat(b[1]), b[2], b[3])
                for b in json.loads(cached)]
    limit_page_lifetime(max_age)
    bookings = _fresh_bookings(mailbox, start, end)
    redis.set(key, json.dumps([(b.start.isoformat(), b.end.isoformat(), b.status, b.subject) for b in bookings]),
              ex=max_age)
    return bookings


def _fresh_bookings(mailbox: str, start: datetime, end: datetime) -> list[ExchangeBooking]:
    bookings: list[ExchangeBooking] = []
    window_start = start
    while window_start < end:
        window_end = min(end, window_start + MAX_WINDOW)
        bookings += _schedule_items(mailbox, window_start, window_end)
        window_start = window_end
    return bookings


def _schedule_items(mailbox: str, start: datetime, end: datetime) -> list[ExchangeBooking]:
    try:
        schedules = calendar.get_schedule(graph_client(), mailbox, [mailbox], start, end)
    except GraphError as error:
        raise ExchangeUnavailable(str(error)) from error
    schedule = next((s for s in schedules if s.get("scheduleId", "").lower() == mailbox.lower()), None)
    # An unresolvable schedule comes back as an error inside a 200 (contract gotcha 10).
    if schedule is None or schedule.get("error"):
        raise ExchangeUnavailable(f"no free/busy for the room: {schedule and schedule.get('error')}")
    return [
        ExchangeBooking(_instant(item["start"]), _instant(item["end"]), item["status"], item.get("subject"))
        for item in schedule.get("scheduleItems", [])
        if item.get("status") in BUSY_STATUSES
    ]


def _instant(value: dict[str, str]) -> datetime:
    """A Graph dateTimeTimeZone asked for in UTC (no Prefer: outlook.timezone, gotcha 11)."""
    try:
        return calendar.parse_graph_datetime(value)
    except ValueError as error:
        raise ExchangeUnavailable(str(error)) from error


_graph_time = calendar.graph_datetime


def create_event_payload(reservation: Reservation, transaction_id: str) -> dict[str, Any]:
    """The event that blocks the room: written straight into the room's calendar, shown busy."""
    space = reservation.space
    staff_page = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/staff/reservations/{reservation.id}"
    return {
        "mailbox": space.exchange_resource_mailbox,
        "event": {
            "subject": f"MyGov reservation {reservation.reference}",
            "body": {
                "contentType": "text",
                "content": (
                    f"Reserved through MyGov by {reservation.requester_name} for "
                    f"{reservation.attendees} people.\nPurpose: {reservation.purpose}\n"
                    f"Details and approval: {staff_page}"
                ),
            },
            "start": _graph_time(reservation.start_at),
            "end": _graph_time(reservation.end_at),
            "location": {
                "displayName": space.mailbox_display_name,
                "locationType": "conferenceRoom",
                "locationEmailAddress": space.exchange_resource_mailbox,
            },
            "showAs": "busy",
            "isReminderOn": False,
            "categories": ["MyGov"],
            "allowNewTimeProposals": False,
            "transactionId": transaction_id,
        },
    }
