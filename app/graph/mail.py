"""Mail: send, and read bounce reports (NDRs) in the sending mailbox (contract §9)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from app.graph.client import GraphClient, segment

NDR_CLASS = "REPORT.IPM.Note.NDR"
MESSAGE_CLASS_PROPERTY = "String 0x001A"


def send_mail(graph: GraphClient, sender: str, message: dict[str, Any], *, save_to_sent_items: bool = False) -> None:
    """Hand a message to Exchange. 202 means accepted, not delivered (gotcha 18)."""
    graph.post(
        f"/users/{segment(sender)}/sendMail",
        json={"message": message, "saveToSentItems": save_to_sent_items},
    )


def list_bounce_reports(
    graph: GraphClient, mailbox: str, *, received_after: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Non-delivery reports in the inbox, found by message class rather than subject (gotcha 19)."""
    condition = (
        f"singleValueExtendedProperties/any(ep: ep/id eq '{MESSAGE_CLASS_PROPERTY}'"
        f" and ep/value eq '{NDR_CLASS}')"
    )
    if received_after:
        stamp = received_after.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        condition += f" and receivedDateTime ge {stamp}"
    params = {
        "$filter": condition,
        "$select": "id,subject,receivedDateTime,from,body,internetMessageId",
        "$expand": f"singleValueExtendedProperties($filter=id eq '{MESSAGE_CLASS_PROPERTY}')",
        "$top": 50,
    }
    return graph.pages(f"/users/{segment(mailbox)}/mailFolders/inbox/messages", params=params)
