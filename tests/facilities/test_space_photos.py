"""A space's photo: editors upload it with a description; citizens see it on the reservation pages."""
from __future__ import annotations

import io
from datetime import time

from PIL import Image

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities.models import ReservationConfig
from tests.facilities.helpers import csrf_token, make_facility, make_space
from tests.factories import staff_client
from tests.people.helpers import png_bytes


def _upload(client, space, data: bytes, alt: str = "Tables set for a workshop under tall windows."):
    page = f"/staff/facilities/spaces/{space.id}/"
    return client.post(f"{page}photo", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, page), "photo_alt": alt, "photo": (io.BytesIO(data), "room.png")})


def _reservable_space():
    space = make_space(make_facility(), exchange_resource_mailbox="rm_LIB_ProgramRoom@auburnal.gov")
    space.reservation_config = ReservationConfig(open_time=time(9), close_time=time(20))
    db.session.commit()
    return space


def test_citizens_see_the_photo_with_its_description_on_both_reservation_pages(app, client):
    space = _reservable_space()
    editor, _ = staff_client(app, "facilities.editor")
    assert _upload(editor, space, png_bytes()).status_code == 303
    db.session.refresh(space)
    alt = 'alt="Tables set for a workshop under tall windows."'
    for page in ("/reservations/", f"/reservations/{space.facility.slug}/{space.slug}/"):
        html = client.get(page).get_data(as_text=True)
        assert f"/reservations/photos/{space.photo_path}" in html and alt in html
    photo = client.get(f"/reservations/photos/{space.photo_path}")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert Image.open(io.BytesIO(photo.data)).convert("RGB").getpixel((0, 0)) == (0, 94, 162)  # re-encoded
    entry = db.session.query(AuditEntry).filter_by(action="facility_space.photo").one()
    assert entry.after["photo_alt"].startswith("Tables set")


def test_a_bad_upload_is_refused_on_its_field_and_changes_nothing(app):
    space = _reservable_space()
    editor, _ = staff_client(app, "facilities.editor")
    not_an_image = _upload(editor, space, b"%PDF-1.7 not a photo")
    assert not_an_image.status_code == 422
    assert "The photo must be a JPEG, PNG or WebP image." in not_an_image.get_data(as_text=True)
    app.config["PHOTO_UPLOAD_MAX_BYTES"] = "64"
    too_big = _upload(editor, space, png_bytes() + b"\0" * 100)
    assert too_big.status_code == 422 and "The photo must be 0.0625 KB or smaller." in too_big.get_data(as_text=True)
    app.config["PHOTO_UPLOAD_MAX_BYTES"] = "2097152"
    no_description = _upload(editor, space, png_bytes(), alt="")
    assert no_description.status_code == 422
    assert "Describe the photo for people who cannot see it." in no_description.get_data(as_text=True)
    db.session.refresh(space)
    assert space.photo_path is None and db.session.query(AuditEntry).count() == 0


def test_removing_the_photo_takes_it_off_the_public_pages(app, client):
    space = _reservable_space()
    editor, _ = staff_client(app, "facilities.editor")
    _upload(editor, space, png_bytes())
    db.session.refresh(space)
    name = space.photo_path
    page = f"/staff/facilities/spaces/{space.id}/"
    editor.post(f"{page}photo/remove", data={"csrf_token": csrf_token(editor, page)})
    db.session.refresh(space)
    assert space.photo_path is None
    assert name not in client.get("/reservations/").get_data(as_text=True)
    assert client.get(f"/reservations/photos/{name}").status_code == 404


def test_viewers_see_the_photo_but_cannot_change_it(app):
    space = _reservable_space()
    viewer, _ = staff_client(app, "facilities.viewer")
    assert "Upload a photo" not in viewer.get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)
    assert viewer.post(f"/staff/facilities/spaces/{space.id}/photo").status_code in (400, 403)
