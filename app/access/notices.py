"""The email a person gets when they are granted a role or lose one."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app.access import scopes
from app.access.registry import role
from app.mail.services import send_template
from app.people.models import Employee


def last_day(ends_at: datetime) -> str:
    """The end of a grant in words: its last day in the city's zone ("Friday, January 8, 2027")."""
    zone = ZoneInfo(current_app.config["CITY_TIMEZONE"])
    return (ends_at.astimezone(zone) - timedelta(seconds=1)).strftime("%A, %B %-d, %Y")


def notify_role_change(employee: Employee, qualified_name: str, scope: str, *, gained: bool, reason: str,
                       ends_at: datetime | None = None) -> None:
    """Queue the email in the caller's transaction; someone without a mailbox is not written to."""
    address = employee.mail or (employee.upn if employee.upn and "@" in employee.upn else None)
    if not address:
        return
    definition = role(qualified_name)
    # Whole phrases, not flags: an admin may reword these emails with placeholders only.
    send_template(
        "role_granted" if gained else "role_removed", recipient=address, recipient_name=employee.display_name,
        context={
            "person_name": employee.display_name, "role_title": definition.title,
            "role_description": definition.description, "scope_name": f" for {scopes.label(scope)}" if scope else "",
            "until": f"It ends at the end of {last_day(ends_at)}." if ends_at else "", "reason": reason,
        },
        related_type="employee", related_id=employee.id,
    )
