"""Worker actions of the mail area: templated messages and bounce reports."""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from app.extensions import db
from app.graph import mail
from app.jobs.actions import Param, action
from app.jobs.handlers import on_result
from app.jobs.models import GraphOperation, SyncState
from app.jobs.outbox import record_operation
from app.mail.models import EmailMessage
from app.microsoft import graph_client
from app.web.text import html_to_text
from app.sqltypes import utcnow

REFERENCE_HEADER = "x-mygov-ref"
REFERENCE = re.compile(r"\bmygov\.[0-9a-f]{20}\b")
NDR_CURSOR = "graph.mail.ndr.received_after"


def queue_template(
    template: str, recipient: str, context: dict[str, Any], *, related: tuple[str, str] | None = None
) -> EmailMessage:
    """Render templates/mail/<template>.{txt,html} and record the send in the caller's transaction."""
    reference = f"mygov.{secrets.token_hex(10)}"
    text = render_template(f"mail/{template}.txt", reference=reference, **context)
    html = render_template(f"mail/{template}.html", reference=reference, **context)
    subject, _, text_body = text.partition("\n")
    message = EmailMessage(
        template=template, recipient=recipient, subject=subject.strip(), context=context,
        related_type=related[0] if related else None, related_id=related[1] if related else None,
        internet_message_id=f"<{reference}@{current_app.config['CITY_DOMAIN']}>", send_status="queued",
    )
    db.session.add(message)
    db.session.flush()
    record_operation(
        "send_mail", target_type="email_message", target_id=message.id,
        payload={
            "mailbox": current_app.config["MAIL_SENDER"],
            "message": {
                "subject": message.subject,
                "body": {"contentType": "HTML", "content": html},
                "toRecipients": [{"emailAddress": {"address": recipient}}],
                "internetMessageHeaders": [{"name": REFERENCE_HEADER, "value": reference}],
            },
        },
        idempotency_key=f"email-{reference}",
    )
    return message


@on_result("send_mail", "email_message")
def _mark_sent(operation: GraphOperation, result: dict[str, Any]) -> None:
    message = db.session.get(EmailMessage, int(operation.target_id))
    if message is not None:
        message.send_status, message.sent_at = "sent", utcnow()


@action(
    "graph.send_template", description="Send a templated message (templates/mail/<template>).",
    params=(Param("template", required=True), Param("to", required=True), Param("context", "dict")),
)
def send_template(params: dict[str, Any]) -> dict[str, Any]:
    message = queue_template(params["template"], params["to"], params.get("context") or {})
    db.session.commit()
    return {"email_message": message.id}


@action("graph.process_mailbox_ndrs", description="Mark messages that bounced, from the sender's NDRs.", queue="mail")
def process_mailbox_ndrs(params: dict[str, Any]) -> dict[str, Any]:
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
