"""Users: list, search, delta, photo (contract §3)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.graph.client import EVENTUAL, GraphClient, segment
from app.graph.collections import DeltaRound
from app.graph.errors import GraphNotFound

# accountEnabled and department are not in the default property set: they must be selected.
USER_SELECT = (
    "id,userPrincipalName,mail,displayName,givenName,surname,jobTitle,department,"
    "officeLocation,businessPhones,accountEnabled"
)
MAX_PAGE = 999


def list_users(
    graph: GraphClient, *, filter: str | None = None, select: str = USER_SELECT, top: int = MAX_PAGE
) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"$select": select, "$top": top}
    if filter:
        params["$filter"] = filter
    return graph.pages("/users", params=params)


def search_users(graph: GraphClient, text: str, *, select: str = USER_SELECT) -> Iterator[dict[str, Any]]:
    """Tokenised prefix search on name and mail; $search needs ConsistencyLevel: eventual (gotcha 7)."""
    term = text.replace('"', "").strip()
    params = {
        "$search": f'"displayName:{term}" OR "mail:{term}"',
        "$select": select,
        "$count": "true",
        "$top": MAX_PAGE,
    }
    return graph.pages("/users", params=params, headers=EVENTUAL)


def get_user(graph: GraphClient, id_or_upn: str, *, select: str = USER_SELECT) -> dict[str, Any] | None:
    try:
        return graph.get(f"/users/{segment(id_or_upn)}", params={"$select": select}).body
    except GraphNotFound:
        return None


def users_delta(graph: GraphClient, delta_link: str | None = None, *, select: str = USER_SELECT) -> DeltaRound:
    """A round of /users/delta: from the stored link verbatim, or a full sync when there is none."""
    if delta_link:
        return graph.delta(delta_link)
    return graph.delta("/users/delta", params={"$select": select})


@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str
    etag: str | None


def get_user_photo(graph: GraphClient, user_id: str) -> Photo | None:
    """The user's largest photo, or None when they have none (404 is not an error here)."""
    try:
        response = graph.get(f"/users/{segment(user_id)}/photo/$value")
    except GraphNotFound:
        return None
    content_type = response.headers.get("Content-Type", "application/octet-stream").split(";")[0]
    return Photo(response.content, content_type, response.headers.get("ETag"))

