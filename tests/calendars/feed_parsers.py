"""Independent readers of a feed, shared by the interop and repeat-builder tests: each returns
(uid, status, start, end) per occurrence in a window (UTC instants, or dates for all-day)."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import recurring_ical_events
from icalendar import Calendar as ICalendar

ROOT = Path(__file__).resolve().parents[2]
Occurrence = tuple[str, str, str, str]
Window = tuple[datetime, datetime]


def occurrence_key(uid: str, status: str, start: datetime | date, end: datetime | date) -> Occurrence:
    if isinstance(start, datetime):
        return uid, status, start.astimezone(timezone.utc).isoformat(), end.astimezone(timezone.utc).isoformat()
    return uid, status, start.isoformat(), end.isoformat()


def recurring_ical_events_occurrences(body: bytes, window: Window) -> set[Occurrence]:
    found = set()
    for vevent in recurring_ical_events.of(ICalendar.from_ical(body)).between(*window):
        found.add(occurrence_key(str(vevent["uid"]), str(vevent["status"]), vevent["dtstart"].dt, vevent["dtend"].dt))
    return found


def icaljs_occurrences(body: bytes, window: Window) -> set[Occurrence]:
    """npm ical.js (Thunderbird's parser), run with node."""
    node = shutil.which("node")
    script = ROOT / "tests" / "calendars" / "icaljs_occurrences.mjs"
    if node is None or not (ROOT / "node_modules" / "ical.js").is_dir():
        pytest.fail("node and npm ical.js are needed: run `npm ci` (make test does it)")
    run = subprocess.run([node, str(script), window[0].isoformat(), window[1].isoformat()], input=body,
                         capture_output=True, cwd=ROOT, timeout=60, check=True)
    found = set()
    for line in run.stdout.decode().splitlines():
        item = json.loads(line)
        if item["allDay"]:
            found.add((item["uid"], item["status"], item["start"], item["end"]))
        else:
            start, end = (datetime.fromisoformat(item[k].replace("Z", "+00:00")) for k in ("start", "end"))
            found.add(occurrence_key(item["uid"], item["status"], start, end))
    return found
