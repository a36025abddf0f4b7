"""`sendMail` and reading mail folders (contract §9), including the NDR filter of §9.2."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, request

from app.devtenant import mailflow
from app.devtenant.context import tenant
from app.devtenant.errors import GraphError, bad_request, item_not_found
from app.devtenant.graph.calendar import find_mailbox_or_404
from app.devtenant.graph.common import (
    OUTLOOK,
    action_parameters,
    collection,
    page_by_skip,
    permission,
    require,
    selected,
    top,
)
from app.devtenant.odata import FilterError, parse_filter

blueprint = Blueprint("mail", __name__)

SEND_MAIL = permission(OUTLOOK, "Mail.Send")
READ_MAIL = permission(OUTLOOK, "Mail.Read", "Mail.ReadWrite")
WELL_KNOWN_FOLDERS = {"inbox": "inbox", "sentitems": "sentitems", "deleteditems": "deleteditems"}
EXPAND_EXTENDED = re.compile(
    r"^singleValueExtendedProperties(?:\(\$filter=(?P<filter>.+)\))?$", re.IGNORECASE
)
DEFAULT_HIDDEN = ("internetMessageHeaders",)  # returned only when $select names it


def _addresses_valid(message: dict[str, Any]) -> None:
    recipients = [
        r for kind in ("toRecipients", "ccRecipients", "bccRecipients") for r in message.get(kind) or []
    ]
    if not recipients:
        raise bad_request(
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
        )
    for recipient in recipients:
        address = str((recipient.get("emailAddress") or {}).get("address") or "")
        if "@" not in address.strip("@"):
            raise bad_request(
                "ErrorInvalidRecipients",
                f"At least one recipient isn't valid., Recipient '{address}' is not resolved. All recipients must be resolved before a message can be submitted.",
            )
    for header in message.get("internetMessageHeaders") or []:
        if not str(header.get("name", "")).lower().startswith("x-"):
            raise bad_request(
                "InvalidInternetMessageHeader",
                f"The internet message header name '{header.get('name')}' should start with 'x-' or 'X-'.",
            )


@blueprint.post("/users/<user_key>/sendMail")
def send_mail(user_key: str) -> tuple[str, int]:
    require(SEND_MAIL)
    sender = find_mailbox_or_404(user_key)
    body = action_parameters("message", "saveToSentItems")
    message = body.get("message")
    if not isinstance(message, dict):
        raise bad_request("ErrorInvalidParameter", "The value of the parameter 'Message' is empty.")
    _addresses_valid(message)
    mailflow.send(
        tenant().state, sender, message, save_to_sent=body.get("saveToSentItems", True) is not False
    )
    return "", 202


def _expanded_filter() -> Any:
    """None when extended properties are not expanded, else a predicate for which to include."""
    expand = request.args.get("$expand")
    if not expand:
        return None
    match = EXPAND_EXTENDED.match(expand.strip())
    if not match:
        raise bad_request("ErrorInvalidUrlQuery", f"The expand expression '{expand}' is not supported.")
    if not match.group("filter"):
        return lambda prop: True
    try:
        query = parse_filter(match.group("filter"))
    except FilterError as error:
        raise bad_request("ErrorInvalidUrlQueryFilter", str(error)) from None
    return query.evaluate


def _shown(message: dict[str, Any], include_extended: Any) -> dict[str, Any]:
    fields = selected()
    shown = {
        k: v for k, v in message.items() if not k.startswith("_") and (fields or k not in DEFAULT_HIDDEN)
    }
    if fields:
        shown = {name: shown.get(name) for name in [*fields, "id"]}
    shown["@odata.etag"] = f'W/"{message["id"][-16:]}"'
    if include_extended is not None:
        shown["singleValueExtendedProperties"] = [p for p in message["_extended"] if include_extended(p)]
    return shown


def _list(user_key: str, folder: str | None = None) -> dict[str, Any]:
    require(READ_MAIL)
    mailbox = find_mailbox_or_404(user_key)
    if folder is not None and folder.lower() not in WELL_KNOWN_FOLDERS:
        raise GraphError(404, "ErrorInvalidIdMalformed", "Id is malformed.")
    folders = [WELL_KNOWN_FOLDERS[folder.lower()]] if folder else ["inbox", "sentitems"]
    messages = [m for name in folders for m in mailbox.folders[name].values()]
    text = request.args.get("$filter")
    if text:
        try:
            query = parse_filter(text)
        except FilterError as error:
            raise bad_request("ErrorInvalidUrlQueryFilter", str(error)) from None
        if "singleValueExtendedProperties" in query.properties and not re.search(r"/value\s+eq\s", text):
            raise bad_request(
                "ErrorInvalidUrlQueryFilter",
                "The filter on extended properties must restrict both id and value.",
            )
        messages = [m for m in messages if query.evaluate(mailflow.view(m))]
    messages.sort(key=lambda m: (m["receivedDateTime"], m["id"]), reverse=True)
    include_extended = _expanded_filter()
    page, next_link = page_by_skip([_shown(m, include_extended) for m in messages], top(10, 1000))
    fragment = f"users('{mailbox.address}')/" + (
        f"mailFolders('{folder}')/messages" if folder else "messages"
    )
    return collection(fragment, page, next_link)


blueprint.add_url_rule("/users/<user_key>/messages", "list_messages", _list)
blueprint.add_url_rule("/users/<user_key>/mailFolders/<folder>/messages", "list_folder_messages", _list)


@blueprint.get("/users/<user_key>/messages/<message_id>")
def get_message(user_key: str, message_id: str) -> dict[str, Any]:
    require(READ_MAIL)
    mailbox = find_mailbox_or_404(user_key)
    for folder in mailbox.folders.values():
        if message_id in folder:
            return _shown(folder[message_id], _expanded_filter())
    raise item_not_found()
