"""Worker actions of the access area: checking Entra role groups against MyGov's assignments, ending grants."""
from __future__ import annotations

from typing import Any

from app.access.reconcile import check_groups
from app.access.services import end_expired_roles as end_expired
from app.extensions import db
from app.jobs.actions import action
from app.microsoft import graph_client


@action("access.reconcile_groups", description="Compare Entra role groups with MyGov's role holders; change nothing.",
        queue="sync")
def reconcile_groups(params: dict[str, Any]) -> dict[str, Any]:
    """Report drift only: an admin reviews it on the reconcile screen and confirms any change."""
    drift = check_groups(graph_client())
    db.session.commit()
    return {
        "missing_in_entra": sum(row.change == "add" for row in drift),
        "only_in_entra": sum(row.change == "remove" for row in drift),
        "awaiting_first_sign_in": sum(row.change == "awaiting" for row in drift),
    }


@action("access.end_expired_roles", description="End the role grants whose end date has passed (audited, "
        "removed from the Entra group, the person emailed).")
def end_expired_roles(params: dict[str, Any]) -> dict[str, Any]:
    ended, kept = end_expired()
    return {"ended": ended, "kept_last_platform_admin": kept}
