"""Outlook events in the dev tenant's mailboxes: validation, storage, instances, rendering.

Stored events are Graph-shaped dicts plus private `_start`/`_end` (aware UTC datetimes).
Inviting a mailbox of the tenant as an attendee puts a copy in its calendar (a room accepts),
the way Exchange delivers meeting requests; the organizer's changes and deletes follow them.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import uuid
from typing import Any

from app.devtenant import recurrence
from app.devtenant.state import Mailbox, TenantState
from app.devtenant.timezones import UnsupportedTimeZone, format_in, iso_utc, parse_local, zone

SHOW_AS = ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown")
ATTENDEE_TYPES = ("required", "optional", "resource")
SENSITIVITY = ("normal", "personal", "private", "confidential")
IMPORTANCE = ("low", "normal", "high")
EXCEPTION_REACH_DAYS = 31
UPDATABLE = {
    "attendees",
    "body",
    "categories",
    "end",
    "hideAttendees",
    "importance",
    "isAllDay",
    "isOnlineMeeting",
    "isReminderOn",
    "location",
    "locations",
    "onlineMeetingProvider",
    "recurrence",
    "reminderMinutesBeforeStart",
    "responseRequested",
    "sensitivity",
    "showAs",
    "start",
    "subject",
    "allowNewTimeProposals",
}
CREATABLE = UPDATABLE | {
    "transactionId",
    "singleValueExtendedProperties",
    "originalStartTimeZone",
    "originalEndTimeZone",
}


class EventError(ValueError):
    """Invalid event input; `code` is the Graph error code to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _enum(body: dict[str, Any], name: str, allowed: tuple[str, ...], type_name: str) -> None:
    value = body.get(name)
    if value is not None and value not in allowed:
        raise EventError(
            "RequestBodyRead",
            f"Cannot convert the literal '{value}' to the expected type 'microsoft.graph.{type_name}'.",
        )


def _times(body: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    try:
        start, end = parse_local(body.get("start")), parse_local(body.get("end"))
    except UnsupportedTimeZone as error:
        raise EventError(
            "TimeZoneNotSupportedException",
            f"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{error}'.",
        ) from None
    except ValueError:
        raise EventError(
            "ErrorInvalidRequest",
            "Your request can't be completed. Both start and end with dateTime and timeZone are required.",
        ) from None
    if end < start:
        raise EventError(
            "ErrorInvalidRequest", "The end time of the event must be later than its start time."
        )
    if body.get("isAllDay") and not all(
        str(body[k]["dateTime"])[11:19] in ("", "00:00:00") for k in ("start", "end")
    ):
        raise EventError("ErrorPropertyValidationFailure", "An all-day event must start and end at midnight.")
    return start, end


def validate(body: dict[str, Any], creating: bool) -> tuple[dt.datetime, dt.datetime] | None:
    allowed = CREATABLE if creating else UPDATABLE
    for name in body:
        if name not in allowed and not name.startswith("@odata"):
            if name == "transactionId":
                raise EventError(
                    "ErrorInvalidPropertyUpdateSentByClient",
                    "The transactionId of an event can't be changed.",
                )
            if creating:
                continue  # Graph ignores read-only properties sent on create
            raise EventError(
                "ErrorInvalidPropertyUpdateSentByClient", f"The property '{name}' can't be updated."
            )
    _enum(body, "showAs", SHOW_AS, "freeBusyStatus")
    _enum(body, "sensitivity", SENSITIVITY, "sensitivity")
    _enum(body, "importance", IMPORTANCE, "importance")
    for attendee in body.get("attendees") or []:
        _enum(attendee, "type", ATTENDEE_TYPES, "attendeeType")
        if not (attendee.get("emailAddress") or {}).get("address"):
            raise EventError("ErrorInvalidRecipients", "An attendee's emailAddress.address is required.")
    if body.get("recurrence") is not None:
        try:
            recurrence.validate(body["recurrence"])
        except recurrence.InvalidRecurrence as error:
            raise EventError("ErrorPropertyValidationFailure", str(error)) from None
    return _times(body) if creating else None


def _new_ids() -> dict[str, str]:
    change_key = base64.b64encode(secrets.token_bytes(12)).decode()
    return {"changeKey": change_key, "@odata.etag": f'W/"{change_key}"'}


def _event_id() -> str:
    return "AAMkA" + base64.urlsafe_b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()


def create(state: TenantState, mailbox: Mailbox, body: dict[str, Any]) -> dict[str, Any]:
    """Store a new event (or return the one with the same transactionId) in `mailbox`."""
    start, end = validate(body, creating=True)  # type: ignore[misc]
    transaction_id = body.get("transactionId")
    if (transaction_id and state.settings.transaction_id_dedupe
            and mailbox.transaction_ids.get(transaction_id) in mailbox.events):
        return mailbox.events[mailbox.transaction_ids[transaction_id]]
    now = iso_utc(dt.datetime.now(dt.timezone.utc))
    event_id = _event_id()
    content = body.get("body") or {"contentType": "text", "content": ""}
    event: dict[str, Any] = {
        "id": event_id,
        **_new_ids(),
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "iCalUId": "040000008200E00074C5B7101A82E00800000000" + secrets.token_hex(28).upper(),
        "subject": body.get("subject") or "",
        "bodyPreview": str(content.get("content", ""))[:255],
        "body": {
            "contentType": str(content.get("contentType", "text")).lower(),
            "content": content.get("content", ""),
        },
        "start": body["start"],
        "end": body["end"],
        "originalStartTimeZone": body["start"].get("timeZone") or "UTC",
        "originalEndTimeZone": body["end"].get("timeZone") or "UTC",
        "isAllDay": bool(body.get("isAllDay")),
        "isCancelled": False,
        "isOrganizer": True,
        "showAs": body.get("showAs") or "busy",
        "sensitivity": body.get("sensitivity") or "normal",
        "importance": body.get("importance") or "normal",
        "categories": body.get("categories") or [],
        "isReminderOn": body.get("isReminderOn", True),
        "reminderMinutesBeforeStart": body.get("reminderMinutesBeforeStart", 15),
        "location": body.get("location") or {"displayName": "", "locationType": "default"},
        "locations": body.get("locations") or ([body["location"]] if body.get("location") else []),
        "attendees": [_attendee(a) for a in body.get("attendees") or []],
        "organizer": {"emailAddress": mailbox.email_address},
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "recurrence": body.get("recurrence"),
        "type": "seriesMaster" if body.get("recurrence") else "singleInstance",
        "seriesMasterId": None,
        "hideAttendees": bool(body.get("hideAttendees")),
        "allowNewTimeProposals": body.get("allowNewTimeProposals", True),
        "responseRequested": body.get("responseRequested", True),
        "isOnlineMeeting": bool(body.get("isOnlineMeeting")),
        "onlineMeeting": None,
        "webLink": f"https://outlook.office365.com/owa/?itemid={event_id}&exvsurl=1&path=/calendar/item",
        "_start": start,
        "_end": end,
        "_mailbox": mailbox.id,
    }
    if transaction_id:
        event["transactionId"] = transaction_id
        mailbox.transaction_ids[transaction_id] = event_id
    if body.get("singleValueExtendedProperties"):
        event["singleValueExtendedProperties"] = body["singleValueExtendedProperties"]
    mailbox.events[event_id] = event
    state.record_event_change(mailbox.id, event_id)
    sync_attendee_copies(state, event)
    return event


def _attendee(attendee: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": attendee.get("type") or "required",
        "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
        "emailAddress": attendee["emailAddress"],
    }


def update(state: TenantState, event: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    validate(body, creating=False)
    times = _times({**event, **body}) if "start" in body or "end" in body else None
    for name, value in body.items():
        if name == "attendees":
            value = [_attendee(a) for a in value or []]
        event[name] = value
    if times:
        event["_start"], event["_end"] = times
    if "recurrence" in body:
        event["type"] = "seriesMaster" if body["recurrence"] else "singleInstance"
        event.pop("_exceptions", None)  # a new pattern drops the series' changed and deleted occurrences
        event.pop("_deleted_occurrences", None)
    event.update(_new_ids(), lastModifiedDateTime=iso_utc(dt.datetime.now(dt.timezone.utc)))
    state.record_event_change(event["_mailbox"], event["id"])
    if event.get("isOrganizer"):
        sync_attendee_copies(state, event)
    return event


def remove(state: TenantState, mailbox: Mailbox, event_id: str) -> dict[str, Any]:
    event = mailbox.events.pop(event_id)
    state.record_event_change(mailbox.id, event_id)
    if event.get("isOrganizer"):
        _drop_copies(state, event)
    return event


def _drop_copies(state: TenantState, event: dict[str, Any]) -> None:
    for other in state.mailboxes.values():
        for copy_id in [
            eid
            for eid, e in other.events.items()
            if e["iCalUId"] == event["iCalUId"] and not e["isOrganizer"]
        ]:
            del other.events[copy_id]
            state.record_event_change(other.id, copy_id)


def sync_attendee_copies(state: TenantState, event: dict[str, Any]) -> None:
    """Attendees that are mailboxes of this tenant get (or keep) their copy of the meeting."""
    _drop_copies(state, event)
    for attendee in event["attendees"]:
        target = state.find_mailbox(attendee["emailAddress"]["address"])
        if target is None or target.id == event["_mailbox"]:
            continue
        is_room = target.kind == "room"
        copy = {
            **event,
            "id": _event_id(),
            **_new_ids(),
            "isOrganizer": False,
            "_mailbox": target.id,
            "responseStatus": {
                "response": "accepted" if is_room else "none",
                "time": event["lastModifiedDateTime"],
            },
            "showAs": event["showAs"] if is_room else "tentative",
        }
        copy.pop("transactionId", None)
        if is_room:
            attendee["status"] = {"response": "accepted", "time": event["lastModifiedDateTime"]}
        target.events[copy["id"]] = copy
        state.record_event_change(target.id, copy["id"])


def update_occurrence(
    state: TenantState, master: dict[str, Any], occurrence: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    """Changing one occurrence makes it an exception. Exchange keeps exceptions inside the series
    master item, so the master's changeKey and lastModifiedDateTime change with it."""
    validate(body, creating=False)
    if "recurrence" in body:
        raise EventError(
            "ErrorInvalidPropertyUpdateSentByClient", "The recurrence of an occurrence can't be updated."
        )
    key = occurrence["id"].rpartition("_")[2]
    exception = {**master.setdefault("_exceptions", {}).get(key, {}), **body}
    if "start" in body or "end" in body:
        exception["_start"], exception["_end"] = _times(
            {
                "start": body.get("start") or format_in(occurrence["_start"], None),
                "end": body.get("end") or format_in(occurrence["_end"], None),
            }
        )
    now = iso_utc(dt.datetime.now(dt.timezone.utc))
    exception.update(_new_ids(), lastModifiedDateTime=now)
    master["_exceptions"][key] = exception
    master.update(_new_ids(), lastModifiedDateTime=now)
    state.record_event_change(master["_mailbox"], master["id"])
    state.record_event_change(master["_mailbox"], occurrence["id"])
    return next(i for i in instances(master, exception.get("_start", occurrence["_start"]),
                                     exception.get("_end", occurrence["_end"]) + dt.timedelta(seconds=1))
                if i["id"] == occurrence["id"])


def delete_occurrence(state: TenantState, master: dict[str, Any], occurrence_id: str) -> None:
    """Deleting one occurrence leaves the series; calendarView no longer returns that date."""
    master.setdefault("_deleted_occurrences", []).append(occurrence_id.rpartition("_")[2])
    master.get("_exceptions", {}).pop(occurrence_id.rpartition("_")[2], None)
    master.update(_new_ids(), lastModifiedDateTime=iso_utc(dt.datetime.now(dt.timezone.utc)))
    state.record_event_change(master["_mailbox"], master["id"])
    state.record_event_change(master["_mailbox"], occurrence_id)


def instances(
    event: dict[str, Any], window_start: dt.datetime, window_end: dt.datetime
) -> list[dict[str, Any]]:
    """The event, or its occurrences, overlapping [window_start, window_end)."""
    if event.get("isCancelled"):
        return []
    duration = event["_end"] - event["_start"]
    if not event.get("recurrence"):
        overlaps = event["_start"] < window_end and event["_end"] > window_start
        zero_length_inside = duration == dt.timedelta(0) and window_start <= event["_start"] < window_end
        return [event] if overlaps or zero_length_inside else []
    zone_name = event["start"].get("timeZone")
    local_start = event["_start"].astimezone(zone(zone_name))
    found = []
    deleted, exceptions = set(event.get("_deleted_occurrences", ())), event.get("_exceptions", {})
    # An exception may have been moved earlier than its original date: look a little further ahead.
    horizon = (window_end + dt.timedelta(days=1 + EXCEPTION_REACH_DAYS)).date()
    for day in recurrence.occurrence_dates(event["recurrence"], horizon):
        key = f"{day:%Y%m%d}"
        if key in deleted:
            continue
        original = dt.datetime.combine(
            day, local_start.timetz().replace(tzinfo=None), local_start.tzinfo
        ).astimezone(dt.timezone.utc)
        occurrence = {
            **event,
            "id": f"{event['id']}_{key}",
            "type": "occurrence",
            "seriesMasterId": event["id"],
            "recurrence": None,
            "originalStart": iso_utc(original),
            "_start": original,
            "_end": original + duration,
        }
        if key in exceptions:
            occurrence.update(exceptions[key], type="exception")
        if occurrence["_start"] < window_end and occurrence["_end"] > window_start:
            found.append(occurrence)
    return found


def render(event: dict[str, Any], zone_name: str | None) -> dict[str, Any]:
    """The Graph representation, with start/end in the caller's preferred zone (UTC by default)."""
    shown = {key: value for key, value in event.items() if not key.startswith("_")}
    shown["start"] = format_in(event["_start"], zone_name)
    shown["end"] = format_in(event["_end"], zone_name)
    return shown
