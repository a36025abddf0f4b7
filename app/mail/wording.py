"""Email wording admins may change: the subject and the text of each template, within safe limits.

An admin's text is not a template: it is plain text with `{{ name }}` placeholders, and a
placeholder must be one of the values that email carries. No HTML, no Jinja statements, no
filters: the text is filled in by substitution and escaped into the HTML layout, whose header,
footer and message reference (what bounce matching relies on) stay the code's. Every save is a
new version, audited; going back to the code's wording is a version too.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from jinja2 import meta
from markupsafe import Markup, escape
from sqlalchemy import func, select

from app.access.models import AuditEntry
from app.extensions import db
from app.mail.models import EmailMessage, MailTemplateVersion
from app.people.models import Employee

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
TEMPLATE_SYNTAX = re.compile(r"\{[{%#]|[}%#]\}")
IMPORTS = re.compile(r"\{%-?\s*from\s+\S+\s+import\s+([\w\s,]+?)(?:\s+with\s+context)?\s*-?%\}")
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!]")
LAYOUT_NAMES = {"config", "subject", "message_reference", "city_timezone_label"}
MAX_SUBJECT = 200
MAX_BODY = 5000


def email_templates() -> list[str]:
    """The templates under templates/mail/ that are whole emails (not layouts or partials)."""
    env = current_app.jinja_env
    names = env.list_templates(filter_func=lambda n: n.startswith("mail/") and n.endswith(".txt"))
    return sorted(n[5:-4] for n in names if "/" not in n[5:] and not n[5:].startswith("_")
                  and "block subject" in env.loader.get_source(env, n)[0])  # type: ignore[union-attr]


def variables(template: str) -> list[str]:
    """The values an email of this template carries: what its files and their partials use."""
    env = current_app.jinja_env
    found: set[str] = set()
    imported: set[str] = set()  # macros of partials, not values
    pending, seen = [f"mail/{template}.txt", f"mail/{template}.html"], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        parsed = env.parse(source)
        found |= meta.find_undeclared_variables(parsed)
        imported |= {n.strip() for names in IMPORTS.findall(source) for n in names.split(",")}
        pending += [n for n in meta.find_referenced_templates(parsed) if n and not n.endswith("_layout.txt")
                    and not n.endswith("_layout.html")]
    return sorted(found - imported - LAYOUT_NAMES - set(env.globals))


def current(template: str) -> MailTemplateVersion | None:
    """The admin's wording in use, or None when the code's wording is used."""
    latest = db.session.scalar(select(MailTemplateVersion).where(MailTemplateVersion.template == template)
                               .order_by(MailTemplateVersion.version.desc()).limit(1))
    return latest if latest is not None and latest.subject else None


def history(template: str) -> list[MailTemplateVersion]:
    return list(db.session.scalars(select(MailTemplateVersion).where(MailTemplateVersion.template == template)
                                   .order_by(MailTemplateVersion.version.desc())))


def _check(text: str, allowed: set[str], label: str, limit: int) -> str | None:
    if not text.strip():
        return f"Write the {label.lower()}."
    if len(text) > limit:
        return f"Keep the {label.lower()} to {limit} characters or fewer."
    if MARKUP.search(text):
        return f"The {label.lower()} is plain text: remove the HTML tags (the layout adds the formatting)."
    unknown = sorted({m for m in PLACEHOLDER.findall(text) if m not in allowed})
    if unknown:
        return (f"{', '.join('{{ ' + u + ' }}' for u in unknown)} is not a value of this email. "
                f"Use only: {', '.join('{{ ' + a + ' }}' for a in sorted(allowed))}.")
    if TEMPLATE_SYNTAX.search(PLACEHOLDER.sub("", text)):
        return "Only placeholders like {{ requester_name }} are allowed: no other braces."
    return None


def save(template: str, subject: str, body: str, actor: Employee) -> dict[str, str]:
    """A new version of the wording, audited and committed; or each field's error, nothing saved."""
    allowed = set(variables(template))
    body = body.replace("\r\n", "\n")
    errors = {name: message for name, message in (
        ("subject", _check(subject, allowed, "Subject", MAX_SUBJECT)),
        ("body", _check(body, allowed, "Text", MAX_BODY))) if message}
    if "\n" in subject.strip():
        errors["subject"] = "The subject is one line."
    if errors:
        return errors
    _new_version(template, " ".join(subject.split()), body.strip(), actor)
    return {}


def use_code_wording(template: str, actor: Employee) -> None:
    _new_version(template, None, None, actor)


def _new_version(template: str, subject: str | None, body: str | None, actor: Employee) -> None:
    before = current(template)
    number = (db.session.scalar(select(func.max(MailTemplateVersion.version))
                                .where(MailTemplateVersion.template == template)) or 0) + 1
    db.session.add(MailTemplateVersion(template=template, version=number, subject=subject, body=body,
                                       created_by_id=actor.id, created_by_label=actor.display_name))
    db.session.add(AuditEntry(
        actor_id=actor.id, actor_label=actor.display_name, action="mail_template.edit", target_type="mail_template",
        target_id=template, before={"version": before.version, "subject": before.subject} if before else {"wording": "code"},
        after={"version": number, "subject": subject} if subject else {"version": number, "wording": "code"}))
    db.session.commit()


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return current_app.jinja_env.filters["local_datetime"](value)
    return "" if value is None else str(value)


def fill(text: str, context: dict[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: _shown(context.get(m.group(1))), text)


def render_override(version: MailTemplateVersion, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, HTML and text of an email in the admin's wording, inside the code's layouts."""
    subject = " ".join(fill(version.subject or "", context).split())
    text_body = fill(version.body or "", context)
    paragraphs = [escape(p).replace("\n", Markup("<br>\n")) for p in text_body.split("\n\n") if p.strip()]
    html = render_template("mail/_wording.html", subject=subject, paragraphs=paragraphs, **context)
    text = render_template("mail/_wording.txt", subject=subject, text_body=text_body, **context)
    return subject, html, text


def example_context(template: str) -> dict[str, Any] | None:
    """The values of the last email of this template MyGov sent (instants back to datetimes)."""
    context = db.session.scalar(select(EmailMessage.context).where(EmailMessage.template == template)
                                .order_by(EmailMessage.id.desc()).limit(1))
    if context is None:
        return None
    restored: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, str) and key.endswith("_at"):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                pass
        restored[key] = value
    return restored


def starting_text(template: str) -> tuple[str, str]:
    """The code's subject and text as a starting point for an admin: placeholders kept, anything
    else that is not plain text (macros, filters, statements) left out."""
    env = current_app.jinja_env
    source = env.loader.get_source(env, f"mail/{template}.txt")[0]  # type: ignore[union-attr]

    def block(name: str) -> str:
        found = re.search(r"\{%\s*block " + name + r"\s*%\}(.*?)\{%\s*endblock\s*%\}", source, re.S)
        return found.group(1) if found else ""

    def plain(text: str) -> str:
        text = re.sub(r"\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"\{\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}).*?\}\}", "", text, flags=re.S)
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    return " ".join(plain(block("subject")).split()), plain(block("body"))
