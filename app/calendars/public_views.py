"""Public calendar pages and ICS/webcal feeds. List view is the default; feeds are conditional GETs.

Every view exists per calendar and combined across all public calendars (slug `all`); every
filtered list has a feed of exactly the events it shows (same filters, same code).
"""
from __future__ import annotations

import calendar as pycalendar
import hashlib
from datetime import date, datetime, timedelta, timezone
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from werkzeug.http import is_resource_modified
from werkzeug.routing import BaseConverter

from app.calendars import ics, queries
from app.calendars.categories import categories_of
from app.calendars.feed_cache import cached_feed
from app.calendars.feed_version import generations
from app.calendars.filters import ListFilters
from app.calendars.models import CalendarEvent
from app.calendars.recurrence_words import describe_rule
from app.calendars.scope import COMBINED_SLUG, Scope, scope_for
from app.web.htmx import render_page_or_block
from app.web.images import image_response
from app.web.page_cache import cached_page
from app.web.params import BadDate, DateOutsideWindow, parse_date_param
from app.web.public_urls import public_base_url, public_url

calendars_bp = Blueprint("calendars", __name__, url_prefix="/calendars")
LIST_DAYS = 60


@calendars_bp.app_template_filter("repeat_words")
def repeat_words(event: CalendarEvent) -> str:
    """How a series repeats, in words ("Every month on the second Tuesday, 12 times")."""
    first = event.start_date if event.all_day else event.start_at.astimezone(ZoneInfo(event.time_zone)).date()
    return describe_rule(event.rrule or "", first, ZoneInfo(event.time_zone))


@calendars_bp.get("/")
def index() -> str:
    return render_template("calendars/index.html", calendars=queries.public_calendars(),
                           zone_label=scope_for(COMBINED_SLUG).zone_label)


def _shown(scope: Scope, filters: ListFilters) -> tuple[list[CalendarEvent], list[queries.Occurrence]]:
    """The events of a scope, and the occurrences a list view with these filters shows."""
    events, _ = queries.feed_events(scope.calendars, scope.today)
    kept = [e for e in events if filters.keep_event(e)]
    return events, queries.occurrences(kept, scope.zone, filters.first, filters.last)


def page_version(slug: str, **_: str) -> str:
    """A calendar page changes with any commit touching its calendars or their events, and with the
    date (today's mark, what is past); a facility's name on it may lag by PUBLIC_PAGE_CACHE_SECONDS."""
    scope = scope_for(slug)
    return f"{generations(scope.calendars)}|{scope.today}|{scope.zone_label}"


@calendars_bp.get("/<slug>/")
@cached_page(page_version, params=ListFilters.PARAMS)
def calendar_list(slug: str) -> Response:
    scope = scope_for(slug)
    filters = ListFilters.from_args(request.args, scope.today, LIST_DAYS)
    events, shown = _shown(scope, filters)
    days = queries.by_day(shown, filters.first, filters.last)
    return render_page_or_block(
        "calendars/list.html", "results", scope=scope, days=days, today=scope.today, filters=filters,
        count=len(shown), categories=_filter_categories(scope, events),
        **subscribe_links(scope, filters.feed_args()),
    )


# Outlook on the web's "add calendar from the internet": one host for personal, one for work accounts.
OUTLOOK_ADD_FROM_WEB = {"outlook_com_url": "https://outlook.live.com/calendar/0/addfromweb",
                        "microsoft_365_url": "https://outlook.office.com/calendar/0/addfromweb"}


def _filter_categories(scope: Scope, events: list[CalendarEvent]) -> list[str]:
    """The calendars' current categories, and retired ones while events still carry them."""
    offered = {c.name for c in categories_of([c.id for c in scope.calendars])}
    return sorted(offered | {e.category for e in events if e.category})


def subscribe_links(scope: Scope, args: dict[str, Any]) -> dict[str, str]:
    """The feed of a view: webcal:// (Apple, desktop Outlook), Google's cid= link, Outlook on the web
    (Outlook.com and Microsoft 365) and the https address. `args` are filters only, never dates."""
    feed = public_url("calendars.feed", slug=scope.slug)
    if args:
        feed += "?" + urlencode(args, doseq=True)
    webcal = "webcal://" + feed.split("://", 1)[1]
    outlook_args = urlencode({"url": feed, "name": _feed_name(scope, args)})
    return {"feed_url": feed, "webcal_url": webcal,
            "google_url": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
            **{name: f"{host}?{outlook_args}" for name, host in OUTLOOK_ADD_FROM_WEB.items()}}


@calendars_bp.get("/images/<name>")
def event_image(name: str) -> Response:
    return image_response(name)


@calendars_bp.get("/<slug>/month")
@cached_page(page_version, params=("month",))
def month(slug: str) -> str:
    scope = scope_for(slug)
    first = _month_arg(request.args.get("month"), scope.today) or scope.today.replace(day=1)
    weeks = pycalendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    events, _ = queries.feed_events(scope.calendars, scope.today)
    by_day = queries.by_day(queries.occurrences(events, scope.zone, weeks[0][0], weeks[-1][-1]),
                            weeks[0][0], weeks[-1][-1])
    previous_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return render_template("calendars/month.html", scope=scope, first=first, weeks=weeks, by_day=by_day,
                           today=scope.today, previous_month=previous_month, next_month=next_month)


@calendars_bp.get("/<slug>/day/<day>")
@cached_page(page_version)
def day(slug: str, day: str) -> str:
    scope = scope_for(slug)
    chosen = _date_arg(day, scope.today) or abort(404)
    events, _ = queries.feed_events(scope.calendars, scope.today)
    occurrences = queries.occurrences(events, scope.zone, chosen, chosen)
    return render_template("calendars/day.html", scope=scope, day=chosen, occurrences=occurrences,
                           today=scope.today, one_day=timedelta(days=1))


def _event(slug: str, uid: str) -> tuple[Scope, CalendarEvent]:
    scope = scope_for(slug)
    if scope.calendar is None:
        abort(404)
    events, _ = queries.feed_events(scope.calendars, scope.today)
    return scope, next((e for e in events if e.uid == uid), None) or abort(404)


@calendars_bp.get("/<slug>/events/<uid>")
@cached_page(page_version)
def event(slug: str, uid: str) -> str:
    scope, found = _event(slug, uid)
    upcoming = queries.occurrences([found], scope.zone, scope.today, scope.today + timedelta(days=365))[:10]
    return render_template("calendars/event.html", scope=scope, event=found, upcoming=upcoming,
                           google_url=google_event_link(found, upcoming[0] if upcoming else None))


def google_event_link(event: CalendarEvent, occurrence: queries.Occurrence | None) -> str | None:
    """Google's "add event" link (undocumented, stable): one date only, so the next occurrence."""
    if occurrence is None:
        return None
    if occurrence.all_day:
        dates = f"{occurrence.start:%Y%m%d}/{occurrence.end:%Y%m%d}"
    else:
        utc = [moment.astimezone(timezone.utc) for moment in (occurrence.start, occurrence.end)]
        dates = "/".join(f"{moment:%Y%m%dT%H%M%SZ}" for moment in utc)
    args = {"action": "TEMPLATE", "text": event.title, "dates": dates, "details": event.description or "",
            "location": event.location or "", "ctz": event.time_zone}
    return "https://calendar.google.com/calendar/render?" + urlencode(args)


def _date_arg(value: str | None, today: date) -> date | None:
    """The date named, None when unreadable; a date too far from today is a 400 that says the window."""
    try:
        return parse_date_param(value, today)
    except DateOutsideWindow as refused:
        abort(400, description=str(refused))
    except BadDate:
        return None


def _month_arg(value: str | None, today: date) -> date | None:
    return _date_arg(f"{value}-01", today) if value and len(value) == 7 else None


@calendars_bp.get("/<slug>.ics")
def feed(slug: str) -> Response:
    scope = scope_for(slug)
    filters = ListFilters.from_args(request.args, scope.today, LIST_DAYS)
    if filters.error:  # a calendar app cannot show the message a page would: say it and build nothing
        abort(400, description=filters.error)
    args = filters.feed_args()

    def build() -> tuple[bytes, date | None]:
        events, last_drop = queries.feed_events(scope.calendars, scope.today)
        if args:
            events = _in_view(filters, events)
        header = ics.FeedHeader(_feed_name(scope, args), scope.description, scope.zone.key)
        return ics.feed(header, events, page_url=_page_url, year=datetime.now().year), last_drop

    variant = f"{public_base_url()}|{datetime.now().year}|{urlencode(args, doseq=True)}"
    built = cached_feed(scope, variant, build)
    zipped = "gzip" in request.accept_encodings
    response = _ics_response(lambda: built.load("gzip" if zipped else "body"),
                             built.etag + ("-gzip" if zipped else ""), built.last_modified,
                             f'inline; filename="{slug}.ics"')
    if zipped and response.status_code == 200:  # calendar clients poll a 2.5 MB feed as ~0.2 MB
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def _in_view(filters: ListFilters, events: list[CalendarEvent]) -> list[CalendarEvent]:
    """The events the list view with these filters shows, on any date (a feed has no date window)."""
    return [e for e in events if filters.keep_event(e)]


def _feed_name(scope: Scope, args: dict[str, Any]) -> str:
    if not args:
        return scope.name
    said = [str(args[name]) for name in ("category", "q", "location") if args.get(name)]
    return f"{scope.name} ({', '.join(said) or 'filtered'})"


@calendars_bp.get("/<slug>/events/<uid>.ics")
def event_download(slug: str, uid: str) -> Response:
    scope, found = _event(slug, uid)
    header = ics.FeedHeader(found.title, "", found.time_zone)
    body = ics.feed(header, [found], page_url=_page_url, year=datetime.now().year)
    return _ics_response(lambda: body, hashlib.sha256(body).hexdigest(), found.updated_at,
                         f'attachment; filename="event-{_safe(uid)}.ics"')


def _safe(uid: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in uid)[:80]


def _page_url(event: CalendarEvent) -> str:
    """The event page's address; built by url_for once per calendar, not 5,000 times per feed."""
    return _page_url_prefix(event.calendar.slug, public_base_url()) + BaseConverter(current_app.url_map).to_url(event.uid)


@lru_cache(maxsize=256)
def _page_url_prefix(slug: str, base_url: str) -> str:
    return base_url + url_for("calendars.event", slug=slug, uid="~")[:-1]


def _ics_response(load_body: Callable[[], bytes], etag: str, last_modified: datetime | None,
                  disposition: str) -> Response:
    """A conditional GET: 304 when the client's copy is current (the body is then never loaded)."""
    fresh = not is_resource_modified(request.environ, etag=etag, last_modified=last_modified)
    response = Response(b"" if fresh else load_body(), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = disposition
    response.set_etag(etag)
    if last_modified:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config.get("FEED_MAX_AGE_SECONDS", 300))
    return response.make_conditional(request)
