from __future__ import annotations

import pytest

from app.calendars.models import Calendar, PublishingMailbox
from app.extensions import db
from app.people.models import Employee
from tests.factories import grant, make_employee

MAILBOX = "citymeetings@auburnal.gov"


@pytest.fixture
def meetings(app) -> Calendar:
    """A calendar whose published events are written to an Exchange calendar of the dev tenant."""
    calendar = Calendar(name="City Meetings", slug="city-meetings", time_zone="America/Chicago",
                        exchange_calendar_address=MAILBOX)
    db.session.add(PublishingMailbox(address=MAILBOX, reason="City meetings calendar"))  # a platform admin's
    db.session.add(calendar)
    db.session.commit()
    return calendar


def calendar_publisher(name: str = "Cal Publisher") -> Employee:
    """Someone who may change published events directly (an editor's change waits for one)."""
    publisher = make_employee(name)
    grant(publisher, "calendars.publisher")
    return publisher
