"""The facility's SharePoint list screen (on the facilities blueprint)."""
from __future__ import annotations

from flask import flash, render_template, request, url_for
from flask_login import current_user

from app.access.permissions import requires
from app.facilities import sharepoint
from app.facilities.forms import SharePointListForm
from app.facilities.views import facilities_bp, get_facility
from app.web.htmx import see_other


@facilities_bp.route("/<int:facility_id>/sharepoint", methods=["GET", "POST"])
@requires("facilities.editor")
def sharepoint_list(facility_id: int):
    facility = get_facility(facility_id)
    form = SharePointListForm()
    if request.method == "GET":
        form.site_id.data, form.list_id.data = facility.sharepoint_site_id, facility.sharepoint_list_id
        form.include_contact.data = facility.sharepoint_include_contact
    elif form.validate_on_submit():
        try:
            queued = sharepoint.configure(facility, form.site_id.data or "", form.list_id.data or "",
                                          form.include_contact.data, current_user)
        except sharepoint.ListSettingsError as error:
            for name, message in error.errors.items():
                form[name].errors = [*form[name].errors, message]
        else:
            if not facility.mirrors_to_sharepoint:
                flash("Approved reservations are no longer added to a SharePoint list. Items already there stay.",
                      "success")
            else:
                flash(f"Saved. {queued} upcoming approved reservation{'s' if queued != 1 else ''} "
                      f"{'are' if queued != 1 else 'is'} being written to the list now.", "success")
            return see_other(url_for("facilities.facility", facility_id=facility.id))
    status = 422 if form.is_submitted() else 200
    return render_template("facilities/sharepoint.html", facility=facility, form=form), status
