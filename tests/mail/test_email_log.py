"""The email log: every message MyGov sent, its delivery state, bounces that are no reservation's included."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage
from app.mail.services import send_template
from app.sqltypes import utcnow
from tests.factories import staff_client


def _message(recipient: str, subject: str, related_type: str = "server_job") -> EmailMessage:
    message = send_template("notice", recipient=recipient, recipient_name=recipient,
                            context={"title": subject, "message": "Hello."}, related_type=related_type,
                            related_id="")
    db.session.commit()
    return message


def test_the_log_shows_each_state_and_a_bounce_that_is_no_reservations(app):
    admin, _ = staff_client(app, "platform.admin")
    _message("queued@example.org", "Waiting to go")
    sent = _message("sent@example.org", "Went out")
    sent.send_status, sent.sent_at = "sent", utcnow()
    failed = _message("failed@example.org", "Refused by Microsoft")
    db.session.scalar(select(GraphOperation).where(GraphOperation.target_id == str(failed.id))).status = "dead"
    bounced = _message("nobody@example.org", "Staff role granted", related_type="role_assignment")
    bounced.send_status, bounced.delivery_status, bounced.bounced_at = "sent", "bounced", utcnow()
    bounced.bounce_detail = "550 5.1.1 The email account that you tried to reach does not exist."
    db.session.commit()

    page = admin.get("/staff/mail/log").get_data(as_text=True)
    assert "4 messages match" in page
    assert "Queued: 1, Sent: 1, Failed: 1, Bounced: 1." in page
    row = page.split("Staff role granted")[1].split("</tr>")[0]
    assert "Bounced" in row and "550 5.1.1 The email account that you tried to reach does not exist." in row
    assert "Microsoft 365 did not accept it" in page.split("Refused by Microsoft")[1].split("</tr>")[0]

    only_bounced = admin.get("/staff/mail/log?state=bounced").get_data(as_text=True)
    assert "1 message match" in only_bounced and "nobody@example.org" in only_bounced
    assert "queued@example.org" not in only_bounced
    failed_only = admin.get("/staff/mail/log?state=failed").get_data(as_text=True)
    assert "failed@example.org" in failed_only and "sent@example.org" not in failed_only
    by_recipient = admin.get("/staff/mail/log?q=SENT@EXAMPLE").get_data(as_text=True)
    assert "1 message match" in by_recipient and "Went out" in by_recipient
    by_subject = admin.get("/staff/mail/log?q=waiting", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in by_subject and "queued@example.org" in by_subject and "1 message match" in by_subject


def test_the_log_is_paginated_keeping_the_search(app):
    admin, _ = staff_client(app, "platform.admin")
    for number in range(52):
        _message(f"resident{number}@example.org", f"Notice {number}")
    first = admin.get("/staff/mail/log?q=notice").get_data(as_text=True)
    assert "52 messages match" in first and "Notice 51" in first and "Notice 0<" not in first
    assert "/staff/mail/log?page=2&amp;q=notice" in first
    second = admin.get("/staff/mail/log?page=2&q=notice").get_data(as_text=True)
    assert "Notice 0<" in second and "Notice 51" not in second


def test_a_server_jobs_plain_message_is_in_the_log_one_row_per_recipient(app):
    from app.jobs.actions import load_actions

    admin, _ = staff_client(app, "platform.admin")
    summary = load_actions()["graph.send_mail"].run(
        {"to": "clerk@auburnal.gov, parks@example.org", "subject": "Pool closed Monday", "body": "Repairs."})
    assert summary == {"email_messages": 2}
    page = admin.get("/staff/mail/log?q=pool").get_data(as_text=True)
    assert "2 messages match" in page and "clerk@auburnal.gov" in page and "parks@example.org" in page
    operation = db.session.scalar(select(GraphOperation).where(GraphOperation.kind == "send_mail"))
    assert operation.target_type == "email_message"  # its bounce can be matched back to the row
