"""The room's Exchange calendar as reservations see it: free/busy in, the blocking event out."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from app.graph import GraphError, calendar
from app.jobs.queue import get_queue, get_redis
from app.web.page_cache import limit_page_lifetime
from app.microsoft import graph_client
from app.reservations.models import Reservation

# getSchedule answers for windows shorter than 62 days.
MAX_WINDOW = timedelta(days=60)
BUSY_STATUSES = {"busy", "tentative", "oof", "workingElsewhere", "unknown"}
REFRESH_AHEAD_SHARE = 0.5
log = logging.getLogger(__name__)


class ExchangeUnavailable(Exception):
    """Graph could not tell us whether the room is free (down, throttled, mailbox unknown)."""


@dataclass(frozen=True)
class ExchangeBooking:
    start: datetime
    end: datetime
    status: str
    subject: str | None
    event_id: str | None = None  # known when read through calendarView, not getSchedule
    series_master_id: str | None = None  # an occurrence's series, read through calendarView


def room_events(mailbox: str, start: datetime, end: datetime) -> list[ExchangeBooking]:
    """The room calendar's busy events with their ids (calendarView), always fresh from Graph."""
    try:
        return [
            ExchangeBooking(calendar.parse_graph_datetime(event["start"]), calendar.parse_graph_datetime(event["end"]),
                            event.get("showAs", "busy"), event.get("subject"), event["id"], event.get("seriesMasterId"))
            for event in calendar.calendar_view(graph_client(), mailbox, start, end,
                                                select="id,subject,start,end,showAs,isCancelled,seriesMasterId")
            if not event.get("isCancelled") and event.get("showAs", "busy") in BUSY_STATUSES
        ]
    except (GraphError, ValueError, KeyError) as error:
        raise ExchangeUnavailable(str(error)) from error


def room_bookings(mailbox: str, start: datetime, end: datetime, *, max_age: int = 0) -> list[ExchangeBooking]:
    """Everything that blocks the room between start and end, from Graph getSchedule.

    `max_age` > 0 lets a public page reuse an answer that many seconds old (Outlook bookings show
    up that much later there); submitting always asks Exchange afresh. Past half its age, a worker
    is asked for the next answer (`refresh_free_busy`), so a busy room's page seldom waits on Graph.
    """
    if max_age <= 0:
        return _fresh_bookings(mailbox, start, end)
    key = _free_busy_key(mailbox, start, end)
    redis = get_redis()
    cached, left = redis.pipeline(transaction=False).get(key).ttl(key).execute()
    if cached is not None:
        if left < max_age * REFRESH_AHEAD_SHARE:
            _ask_worker_to_refresh(key, mailbox, start, end, max_age, left)
        limit_page_lifetime(max(left, 0))  # a page showing this answer ends with it
        return [ExchangeBooking(datetime.fromisoformat(b[0]), datetime.fromisoformat(b[1]), b[2], b[3])
                for b in json.loads(cached)]
    limit_page_lifetime(max_age)
    bookings = _fresh_bookings(mailbox, start, end)
    _keep(key, bookings, max_age)
    return bookings


def refresh_free_busy(mailbox: str, start: datetime, end: datetime, max_age: int) -> None:
    """The worker's side of the refresh: a failure leaves the page to ask Exchange when the answer ends."""
    try:
        bookings = _fresh_bookings(mailbox, start, end)
    except ExchangeUnavailable as error:
        log.warning("free/busy refresh for %s failed: %s", mailbox, error)
        return
    _keep(_free_busy_key(mailbox, start, end), bookings, max_age)


def forget_free_busy(mailbox: str) -> int:
    """Graph notified a change in the room's calendar: its cached answers are stale, drop them so
    the next page asks Exchange (app/subscriptions). Returns how many answers were dropped."""
    redis = get_redis()
    keys = [k for k in redis.scan_iter(match=f"mygov:freebusy:{mailbox.lower()}:*") if not k.endswith(b":refreshing")]
    if keys:
        redis.delete(*keys)
    return len(keys)


def _free_busy_key(mailbox: str, start: datetime, end: datetime) -> str:
    return f"mygov:freebusy:{mailbox.lower()}:{start.isoformat()}:{end.isoformat()}"


def _keep(key: str, bookings: list[ExchangeBooking], max_age: int) -> None:
    get_redis().set(key, json.dumps([(b.start.isoformat(), b.end.isoformat(), b.status, b.subject)
                                     for b in bookings]), ex=max_age)


def _ask_worker_to_refresh(key: str, mailbox: str, start: datetime, end: datetime, max_age: int,
                           left: int) -> None:
    """Once per answer: the claim lasts as long as the answer does, and so does the job, so workers
    that were down do not come back to a backlog of refreshes nobody needs any more."""
    if get_redis().set(f"{key}:refreshing", "1", nx=True, ex=max(left, 1)):
        get_queue("default").enqueue("app.reservations.tasks.refresh_free_busy", mailbox, start.isoformat(),
                                     end.isoformat(), max_age, ttl=max(left, 1), result_ttl=0, failure_ttl=3600)


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


# What a staff member glancing at the room calendar in Outlook reads: the state leads the subject
# and is a category (Outlook can colour categories). Both states stay `showAs: busy`: Microsoft
# documents tentative time as "might not be a scheduling conflict" (OlBusyStatus), so a pending
# request shown tentative could be double-booked from Outlook. See README, "Reservations in Outlook".
STATE_LABELS = {"pending": "Pending", "approved": "Confirmed"}


def state_fields(reservation: Reservation) -> dict[str, Any]:
    """The part of the room's event that says whether the reservation is pending or confirmed."""
    label = STATE_LABELS[reservation.status]
    return {
        "subject": f"{label}: MyGov reservation {reservation.reference}",
        "categories": ["MyGov", f"MyGov {label.lower()}"],
        "showAs": "busy",
    }


def create_event_payload(reservation: Reservation, transaction_id: str) -> dict[str, Any]:
    """The event that blocks the room: written straight into the room's calendar, shown busy."""
    space = reservation.space
    staff_page = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/staff/reservations/{reservation.id}"
    return {
        "mailbox": space.exchange_resource_mailbox,
        "event": {
            **state_fields(reservation),
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
            "isReminderOn": False,
            "allowNewTimeProposals": False,
            "transactionId": transaction_id,
        },
    }


def state_update_payload(reservation: Reservation) -> dict[str, Any]:
    """The update that turns the room's event from pending to confirmed."""
    return {"mailbox": reservation.space.exchange_resource_mailbox, "event": state_fields(reservation)}
