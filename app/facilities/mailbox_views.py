"""Room-mailbox screens: provision, look up and link, add to Outlook (share), reconcile calendars."""
from __future__ import annotations

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import has_role, requires
from app.extensions import db
from app.facilities import provisioning, reconcile, services
from app.facilities.forms import LinkForm, ProvisionForm, RepairForm, ShareForm
from app.facilities.models import RoomCalendarShare
from app.facilities.views import confirmed, facilities_bp, get_space, refused, render_space
from app.graph import GraphError
from app.jobs.forms import ConfirmForm
from app.microsoft import graph_client
from app.web.htmx import render_page_or_block, see_other


def graph_refused(error: GraphError, back: str):
    db.session.rollback()
    flash(f"Microsoft Graph could not answer ({error.code}: {error.message}). Nothing was changed; try again.", "error")
    return see_other(back)


def space_url(space_id: int) -> str:
    return url_for("facilities.space", space_id=space_id)


@facilities_bp.get("/spaces/<int:space_id>/provision")
@requires("facilities.admin")
def provision_preview(space_id: int):
    found = get_space(space_id)
    plan, refusal = None, None
    try:
        plan = provisioning.plan(found, graph_client())
    except services.FacilitiesError as error:
        refusal = error
    except GraphError as error:
        return graph_refused(error, space_url(found.id))
    return render_template("facilities/provision.html", space=found, facility=found.facility, plan=plan,
                           refusal=refusal, form=ProvisionForm(address=plan.address if plan else ""))


@facilities_bp.post("/spaces/<int:space_id>/provision")
@requires("facilities.admin")
def provision(space_id: int):
    found = get_space(space_id)
    form = ProvisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = provisioning.provision(found, graph_client(), form.address.data, current_user)
    except services.FacilitiesError as error:
        db.session.rollback()
        return render_template("facilities/provision.html", space=found, facility=found.facility, plan=None,
                               refusal=error, form=form), 422
    except GraphError as error:
        return graph_refused(error, space_url(found.id))
    flash(f"Provisioning {plan.address}: the building, floor and room are being created in Exchange. The space "
          "shows “provisioning” until Microsoft lists the room (seconds here, up to 48 hours in a large tenant).",
          "success")
    return see_other(space_url(found.id))


@facilities_bp.post("/spaces/<int:space_id>/check")
@requires("facilities.viewer")
def check_provisioning(space_id: int):
    confirmed()
    found = get_space(space_id)
    try:
        state = provisioning.check(found, graph_client())
    except GraphError as error:
        return graph_refused(error, space_url(found.id))
    flash({"active": "The room is listed in Exchange: the mailbox is active.",
           "failed": "Exchange refused the room; see the reason below.",
           }.get(state, "Exchange does not list the room yet; MyGov checks again every few minutes."),
          "success" if state == "active" else "info")
    return see_other(space_url(found.id))


@facilities_bp.get("/spaces/<int:space_id>/link")
@requires("facilities.editor")
def link_search(space_id: int):
    found = get_space(space_id)
    query = (request.args.get("q") or "").strip()
    matches, error = [], None
    if query:
        try:
            matches = services.find_rooms(graph_client(), query)
        except services.FacilitiesError as refusal:
            error = str(refusal)
        except GraphError as failure:
            error = f"Microsoft Graph could not answer ({failure.code}); try again."
    return render_page_or_block("facilities/link.html", "results", space=found, facility=found.facility,
                                query=query, matches=matches, error=error, form=LinkForm())


@facilities_bp.post("/spaces/<int:space_id>/link")
@requires("facilities.editor")
def link(space_id: int):
    found = get_space(space_id)
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.link_room(found, graph_client(), form.address.data, current_user)
    except services.FacilitiesError as error:
        db.session.rollback()
        return render_template("facilities/link.html", space=found, facility=found.facility, query="",
                               matches=[], error=str(error), holder=error.space, form=form), 409
    except GraphError as error:
        return graph_refused(error, space_url(found.id))
    flash(f"{found.name} is now the room {found.exchange_resource_mailbox}.", "success")
    return see_other(space_url(found.id))


@facilities_bp.post("/spaces/<int:space_id>/unlink")
@requires("facilities.editor")
def unlink(space_id: int):
    confirmed()
    found = get_space(space_id)
    try:
        services.unlink_room(found, current_user)
    except services.FacilitiesError as error:
        return refused(error, space_url(found.id))
    flash("The mailbox was unlinked from this space. The room itself is unchanged in Exchange.", "success")
    return see_other(space_url(found.id))


@facilities_bp.post("/spaces/<int:space_id>/shares")
@requires("facilities.admin")
def share(space_id: int):
    found = get_space(space_id)
    form = ShareForm()
    if not form.validate_on_submit():
        return render_space(found, 422, share_form=form)
    try:
        created = services.share_calendar(found, services.staff_member(form.person.data), current_user)
    except services.FacilitiesError as error:
        db.session.rollback()
        if error.field == "person":
            form.person.errors = [str(error)]
            return render_space(found, 422, share_form=form)
        return refused(error, space_url(found.id))
    flash(f"{created.employee.display_name} can now read the room's calendar. Exchange emails them an invitation; "
          "the calendar appears in their Outlook once they accept it.", "success")
    return see_other(space_url(found.id))


@facilities_bp.post("/shares/<int:share_id>/revoke")
@requires("facilities.admin")
def revoke_share(share_id: int):
    confirmed()
    found = db.session.get(RoomCalendarShare, share_id) or abort(404)
    services.revoke_share(found, current_user)
    flash(f"{found.employee.display_name} no longer has access to the room's calendar.", "success")
    return see_other(space_url(found.space_id))


@facilities_bp.get("/reconcile")
@requires("facilities.viewer")
def reconcile_page():
    drift = reconcile.stored_drift()
    return render_template("facilities/reconcile.html", drift=drift, rooms=reconcile.room_spaces(),
                           form=RepairForm(fingerprint=reconcile.fingerprint(drift)), check_form=ConfirmForm(),
                           actionable=[r for r in drift if not r.queued],
                           can_check=has_role(current_user, "facilities.editor"),
                           can_repair=has_role(current_user, "facilities.admin"))


@facilities_bp.post("/reconcile/check")
@requires("facilities.editor")
def reconcile_check():
    confirmed()
    try:
        summary = reconcile.check_rooms(graph_client())
    except GraphError as error:
        return graph_refused(error, url_for("facilities.reconcile_page"))
    found = summary["missing"] + summary["extra"] + summary["mismatched"]
    flash(f"Checked {summary['rooms']} room calendar{'s' if summary['rooms'] != 1 else ''}: "
          f"{found} difference{'s' if found != 1 else ''}.", "info")
    return see_other(url_for("facilities.reconcile_page"))


@facilities_bp.post("/reconcile/repair")
@requires("facilities.admin")
def reconcile_repair():
    form = RepairForm()
    back = url_for("facilities.reconcile_page")
    if not form.validate_on_submit():
        flash("Nothing was changed: tick the box to confirm the repairs.", "error")
        return see_other(back)
    try:
        count = reconcile.repair(graph_client(), form.fingerprint.data, current_user)
    except services.FacilitiesError as error:
        return refused(error, back)
    except GraphError as error:
        return graph_refused(error, back)
    flash(f"{count} repair{'s' if count != 1 else ''} queued; they reach Exchange within seconds.", "success")
    return see_other(back)
