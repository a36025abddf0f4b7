"""Worker actions of the mail area: templated messages and bounce reports."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.graph import mail
from app.jobs.actions import Param, action
from app.jobs.polling import poll_due, skipped
from app.jobs.handlers import on_result
from app.jobs.models import GraphOperation, SyncState
from app.mail.catalogue import TEMPLATES
from app.mail.models import EmailMessage
from app.mail.services import send_template
from app.microsoft import graph_client
from app.web.text import html_to_text
from app.sqltypes import utcnow

REFERENCE = re.compile(r"\bmygov\.[0-9a-f]{20}\b")
NDR_CURSOR = "graph.mail.ndr.received_after"


@on_result("send_mail", "email_message")
def _mark_sent(operation: GraphOperation, result: dict[str, Any]) -> None:
    message = db.session.get(EmailMessage, int(operation.target_id))
    if message is not None:
        message.send_status, message.sent_at = "sent", utcnow()


@action(
    "graph.send_template", description="Send a templated message (one of the mail templates).",
    params=(Param("template", required=True, choices=tuple(TEMPLATES)), Param("to", required=True),
            Param("context", "dict")),
)
def send_template_action(params: dict[str, Any]) -> dict[str, Any]:
    message = send_template(params["template"], recipient=params["to"], recipient_name=params["to"],
                            context=params.get("context") or {}, related_type="server_job", related_id="")
    db.session.commit()
    return {"email_message": message.id}


@action(
    "graph.send_mail", description="Send a plain message from the MyGov mailbox (to one or more addresses).",
    params=(Param("to", required=True, help="addresses separated by commas"), Param("subject", required=True),
            Param("body", required=True)),
)
def send_mail_action(params: dict[str, Any]) -> dict[str, Any]:
    """Each recipient gets the notice template, logged like any message MyGov sends (bounces included)."""
    messages = [
        send_template("notice", recipient=address, recipient_name=address, related_type="server_job", related_id="",
                      context={"title": params["subject"], "message": params["body"]})
        for address in (a.strip() for a in params["to"].split(",")) if address
    ]
    db.session.commit()
    return {"email_messages": len(messages)}


@action("graph.process_mailbox_ndrs", description="Mark messages that bounced, from the sender's NDRs.", queue="mail")
def process_mailbox_ndrs(params: dict[str, Any]) -> dict[str, Any]:
    if not poll_due("sender_inbox"):
        return skipped("sender_inbox")
    return read_bounce_reports()


def read_bounce_reports() -> dict[str, Any]:
    """The bounce reports received since the last read (a notification on the inbox runs it at once)."""
    cursor = db.session.get(SyncState, NDR_CURSOR) or SyncState(key=NDR_CURSOR)
    after = datetime.fromisoformat(cursor.value) if cursor.value else None
    counts = {"reports": 0, "bounced": 0, "unmatched": 0}
    latest = after
    for report in mail.list_bounce_reports(graph_client(), current_app.config["MAIL_SENDER"], received_after=after):
        counts["reports"] += 1
        received = datetime.fromisoformat(report["receivedDateTime"].replace("Z", "+00:00"))
        latest = max(latest, received) if latest else received
        body = (report.get("body") or {}).get("content", "")
        match = REFERENCE.search(body)
        message = match and db.session.scalar(select(EmailMessage).where(
            EmailMessage.internet_message_id == f"<{match.group(0)}@{current_app.config['CITY_DOMAIN']}>"))
        if not message:
            counts["unmatched"] += 1
            continue
        if message.delivery_status != "bounced":
            message.delivery_status, message.bounced_at = "bounced", received
            message.bounce_detail = html_to_text(body)[:2000]
            counts["bounced"] += 1
    if latest:
        cursor.value = latest.isoformat()
        db.session.add(cursor)
    db.session.commit()
    return counts
