"""Public calendar pages and ICS/webcal feeds. List view is the default; feeds are conditional GETs."""
from __future__ import annotations

import calendar as pycalendar
import hashlib
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from app.calendars import ics, queries
from app.calendars.filters import ListFilters
from app.jobs.queue import get_redis
from app.web.htmx import render_page_or_block

calendars_bp = Blueprint("calendars", __name__, url_prefix="/calendars")
LIST_DAYS = 60
FEED_CACHE_SECONDS = 3600


@calendars_bp.get("/")
def index() -> str:
    return render_template("calendars/index.html", calendars=queries.public_calendars())


@calendars_bp.get("/<slug>/")
def calendar_list(slug: str) -> Response:
    calendar = queries.public_calendar(slug) or abort(404)
    zone = ZoneInfo(calendar.time_zone)
    today = datetime.now(zone).date()
    filters = ListFilters.from_args(request.args, today, LIST_DAYS)
    events = queries.feed_events(calendar)
    shown = [o for o in queries.occurrences(events, zone, filters.first, filters.last) if filters.keep(o)]
    days: dict[date, list[queries.Occurrence]] = {}
    for occurrence in shown:
        days.setdefault(occurrence.day, []).append(occurrence)
    feed = url_for("calendars.feed", slug=slug, _external=True)
    webcal = "webcal://" + feed.split("://", 1)[1]
    return render_page_or_block(
        "calendars/list.html", "results", calendar=calendar, days=days, today=today, filters=filters,
        count=len(shown), categories=sorted({e.category for e in events if e.category}),
        feed_url=feed, webcal_url=webcal,
        google_url="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
    )


@calendars_bp.get("/<slug>/month")
def month(slug: str) -> str:
    calendar = queries.public_calendar(slug) or abort(404)
    zone = ZoneInfo(calendar.time_zone)
    today = datetime.now(zone).date()
    first = _month_arg(request.args.get("month")) or today.replace(day=1)
    weeks = pycalendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    occurrences = queries.occurrences(queries.feed_events(calendar), zone, weeks[0][0], weeks[-1][-1])
    by_day: dict[date, list[queries.Occurrence]] = {}
    for occurrence in occurrences:
        by_day.setdefault(occurrence.day, []).append(occurrence)
    previous_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    return render_template("calendars/month.html", calendar=calendar, first=first, weeks=weeks, by_day=by_day,
                           today=today, previous_month=previous_month, next_month=next_month)


@calendars_bp.get("/<slug>/day/<day>")
def day(slug: str, day: str) -> str:
    calendar = queries.public_calendar(slug) or abort(404)
    chosen = _date_arg(day) or abort(404)
    zone = ZoneInfo(calendar.time_zone)
    occurrences = queries.occurrences(queries.feed_events(calendar), zone, chosen, chosen)
    return render_template("calendars/day.html", calendar=calendar, day=chosen, occurrences=occurrences,
                           today=datetime.now(zone).date(), one_day=timedelta(days=1))


@calendars_bp.get("/<slug>/events/<uid>")
def event(slug: str, uid: str) -> str:
    calendar = queries.public_calendar(slug) or abort(404)
    found = next((e for e in queries.feed_events(calendar) if e.uid == uid), None) or abort(404)
    zone = ZoneInfo(calendar.time_zone)
    today = datetime.now(zone).date()
    upcoming = queries.occurrences([found], zone, today, today + timedelta(days=365))[:10]
    return render_template("calendars/event.html", calendar=calendar, event=found, upcoming=upcoming)


def _date_arg(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _month_arg(value: str | None) -> date | None:
    return _date_arg(f"{value}-01") if value and len(value) == 7 else None


@calendars_bp.get("/<slug>.ics")
def feed(slug: str) -> Response:
    calendar = queries.public_calendar(slug) or abort(404)
    changed, count = queries.feed_version(calendar)
    body = _feed_body(calendar, changed, count)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{slug}.ics"'
    response.set_etag(hashlib.sha256(body).hexdigest())
    if changed:
        response.last_modified = changed
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config.get("FEED_MAX_AGE_SECONDS", 300))
    return response.make_conditional(request)


def _feed_body(calendar, changed: datetime | None, count: int) -> bytes:
    """Subscribers poll often and the feed changes rarely: a built feed is kept until its events change."""
    year = datetime.now().year
    version = f"{calendar.slug}:{calendar.name}:{calendar.description}:{changed}:{count}:{year}:{request.host_url}"
    key = "mygov:ics:" + hashlib.sha256(version.encode()).hexdigest()
    redis = get_redis()
    body = redis.get(key)
    if body is None:
        page = url_for("calendars.calendar_list", slug=calendar.slug, _external=True)
        body = ics.feed(calendar, queries.feed_events(calendar), page_url=page, year=year)
        redis.set(key, body, ex=FEED_CACHE_SECONDS)
    return body
