"""`/subscriptions` (contract §12, docs/graph-notifications.md): create with the validation
handshake, read, renew (PATCH), reauthorize, delete; lifetimes limited per resource."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, g

from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request
from app.devtenant.graph.calendar import READ_CALENDARS
from app.devtenant.graph.common import collection, json_body, require
from app.devtenant.graph.mail import READ_MAIL
from app.devtenant.graph.users import READ_USERS
from app.devtenant.notifier import (
    MIN_MINUTES,
    SubscriptionTargetError,
    Watched,
    validate_url,
    watched,
)
from app.devtenant.timezones import iso_utc, parse_query_datetime

blueprint = Blueprint("subscriptions", __name__)

CHANGE_TYPES = {"created", "updated", "deleted"}
NEEDS = {"events": READ_CALENDARS, "messages": READ_MAIL, "users": READ_USERS}
MAX_CLIENT_STATE = 128


def _public(subscription: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in subscription.items() if not k.startswith("_")}


def _shown(subscription: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.context": f"{tenant().graph_base()}/$metadata#subscriptions/$entity", **_public(subscription)}


def _calling_app() -> str:
    return str(g.token.get("appid") or g.token.get("azp") or "")


def _find(subscription_id: str) -> dict[str, Any]:
    subscription = tenant().state.subscriptions.get(subscription_id)
    if subscription is None or subscription["_expires"] <= dt.datetime.now(dt.timezone.utc).timestamp():
        raise GraphError(404, "ResourceNotFound", f"The object was not found. Subscription '{subscription_id}'.")
    return subscription


def _expiry(body: dict[str, Any], target: Watched) -> dt.datetime:
    """Graph raises an expiry under 45 minutes to 45 minutes and refuses one past the maximum."""
    try:
        wanted = parse_query_datetime(str(body["expirationDateTime"]))
    except (KeyError, ValueError):
        raise bad_request("InvalidRequest", "expirationDateTime is required and must be a date and time.") from None
    now = dt.datetime.now(dt.timezone.utc)
    if wanted - now > dt.timedelta(minutes=target.max_minutes):
        raise bad_request(
            "InvalidRequest",
            f"Subscription expiration can only be {target.max_minutes} minutes in the future.",
        )
    return max(wanted, now + dt.timedelta(minutes=MIN_MINUTES))


@blueprint.post("/subscriptions")
def create_subscription() -> tuple[dict[str, Any], int]:
    body = json_body()
    state = tenant().state
    try:
        target = watched(state, str(body.get("resource") or ""))
    except SubscriptionTargetError as error:
        raise bad_request("InvalidRequest", str(error)) from None
    require(NEEDS[target.kind])
    changes = [c.strip() for c in str(body.get("changeType") or "").split(",") if c.strip()]
    if not changes or set(changes) - CHANGE_TYPES:
        raise bad_request("InvalidRequest", "changeType must be created, updated, deleted or a comma-separated list of them.")
    if not body.get("notificationUrl"):
        raise bad_request("InvalidRequest", "notificationUrl is required.")
    client_state = body.get("clientState")
    if client_state is not None and len(str(client_state)) > MAX_CLIENT_STATE:
        raise bad_request("InvalidRequest", "clientState must be at most 128 characters.")
    expires = _expiry(body, target)
    for url in filter(None, (body["notificationUrl"], body.get("lifecycleNotificationUrl"))):
        problem = validate_url(str(url), state)
        if problem:
            raise bad_request("ValidationError", problem)
    subscription = {
        "id": str(uuid.uuid4()),
        "resource": body["resource"],
        "applicationId": _calling_app(),
        "changeType": ",".join(changes),
        "clientState": client_state,
        "notificationUrl": body["notificationUrl"],
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": body.get("lifecycleNotificationUrl"),
        "expirationDateTime": iso_utc(expires),
        "creatorId": str(g.token.get("oid") or uuid.uuid5(uuid.NAMESPACE_URL, _calling_app())),
        "includeResourceData": False,
        "latestSupportedTlsVersion": "v1_2",
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
        "_watched": target,
        "_expires": expires.timestamp(),
    }
    state.subscriptions[subscription["id"]] = subscription
    return _shown(subscription), 201


@blueprint.get("/subscriptions")
def list_subscriptions() -> dict[str, Any]:
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    mine = [
        _public(s)
        for s in tenant().state.subscriptions.values()
        if s["_expires"] > now and s["applicationId"] == _calling_app()
    ]
    return collection("subscriptions", mine, None)


@blueprint.get("/subscriptions/<subscription_id>")
def get_subscription(subscription_id: str) -> dict[str, Any]:
    return _shown(_find(subscription_id))


@blueprint.patch("/subscriptions/<subscription_id>")
def renew_subscription(subscription_id: str) -> dict[str, Any]:
    subscription = _find(subscription_id)
    require(NEEDS[subscription["_watched"].kind])
    body = json_body()
    unknown = set(body) - {"expirationDateTime", "notificationUrl"}
    if unknown:
        raise bad_request("InvalidRequest", f"Only expirationDateTime and notificationUrl can be updated, not {sorted(unknown)}.")
    if "expirationDateTime" in body:
        expires = _expiry(body, subscription["_watched"])
        subscription.update(expirationDateTime=iso_utc(expires), _expires=expires.timestamp())
    if "notificationUrl" in body:
        problem = validate_url(str(body["notificationUrl"]), tenant().state)
        if problem:
            raise bad_request("ValidationError", problem)
        subscription["notificationUrl"] = body["notificationUrl"]
    return _shown(subscription)


@blueprint.post("/subscriptions/<subscription_id>/reauthorize")
def reauthorize_subscription(subscription_id: str) -> tuple[str, int]:
    subscription = _find(subscription_id)
    require(NEEDS[subscription["_watched"].kind])
    return "", 204


@blueprint.delete("/subscriptions/<subscription_id>")
def delete_subscription(subscription_id: str) -> tuple[str, int]:
    _find(subscription_id)
    del tenant().state.subscriptions[subscription_id]
    return "", 204
