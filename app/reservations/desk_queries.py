"""The booking desk's list: every reservation of a facility, filtered, a page at a time or as CSV."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.reservations.models import STATUSES, Reservation
from app.web.params import BadDate, DateOutsideWindow, parse_date_param, whole_number

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 200
STATUS_LABELS = {
    "pending": "Waiting for approval", "approved": "Approved", "denied": "Denied", "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class DeskFilters:
    """What the staff member asked for; `errors` names each field that could not be read."""

    facility_id: int | None = None
    space_id: int | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    facility_ids: frozenset[int] | None = None  # those the staff member's role covers; None: every one

    def as_args(self) -> dict[str, str]:
        """The GET parameters that give this list again (pagination and CSV links keep them)."""
        args = {
            "facility": str(self.facility_id or ""), "space": str(self.space_id or ""),
            "status": self.status or "", "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "", "q": self.search,
        }
        return {name: value for name, value in args.items() if value}


def _date_arg(args: Mapping[str, str], name: str, label: str, errors: dict[str, str]) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse_date_param(raw, date.today())
    except DateOutsideWindow as refused:
        errors[name] = str(refused)
    except BadDate:
        errors[name] = f"Enter the {label} as a date, for example 2026-03-15."
    return None


def _id(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name, "").strip()
    return whole_number(raw)


def parse_filters(args: Mapping[str, str]) -> DeskFilters:
    errors: dict[str, str] = {}
    status = args.get("status", "").strip()
    if status and status not in STATUSES:
        errors["status"] = "Choose a status from the list."
        status = ""
    date_from = _date_arg(args, "from", "first day", errors)
    date_to = _date_arg(args, "to", "last day", errors)
    if date_from and date_to and date_to < date_from:
        errors["to"] = "The last day must be on or after the first day."
        date_to = None
    search = args.get("q", "").strip()
    if len(search) > MAX_SEARCH_LENGTH:
        errors["q"] = f"Keep the search to {MAX_SEARCH_LENGTH} characters or fewer."
        search = ""
    return DeskFilters(_id(args, "facility"), _id(args, "space"), status or None, date_from, date_to,
                       search, errors)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _filtered(filters: DeskFilters, zone: ZoneInfo) -> Select:
    query = select(Reservation).join(FacilitySpace, Reservation.space_id == FacilitySpace.id)
    if filters.facility_ids is not None:
        query = query.where(FacilitySpace.facility_id.in_(sorted(filters.facility_ids)))
    if filters.facility_id:
        query = query.where(FacilitySpace.facility_id == filters.facility_id)
    if filters.space_id:
        query = query.where(Reservation.space_id == filters.space_id)
    if filters.status:
        query = query.where(Reservation.status == filters.status)
    if filters.date_from:
        query = query.where(Reservation.end_at > local_midnight(filters.date_from, zone))
    if filters.date_to:
        query = query.where(Reservation.start_at < local_midnight(filters.date_to + timedelta(days=1), zone))
    if filters.search:
        pattern = f"%{_escape_like(filters.search.lower())}%"
        query = query.where(or_(
            func.lower(Reservation.reference).like(pattern, escape="\\"),
            func.lower(Reservation.requester_name).like(pattern, escape="\\"),
            func.lower(Reservation.requester_email).like(pattern, escape="\\"),
        ))
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class DeskPage:
    reservations: list[Reservation]
    total: int
    page: int
    page_size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.page_size, self.total)


def bookings_page(filters: DeskFilters, zone: ZoneInfo, page: int) -> DeskPage:
    """Soonest first; a page past the end shows the last one."""
    query = _filtered(filters, zone)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    last_page = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), last_page)
    rows = db.session.scalars(
        query.options(joinedload(Reservation.space).joinedload(FacilitySpace.facility))
        .order_by(Reservation.start_at.desc(), Reservation.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return DeskPage(list(rows), total, page)


CSV_HEADER = ("Reference", "Facility", "Room", "Date", "Start", "End", "Status", "Name", "Email",
              "Phone", "People", "Purpose", "Submitted")


def csv_rows(filters: DeskFilters, zone: ZoneInfo) -> Iterator[tuple[str, ...]]:
    """Every matching reservation, in the page's order, read in batches so a large export streams."""
    yield CSV_HEADER
    query = (_filtered(filters, zone)
             .options(joinedload(Reservation.space).joinedload(FacilitySpace.facility))
             .order_by(Reservation.start_at.desc(), Reservation.id.desc())
             .execution_options(yield_per=500))
    for reservation in db.session.scalars(query):
        start, end = reservation.start_at.astimezone(zone), reservation.end_at.astimezone(zone)
        yield tuple(_spreadsheet_safe(value) for value in (
            reservation.reference, reservation.space.facility.name, reservation.space.name,
            start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M"),
            STATUS_LABELS[reservation.status], reservation.requester_name, reservation.requester_email,
            reservation.requester_phone or "", str(reservation.attendees), reservation.purpose,
            reservation.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        ))


def _spreadsheet_safe(value: str) -> str:
    """A citizen's text starting with = + - @ would run as a formula in a spreadsheet (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def facilities_with_spaces() -> list[Facility]:
    """Facilities that have at least one reservable room, for the desk's facility choice."""
    return list(db.session.scalars(
        select(Facility).where(Facility.archived_at.is_(None))
        .where(Facility.id.in_(select(FacilitySpace.facility_id).join(ReservationConfig)))
        .order_by(Facility.name)
    ))


def spaces_of(facility_id: int | None) -> list[FacilitySpace]:
    query = select(FacilitySpace).join(ReservationConfig).options(joinedload(FacilitySpace.facility))
    if facility_id:
        query = query.where(FacilitySpace.facility_id == facility_id)
    return list(db.session.scalars(query.order_by(FacilitySpace.name)))
