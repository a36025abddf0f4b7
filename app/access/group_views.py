"""Group mappings (role ↔ Entra group) and reconcile (Entra groups against MyGov's role holders)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import mappings, reconcile
from app.access.forms import MapGroupForm, MemberForm, ReconcileForm
from app.access.models import GroupMapping
from app.access.permissions import requires
from app.access.registry import ROLES, RoleDefinition, role
from app.access.services import AccessError, mapping_for
from app.extensions import db
from app.graph import GraphError
from app.jobs.forms import ConfirmForm
from app.microsoft import graph_client
from app.web.htmx import render_page_or_block, see_other

groups_bp = Blueprint("access_groups", __name__, url_prefix="/staff/access/groups")


@dataclass(frozen=True)
class MappingRow:
    definition: RoleDefinition
    scope: str
    title: str  # the role, and the facility, calendar or department it is held for
    mapping: GroupMapping | None
    default_name: str


def _mapping_rows() -> list[MappingRow]:
    existing = list(db.session.scalars(select(GroupMapping)))
    whole = {(m.module_key, m.role_key): m for m in existing if not m.scope}
    rows = [MappingRow(d, "", d.title, whole.get((d.module, d.key)), mappings.default_group_name(d.module, d.key))
            for d in ROLES]
    scoped = [MappingRow(role(f"{m.module_key}.{m.role_key}"), m.scope, mappings.role_title(m), m, m.group_name)
              for m in existing if m.scope]
    return rows + sorted(scoped, key=lambda row: (ROLES.index(row.definition), row.title))


def _fail(error: Exception) -> None:
    db.session.rollback()
    if isinstance(error, GraphError):
        flash(f"Microsoft Graph refused the change ({error.code}: {error.message}).", "error")
    else:
        flash(str(error), "error")


@groups_bp.get("/")
@requires("platform.admin")
def index():
    return render_template("access/groups.html", rows=_mapping_rows(), form=ConfirmForm(),
                           pattern=mappings.default_group_name("{module}", "{role}"),
                           scoped_pattern=current_app.config["ACCESS_SCOPED_GROUP_NAME_PATTERN"])


@groups_bp.post("/<any(link, create):verb>")
@requires("platform.admin")
def link_or_create(verb: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if verb == "create":
            done = mappings.create_missing_groups(current_user)
        else:
            done = mappings.link_groups_by_name(graph_client(), current_user)
            db.session.commit()
    except (AccessError, GraphError) as error:
        _fail(error)
    else:
        names = ", ".join(m.group_name for m in done) or "none"
        flash(f"Groups {'created or linked' if verb == 'create' else 'linked by name'}: {names}.", "success")
    return see_other(url_for("access_groups.index"))


def _definition(qualified_name: str) -> RoleDefinition:
    try:
        return role(qualified_name)
    except KeyError:
        abort(404)


def _scope() -> str:
    return request.args.get("scope", "")


@groups_bp.get("/<qualified_name>")
@requires("platform.admin")
def mapping(qualified_name: str):
    definition = _definition(qualified_name)
    existing = mapping_for(definition.module, definition.key, _scope())
    if _scope() and existing is None:
        abort(404)
    text = request.args.get("q", "").strip()
    found, error = [], None
    if text:
        try:
            found = mappings.search_groups(text)
        except GraphError as graph_error:
            error = f"Entra could not be searched just now ({graph_error.code})."
    return render_page_or_block(
        "access/mapping.html", "results", definition=definition, mapping=existing, q=text, groups=found,
        error=error, form=MapGroupForm(), scope=_scope(),
        role_title=mappings.role_title(existing) if existing else definition.title,
        default_name=existing.group_name if existing else mappings.default_group_name(definition.module, definition.key),
    )


@groups_bp.post("/<qualified_name>/map")
@requires("platform.admin")
def map_group(qualified_name: str):
    definition = _definition(qualified_name)
    mappings.ensure_group_mappings()
    mapping = mapping_for(definition.module, definition.key, _scope()) or abort(404)
    form = MapGroupForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        mappings.map_group(mapping, form.group_id.data, current_user)
    except (AccessError, GraphError) as error:
        _fail(error)
        return see_other(url_for("access_groups.mapping", qualified_name=qualified_name, scope=_scope() or None))
    flash(f"{mappings.role_title(mapping)} is now mapped to {mapping.group_name}. Check the groups to see who is missing.",
          "success")
    return see_other(url_for("access_groups.index"))


@groups_bp.get("/reconcile")
@requires("platform.admin")
def reconcile_page():
    drift = reconcile.stored_drift()
    linked = reconcile.linked_mappings()
    form = ReconcileForm(fingerprint=reconcile.fingerprint(drift))
    return render_template("access/reconcile.html", drift=drift, mappings=linked, form=form,
                           role_title=mappings.role_title,
                           check_form=ConfirmForm(), actionable=[r for r in drift if r.actionable])


@groups_bp.post("/reconcile/check")
@requires("platform.admin")
def check_now():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        drift = reconcile.check_groups(graph_client())
        db.session.commit()
    except GraphError as error:
        _fail(error)
    else:
        flash(f"Checked: {len(drift)} difference{'s' if len(drift) != 1 else ''} between Entra and MyGov.", "info")
    return see_other(url_for("access_groups.reconcile_page"))


@groups_bp.post("/reconcile/apply")
@requires("platform.admin")
def apply():
    form = ReconcileForm()
    if not form.validate_on_submit():
        flash("Nothing was changed: tick the box to confirm the changes.", "error")
        return see_other(url_for("access_groups.reconcile_page"))
    try:
        count = reconcile.make_entra_match(graph_client(), form.fingerprint.data, current_user)
    except (AccessError, GraphError) as error:
        _fail(error)
    else:
        flash(f"{count} change{'s' if count != 1 else ''} to Entra groups queued; they run within seconds.", "success")
    return see_other(url_for("access_groups.reconcile_page"))


@groups_bp.post("/reconcile/remove-before-sign-in")
@requires("platform.admin")
def remove_before_sign_in():
    form = MemberForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        row = reconcile.remove_before_sign_in(form.group_id.data, form.oid.data, current_user)
    except AccessError as error:
        _fail(error)
    else:
        flash(f"{row.name} is being removed from {row.group_name}: they will not get {row.role} at sign-in.", "success")
    return see_other(url_for("access_groups.reconcile_page") + "#drift")
