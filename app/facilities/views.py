"""Staff screens for facilities and spaces: parse the request, call a service, render.

The room-mailbox screens (provision, link, share, reconcile) are in mailbox_views.py, on the same
blueprint.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.access.permissions import has_role, requires
from app.calendars.models import Calendar
from app.extensions import db
from app.facilities import provisioning, services
from app.facilities.forms import DisplayNameForm, FacilityForm, ProvisionForm, ShareForm, SpaceForm, SpacePhotoForm
from app.facilities.models import Facility, FacilitySpace
from app.jobs.forms import ConfirmForm
from app.microsoft import graph_client
from app.web.confirm import Confirmation, ask_first
from app.web.htmx import see_other
from app.jobs.queries import waiting_for_it
from app.web.images import readable_size, upload_limit

FACILITY_FIELDS = (("name", "input"), ("building_abbreviation", "input"), ("address", "textarea"))
SPACE_FIELDS = (("name", "input"), ("floor", "input"), ("capacity", "input"), ("accessibility_notes", "textarea"))

facilities_bp = Blueprint("facilities", __name__, url_prefix="/staff/facilities")


def get_facility(facility_id: int) -> Facility:
    return db.session.get(Facility, facility_id) or abort(404)


def get_space(space_id: int) -> FacilitySpace:
    return db.session.get(FacilitySpace, space_id) or abort(404)


def invalid(template: str, form: Any, error: services.FacilitiesError | None = None, **context: Any):
    """The form again with its errors tied to fields: 422, nothing saved."""
    db.session.rollback()
    if error is not None:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, str(error)]
        else:
            flash(str(error), "error")
    return render_template(template, form=form, **context), 422


def refused(error: services.FacilitiesError, back: str):
    db.session.rollback()
    flash(str(error), "error")
    return see_other(back)


def confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


@facilities_bp.get("/")
@requires("facilities.viewer")
def index():
    show_archived = request.args.get("archived") == "1"
    query = select(Facility).order_by(Facility.name)
    if not show_archived:
        query = query.where(Facility.archived_at.is_(None))
    return render_template("facilities/index.html", facilities=db.session.scalars(query).all(),
                           show_archived=show_archived, can_edit=has_role(current_user, "facilities.editor"),
                           provisioning_count=provisioning.spaces_provisioning())


def form_page(form: Any, save: Callable[[], Any], done: Callable[[Any], str], message: str, **context: Any):
    """GET shows the form; a valid POST saves and redirects (303); otherwise 422 with the errors by field."""
    if not form.validate_on_submit():
        return render_template("facilities/form_page.html", form=form, **context), 422 if form.is_submitted() else 200
    try:
        saved = save()
    except services.FacilitiesError as error:
        return invalid("facilities/form_page.html", form, error, **context)
    flash(message.format(saved=saved), "success")
    return see_other(done(saved))


@facilities_bp.route("/new", methods=["GET", "POST"])
@requires("facilities.editor")
def new_facility():
    form = FacilityForm()
    return form_page(form, lambda: services.create_facility(form.data, current_user),
                     lambda saved: url_for("facilities.facility", facility_id=saved.id), "{saved.name} was created.",
                     title="Add a facility", fields=FACILITY_FIELDS, submit="Add the facility",
                     cancel=url_for("facilities.index"))


@facilities_bp.get("/<int:facility_id>/")
@requires("facilities.viewer")
def facility(facility_id: int):
    found = get_facility(facility_id)
    return render_template("facilities/facility.html", facility=found, form=ConfirmForm(),
                           can_edit=has_role(current_user, "facilities.editor"),
                           archive_consequence=_archive_consequence(found))


def _archive_consequence(facility: Facility) -> str:
    return (f"{facility.name} and all its spaces leave the staff lists and the public pages, and residents can no "
            "longer reserve its rooms. Room mailboxes stay in Exchange. You can restore the facility later, then "
            "each space.")


@facilities_bp.route("/<int:facility_id>/edit", methods=["GET", "POST"])
@requires("facilities.editor")
def edit_facility(facility_id: int):
    found = get_facility(facility_id)
    form = FacilityForm(obj=found)
    back = url_for("facilities.facility", facility_id=found.id)
    return form_page(form, lambda: services.update_facility(found, form.data, current_user), lambda _: back, "Saved.",
                     title=f"Edit {found.name}", fields=FACILITY_FIELDS, submit="Save", cancel=back)


@facilities_bp.post("/<int:facility_id>/archive")
@requires("facilities.editor")
def archive_facility(facility_id: int):
    confirmed()
    found = get_facility(facility_id)
    asked = ask_first(Confirmation(f"Archive {found.name}?", _archive_consequence(found), f"Archive {found.name}",
                                   url_for("facilities.facility", facility_id=found.id)))
    if asked:
        return asked
    count = services.archive_facility(found, current_user)
    flash(f"{found.name} and its {count} space{'s' if count != 1 else ''} were archived.", "success")
    return see_other(url_for("facilities.facility", facility_id=found.id))


@facilities_bp.post("/<int:facility_id>/restore")
@requires("facilities.editor")
def restore_facility(facility_id: int):
    confirmed()
    found = get_facility(facility_id)
    services.restore_facility(found, current_user)
    flash(f"{found.name} was restored; restore the spaces you need.", "success")
    return see_other(url_for("facilities.facility", facility_id=found.id))


@facilities_bp.route("/<int:facility_id>/spaces/new", methods=["GET", "POST"])
@requires("facilities.editor")
def new_space(facility_id: int):
    found = get_facility(facility_id)
    form = SpaceForm()
    return form_page(form, lambda: services.create_space(found, form.data, current_user),
                     lambda saved: url_for("facilities.space", space_id=saved.id), "{saved.name} was added.",
                     title=f"Add a space to {found.name}", fields=SPACE_FIELDS, submit="Add the space",
                     cancel=url_for("facilities.facility", facility_id=found.id))


@facilities_bp.get("/spaces/<int:space_id>/")
@requires("facilities.viewer")
def space(space_id: int):
    found = get_space(space_id)
    return render_space(found)


def render_space(found: FacilitySpace, status: int = 200, **forms: Any):
    mailbox = (found.exchange_resource_mailbox or "").lower()
    calendars = db.session.scalars(select(Calendar).where(
        func.lower(Calendar.exchange_calendar_address) == mailbox)).all() if mailbox else []
    context = {
        "space": found, "facility": found.facility, "calendars": calendars,
        "waiting": waiting_for_it(mailbox).get(mailbox, []) if mailbox else [],
        "attempt": provisioning.latest_attempt(found), "form": ConfirmForm(),
        "name_form": forms.get("name_form") or DisplayNameForm(display_name=found.mailbox_display_name_override or ""),
        "share_form": forms.get("share_form") or ShareForm(), "provision_form": ProvisionForm(),
        "photo_form": forms.get("photo_form") or SpacePhotoForm(photo_alt=found.photo_alt or ""),
        "shares": [s for s in found.calendar_shares if s.status == "invited"],
        "others": services.access_given_elsewhere(found, graph_client()),
        "max_photo_size": readable_size(upload_limit()),
        "can_edit": has_role(current_user, "facilities.editor"), "is_admin": has_role(current_user, "facilities.admin"),
    }
    return render_template("facilities/space.html", **context), status


@facilities_bp.route("/spaces/<int:space_id>/edit", methods=["GET", "POST"])
@requires("facilities.editor")
def edit_space(space_id: int):
    found = get_space(space_id)
    form = SpaceForm(obj=found)
    back = url_for("facilities.space", space_id=found.id)
    note = None
    if found.exchange_resource_mailbox and not found.mailbox_display_name_override:
        note = (f"Outlook's room finder shows this space's name; a new name is sent there when you save. "
                f"The mailbox address ({found.exchange_resource_mailbox}) does not change.")
    return form_page(form, lambda: services.update_space(found, form.data, current_user), lambda _: back, "Saved.",
                     title=f"Edit {found.name}", fields=SPACE_FIELDS, submit="Save", cancel=back, note=note)


@facilities_bp.post("/spaces/<int:space_id>/archive")
@requires("facilities.editor")
def archive_space(space_id: int):
    confirmed()
    found = get_space(space_id)
    back = url_for("facilities.space", space_id=found.id)
    try:
        services.archive_space(found, current_user)
    except services.FacilitiesError as error:
        return refused(error, back)
    kept = (f" Its room mailbox {found.exchange_resource_mailbox} stays in Exchange (Graph cannot delete rooms; "
            "IT removes it with Remove-Mailbox if it should go).") if found.exchange_resource_mailbox else ""
    flash(f"{found.name} was archived; citizens can no longer reserve it.{kept}", "success")
    return see_other(back)


@facilities_bp.post("/spaces/<int:space_id>/restore")
@requires("facilities.editor")
def restore_space(space_id: int):
    confirmed()
    found = get_space(space_id)
    services.restore_space(found, current_user)
    if found.archived_at is not None:
        flash(f"Restore {found.facility.name} first.", "error")
    else:
        flash(f"{found.name} was restored.", "success")
    return see_other(url_for("facilities.space", space_id=found.id))


@facilities_bp.post("/spaces/<int:space_id>/display-name")
@requires("facilities.editor")
def display_name(space_id: int):
    found = get_space(space_id)
    form = DisplayNameForm()
    if not form.validate_on_submit():
        return render_space(found, 422, name_form=form)
    services.set_display_name(found, form.display_name.data, current_user)
    pushed = found.exchange_resource_mailbox and found.provisioning_state in ("active", "provisioning")
    flash(f"Outlook's room finder will show “{found.mailbox_display_name}”"
          + (" within seconds; the address stays the same." if pushed else " once the space has a room mailbox."),
          "success")
    return see_other(url_for("facilities.space", space_id=found.id))


from app.facilities import (  # noqa: E402,F401  (routes on this blueprint)
    closure_views, exemption_views, mailbox_views, photo_views, reservation_settings_views, sharepoint_views,
)
