"""Where a calendar may write: a room mailbox MyGov manages, or a mailbox a platform admin approved.

The app's Calendars.ReadWrite reaches every mailbox in the tenant (unless IT scopes it with Exchange
RBAC for Applications, see README), so a calendar editor typing the City Manager's address must
not make MyGov write there. Approvals and withdrawals are audited.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from app.access.services import audit
from app.calendars.models import Calendar, PublishingMailbox
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.people.models import Employee

NOT_ALLOWED = ("MyGov publishes only to a room mailbox it manages or to a mailbox a platform administrator "
               "approved for calendar publishing. Ask a platform administrator to approve this address "
               "(Calendars → Publishing mailboxes), or leave the field empty.")


class MailboxInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def may_publish_to(address: str) -> bool:
    lowered = address.strip().lower()
    room = db.session.scalar(select(FacilitySpace.id).where(
        func.lower(FacilitySpace.exchange_resource_mailbox) == lowered).limit(1))
    return room is not None or approval_of(lowered) is not None


def approval_of(address: str) -> PublishingMailbox | None:
    return db.session.scalar(select(PublishingMailbox).where(PublishingMailbox.address == address.strip().lower()))


def approved_mailboxes() -> list[PublishingMailbox]:
    return list(db.session.scalars(select(PublishingMailbox).order_by(PublishingMailbox.address)))


def calendars_writing_to(address: str) -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).where(
        func.lower(Calendar.exchange_calendar_address) == address.lower()).order_by(Calendar.name)))


def approve(address: str, reason: str, actor: Employee) -> PublishingMailbox:
    errors: dict[str, str] = {}
    try:
        normalized = validate_email(address.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["address"] = "Enter the mailbox address, for example events@auburnal.gov."
        normalized = ""
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why MyGov may write to this mailbox, for example “Parks events calendar”."
    elif len(reason) > 500:
        errors["reason"] = "Keep the reason to 500 characters or fewer."
    if normalized and approval_of(normalized) is not None:
        errors["address"] = "This mailbox is already approved."
    if errors:
        raise MailboxInvalid(errors)
    approval = PublishingMailbox(address=normalized, reason=reason, approved_by_id=actor.id)
    db.session.add(approval)
    db.session.flush()
    audit(actor, "publishing_mailbox.approve", "publishing_mailbox", approval.id, None,
          {"address": normalized, "reason": reason})
    db.session.commit()
    return approval


def withdraw(approval: PublishingMailbox, actor: Employee) -> None:
    """Refused while a calendar still writes there: its editors would otherwise find out at the next save."""
    users = calendars_writing_to(approval.address)
    if users:
        names = ", ".join(c.name for c in users)
        raise MailboxInvalid({"address": f"{names} still publish to {approval.address}. "
                                         "Change their Exchange calendar first."})
    audit(actor, "publishing_mailbox.withdraw", "publishing_mailbox", approval.id,
          {"address": approval.address, "reason": approval.reason}, None)
    db.session.delete(approval)
    db.session.commit()
