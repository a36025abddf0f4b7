"""Worker actions of the people area: directory delta sync and Entra photos."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.graph import DeltaRound, DeltaTokenExpired, GraphClient, users
from app.jobs.actions import Param, action
from app.jobs.polling import poll_due, skipped
from app.microsoft import graph_client
from app.people import directory_sync, photos
from app.people.models import Employee

PAGE = 500  # users applied (and committed) together


@dataclass
class DeltaPage:
    users: list[dict[str, Any]]
    delta_link: str | None


def delta_pages(round_: DeltaRound) -> Iterator[DeltaPage]:
    """A delta round in chunks to apply; the last chunk carries the round's delta link."""
    page: list[dict[str, Any]] = []
    for user in round_:
        page.append(user)
        if len(page) == PAGE:
            yield DeltaPage(page, None)
            page = []
    yield DeltaPage(page, round_.delta_link)


class GraphDirectory:
    """The Entra directory through the Graph client, in the shapes the people services take."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph

    def users_delta(self, delta_link: str | None = None) -> Iterator[DeltaPage]:
        return delta_pages(users.users_delta(self.graph, delta_link))

    def get_user_photo(self, user_id: str) -> bytes | None:
        photo = users.get_user_photo(self.graph, user_id)
        return photo.content if photo else None


def apply_directory_changes() -> dict[str, Any]:
    """One users delta round from the stored link (a directory notification runs it at once)."""
    counts = directory_sync.sync_users_delta(
        GraphDirectory(graph_client()), current_app.config["ENTRA_TENANT_ID"], DeltaTokenExpired
    )
    return counts.as_summary()


@action("graph.sync_users_delta", description="Apply Entra directory changes since the last sync.", queue="sync")
def sync_users_delta(params: dict[str, Any]) -> dict[str, Any]:
    if not poll_due("users"):
        return skipped("users")
    return apply_directory_changes()


@action(
    "graph.get_user_photo", description="Download Entra photos that changed (target: all, or one user id).",
    params=(Param("target", required=True, help="all, or an Entra user id"),), queue="sync",
)
def get_user_photo(params: dict[str, Any]) -> dict[str, Any]:
    tenant_id = current_app.config["ENTRA_TENANT_ID"]
    employee_id = None
    if params["target"] != "all":
        employee_id = db.session.scalar(select(Employee.id).where(
            Employee.tenant_id == tenant_id, Employee.entra_oid == params["target"]))
        if employee_id is None:
            return {"stored": 0, "unchanged": 0, "cleared": 0, "no_photo": 0, "refused": 0}
    return photos.sync_entra_photos(GraphDirectory(graph_client()), tenant_id, employee_id)
