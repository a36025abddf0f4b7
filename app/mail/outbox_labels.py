"""How the ops screens name emails in the outbox: the subject and the recipient."""
from __future__ import annotations

from app.extensions import db
from app.jobs.labels import describes
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage


@describes("email_message")
def email_message(operation: GraphOperation) -> str | None:
    message = db.session.get(EmailMessage, int(operation.target_id)) if operation.target_id.isdigit() else None
    if message is None:
        return None
    return f"Email “{message.subject}” to {message.recipient}"


@describes("notification")
def notification(operation: GraphOperation) -> str:
    title = (operation.payload or {}).get("title") or ((operation.payload or {}).get("message") or {}).get("subject")
    channel = "in Teams" if operation.kind == "teams_notify" else "by email"
    return f"Alert the platform admins {channel}: {title}" if title else f"Alert the platform admins {channel}"
