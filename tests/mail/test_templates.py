"""Mail people can see: admins preview and reword templates (checked, versioned, audited); mail sent uses it."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.jobs.models import GraphOperation
from app.mail.catalogue import TEMPLATES
from app.mail.models import EmailMessage, MailTemplateVersion
from app.mail.services import render_message, send_template
from tests.factories import staff_client

APPROVED = "/staff/mail/templates/reservation_approved"


def _save(admin, subject: str, body: str):
    page = admin.get(APPROVED).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    return admin.post(APPROVED, data={"csrf_token": token, "subject": subject, "body": body})


def _send_example() -> GraphOperation:
    message = send_template("reservation_approved", recipient="dana@example.org", recipient_name="Dana Whitfield",
                            context=dict(TEMPLATES["reservation_approved"].example), related_type="reservation",
                            related_id=1)
    db.session.commit()
    return db.session.scalar(select(GraphOperation).where(GraphOperation.target_id == str(message.id)))


def test_only_platform_admins_see_the_mail_screens(app):
    editor, _ = staff_client(app, "calendars.editor")
    assert editor.get("/staff/mail/templates").status_code == 403
    assert editor.get("/staff/mail/log").status_code == 403


def test_admins_see_every_template_with_a_preview_of_a_realistic_example(app):
    admin, _ = staff_client(app, "platform.admin")
    listing = admin.get("/staff/mail/templates").get_data(as_text=True)
    for spec in TEMPLATES.values():
        assert spec.label in listing
    page = admin.get(APPROVED).get_data(as_text=True)
    assert "Subject: Your reservation R-7KQ2M9XD is confirmed" in page
    assert "Hello Dana Whitfield" in page and "Program Room, Auburn Public Library" in page
    assert "None" not in page.split("<main")[1]
    denied = admin.get("/staff/mail/templates/reservation_denied").get_data(as_text=True)
    assert "Reason: The room is closed that evening" in denied
    assert admin.get("/staff/mail/templates/no_such_thing").status_code == 404


def test_unknown_or_missing_variables_and_html_are_refused_on_the_field(app):
    admin, _ = staff_client(app, "platform.admin")
    unknown = _save(admin, "Confirmed {{ reference }}", "Hi {{ citizen_phone }}\n{{ manage_url }}")
    text = unknown.get_data(as_text=True)
    assert unknown.status_code == 422
    assert 'id="body-error"' in text and "{{ citizen_phone }} is not a variable of this message" in text
    assert 'aria-invalid="true"' in text
    missing = _save(admin, "Confirmed {{ reference }}", "Your room is booked.")
    assert missing.status_code == 422 and "must still include {{ manage_url }}" in missing.get_data(as_text=True)
    html = _save(admin, "Confirmed <b>{{ reference }}</b>", "See {{ manage_url }}")
    assert html.status_code == 422 and 'id="subject-error"' in html.get_data(as_text=True)
    jinja = _save(admin, "Confirmed {{ reference }}", "{% for x in y %}{{ manage_url }}{% endfor %}")
    assert jinja.status_code == 422
    assert db.session.scalar(select(MailTemplateVersion)) is None
    assert "Your reservation R-7KQ2M9XD is confirmed" in _send_example().payload["message"]["subject"]


def test_a_draft_is_previewed_without_being_saved(app):
    admin, _ = staff_client(app, "platform.admin")
    page = admin.get(APPROVED).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    preview = admin.post(APPROVED, data={"csrf_token": token, "preview": "1", "subject": "Booked {{ reference }}",
                                         "body": "See you {{ when }}.\n{{ manage_url }}"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Subject: Booked R-7KQ2M9XD" in text and "not saved yet" in text
    assert "See you Thursday, March 12, 2026 at 6:00 PM" in text
    assert db.session.scalar(select(MailTemplateVersion)) is None
    refused = admin.post(APPROVED, data={"csrf_token": token, "preview": "1", "subject": "{{ nope }}", "body": "x"})
    assert refused.status_code == 422 and 'id="subject-error"' in refused.get_data(as_text=True)


def test_an_edited_wording_is_versioned_audited_sent_and_restorable(app):
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    saved = _save(admin, "Booked: {{ reference }}",
                  "Hi {{ requester_name }} & friends,\n\nSee you {{ when }}.\n\nManage: {{ manage_url }}")
    assert saved.status_code == 303
    page = admin.get(APPROVED).get_data(as_text=True)
    assert "Subject: Booked: R-7KQ2M9XD" in page and "Hi Dana Whitfield &amp; friends" in page
    assert "Version 1 (sent now)" in page and "Restore the original" in page

    payload = _send_example().payload
    assert payload["message"]["subject"] == "Booked: R-7KQ2M9XD"
    html = payload["message"]["body"]["content"]
    assert "Hi Dana Whitfield &amp; friends" in html
    assert '<a href="https://www.auburnal.gov/reservations/manage/example-link">' in html
    assert "Hi Dana Whitfield & friends" in payload["text_body"] and "Message reference: mygov." in payload["text_body"]

    assert _save(admin, "Booked again: {{ reference }}", "{{ manage_url }}").status_code == 303
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "mail_template")).all()
    assert [e.action for e in entries] == ["mail_template.edit", "mail_template.edit"]
    assert entries[1].before["subject"] == "Booked: {{ reference }}" and entries[1].actor_label == "Ada Admin"

    page = admin.get(APPROVED).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert admin.post(f"{APPROVED}/restore/1", data={"csrf_token": token}).status_code == 303
    current = db.session.scalars(select(MailTemplateVersion).order_by(MailTemplateVersion.number)).all()[-1]
    assert (current.number, current.subject) == (3, "Booked: {{ reference }}")
    assert admin.post(f"{APPROVED}/restore/0", data={"csrf_token": token}).status_code == 303
    assert _send_example().payload["message"]["subject"] == "Your reservation R-7KQ2M9XD is confirmed"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail_template.restore")) is not None
    assert db.session.scalar(select(EmailMessage).where(EmailMessage.subject == "Booked: R-7KQ2M9XD")) is not None


def test_every_template_file_is_in_the_catalogue_and_its_example_renders_in_both_wordings(app):
    from pathlib import Path

    from app.mail.wording import check_wording

    files = {p.stem for p in Path(app.root_path, "..", "templates", "mail").glob("*.txt") if not p.stem.startswith("_")}
    assert files == set(TEMPLATES), "a mail template without a catalogue entry cannot be seen or edited"
    for spec in TEMPLATES.values():
        assert check_wording(spec, spec.subject, spec.body) == {}, spec.name
        original = render_message(spec.name, {**spec.example, "message_reference": "mygov.example"})
        as_wording = render_message(spec.name, {**spec.example, "message_reference": "mygov.example"},
                                    MailTemplateVersion(template=spec.name, subject=spec.subject, body=spec.body))
        for subject, _, text in (original, as_wording):
            assert subject and "None" not in text and "{{" not in text and "{{" not in subject, spec.name
        assert original[0] == as_wording[0], spec.name  # the editable form says what the file says
