"""`/_devtenant/...`: fault injection, tenant knobs and inspection for tests (loopback only, no auth).

Like every dev tenant request, each handler runs holding the state lock (see app.DevTenantFlask).
"""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import uuid
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from flask import Blueprint, abort, request
from werkzeug.exceptions import HTTPException

from app.devtenant import events
from app.devtenant.context import tenant
from app.devtenant.jwt import b64url
from app.devtenant.notifier import LIFECYCLE_EVENTS
from app.devtenant.seed import generated_photo, load_seed
from app.devtenant.state import DEFAULT_APP_ROLES, Faults, Mailbox

blueprint = Blueprint("control", __name__, url_prefix="/_devtenant")
FAULT_STATUSES = {429, 503, 504}


@blueprint.before_request
def loopback_only() -> None:
    if not ipaddress.ip_address(request.remote_addr or "0.0.0.0").is_loopback:
        abort(403)


@blueprint.errorhandler(HTTPException)
def json_error(error: HTTPException) -> tuple[dict[str, Any], int]:
    return {"error": error.description}, error.code or 500


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "a JSON object is expected")
    return body


def _mailbox(key: str) -> Mailbox:
    mailbox = tenant().state.find_mailbox(key)
    if mailbox is None:
        abort(404, f"no mailbox {key!r}")
    return mailbox


def _user(key: str) -> dict[str, Any]:
    user = tenant().state.find_user(key)
    if user is None:
        abort(404, f"no user {key!r}")
    return user


@blueprint.post("/reset")
def reset() -> dict[str, Any]:
    ctx = tenant()
    load_seed(ctx.state, ctx.seed_path)
    return {"users": len(ctx.state.users), "groups": len(ctx.state.groups)}


@blueprint.route("/faults", methods=["GET", "PUT", "DELETE"])
def faults() -> dict[str, Any]:
    state = tenant().state
    if request.method == "PUT":
        body = _body()
        if not _valid_faults(body):
            abort(
                400,
                "faults take throttle_share (0..1), retry_after (whole seconds >= 0, or null for no "
                "Retry-After header), status (429|503|504), latency_ms (whole ms >= 0), path_prefix "
                "(text), count (whole number >= 1, or null), applied (true|false)",
            )
        state.faults = Faults(**body)
    elif request.method == "DELETE":
        state.faults = None
    return {"faults": dataclasses.asdict(state.faults) if state.faults else None}


def _valid_faults(body: dict[str, Any]) -> bool:
    """A faults body the tenant can act on; anything else is a 400 that changes nothing."""
    checks = {
        "throttle_share": lambda v: _is_number(v) and 0 <= v <= 1,
        "retry_after": lambda v: v is None or (_is_whole(v) and v >= 0),
        "status": lambda v: _is_whole(v) and v in FAULT_STATUSES,
        "latency_ms": lambda v: _is_whole(v) and v >= 0,
        "path_prefix": lambda v: v is None or isinstance(v, str),
        "count": lambda v: v is None or (_is_whole(v) and v >= 1),
        "applied": lambda v: isinstance(v, bool),
    }
    return all(name in checks and checks[name](value) for name, value in body.items())


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@blueprint.post("/delta/expire")
def expire_delta_tokens() -> dict[str, Any]:
    mode = _body().get("mode", "syncStateNotFound")
    if mode not in ("syncStateNotFound", "gone"):
        abort(400, "mode is syncStateNotFound or gone")
    state = tenant().state
    state.delta_generation += 1
    state.delta_expiry_mode = mode
    return {"mode": mode}


@blueprint.route("/clients/<client_id>/roles", methods=["GET", "PUT"])
def client_roles(client_id: str) -> dict[str, Any]:
    state = tenant().state
    client = state.clients.get(client_id) or abort(404)
    if request.method == "PUT":
        roles = _body().get("roles")
        client.app_roles = list(DEFAULT_APP_ROLES) if roles is None else [str(r) for r in roles]
    return {"roles": client.app_roles}


@blueprint.post("/clients/<client_id>/redirect-uris")
def register_redirect_uris(client_id: str) -> dict[str, Any]:
    state = tenant().state
    client = state.clients.get(client_id) or abort(404)
    client.redirect_uris |= {str(uri) for uri in _body().get("uris", [])}
    return {"redirect_uris": sorted(client.redirect_uris)}


@blueprint.post("/clients/<client_id>/certificates")
def register_certificate(client_id: str) -> dict[str, Any]:
    certificate = x509.load_pem_x509_certificate(str(_body().get("certificate_pem", "")).encode())
    state = tenant().state
    client = state.clients.get(client_id) or abort(404)
    thumbprints = [
        b64url(certificate.fingerprint(hashes.SHA1())),
        b64url(certificate.fingerprint(hashes.SHA256())),
    ]
    for thumbprint in thumbprints:
        client.certificates[thumbprint] = certificate.public_key()
    return {"thumbprints": thumbprints}


@blueprint.route("/settings", methods=["GET", "PUT"])
def settings() -> dict[str, Any]:
    state = tenant().state
    if request.method == "PUT":
        known = {f.name for f in dataclasses.fields(state.settings)}
        body = _body()
        if set(body) - known:
            abort(400, f"unknown settings {sorted(set(body) - known)}")
        state.settings = dataclasses.replace(state.settings, **body)
    return dataclasses.asdict(state.settings)


@blueprint.post("/users")
def add_user() -> tuple[dict[str, Any], int]:
    body = _body()
    photo = body.pop("photo_base64", None)
    with_mailbox = bool(body.pop("with_mailbox", True))
    state = tenant().state
    user = state.add_user(body, with_mailbox=with_mailbox)
    if photo:
        data = base64.b64decode(photo)
        state.photos[user["id"]] = (
            data,
            body.get("photo_content_type", "image/jpeg"),
            generated_photo(photo)[2],
        )
    return user, 201


@blueprint.post("/users/bulk")
def add_users_bulk() -> tuple[dict[str, Any], int]:
    body = _body()
    count, prefix = int(body.get("count", 0)), str(body.get("prefix", "synthetic"))
    state = tenant().state
    ids = []
    for _ in range(count):
        number = uuid.uuid4().hex[:10]
        upn = f"{prefix}.{number}@{state.domain}"
        user = state.add_user(
            {
                "userPrincipalName": upn,
                "displayName": f"{prefix.title()} User {number}",
                "givenName": prefix.title(),
                "surname": f"User {number}",
                "jobTitle": "Synthetic employee",
                "department": "Synthetic",
                "officeLocation": "Nowhere",
                "businessPhones": [],
            },
            with_mailbox=False,
        )
        ids.append(user["id"])
    return {"created": count, "ids": ids}, 201


@blueprint.route("/users/<key>", methods=["GET", "PATCH", "DELETE"])
def user(key: str) -> Any:
    state = tenant().state
    found = _user(key)
    if request.method == "PATCH":
        return state.update_user(found["id"], _body())
    if request.method == "DELETE":
        state.remove_user(found["id"], permanent=request.args.get("permanent") == "true")
        return "", 204
    return found


@blueprint.route("/mailboxes/<key>/events", methods=["GET", "POST"])
def mailbox_events(key: str) -> Any:
    state = tenant().state
    mailbox = _mailbox(key)
    if request.method == "POST":
        try:
            return events.render(events.create(state, mailbox, _body()), None), 201
        except events.EventError as error:
            abort(400, str(error))
    return {
        "value": [events.render(e, None) for e in mailbox.events.values()],
        "deleted": [events.render(e, None) for e in mailbox.deleted_events.values()],
    }


@blueprint.route("/mailboxes/<key>/events/<event_id>", methods=["PATCH", "DELETE"])
def mailbox_event(key: str, event_id: str) -> Any:
    state = tenant().state
    mailbox = _mailbox(key)
    if event_id not in mailbox.events:
        abort(404)
    if request.method == "DELETE":
        events.remove(state, mailbox, event_id)
        return "", 204
    try:
        return events.render(events.update(state, mailbox.events[event_id], _body()), None)
    except events.EventError as error:
        abort(400, str(error))


@blueprint.get("/mailboxes/<key>/messages")
def mailbox_messages(key: str) -> dict[str, Any]:
    folder = _mailbox(key).folders.get(request.args.get("folder", "inbox")) or abort(404)
    return {"value": [{k.lstrip("_"): v for k, v in m.items()} for m in folder.values()]}


@blueprint.get("/mailboxes/<key>/calendar-permissions")
def calendar_permissions(key: str) -> dict[str, Any]:
    return {"value": list(_mailbox(key).calendar_permissions.values())}


@blueprint.get("/groups")
def groups() -> dict[str, Any]:
    state = tenant().state
    return {
        "value": [
            {**g, "members": sorted(state.members[g["id"]]), "owners": sorted(state.owners[g["id"]])}
            for g in state.groups.values()
        ]
    }


@blueprint.get("/groups/<group_id>/members")
def group_members(group_id: str) -> dict[str, Any]:
    state = tenant().state
    member_ids = state.members.get(group_id)
    if member_ids is None:
        abort(404)
    return {"value": sorted(member_ids)}


@blueprint.get("/places")
def places() -> dict[str, Any]:
    state = tenant().state
    return {
        "value": [{**p, "visibleAt": state.place_visible_at.get(p["id"], 0)} for p in state.places.values()]
    }


@blueprint.delete("/places/<key>")
def remove_place(key: str) -> tuple[str, int]:
    """Remove a place, and a room's mailbox with it (what Remove-Mailbox does in Exchange; Graph can't)."""
    state = tenant().state
    lowered = key.lower()
    place = next((p for p in state.places.values()
                  if lowered in (p["id"].lower(), str(p.get("emailAddress", "")).lower())), None) or abort(404)
    state.places.pop(place["id"])
    state.place_visible_at.pop(place["id"], None)
    mailbox = state.find_mailbox(place.get("emailAddress") or "")
    if mailbox is not None and mailbox.kind == "room":
        if mailbox.id in state.users:  # the room's directory user goes with its mailbox
            state.remove_user(mailbox.id, permanent=True)
        state.mailboxes.pop(mailbox.id, None)
        state.mailbox_index.pop(mailbox.address.lower(), None)
    return "", 204


@blueprint.get("/mail/outbound")
def outbound_mail() -> dict[str, Any]:
    return {"value": list(tenant().state.outbound_mail)}


@blueprint.get("/list-items")
def list_items() -> dict[str, Any]:
    return {"value": [{k.lstrip("_"): v for k, v in i.items()} for i in tenant().state.list_items]}


@blueprint.get("/teams-posts")
def teams_posts() -> dict[str, Any]:
    return {"value": list(tenant().state.teams_posts)}


@blueprint.route("/counters", methods=["GET", "DELETE"])
def counters() -> dict[str, Any]:
    state = tenant().state
    if request.method == "DELETE":
        state.counters.clear()
        state.throttled_count = 0
    return {"requests": dict(state.counters), "throttled": state.throttled_count}


@blueprint.get("/subscriptions")
def subscriptions() -> dict[str, Any]:
    live = tenant().state.subscriptions.values()
    return {"value": [{k: v for k, v in s.items() if not k.startswith("_")} for s in live]}


@blueprint.post("/subscriptions/<subscription_id>/lifecycle")
def send_lifecycle(subscription_id: str) -> tuple[str, int]:
    """Send a lifecycle notification (`missed`, `subscriptionRemoved`, `reauthorizationRequired`)."""
    subscription = tenant().state.subscriptions.get(subscription_id)
    event = _body().get("lifecycleEvent")
    if subscription is None or event not in LIFECYCLE_EVENTS:
        abort(400, f"needs a live subscription and a lifecycleEvent in {LIFECYCLE_EVENTS}")
    tenant().notifier.lifecycle(subscription, event)  # type: ignore[union-attr]
    return "", 204


@blueprint.route("/notifications", methods=["GET", "DELETE"])
def notification_log() -> dict[str, Any]:
    """Every notification post the dev tenant made (or dropped), oldest first."""
    state = tenant().state
    if request.method == "DELETE":
        state.notification_log.clear()
    return {"value": list(state.notification_log), "pending": len(state.pending_notifications)}
