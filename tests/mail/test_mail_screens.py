"""Mail people can see: the email log (searchable, with bounces), every template with a preview
of a real example, and wording admins change within safe limits (versioned, audited)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.mail.models import EmailMessage, MailTemplateVersion
from app.mail.services import send_template
from tests.factories import csrf_headers, staff_client
from tests.jobs.helpers import drain

ROLE_CONTEXT = {"person_name": "Ethan Park", "role_title": "Calendar editor",
                "role_description": "Create and edit calendar events.", "scope_name": " for Parks", "until": "",
                "reason": "Ada Admin granted it to you in MyGov."}


def _send(recipient: str = "ethan.park@auburnal.gov") -> EmailMessage:
    message = send_template("role_granted", recipient=recipient, recipient_name="Ethan Park", context=ROLE_CONTEXT,
                            related_type="employee", related_id=1)
    db.session.commit()
    return message


def test_the_email_log_lists_every_message_with_its_state_and_finds_bounces(app, tenant):
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    _send()
    bounced = _send("nobody@invalid.example")
    bounced.delivery_status, bounced.bounced_at = "bounced", datetime.now(timezone.utc)
    bounced.bounce_detail = "Delivery has failed to these recipients: nobody@invalid.example"
    db.session.commit()
    drain()

    page = admin.get("/staff/mail/").get_data(as_text=True)
    assert "2 emails match." in page and "Staff role granted" in page
    assert "Delivery has failed to these recipients" in page
    only_bounced = admin.get("/staff/mail/?state=bounced").get_data(as_text=True)
    assert "1 email match." in only_bounced and "nobody@invalid.example" in only_bounced
    found = admin.get("/staff/mail/?q=ethan.park", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in found and "1 email match." in found and "ethan.park@auburnal.gov" in found
    viewer, _ = staff_client(app, "calendars.editor", name="No Admin")
    assert viewer.get("/staff/mail/").status_code == 403


def test_admins_preview_and_reword_an_email_within_safe_limits(app, tenant):
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    assert "MyGov has not sent this email yet" in admin.get("/staff/mail/templates/role_granted").get_data(as_text=True)
    _send()
    page = admin.get("/staff/mail/templates/role_granted").get_data(as_text=True)
    assert "You now hold Calendar editor in MyGov" in page and "{{ person_name }}" in page
    preview = admin.get("/staff/mail/templates/role_granted/preview.html")
    assert "sandbox" in preview.headers["Content-Security-Policy"] and "Hello Ethan Park" in preview.get_data(as_text=True)

    for subject, body, field, message in [
        ("Hi {{ password }}", "Hello", "subject", "{{ password }} is not a value of this email"),
        ("Role news", "<script>alert(1)</script>", "body", "remove the HTML tags"),
        ("Role news", "{% for x in y %}{{ x }}{% endfor %}", "body", "not a value of this email"),
        ("Role news", "Hi {{ person_name|upper }}", "body", "Only placeholders"),
        ("", "Hello", "subject", "Write the subject."),
    ]:
        refused = admin.post("/staff/mail/templates/role_granted", data={"subject": subject, "body": body},
                             headers=csrf_headers(admin))
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and f'id="{field}-error"' in text and message in text, (subject, body)
    assert db.session.scalar(select(MailTemplateVersion)) is None

    saved = admin.post("/staff/mail/templates/role_granted", headers=csrf_headers(admin), follow_redirects=True, data={
        "subject": "Your MyGov access changed: {{ role_title }}",
        "body": "Dear {{ person_name }},\n\nYou now have {{ role_title }}{{ scope_name }} & more.\n\n{{ reason }}"})
    assert "Saved: the next emails of this kind use this wording." in saved.get_data(as_text=True)
    message = _send()
    assert message.subject == "Your MyGov access changed: Calendar editor"
    drain()
    sent = [m for m in tenant.server.control.outbound_mail()
            if m["message"]["subject"] == "Your MyGov access changed: Calendar editor"][0]
    html = sent["message"]["body"]["content"]
    assert "<p>Dear Ethan Park,</p>" in html and "for Parks &amp; more." in html
    assert message.internet_message_id.split("@")[0].lstrip("<") in html  # the reference bounces are matched by

    admin.post("/staff/mail/templates/role_granted", data={"use_code": "yes"}, headers=csrf_headers(admin))
    assert _send().subject == "You now hold Calendar editor in MyGov"
    versions = db.session.scalars(select(MailTemplateVersion.version)).all()
    assert sorted(versions) == [1, 2]
    edits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mail_template.edit")).all()
    assert [e.after.get("subject") for e in edits] == ["Your MyGov access changed: {{ role_title }}", None]
    assert "As written in the code" in admin.get("/staff/mail/templates").get_data(as_text=True)
