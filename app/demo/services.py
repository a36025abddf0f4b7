"""Load the demo city idempotently: facilities, rooms, calendars, events and the dev tenant's users."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.access.services import sync_registry
from app.calendars.models import Calendar, CalendarCategory, CalendarEvent, PublishingMailbox
from app.calendars.recurrence import expand
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.people.models import Employee
from app.people.contacts import refresh_contacts
from app.people.services import upsert_employee_from_graph

DEMO_CITY = Path(__file__).with_name("city.json")
DEVTENANT_SEED = Path(__file__).resolve().parent.parent / "devtenant" / "seed" / "demo_city.json"


def seed_demo(tenant_id: str, city_zone: str, today: date | None = None) -> dict[str, int]:
    """Create what is missing and leave what exists alone; returns how many rows were created."""
    data = json.loads(DEMO_CITY.read_text())
    today = today or datetime.now(ZoneInfo(city_zone)).date()
    sync_registry()
    created = {"facilities": 0, "spaces": 0, "calendars": 0, "events": 0, "employees": 0}
    facilities_by_slug: dict[str, Facility] = {}
    places = _exchange_places()
    for facility_data in data["facilities"]:
        facility, new = _facility(facility_data, places)
        created["facilities"] += new
        facilities_by_slug[facility.slug] = facility
        for space_data in facility_data["spaces"]:
            created["spaces"] += _space(facility, space_data, places)
    for calendar_data in data["calendars"]:
        calendar, new = _calendar(calendar_data, city_zone)
        created["calendars"] += new
        for event_data in calendar_data["events"]:
            created["events"] += _event(calendar, event_data, facilities_by_slug, today)
    if DEVTENANT_SEED.exists():
        users = json.loads(DEVTENANT_SEED.read_text()).get("users", [])
        created["employees"] = _employees(tenant_id, users, set(data["directory"]["public_departments"]))
    db.session.commit()
    return created


def _employees(tenant_id: str, users: list[dict[str, Any]], public_departments: set[str]) -> int:
    """Only the missing ones: an upsert of an existing employee would rewrite its sync time and contact.
    New employees of the public departments are listed in the directory, as the demo city chose."""
    known = set(db.session.scalars(select(Employee.entra_oid).where(Employee.tenant_id == tenant_id)))
    missing = [user for user in users if user["id"] not in known]
    for user in missing:
        upsert_employee_from_graph(tenant_id, user)
    listed = db.session.scalars(select(Employee).where(
        Employee.tenant_id == tenant_id, Employee.entra_oid.in_([user["id"] for user in missing]),
        Employee.department.in_(public_departments),
    )).all()
    for employee in listed:
        employee.show_publicly = True
    db.session.flush()
    refresh_contacts([employee.id for employee in listed])
    return len(missing)


def _exchange_places() -> dict[str, dict[str, Any]]:
    """The dev tenant's buildings (by name) and rooms (by address): the demo rows link to what Exchange holds."""
    if not DEVTENANT_SEED.exists():
        return {}
    places = json.loads(DEVTENANT_SEED.read_text()).get("places", [])
    return {str(place.get("emailAddress") or place["displayName"]).lower(): place for place in places
            if place.get("@odata.type") in ("#microsoft.graph.building", "#microsoft.graph.room")}


def _facility(data: dict[str, Any], places: dict[str, dict[str, Any]]) -> tuple[Facility, bool]:
    facility = db.session.scalar(select(Facility).where(Facility.slug == data["slug"]))
    if facility:
        return facility, False
    facility = Facility(
        name=data["name"], slug=data["slug"],
        building_abbreviation=data["building_abbreviation"], address=data["address"],
        graph_building_place_id=places.get(data["name"].lower(), {}).get("id"),
    )
    db.session.add(facility)
    db.session.flush()
    return facility, True


def _space(facility: Facility, data: dict[str, Any], places: dict[str, dict[str, Any]]) -> bool:
    exists = db.session.scalar(
        select(FacilitySpace).where(
            FacilitySpace.facility_id == facility.id, FacilitySpace.slug == data["slug"]
        )
    )
    if exists:
        return False
    space = FacilitySpace(
        facility=facility, name=data["name"], slug=data["slug"], floor=data["floor"],
        capacity=data["capacity"], accessibility_notes=data["accessibility_notes"],
        exchange_resource_mailbox=data.get("exchange_resource_mailbox"),
        provisioning_state="active" if data.get("exchange_resource_mailbox") else "none",
    )
    if room := places.get(str(data.get("exchange_resource_mailbox")).lower()):
        space.graph_place_id, space.graph_floor_place_id = room["id"], room.get("parentId")
        if room["displayName"] != space.name:  # Exchange's name, e.g. "LIB Program Room"
            space.mailbox_display_name_override = room["displayName"]
    if rules := data.get("reservation"):
        space.reservation_config = ReservationConfig(
            citizen_reservable=True,
            approval_required=rules["approval_required"],
            open_time=time.fromisoformat(rules["open_time"]),
            close_time=time.fromisoformat(rules["close_time"]),
            min_duration_minutes=rules["min_duration_minutes"],
            max_duration_minutes=rules["max_duration_minutes"],
            lead_time_hours=rules["lead_time_hours"],
            buffer_minutes=rules["buffer_minutes"],
            max_attendees=rules["max_attendees"],
        )
    db.session.add(space)
    return True


def _calendar(data: dict[str, Any], city_zone: str) -> tuple[Calendar, bool]:
    calendar = db.session.scalar(select(Calendar).where(Calendar.slug == data["slug"]))
    if calendar:
        return calendar, False
    calendar = Calendar(
        name=data["name"], slug=data["slug"], description=data["description"],
        is_public=True, time_zone=city_zone,
        exchange_calendar_address=data.get("exchange_calendar_address"),
    )
    db.session.add(calendar)
    address = (calendar.exchange_calendar_address or "").lower()
    if address and not db.session.scalar(select(PublishingMailbox.id).where(PublishingMailbox.address == address)):
        # The demo city's platform admin approved it (a room would need no approval; this one is not a room).
        db.session.add(PublishingMailbox(address=address, reason=f"Demo city: {calendar.name}"))
    db.session.flush()
    return calendar, True


def _event(
    calendar: Calendar, data: dict[str, Any], facilities: dict[str, Facility], today: date
) -> bool:
    if db.session.scalar(select(CalendarEvent.id).where(CalendarEvent.uid == data["uid"])):
        return False
    zone = ZoneInfo(calendar.time_zone)
    day = today + timedelta(days=data["days_from_today"])
    if data.get("rrule"):  # a series starts on one of its own dates (the editor refuses anything else)
        day = next(iter(expand(data["rrule"], datetime.combine(day, time.min), zone))).date()
    if data.get("category") and not db.session.scalar(select(CalendarCategory.id).where(
            CalendarCategory.calendar_id == calendar.id, CalendarCategory.name == data["category"])):
        db.session.add(CalendarCategory(calendar_id=calendar.id, name=data["category"], retired=False))
    event = CalendarEvent(
        calendar=calendar, uid=data["uid"], title=data["title"],
        description=data["description"], time_zone=calendar.time_zone,
        rrule=data.get("rrule"), location=data.get("location", ""),
        category=data.get("category"), status=data.get("status", "published"),
        facility=facilities.get(data.get("facility", "")),
    )
    if data.get("all_day"):
        event.all_day = True
        event.start_date = day
        event.end_date = day + timedelta(days=data["duration_days"])
    else:
        start = datetime.combine(day, time.fromisoformat(data["start"]), zone)
        event.start_at = start
        event.end_at = start + timedelta(minutes=data["duration_minutes"])
    db.session.add(event)
    return True
