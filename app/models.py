"""Imports every domain's models so metadata is complete (for Alembic and create_all)."""
from app.access.models import AuditEntry, GroupMapping, Module, Role, RoleAssignment
from app.auth.models import StaffSession
from app.calendars.models import (
    Calendar, CalendarEvent, CalendarEventOverride, CalendarEventRevision, PublishingMailbox,
)
from app.facilities.models import Facility, FacilitySpace, ReservationConfig
from app.jobs.models import GraphOperation, ServerJob, ServerJobRun, SyncState
from app.mail.models import EmailMessage
from app.people.models import Employee, EmployeeContact
from app.reservations.models import Reservation
from app.reservations.occupancy_models import OccupancyExemption, RoomOccupancy
from app.subscriptions.models import GraphSubscription

__all__ = [
    "AuditEntry", "Calendar", "CalendarEvent", "CalendarEventOverride", "CalendarEventRevision", "EmailMessage",
    "Employee", "EmployeeContact", "Facility", "FacilitySpace", "GraphOperation",
    "GraphSubscription", "GroupMapping", "Module", "OccupancyExemption", "Reservation", "ReservationConfig", "Role",
    "RoleAssignment", "PublishingMailbox", "RoomOccupancy", "ServerJob", "ServerJobRun", "StaffSession", "SyncState",
]
