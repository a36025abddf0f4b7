"""Telling platform admins that an outbox operation needs a person: Teams card and email."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.access.models import RoleAssignment
from app.jobs.labels import describe
from app.jobs.models import GraphOperation
from app.jobs.outbox import record_operation
from app.people.models import Employee

NOTIFICATION_KINDS = frozenset({"teams_notify", "send_mail"})


def platform_admin_addresses() -> list[str]:
    from app.extensions import db

    rows = db.session.scalars(
        select(Employee.mail).join(RoleAssignment, RoleAssignment.employee_id == Employee.id).where(
            RoleAssignment.module_key == "platform", RoleAssignment.role_key == "admin",
            Employee.account_enabled.is_(True), Employee.mail.is_not(None),
        )
    )
    return sorted(set(rows))


def notify_operation_failed(operation: GraphOperation, state: str | None = None) -> None:
    """Record (in the caller's transaction) the alerts for a failed or dead operation (or one that
    waits for IT: `state`).

    Alerts about alerts would loop, so a failed notification only shows on the ops screen.
    """
    if operation.target_type == "notification" and operation.kind in NOTIFICATION_KINDS:
        return
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    link = f"{base}/staff/ops/outbox/{operation.id}"
    state = state or operation.status
    title = f"MyGov could not complete a Microsoft 365 write ({state})"
    facts = {
        "What": describe(operation),
        "Operation": f"#{operation.id}",
        "Attempts": str(operation.attempts),
        "Graph error": f"{operation.last_error_code}: {operation.last_error_message}",
        "Request id": operation.last_error_request_id or "none",
    }
    key = f"alert-operation-{operation.id}-{state.replace(' ', '-')}-{operation.attempts}"
    if current_app.config.get("TEAMS_WEBHOOK_URL"):
        record_operation(
            "teams_notify", target_type="notification", target_id=key,
            payload={"title": title, "facts": facts, "link": link}, idempotency_key=f"{key}-teams",
        )
    recipients = platform_admin_addresses()
    if recipients:
        text = "\n".join(f"{name}: {value}" for name, value in facts.items())
        record_operation(
            "send_mail", target_type="notification", target_id=key,
            payload={
                "mailbox": current_app.config["MAIL_SENDER"],
                "message": {
                    "subject": title,
                    "body": {"contentType": "Text", "content": f"{title}\n\n{text}\n\nOpen: {link}"},
                    "toRecipients": [{"emailAddress": {"address": a}} for a in recipients],
                },
            },
            idempotency_key=f"{key}-mail",
        )
