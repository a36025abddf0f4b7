"""Signing a staff member in from validated id-token claims: the Employee, then roles from Entra groups."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.access.mappings import link_groups_at_sign_in
from app.access.seeding import apply_seeding_rules
from app.access.services import seed_roles_from_groups
from app.auth.oidc import SignInRefused
from app.auth.session import open_staff_session
from app.extensions import db
from app.graph import GraphError, groups, users
from app.microsoft import graph_client
from app.people.models import Employee
from app.people.services import upsert_employee_from_graph
from app.sqltypes import utcnow

log = logging.getLogger(__name__)


@dataclass
class SignIn:
    employee: Employee
    session_token: str
    seeded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def has_groups_overage(claims: dict[str, Any]) -> bool:
    return "groups" in (claims.get("_claim_names") or {})


def _employee_from_claims(tenant_id: str, claims: dict[str, Any]) -> Employee:
    employee = db.session.scalar(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.entra_oid == claims["oid"])
    )
    if employee is None:
        employee = Employee(
            tenant_id=tenant_id, entra_oid=claims["oid"], legal_name=claims.get("name"),
            upn=claims.get("preferred_username"), mail=claims.get("email"), account_enabled=True,
        )
        db.session.add(employee)
        db.session.flush()
    return employee


def _group_ids(claims: dict[str, Any], oid: str, in_graph_tenant: bool) -> set[str] | None:
    """The person's groups: from the token, or from Graph on overage (or when the token has no groups claim).

    The overage endpoint in the token may be the retired Azure AD Graph: it is never called.
    """
    if "groups" in claims and not has_groups_overage(claims):
        return {str(g) for g in claims.get("groups") or []}
    if not in_graph_tenant:
        return None
    return set(groups.member_group_ids(graph_client(), oid))


def sign_in(claims: dict[str, Any]) -> SignIn:
    """Find or create the Employee by (tid, oid), complete it from Graph, seed roles; one commit."""
    tenant_id = str(claims["tid"]).lower()
    employee = _employee_from_claims(tenant_id, claims)
    result = SignIn(employee, "")
    in_graph_tenant = tenant_id == current_app.config["ENTRA_TENANT_ID"].lower()
    group_ids: set[str] | None = None
    try:
        if in_graph_tenant:
            user = users.get_user(graph_client(), employee.entra_oid)
            if user is not None:
                upsert_employee_from_graph(tenant_id, user)
            link_groups_at_sign_in()
        group_ids = _group_ids(claims, employee.entra_oid, in_graph_tenant)
    except GraphError as error:
        log.warning("sign-in of %s: Graph unavailable: %s", employee.entra_oid, error)
        result.warnings.append("Your roles could not be refreshed from Entra just now; you have the roles you had.")
    if not employee.account_enabled:
        db.session.rollback()
        raise SignInRefused("This account is disabled in Entra.", status=403)
    if group_ids is None and not result.warnings and has_groups_overage(claims):
        result.warnings.append("Your Entra groups could not be read, so no roles were added from them.")
    result.seeded = seed_roles_from_groups(employee, group_ids or set())
    result.seeded += apply_seeding_rules(employee, group_ids)[0]
    employee.last_sign_in_at = utcnow()
    result.session_token = open_staff_session(employee)
    db.session.commit()
    return result
