"""Mail delivery inside the dev tenant: inboxes, Sent Items, the outbound log and NDRs.

An undeliverable recipient (a configured domain or address, or an unknown address at the tenant's
own domain) puts a non-delivery report in the SENDER's inbox, as Exchange does: message class
`REPORT.IPM.Note.NDR` (extended property `String 0x001A`), subject `Undeliverable: ...`, and a body
naming the recipient, the `550 5.1.1` diagnostic and the original message's headers.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
import uuid
from typing import Any

from app.devtenant.state import Mailbox, TenantState
from app.devtenant.timezones import iso_utc

MESSAGE_CLASS_PROPERTY = "String 0x001A"
NDR_CLASS = "REPORT.IPM.Note.NDR"
NDR_SENDER_NAME = "Microsoft Outlook"
NDR_DIAGNOSTIC = "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"


def _recipients(message: dict[str, Any], kind: str) -> list[str]:
    return [r["emailAddress"]["address"] for r in message.get(kind) or []]


def undeliverable(state: TenantState, address: str) -> bool:
    domain = address.rpartition("@")[2].lower()
    settings = state.settings
    if address.lower() in (a.lower() for a in settings.undeliverable_addresses):
        return True
    if domain in (d.lower() for d in settings.undeliverable_domains):
        return True
    return domain == state.domain and state.find_mailbox(address) is None


def _stored(message: dict[str, Any], folder: str, message_class: str, now: str) -> dict[str, Any]:
    body = message.get("body") or {"contentType": "text", "content": ""}
    message_id = "AAMkAG" + secrets.token_urlsafe(48)
    return {
        "id": message_id,
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "receivedDateTime": now,
        "sentDateTime": now,
        "hasAttachments": bool(message.get("attachments")),
        "internetMessageId": message.get("internetMessageId") or f"<{uuid.uuid4().hex}@auburnal.gov>",
        "subject": message.get("subject") or "",
        "bodyPreview": html.unescape(str(body.get("content", "")))[:255],
        "importance": message.get("importance") or "normal",
        "parentFolderId": folder,
        "conversationId": "AAQkAG" + secrets.token_urlsafe(24),
        "isRead": False,
        "isDraft": False,
        "body": {
            "contentType": str(body.get("contentType", "text")).lower(),
            "content": body.get("content", ""),
        },
        "from": message["from"],
        "sender": message["from"],
        "toRecipients": message.get("toRecipients") or [],
        "ccRecipients": message.get("ccRecipients") or [],
        "bccRecipients": (message.get("bccRecipients") or []) if folder == "sentitems" else [],
        "replyTo": message.get("replyTo") or [],
        "internetMessageHeaders": message.get("internetMessageHeaders") or [],
        "_extended": [{"id": MESSAGE_CLASS_PROPERTY, "value": message_class}],
        "_attachments": message.get("attachments") or [],
    }


def send(
    state: TenantState, sender: Mailbox, message: dict[str, Any], save_to_sent: bool = True
) -> dict[str, Any]:
    """Deliver `message` from `sender`; returns the outbound log entry."""
    now = iso_utc(dt.datetime.now(dt.timezone.utc))
    message = {**message, "from": {"emailAddress": sender.email_address}}
    message.setdefault("internetMessageId", f"<{uuid.uuid4().hex}@{state.domain}>")
    entry: dict[str, Any] = {
        "sender": sender.address,
        "sentDateTime": now,
        "message": message,
        "delivered": [],
        "bounced": [],
        "external": [],
    }
    for address in (
        _recipients(message, "toRecipients")
        + _recipients(message, "ccRecipients")
        + _recipients(message, "bccRecipients")
    ):
        target = state.find_mailbox(address)
        if target is not None:
            stored = _stored(message, "inbox", "IPM.Note", now)
            state.store_message(target, "inbox", stored)
            entry["delivered"].append(address)
        elif undeliverable(state, address):
            entry["bounced"].append(address)
        else:
            entry["external"].append(address)
    if save_to_sent:
        stored = _stored(message, "sentitems", "IPM.Note", now)
        state.store_message(sender, "sentitems", stored)
    if entry["bounced"]:
        _non_delivery_report(state, sender, message, entry["bounced"], now)
    state.outbound_mail.append(entry)
    return entry


def _non_delivery_report(
    state: TenantState, sender: Mailbox, original: dict[str, Any], bounced: list[str], now: str
) -> None:
    headers = [f"{h['name']}: {h['value']}" for h in original.get("internetMessageHeaders") or []]
    headers += [
        f"Subject: {original.get('subject', '')}",
        f"Message-ID: {original['internetMessageId']}",
        f"From: {sender.address}",
    ]
    failed = "".join(
        f"<p><b>Your message to {html.escape(address)} couldn't be delivered.</b><br>"
        f"{html.escape(address.partition('@')[0])} wasn't found at {html.escape(address.rpartition('@')[2])}.</p>"
        f"<p>{html.escape(address)}<br>Remote Server returned '{NDR_DIAGNOSTIC}'</p>"
        for address in bounced
    )
    content = (
        f"{failed}<p>Diagnostic information for administrators:</p>"
        f"<p>Generating server: DEVTENANT01.{state.domain}</p>"
        f"<p>Original message headers:</p><pre>{html.escape(chr(10).join(headers))}</pre>"
    )
    report = {
        "subject": f"Undeliverable: {original.get('subject', '')}",
        "body": {"contentType": "html", "content": content},
        "from": {
            "emailAddress": {
                "name": NDR_SENDER_NAME,
                "address": f"MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@{state.domain}",
            }
        },
        "toRecipients": [{"emailAddress": sender.email_address}],
    }
    stored = _stored(report, "inbox", NDR_CLASS, now)
    state.store_message(sender, "inbox", stored)


def deliver_system_message(
    state: TenantState, address: str, sender: dict[str, str], subject: str, content: str, message_class: str
) -> None:
    """A message Exchange itself sends (e.g. a calendar sharing invitation) to a tenant mailbox."""
    target = state.find_mailbox(address)
    if target is None:
        return
    now = iso_utc(dt.datetime.now(dt.timezone.utc))
    message = {
        "subject": subject,
        "body": {"contentType": "html", "content": content},
        "from": {"emailAddress": sender},
        "toRecipients": [{"emailAddress": {"address": address}}],
    }
    stored = _stored(message, "inbox", message_class, now)
    state.store_message(target, "inbox", stored)


def view(message: dict[str, Any]) -> dict[str, Any]:
    """The message as `$filter` sees it (extended properties included)."""
    return {**message, "singleValueExtendedProperties": message["_extended"]}
