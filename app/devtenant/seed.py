"""Loading a seed file (default: the City of Auburn demo tenant) into the state.

Photos are generated here (small PNGs, deterministic per user), as are the many committee groups
that put one staff member over the 200-group token limit. Event times are relative to today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.devtenant import events
from app.devtenant.state import Mailbox, TenantState

DEFAULT_SEED = Path(__file__).with_name("seed") / "demo_city.json"
PHOTO_SIZE = 96
GENERATED_GROUP_NAMESPACE = uuid.UUID("9d1f7c2a-4e3b-4a8c-b6d5-2f0e1a3c5b79")


def load_seed(state: TenantState, path: Path = DEFAULT_SEED, today: dt.date | None = None) -> None:
    """Replace the state's tenant data with the seed's (clients' redirect URIs and keys are kept)."""
    data = json.loads(path.read_text())
    clients = {cid: (c.redirect_uris, c.certificates) for cid, c in state.clients.items()}
    generation = state.delta_generation + 1
    state.clear()
    state.delta_generation = generation  # delta tokens from before the reset are expired
    for client_id, (uris, certificates) in clients.items():
        if client_id in state.clients:
            state.clients[client_id].redirect_uris |= uris
            state.clients[client_id].certificates.update(certificates)
    state.domain = data["tenant"]["domain"]
    without_mailbox = {upn.lower() for upn in data.get("usersWithoutMailbox", [])}
    for user in data["users"]:
        state.add_user(user, with_mailbox=user["userPrincipalName"].lower() not in without_mailbox)
    for upn in data.get("photos", []):
        user = state.find_user(upn)
        if user:
            state.photos[user["id"]] = generated_photo(user["id"])
    _load_groups(state, data)
    for mailbox in data.get("sharedMailboxes", []):
        state.add_resource_mailbox(Mailbox(mailbox["id"], mailbox["address"], mailbox["displayName"], "shared"))
    for place in data.get("places", []):
        state.places[place["id"]] = dict(place)
        if place.get("emailAddress"):
            state.add_resource_mailbox(Mailbox(place["id"], place["emailAddress"], place["displayName"], "room"))
    zone_name = data["tenant"].get("timeZone", "UTC")
    today = today or dt.datetime.now(ZoneInfo(zone_name)).date()
    for event in data.get("events", []):
        _load_event(state, event, zone_name, today)
    state.directory_log.clear()


def _load_groups(state: TenantState, data: dict[str, Any]) -> None:
    def ids(upns: list[str]) -> set[str]:
        return {user["id"] for upn in upns if (user := state.find_user(upn))}

    for group in data.get("groups", []):
        fields = {k: v for k, v in group.items() if k not in ("members", "owners")}
        fields.setdefault("mail", None)
        state.add_group(fields, ids(group.get("members", [])), ids(group.get("owners", [])))
    spec = data.get("generatedGroups")
    if not spec:
        return
    members = ids(spec["members"])
    for number in range(1, spec["count"] + 1):
        name = f"{spec['displayNamePrefix']}{number:03d}"
        state.add_group(
            {
                "id": str(uuid.uuid5(GENERATED_GROUP_NAMESPACE, name)),
                "displayName": name,
                "mailNickname": f"{spec['mailNicknamePrefix']}{number:03d}",
                "description": "Generated committee group",
                "securityEnabled": True,
                "mailEnabled": False,
                "groupTypes": [],
                "mail": None,
                "createdDateTime": "2022-03-01T12:00:00Z",
            },
            members,
        )


def _load_event(state: TenantState, spec: dict[str, Any], zone_name: str, today: dt.date) -> None:
    """Seed events are booked the Outlook way: by an organizer, with the room as resource attendee."""
    room = state.find_mailbox(spec["mailbox"])
    organizer = state.find_mailbox(spec.get("organizer", spec["mailbox"])) or room
    if room is None or organizer is None:
        raise ValueError(f"seed event names an unknown mailbox: {spec}")
    start = dt.datetime.combine(
        today + dt.timedelta(days=spec["day_offset"]), dt.time.fromisoformat(spec["start"])
    )
    end = start + dt.timedelta(minutes=spec["duration_minutes"])
    attendees = [] if organizer is room else [{"type": "resource", "emailAddress": room.email_address}]
    events.create(
        state,
        organizer,
        {
            "subject": spec["subject"],
            "start": {"dateTime": start.isoformat(), "timeZone": zone_name},
            "end": {"dateTime": end.isoformat(), "timeZone": zone_name},
            "location": {
                "displayName": room.display_name,
                "locationType": "conferenceRoom",
                "locationEmailAddress": room.address,
            },
            "attendees": attendees,
            "showAs": spec.get("showAs", "busy"),
        },
    )


def generated_photo(seed_text: str) -> tuple[bytes, str, str]:
    """A small PNG (a coloured square with a lighter centre) and its media ETag."""
    digest = hashlib.sha256(seed_text.encode()).digest()
    background, centre = digest[:3], bytes(min(255, c + 90) for c in digest[:3])
    rows = []
    for y in range(PHOTO_SIZE):
        inside_y = PHOTO_SIZE // 4 <= y < 3 * PHOTO_SIZE // 4
        row = b"".join(
            centre if inside_y and PHOTO_SIZE // 4 <= x < 3 * PHOTO_SIZE // 4 else background
            for x in range(PHOTO_SIZE)
        )
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", PHOTO_SIZE, PHOTO_SIZE, 8, 2, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )
    return png, "image/png", f'"{hashlib.sha1(png).hexdigest()[:8].upper()}"'
