"""Seeding rules: which Entra groups, departments and job titles give which roles at sign-in."""
from __future__ import annotations

from flask import Blueprint, abort, flash, url_for
from flask_login import current_user

from app.access import scopes, seeding
from app.access.forms import SeedingRuleForm
from app.access.models import SeedingRule
from app.access.permissions import requires
from app.access.registry import ROLES
from app.access.services import AccessError
from app.extensions import db
from app.graph import GraphError
from app.jobs.forms import ConfirmForm
from app.web.htmx import render_page_or_block, see_other

seeding_bp = Blueprint("access_seeding", __name__, url_prefix="/staff/access/seeding")


def _page(form: SeedingRuleForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_page_or_block(
        "access/seeding.html", "rules", rules=[(rule, seeding.describe(rule)) for rule in seeding.rules()],
        form=form or SeedingRuleForm().with_choices(list(ROLES)), roles=ROLES,
        scope_choices={kind: scopes.choices(kind) for kind in scopes.KIND_TITLES},
    ), status


@seeding_bp.get("/")
@requires("platform.admin")
def rules_page() -> tuple[str, int]:
    return _page()


@seeding_bp.post("/")
@requires("platform.admin")
def add_rule():
    form = SeedingRuleForm().with_choices(list(ROLES))
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        rule = seeding.add_rule(form.source_kind.data, form.value.data, form.role.data, form.scope.data or "",
                                current_user)
    except (AccessError, GraphError) as error:
        db.session.rollback()
        if isinstance(error, AccessError):
            getattr(form, error.field or "value").errors = [str(error)]
        else:
            form.value.errors = [f"Entra could not be searched just now ({error.code}); nothing was added."]
        return _page(form, 422)
    flash(f"Added: {seeding.describe(rule)}. It applies at each person's next sign-in.", "success")
    db.session.commit()
    return see_other(url_for("access_seeding.rules_page"))


@seeding_bp.post("/<int:rule_id>/remove")
@requires("platform.admin")
def remove_rule(rule_id: int):
    rule = db.get_or_404(SeedingRule, rule_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    described = seeding.describe(rule)
    seeding.remove_rule(rule, current_user)
    db.session.commit()
    flash(f"Removed: {described}. The roles it gave were taken back.", "success")
    return see_other(url_for("access_seeding.rules_page"))
