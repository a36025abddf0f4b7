"""Every mail template MyGov sends: what it is for, the variables it offers, a realistic example.

The files under templates/mail/ are each template's original wording. An admin may replace the
subject and text of a template with their own (MailTemplateVersion); that wording is plain text
with `{{ variable }}` placeholders, checked against the variables declared here.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from app.mail.citizen_mail import CITIZEN_TEMPLATES, MORE_CITIZEN_TEMPLATES
from app.mail.staff_mail import STAFF_TEMPLATES
from app.mail.template_spec import MailTemplate, Variable

__all__ = ["TEMPLATES", "MailTemplate", "Variable", "template_values"]


TEMPLATES: dict[str, MailTemplate] = {
    t.name: t for t in (*CITIZEN_TEMPLATES, *MORE_CITIZEN_TEMPLATES, *STAFF_TEMPLATES)
}


def template_values(context: dict[str, Any]) -> dict[str, str]:
    """The context as the placeholders show it: instants in the city's time zone, derived lines added."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    values = {k: "" if v is None else str(v) for k, v in context.items() if isinstance(v, (str, int, float, type(None)))
              and not isinstance(v, bool)}
    start, end = context.get("start_at"), context.get("end_at")
    if isinstance(start, datetime) and isinstance(end, datetime):
        start, end = start.astimezone(zone), end.astimezone(zone)
        label = f"{zone.key.replace('_', ' ')} time"
        values["when"] = f"{start:%A, %B %-d, %Y at %-I:%M %p} to {end:%-I:%M %p} ({label})"
        values["starts"] = f"{start:%A, %B %-d at %-I:%M %p}"
        values["details"] = (f"Reference: {values.get('reference', '')}\n"
                             f"Room: {values.get('space_name', '')}, {values.get('facility_name', '')}, "
                             f"{values.get('facility_address', '')}\nWhen: {values['when']}")
    if "by_citizen" in context:
        values["cancelled_by"] = "As you asked, we" if context["by_citizen"] else "Staff"
    values.update(_listed(context))
    return values


def _listed(context: dict[str, Any]) -> dict[str, str]:
    """The lists some messages carry, as lines of text (one item per line, its link under it)."""
    values: dict[str, str] = {}
    if context.get("google_calendar_url"):
        values["calendar_links"] = (f"Add it to your calendar: open the attached file, or use one of these links.\n"
                                    f"Google Calendar: {context['google_calendar_url']}\n"
                                    f"Outlook.com: {context.get('outlook_calendar_url', '')}")
    if isinstance(context.get("dates"), list):
        values["dates"] = "\n".join(f"- {d['when']} ({d['reference']})\n  View, move or cancel this date: "
                                    f"{d['manage_url']}" for d in context["dates"])
        where = f"{context.get('space_name', '')}, {context.get('facility_name', '')}"
        series = context.get("series_reference", "")
        values["headline"] = (f"Your repeating reservation {series} is confirmed" if context.get("approved")
                              else f"We received your repeating reservation request {series}")
        values["summary"] = (f"Your repeating reservation of {where} ({context.get('frequency', '')}) is confirmed."
                             if context.get("approved") else
                             f"We received your request to reserve {where} {context.get('frequency', '')}. Staff "
                             "decide on each date; we email you when they do.")
    if isinstance(context.get("refused"), list):
        values["refused"] = ("These dates were not booked because they were taken: "
                             + "; ".join(context["refused"]) + ".") if context["refused"] else ""
    if isinstance(context.get("requests"), list):
        count = len(context["requests"])
        values["count"] = str(count)
        values["headline"] = (f"{count} reservation {'request is' if count == 1 else 'requests are'} "
                              "still waiting for approval")
        values["requests"] = "\n".join(f"- {r['reference']}: {r['space']}, {r['when']}, requested by "
                                        f"{r['requester']} on {r['sent']}\n  {r['url']}" for r in context["requests"])
    if isinstance(context.get("items"), list):
        count = len(context["items"])
        values["count"] = str(count)
        values["headline"] = (f"{count} published {'event was' if count == 1 else 'events were'} "
                              "changed or deleted in Outlook")
        values["items"] = "\n".join(f"- {i['title']} ({i['calendar']}): {i['what']}. Review: {i['link']}"
                                     for i in context["items"])
    return values
