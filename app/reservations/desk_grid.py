"""The booking desk's grid: a facility's rooms by hour for a day, or by day for a week.

Each thing that blocks a room is a GridItem with a `kind`; the page writes the kind in words
("Busy in Outlook") and gives each kind its own border style, so nothing relies on colour.
Reservations, events published to the room's mailbox and closures come from MyGov's own records
(the room's occupancy); Outlook busy time is what the room calendar holds besides MyGov's own events.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.facilities.models import FacilitySpace
from app.reservations import exchange, holds, occupancy
from app.reservations.desk_queries import STATUS_LABELS, local_midnight
from app.reservations.models import ACTIVE_STATUSES, Reservation

KIND_LABELS = {
    "reservation": "Reservation", "outlook": "Busy in Outlook", "event": "Published event", "closure": "Closed",
}
DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR = 8, 21


@dataclass(frozen=True)
class GridItem:
    kind: str  # one of KIND_LABELS
    start: datetime
    end: datetime
    title: str
    status: str | None = None  # a reservation's status, in words
    url: str | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class SpaceRow:
    space: FacilitySpace
    items: list[GridItem] = field(default_factory=list)
    outlook_checked: bool = True


@dataclass(frozen=True)
class Cell:
    """One cell of a day row: free hours, or a run of hours whose items overlap (colspan)."""

    start: datetime
    span: int
    items: tuple[GridItem, ...] = ()


@dataclass(frozen=True)
class Grid:
    view: str  # "day" | "week"
    first_day: date
    days: list[date]
    hours: list[datetime]  # the day view's columns
    rows: list[SpaceRow]
    previous: date
    following: date

    def day_cells(self, row: SpaceRow) -> list[Cell]:
        return _cells(row.items, self.hours)

    def items_on(self, row: SpaceRow, day: date, zone: ZoneInfo) -> list[GridItem]:
        start = local_midnight(day, zone)
        end = local_midnight(day + timedelta(days=1), zone)
        return [item for item in row.items if item.start < end and item.end > start]


def build_grid(spaces: list[FacilitySpace], view: str, day: date, zone: ZoneInfo) -> Grid:
    if view == "week":
        first = day - timedelta(days=day.weekday())
        days = [first + timedelta(days=n) for n in range(7)]
        step = timedelta(days=7)
    else:
        first, days, step = day, [day], timedelta(days=1)
    start = local_midnight(days[0], zone)
    end = local_midnight(days[-1] + timedelta(days=1), zone)
    rows = {space.id: SpaceRow(space) for space in spaces}
    _add_reservations(rows, start, end)
    for space in spaces:
        _add_published_events_and_closures(rows[space.id], start, end)
        _add_outlook(rows[space.id], start, end)
    for row in rows.values():
        row.items.sort(key=lambda item: (item.start, item.end))
    return Grid(view, first, days, _hours(spaces, first, zone) if view == "day" else [], list(rows.values()),
                first - step, first + step)


def _hours(spaces: list[FacilitySpace], day: date, zone: ZoneInfo) -> list[datetime]:
    configs = [s.reservation_config for s in spaces if s.reservation_config]
    first = min((c.open_time.hour for c in configs), default=DEFAULT_FIRST_HOUR)
    last = max((c.close_time.hour + (1 if c.close_time.minute else 0) for c in configs), default=DEFAULT_LAST_HOUR)
    return [datetime.combine(day, time(hour), tzinfo=zone) for hour in range(first, max(last, first + 1))]


def _add_reservations(rows: dict[int, SpaceRow], start: datetime, end: datetime) -> None:
    reservations = db.session.scalars(
        select(Reservation).where(
            Reservation.space_id.in_(list(rows)), Reservation.status.in_(ACTIVE_STATUSES),
            Reservation.start_at < end, Reservation.end_at > start,
        )
    )
    for reservation in reservations:
        rows[reservation.space_id].items.append(GridItem(
            "reservation", reservation.start_at, reservation.end_at,
            f"{reservation.reference}: {reservation.requester_name}", STATUS_LABELS[reservation.status],
            url_for("reservation_staff.show", reservation_id=reservation.id),
        ))


def _add_published_events_and_closures(row: SpaceRow, start: datetime, end: datetime) -> None:
    row.items.extend(GridItem("event", o.start, o.end, o.label) for o in occupancy.published_events(row.space, start, end))
    row.items.extend(GridItem("closure", o.start, o.end, o.label) for o in occupancy.closed(row.space, start, end))


def _add_outlook(row: SpaceRow, start: datetime, end: datetime) -> None:
    """Busy time in the room's calendar that is not one of MyGov's own events.

    MyGov's events are recognised by their Exchange event id (holds.event_ids_in), never by
    matching times: an Outlook booking at the same time as a reservation is still shown, and a
    reservation just moved or cancelled is not shown twice while the outbox catches up.
    """
    mailbox = row.space.exchange_resource_mailbox
    if not mailbox:
        return
    try:
        events = exchange.room_events(mailbox, start, end)
    except exchange.ExchangeUnavailable:
        row.outlook_checked = False
        return
    ours = holds.mygov_event_ids_in(mailbox)
    row.items.extend(GridItem("outlook", event.start, event.end, event.subject or "Busy")
                     for event in events if event.event_id not in ours and event.series_master_id not in ours)


def _cells(items: list[GridItem], hours: list[datetime]) -> list[Cell]:
    """Hour columns; hours covered by overlapping items merge into one cell spanning them."""
    cells: list[Cell] = []
    index = 0
    hour = timedelta(hours=1)
    while index < len(hours):
        column_start = hours[index]
        touching = [i for i in items if i.start < column_start + hour and i.end > column_start]
        if not touching:
            cells.append(Cell(column_start, 1))
            index += 1
            continue
        group, until = set(touching), max(i.end for i in touching)
        span = 1
        while index + span < len(hours) and hours[index + span] < until:
            more = [i for i in items if i.start < hours[index + span] + hour and i.end > hours[index + span]]
            group.update(more)
            until = max([until, *(i.end for i in more)])
            span += 1
        cells.append(Cell(column_start, span, tuple(sorted(group, key=lambda i: (i.start, i.end)))))
        index += span
    return cells


def items_by_day(rows: list[SpaceRow], days: list[date], zone: ZoneInfo) -> dict[date, list[tuple[SpaceRow, GridItem]]]:
    """The narrow-width list: each day's items, room by room."""
    listing: dict[date, list[tuple[SpaceRow, GridItem]]] = defaultdict(list)
    for day in days:
        start, end = local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
        for row in rows:
            listing[day] += [(row, item) for item in row.items if item.start < end and item.end > start]
    return listing
