"""The email log: every message MyGov sent, with its delivery state."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, exists, func, or_, select

from app.extensions import db
from app.jobs.models import GraphOperation
from app.mail.models import EmailMessage

PAGE_SIZE = 50
STATES = {"queued": "Queued", "sent": "Sent", "failed": "Failed", "bounced": "Bounced"}

_send_failed = exists().where(
    GraphOperation.target_type == "email_message",
    GraphOperation.target_id == cast(EmailMessage.id, String),
    GraphOperation.status.in_(("failed", "dead")),
)
STATE: ColumnElement[str] = case(
    (EmailMessage.delivery_status == "bounced", "bounced"),
    (EmailMessage.send_status == "sent", "sent"),
    (or_(EmailMessage.send_status == "failed", _send_failed), "failed"),
    else_="queued",
)


@dataclass(frozen=True)
class LogFilter:
    search: str = ""
    state: str = ""

    @classmethod
    def from_args(cls, args: Any) -> LogFilter:
        state = args.get("state", "")
        return cls(search=args.get("q", "").strip()[:200], state=state if state in STATES else "")

    def args(self) -> dict[str, str]:
        return {k: v for k, v in (("q", self.search), ("state", self.state)) if v}

    def apply(self, query: Any) -> Any:
        if self.search:
            pattern = f"%{self.search.lower()}%"
            query = query.where(or_(func.lower(EmailMessage.recipient).like(pattern),
                                    func.lower(EmailMessage.subject).like(pattern)))
        if self.state:
            query = query.where(STATE == self.state)
        return query


def log_page(filters: LogFilter, page: int) -> tuple[list[tuple[EmailMessage, str]], int]:
    total = db.session.scalar(filters.apply(select(func.count()).select_from(EmailMessage))) or 0
    rows = db.session.execute(filters.apply(select(EmailMessage, STATE))
                              .order_by(EmailMessage.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return [(message, state) for message, state in rows], total


def state_counts() -> dict[str, int]:
    return {state: count for state, count in db.session.execute(select(STATE, func.count()).group_by(STATE))}
