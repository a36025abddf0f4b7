"""Free/busy (`getSchedule`, contract §5) and calendar sharing (`calendarPermissions`, §8)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

from flask import Blueprint, Response

from app.devtenant import events
from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request, item_not_found
from app.devtenant.graph.calendar import (
    READ_CALENDARS,
    WRITE_CALENDARS,
    find_mailbox_or_404,
    response_zone,
    with_preference,
)
from app.devtenant.graph.common import action_parameters, collection, json_body, require
from app.devtenant.mailflow import deliver_system_message
from app.devtenant.state import Mailbox
from app.devtenant.timezones import UnsupportedTimeZone, format_in, parse_local

blueprint = Blueprint("schedule", __name__)

MAX_SCHEDULES = 20
MAX_WINDOW = dt.timedelta(days=62)
VIEW_DIGITS = {
    "free": "0",
    "tentative": "1",
    "busy": "2",
    "oof": "3",
    "workingElsewhere": "4",
    "unknown": "2",
}
BUSYNESS = {"free": 0, "workingElsewhere": 1, "tentative": 2, "busy": 3, "unknown": 3, "oof": 4}
ROLES = (
    "none",
    "freeBusyRead",
    "limitedRead",
    "read",
    "write",
    "delegateWithoutPrivateEventAccess",
    "delegateWithPrivateEventAccess",
    "custom",
)
WORKING_HOURS = {
    "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
    "startTime": "08:00:00.0000000",
    "endTime": "17:00:00.0000000",
    "timeZone": {"name": "Central Standard Time"},
}


@blueprint.post("/users/<user_key>/calendar/getSchedule")
def get_schedule(user_key: str) -> Response:
    require(READ_CALENDARS)
    find_mailbox_or_404(user_key)
    body = action_parameters("schedules", "startTime", "endTime", "availabilityViewInterval")
    schedules = body.get("schedules")
    if not isinstance(schedules, list) or not schedules:
        raise bad_request(
            "ErrorInvalidParameter", "The parameter 'schedules' is required and must not be empty."
        )
    if len(schedules) > MAX_SCHEDULES:
        raise bad_request(
            "ErrorInvalidParameter",
            f"The number of schedules requested exceeds the maximum of {MAX_SCHEDULES}.",
        )
    try:
        start, end = parse_local(body.get("startTime")), parse_local(body.get("endTime"))
    except UnsupportedTimeZone as error:
        raise bad_request(
            "TimeZoneNotSupportedException",
            f"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{error}'.",
        ) from None
    except ValueError:
        raise bad_request(
            "ErrorInvalidParameter", "startTime and endTime with dateTime and timeZone are required."
        ) from None
    if end <= start:
        raise bad_request("ErrorInvalidParameter", "The end time must be later than the start time.")
    if end - start >= MAX_WINDOW:
        raise bad_request(
            "ErrorInvalidParameter", "The requested time window is too long: it must be shorter than 62 days."
        )
    interval = body.get("availabilityViewInterval", 30)
    if not isinstance(interval, int) or not 5 <= interval <= 1440:
        raise bad_request(
            "ErrorInvalidParameter", "availabilityViewInterval must be between 5 and 1440 minutes."
        )
    value = [_schedule(str(address), start, end, interval) for address in schedules]
    return with_preference(
        {
            "@odata.context": f"{tenant().graph_base()}/$metadata#Collection(microsoft.graph.scheduleInformation)",
            "value": value,
        }
    )


def _schedule(address: str, start: dt.datetime, end: dt.datetime, interval: int) -> dict[str, Any]:
    mailbox = tenant().state.find_mailbox(address) if "@" in address else None
    if mailbox is None:
        return {
            "scheduleId": address,
            "availabilityView": "",
            "scheduleItems": [],
            "error": {
                "message": f"Unable to resolve e-mail address {address} to an Active Directory object.",
                "responseCode": "ErrorMailRecipientNotFound",
            },
        }
    busy = [
        occurrence
        for event in mailbox.events.values()
        for occurrence in events.instances(event, start, end)
        if occurrence["showAs"] != "free"
    ]
    busy.sort(key=lambda e: e["_start"])
    slot = dt.timedelta(minutes=interval)
    view = []
    for index in range(math.ceil((end - start) / slot)):
        slot_start = start + index * slot
        slot_end = min(slot_start + slot, end)
        statuses = [e["showAs"] for e in busy if e["_start"] < slot_end and e["_end"] > slot_start]
        view.append(VIEW_DIGITS[max(statuses, key=BUSYNESS.__getitem__)] if statuses else "0")
    zone_name = response_zone()
    items = [
        {
            "isPrivate": event["sensitivity"] == "private",
            "status": event["showAs"],
            "subject": event["subject"],
            "location": (event.get("location") or {}).get("displayName", ""),
            "start": format_in(event["_start"], zone_name),
            "end": format_in(event["_end"], zone_name),
        }
        for event in busy
    ]
    return {
        "scheduleId": address,
        "availabilityView": "".join(view),
        "scheduleItems": items,
        "workingHours": WORKING_HOURS,
    }


def _my_organization() -> dict[str, Any]:
    return {
        "id": "RGVmYXVsdA==",
        "isRemovable": False,
        "isInsideOrganization": True,
        "role": "freeBusyRead",
        "allowedRoles": ["none", "freeBusyRead", "limitedRead", "read"],
        "emailAddress": {"name": "My Organization"},
    }


def _permissions_of(mailbox: Mailbox) -> list[dict[str, Any]]:
    return [_my_organization(), *mailbox.calendar_permissions.values()]


def _list_permissions(user_key: str, calendar_id: str | None = None) -> dict[str, Any]:
    require(READ_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    if calendar_id not in (None, mailbox.calendar_id):
        raise item_not_found()
    return collection(
        f"users('{mailbox.address}')/calendar/calendarPermissions", _permissions_of(mailbox), None
    )


def _create_permission(user_key: str, calendar_id: str | None = None) -> tuple[dict[str, Any], int]:
    require(WRITE_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    if calendar_id not in (None, mailbox.calendar_id):
        raise item_not_found()
    body = json_body()
    address = (body.get("emailAddress") or {}).get("address")
    if not address:
        raise bad_request("ErrorInvalidParameter", "emailAddress.address is required.")
    if body.get("role", "read") not in ROLES:
        raise bad_request(
            "RequestBodyRead",
            f"Cannot convert the literal '{body.get('role')}' to the expected type 'microsoft.graph.calendarRoleType'.",
        )
    permission_id = "RXhjaGFuZ2U" + uuid.uuid4().hex
    created = {
        "id": permission_id,
        "isRemovable": body.get("isRemovable", True),
        "isInsideOrganization": body.get("isInsideOrganization", True),
        "role": body.get("role", "read"),
        "allowedRoles": list(ROLES[:5]),
        "emailAddress": {"name": body["emailAddress"].get("name", address), "address": address},
    }
    mailbox.calendar_permissions[permission_id] = created
    deliver_system_message(
        tenant().state,
        address,
        mailbox.email_address,
        f"{mailbox.display_name} has invited you to view their calendar",
        f"<p>You're invited to share this calendar: {mailbox.display_name} ({mailbox.address}). Accept to add it to your calendar list.</p>",
        "IPM.Sharing",
    )
    context = f"{tenant().graph_base()}/$metadata#users('{mailbox.address}')/calendar/calendarPermissions/$entity"
    return {"@odata.context": context, **created}, 200  # the documented answer is 200, not 201


def _delete_permission(user_key: str, permission_id: str, calendar_id: str | None = None) -> tuple[str, int]:
    require(WRITE_CALENDARS)
    mailbox = find_mailbox_or_404(user_key)
    if permission_id == _my_organization()["id"]:
        raise GraphError(403, "ErrorAccessDenied", "The 'My Organization' permission can't be removed.")
    if mailbox.calendar_permissions.pop(permission_id, None) is None:
        raise item_not_found()
    return "", 204


for prefix, suffix in (
    ("/users/<user_key>/calendar", ""),
    ("/users/<user_key>/calendars/<calendar_id>", "_in"),
):
    blueprint.add_url_rule(f"{prefix}/calendarPermissions", f"list_permissions{suffix}", _list_permissions)
    blueprint.add_url_rule(
        f"{prefix}/calendarPermissions", f"create_permission{suffix}", _create_permission, methods=["POST"]
    )
    blueprint.add_url_rule(
        f"{prefix}/calendarPermissions/<permission_id>",
        f"delete_permission{suffix}",
        _delete_permission,
        methods=["DELETE"],
    )
