"""Templated email: rendered now, logged as an EmailMessage, sent by the worker through Graph.

`send_template` works inside the caller's transaction: the EmailMessage row and the outbox
`send_mail` operation are committed with the change that caused the message, or not at all.
Each message carries a unique reference (an `x-mygov-ref` header and a line in the body) so a
bounce report in the sending mailbox can be matched back to its EmailMessage.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.extensions import db
from app.jobs.outbox import record_operation
from app.mail import markup
from app.mail.catalogue import template_values
from app.mail.models import EmailMessage, MailTemplateVersion

REFERENCE_HEADER = "x-mygov-ref"
REFERENCE_PATTERN = re.compile(r"\bmygov\.([0-9a-f]{20})\b")


def new_reference() -> str:
    return f"mygov.{secrets.token_hex(10)}"


def internet_message_id(reference: str) -> str:
    return f"<{reference}@{current_app.config['CITY_DOMAIN']}>"


def current_wording(template: str) -> MailTemplateVersion | None:
    """The admins' latest wording of a template, or None while the original files apply."""
    return db.session.scalar(select(MailTemplateVersion).where(MailTemplateVersion.template == template)
                             .order_by(MailTemplateVersion.number.desc()).limit(1))


def render_message(
    template: str, context: dict[str, Any], wording: MailTemplateVersion | None = None
) -> tuple[str, str, str]:
    """Subject, HTML body and plain-text body: the admins' wording if there is one, else the files
    templates/mail/<template>.{html,txt}."""
    wording = wording or current_wording(template)
    if wording is None:
        subject = " ".join(render_block(f"mail/{template}.txt", "subject", **context).split())
        html = render_template(f"mail/{template}.html", subject=subject, **context)
        text = render_template(f"mail/{template}.txt", subject=subject, **context)
        return subject, html, text
    values = template_values(context)
    subject = " ".join(markup.fill(wording.subject, values).split())
    body = markup.fill(wording.body, values)
    reference = context.get("message_reference", "")
    html = render_template("mail/_wording.html", subject=subject, body=markup.to_html(body),
                           message_reference=reference)
    text = render_template("mail/_wording.txt", subject=subject, body=body, message_reference=reference)
    return subject, html, text


def send_template(
    template: str,
    *,
    recipient: str,
    recipient_name: str,
    context: dict[str, Any],
    related_type: str,
    related_id: int | str,
    attachments: list[dict[str, str]] | None = None,
) -> EmailMessage:
    """Queue a templated message in the current transaction; the worker sends it after COMMIT.

    `attachments` are Graph fileAttachment objects (small: the whole request stays under 4 MB).
    """
    reference = new_reference()
    subject, html, text = render_message(template, {**context, "message_reference": reference})
    message = EmailMessage(
        template=template, recipient=recipient, subject=subject, context=_json_safe(context),
        related_type=related_type, related_id=str(related_id),
        internet_message_id=internet_message_id(reference), send_status="queued",
    )
    db.session.add(message)
    db.session.flush()
    record_operation(
        "send_mail",
        target_type="email_message",
        target_id=message.id,
        payload={
            "mailbox": current_app.config["MAIL_SENDER"],
            "message": {
                "subject": subject,
                "body": {"contentType": "HTML", "content": html},
                "toRecipients": [{"emailAddress": {"address": recipient, "name": recipient_name}}],
                "internetMessageHeaders": [{"name": REFERENCE_HEADER, "value": reference}],
                **({"attachments": attachments} if attachments else {}),
            },
            "text_body": text,
            "saveToSentItems": False,
        },
        idempotency_key=f"email-{reference}",
    )
    return message


def _json_safe(context: dict[str, Any]) -> dict[str, Any]:
    """What the row keeps of the context: instants as ISO strings."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in context.items()}
