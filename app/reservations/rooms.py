"""Which reservable room a citizen's address names: the room itself for its pages, and a small
summary kept in Redis (app/web/lookups.py) for the page cache's version of its availability page.

The "rooms" catalog is retired by every commit touching a room, its rules or its facility
(page_version.py bumps it), so a summary never outlives a rename, an archive or a new lead time.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.web.lookups import remembered

CATALOG = "rooms"


@dataclass(frozen=True)
class RoomSummary:
    space_id: int
    facility_id: int
    lead_time_hours: int


def reservable_space(facility_slug: str, space_slug: str) -> FacilitySpace | None:
    """The room citizens may book at this address, with its facility and rules; None if there is none."""
    # One query for the space, its facility and its reservation rules: every page here needs all three.
    space = db.session.scalar(
        select(FacilitySpace)
        .join(Facility)
        .outerjoin(ReservationConfig)
        .options(contains_eager(FacilitySpace.facility), contains_eager(FacilitySpace.reservation_config))
        .where(Facility.slug == facility_slug, FacilitySpace.slug == space_slug)
    )
    if space is None or not space.is_citizen_reservable or not space.exchange_resource_mailbox:
        return None
    return space


def reservable_room(facility_slug: str, space_slug: str) -> RoomSummary | None:
    def load() -> dict | None:
        space = reservable_space(facility_slug, space_slug)
        if space is None:
            return None
        return asdict(RoomSummary(space.id, space.facility_id, space.reservation_config.lead_time_hours))

    found = remembered(CATALOG, f"{facility_slug}/{space_slug}", load)
    return None if found is None else RoomSummary(**found)
