"""The space's photo, shown to citizens on the reservation pages: upload (type, size, description
checked) and removal by facilities editors."""
from __future__ import annotations

from flask import flash, url_for
from flask_login import current_user

from app.access.permissions import requires
from app.facilities import services
from app.facilities.forms import SpacePhotoForm
from app.facilities.views import confirmed, facilities_bp, get_space, render_space
from app.web.htmx import see_other
from app.web.images import ImageRefused, read_upload


@facilities_bp.post("/spaces/<int:space_id>/photo")
@requires("facilities.editor")
def upload_photo(space_id: int):
    found = get_space(space_id)
    form = SpacePhotoForm()
    if not form.validate_on_submit():
        return render_space(found, 422, photo_form=form)
    try:
        services.set_space_photo(found, read_upload(form.photo.data), form.photo_alt.data, current_user)
    except ImageRefused as refused:
        form.photo.errors = [str(refused)]
        return render_space(found, 422, photo_form=form)
    flash("The photo is saved; citizens see it on the reservation pages.", "success")
    return see_other(url_for("facilities.space", space_id=found.id))


@facilities_bp.post("/spaces/<int:space_id>/photo/remove")
@requires("facilities.editor")
def remove_photo(space_id: int):
    confirmed()
    found = get_space(space_id)
    services.remove_space_photo(found, current_user)
    flash("The photo was removed.", "success")
    return see_other(url_for("facilities.space", space_id=found.id))
