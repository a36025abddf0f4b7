"""The email log: every message MyGov sent, searchable, with its send and delivery state."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select

from app.extensions import db
from app.mail.models import EmailMessage

PAGE_SIZE = 50
TEMPLATE_TITLES = {
    "reservation_received": "Reservation request received", "reservation_approved": "Reservation approved",
    "reservation_denied": "Reservation not approved", "reservation_cancelled": "Reservation cancelled",
    "role_granted": "Staff role granted", "role_removed": "Staff role removed", "notice": "Notice",
}
STATES = {"queued": "Waiting to be sent", "failed": "Could not be sent", "sent": "Sent", "bounced": "Bounced"}


def template_title(name: str) -> str:
    return TEMPLATE_TITLES.get(name, name.replace("_", " ").capitalize())


def state_of(message: EmailMessage) -> str:
    """One word for the message's state: bounced wins over sent."""
    return "bounced" if message.delivery_status == "bounced" else message.send_status


@dataclass(frozen=True)
class LogFilter:
    text: str = ""
    state: str = ""
    template: str = ""

    @classmethod
    def from_args(cls, args: Any) -> LogFilter:
        state = args.get("state", "")
        return cls(args.get("q", "").strip()[:200], state if state in STATES else "", args.get("template", "")[:100])

    def apply(self, query: Select) -> Select:
        for word in self.text.lower().split():
            pattern = f"%{word}%"
            query = query.where(or_(func.lower(EmailMessage.recipient).like(pattern),
                                    func.lower(EmailMessage.subject).like(pattern)))
        if self.state == "bounced":
            query = query.where(EmailMessage.delivery_status == "bounced")
        elif self.state:
            query = query.where(EmailMessage.send_status == self.state,
                                or_(EmailMessage.delivery_status.is_(None), EmailMessage.delivery_status != "bounced"))
        if self.template:
            query = query.where(EmailMessage.template == self.template)
        return query


def log_page(filters: LogFilter, page: int) -> tuple[list[EmailMessage], int]:
    total = db.session.scalar(filters.apply(select(func.count()).select_from(EmailMessage))) or 0
    rows = db.session.scalars(filters.apply(select(EmailMessage)).order_by(EmailMessage.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return list(rows), total


def templates_sent() -> list[str]:
    return list(db.session.scalars(select(EmailMessage.template).distinct().order_by(EmailMessage.template)))
