"""Values and filters every template may use."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import logging

from flask import Flask, before_render_template, g, has_app_context, has_request_context, request, session
from flask_login import current_user
from markupsafe import Markup

PUBLIC_NAV: list[tuple[str, str]] = [
    ("public.home", "Home"), ("calendars.index", "Calendars"), ("directory.index", "Staff directory"),
    ("reservations.index", "Reserve a room"),
]
# (endpoint, label, permission): a staff member sees the entries they may open.
STAFF_NAV: list[tuple[str, str, str]] = [
    ("staff.home", "Overview", "signed-in"),
    ("calendar_staff.calendars", "Calendars", "calendars.editor"),
    ("outlook_import.index", "From Outlook", "calendars.publisher"),
    ("employees.list_employees", "Employees", "employees.editor"),
    ("reservation_staff.queue", "Reservations", "reservations.approver"),
    ("reservation_desk.bookings", "All bookings", "reservations.viewer"),
    ("facilities.index", "Facilities", "facilities.viewer"),
    ("access.people", "Permissions", "platform.admin"),
    ("ops.outbox", "Operations", "platform.admin"),
    ("publishing_mailboxes.index", "Publishing mailboxes", "platform.admin"),
    ("mail_admin.templates", "Mail", "platform.admin"),
    ("outlook_import.sources", "Outlook sources", "calendars.publisher"),
]
# endpoint -> how many things wait there for the signed-in person (shown beside the label); areas register.
NAV_COUNTS: dict[str, Callable[[], int]] = {}


log = logging.getLogger(__name__)
# What every template relies on from Flask; a view's variable of the same name would hide it.
FLASK_TEMPLATE_NAMES = ("config", "request", "session", "g")


def refuse_hidden_flask_names(app: Flask, template: Any, context: dict[str, Any], **_: Any) -> None:
    """A view passing e.g. `config=` hides Flask's config: every page then loses the city's name."""
    defaults: dict[str, Any] = {"config": app.config}
    if has_app_context():
        defaults["g"] = g._get_current_object()  # type: ignore[attr-defined]
    if has_request_context():
        defaults["request"] = request._get_current_object()  # type: ignore[attr-defined]
        defaults["session"] = session._get_current_object()  # type: ignore[attr-defined]
    hidden = [name for name in FLASK_TEMPLATE_NAMES if name in context and context[name] is not defaults.get(name)]
    if not hidden:
        return
    message = f"template {template.name} was given {', '.join(hidden)}, which hides Flask's own"
    if app.testing or app.debug:
        raise RuntimeError(message)
    log.error(message)


def zone_label(zone: ZoneInfo) -> str:
    """The zone stated on a page, e.g. "America/Chicago time (CST or CDT)": which one applies depends
    on each date, not on today, so each time shown carries its own abbreviation."""
    year = datetime.now(zone).year
    names = list(dict.fromkeys(datetime(year, month, 1, tzinfo=zone).tzname() for month in (1, 7)))
    return f"{zone.key.replace('_', ' ')} time ({' or '.join(n for n in names if n)})"


def city_zone(app: Flask) -> ZoneInfo:
    return ZoneInfo(app.config["CITY_TIMEZONE"])


def visible_staff_nav() -> list[tuple[str, str]]:
    from app.access.permissions import has_role

    if not (has_request_context() and current_user.is_authenticated):
        return []
    shown = []
    for endpoint, label, permission in STAFF_NAV:
        if has_role(current_user, permission):
            waiting = NAV_COUNTS[endpoint]() if endpoint in NAV_COUNTS else 0
            shown.append((endpoint, f"{label} ({waiting} to review)" if waiting else label))
    return shown


def install_template_helpers(app: Flask) -> None:
    zone = city_zone(app)
    before_render_template.connect(refuse_hidden_flask_names, app)

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {
            "public_nav": PUBLIC_NAV,
            "staff_nav": visible_staff_nav(),
            "city_timezone_label": zone_label(zone),
        }

    @app.template_filter("local_datetime")
    def local_datetime(value: datetime | None, fmt: str = "%A, %B %-d, %Y at %-I:%M %p") -> str:
        if value is None:
            return ""
        return value.astimezone(zone).strftime(fmt)

    @app.template_filter("local_time_range")
    def local_time_range(interval: Any) -> Markup:
        """<time>9:00 AM</time> to <time>10:30 AM</time>: written here, not in a macro, because the
        availability page shows dozens of them on every view."""
        start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
        # ISO instants and clock times are digits, letters and "+-:": nothing to escape.
        return Markup(f'<time datetime="{start.isoformat()}">{start.strftime("%-I:%M %p")}</time> to '
                      f'<time datetime="{end.isoformat()}">{end.strftime("%-I:%M %p")}</time>')

    @app.template_filter("iso_local")
    def iso_local(value: datetime | None) -> str:
        """For <time datetime>: the instant with its local offset."""
        return value.astimezone(zone).isoformat() if value else ""
