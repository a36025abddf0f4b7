"""Values and filters every template may use."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

PUBLIC_NAV: list[tuple[str, str]] = [
    ("public.home", "Home"), ("directory.index", "Staff directory"), ("reservations.index", "Reserve a room"),
]
STAFF_NAV: list[tuple[str, str]] = [
    ("staff.home", "Overview"), ("employees.list_employees", "Employees"), ("reservation_staff.queue", "Reservations"),
    ("ops.outbox", "Operations"),
]


def city_zone(app: Flask) -> ZoneInfo:
    return ZoneInfo(app.config["CITY_TIMEZONE"])


def install_template_helpers(app: Flask) -> None:
    zone = city_zone(app)

    @app.context_processor
    def navigation() -> dict[str, Any]:
        now = datetime.now(zone)
        return {
            "public_nav": PUBLIC_NAV,
            "staff_nav": STAFF_NAV,
            "city_timezone_label": f"{zone.key.replace('_', ' ')} time ({now.tzname()})",
        }

    @app.template_filter("local_datetime")
    def local_datetime(value: datetime | None, fmt: str = "%A, %B %-d, %Y at %-I:%M %p") -> str:
        if value is None:
            return ""
        return value.astimezone(zone).strftime(fmt)

    @app.template_filter("iso_local")
    def iso_local(value: datetime | None) -> str:
        """For <time datetime>: the instant with its local offset."""
        return value.astimezone(zone).isoformat() if value else ""
