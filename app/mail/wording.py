"""Admins' wording of the mail templates: saved as a new version, checked, audited, restorable."""
from __future__ import annotations

from sqlalchemy import func, select

from app.access.services import audit
from app.extensions import db
from app.mail import markup
from app.mail.catalogue import MailTemplate
from app.mail.models import MailTemplateVersion
from app.people.models import Employee


# Variables whose text includes another's: {{ details }} shows the reference, {{ headline }} the series'.
IMPLIED = {"details": {"reference"}, "headline": {"series_reference"}}


class WordingError(ValueError):
    """Problems by field ("subject", "body"); nothing was saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def check_wording(template: MailTemplate, subject: str, body: str) -> dict[str, str]:
    allowed, required = template.variable_names(), template.required_names()
    errors: dict[str, str] = {}
    for name, text, limit, single in (("subject", subject, markup.SUBJECT_LIMIT, True),
                                      ("body", body, markup.BODY_LIMIT, False)):
        found = markup.problems(text, allowed=allowed, required=required, limit=limit, single_line=single)
        if found:
            errors[name] = " ".join(found)
    missing = markup.missing_required(subject, body, required, IMPLIED)
    if missing and "body" not in errors:
        errors["body"] = ("The message must still include " + ", ".join(f"{{{{ {n} }}}}" for n in missing)
                          + ": citizens need it.")
    return errors


def versions(template: str) -> list[MailTemplateVersion]:
    return list(db.session.scalars(select(MailTemplateVersion).where(MailTemplateVersion.template == template)
                                   .order_by(MailTemplateVersion.number.desc())))


def save_wording(template: MailTemplate, subject: str, body: str, actor: Employee,
                 *, restored_from: int | None = None) -> MailTemplateVersion:
    """A new version that MyGov sends from now on; raises WordingError naming the field."""
    subject, body = subject.strip(), body.strip().replace("\r\n", "\n")
    errors = check_wording(template, subject, body)
    if errors:
        raise WordingError(errors)
    latest = db.session.scalar(select(func.max(MailTemplateVersion.number))
                               .where(MailTemplateVersion.template == template.name)) or 0
    version = MailTemplateVersion(template=template.name, number=latest + 1, subject=subject, body=body,
                                  created_by_label=actor.display_name)
    db.session.add(version)
    db.session.flush()
    before = None
    if latest:
        previous = db.session.scalar(select(MailTemplateVersion).where(
            MailTemplateVersion.template == template.name, MailTemplateVersion.number == latest))
        before = {"subject": previous.subject, "body": previous.body} if previous else None
    after = {"subject": subject, "body": body, "version": version.number}
    if restored_from is not None:
        after["restored_from"] = restored_from or "original"
    audit(actor, "mail_template.restore" if restored_from is not None else "mail_template.edit",
          "mail_template", template.name, before, after)
    db.session.commit()
    return version


def restore(template: MailTemplate, number: int, actor: Employee) -> MailTemplateVersion:
    """Send an earlier wording again (0: the original); recorded as a new version."""
    if number == 0:
        return save_wording(template, template.subject, template.body, actor, restored_from=0)
    old = db.session.scalar(select(MailTemplateVersion).where(
        MailTemplateVersion.template == template.name, MailTemplateVersion.number == number))
    if old is None:
        raise WordingError({"version": "That version does not exist."})
    return save_wording(template, old.subject, old.body, actor, restored_from=number)
