from __future__ import annotations

import pytest

from app.calendars.models import Calendar
from app.extensions import db

MAILBOX = "citymeetings@auburnal.gov"


@pytest.fixture
def meetings(app) -> Calendar:
    """A calendar whose published events are written to an Exchange calendar of the dev tenant."""
    calendar = Calendar(name="City Meetings", slug="city-meetings", time_zone="America/Chicago",
                        exchange_calendar_address=MAILBOX)
    db.session.add(calendar)
    db.session.commit()
    return calendar
