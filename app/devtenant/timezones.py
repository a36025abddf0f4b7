"""Outlook's `dateTimeTimeZone` values: Windows or IANA zone names, 7-digit fractions, UTC default."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The Windows zone names Outlook uses most in the US (and a few others), per CLDR windowsZones.
WINDOWS_ZONES = {
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles",
    "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "India Standard Time": "Asia/Kolkata",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
}
PREFER_TIMEZONE = re.compile(r'outlook\.timezone\s*=\s*"([^"]+)"', re.IGNORECASE)


class UnsupportedTimeZone(ValueError):
    pass


def zone(name: str | None) -> dt.tzinfo:
    if not name:
        return dt.timezone.utc
    iana = WINDOWS_ZONES.get(name, name)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnsupportedTimeZone(name) from error


def parse_local(value: dict[str, object] | None) -> dt.datetime:
    """A `{dateTime, timeZone}` value as an aware UTC datetime."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise ValueError("dateTime is required")
    text = str(value["dateTime"]).rstrip("Z")
    if "." in text:
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(value.get("timeZone")))  # type: ignore[arg-type]
    return parsed.astimezone(dt.timezone.utc)


def parse_query_datetime(value: str) -> dt.datetime:
    """calendarView's startDateTime/endDateTime: ISO 8601, no offset meaning UTC."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc)


def format_in(moment: dt.datetime, zone_name: str | None) -> dict[str, str]:
    """`{dateTime, timeZone}` in the zone the client prefers (UTC unless it said otherwise)."""
    name = zone_name or "UTC"
    local = moment.astimezone(zone(name))
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": name}


def preferred_zone(prefer_header: str | None) -> str | None:
    """The zone named in `Prefer: outlook.timezone="..."`, if it is one we know."""
    match = PREFER_TIMEZONE.search(prefer_header or "")
    if not match:
        return None
    try:
        zone(match.group(1))
    except UnsupportedTimeZone:
        return None
    return match.group(1)


def iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-6] + "0000000Z"
