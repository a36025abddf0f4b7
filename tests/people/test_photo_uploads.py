"""Photos uploaded in MyGov: type and size checked by content, stored once by hash, shown publicly
only for employees shown publicly, and winning over the Entra photo."""
from __future__ import annotations

import io

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.web.images import content_hash, store_image
from app.people.models import EmployeeContact
from tests.factories import staff_client
from tests.people.helpers import csrf_token, employee_with_contact, png_bytes


def _upload(client, employee_id: int, data: bytes, filename: str = "me.png"):
    path = f"/staff/employees/{employee_id}"
    return client.post(f"{path}/photo", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, path), "photo": (io.BytesIO(data), filename),
    })


def _photo_path(employee_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(EmployeeContact.photo_path).where(EmployeeContact.employee_id == employee_id))


def test_an_uploaded_photo_is_stored_by_hash_and_wins_over_the_entra_photo(app, image_store):
    entra_photo = store_image(png_bytes(1, 2, 3), "png")
    target = employee_with_contact("Robin", show_publicly=True, entra_photo_path=entra_photo)
    assert _photo_path(target.id) == entra_photo
    client, _ = staff_client(app, "employees.editor", name="Editor Person")

    upload = png_bytes(200, 10, 10)
    assert _upload(client, target.id, upload).status_code == 303
    stored = _photo_path(target.id)
    assert stored != entra_photo and stored == f"{content_hash((image_store / stored).read_bytes())}.png"
    assert db.session.scalar(select(AuditEntry.action)) == "employee.photo_upload"

    public = client.get(f"/directory/photos/{stored}")
    assert public.status_code == 200 and public.mimetype == "image/png"
    assert "immutable" in public.headers["Cache-Control"]
    assert client.get(f"/directory/photos/{entra_photo}").status_code == 404  # not what the public sees

    path = f"/staff/employees/{target.id}"
    assert client.post(f"{path}/photo/use-entra", data={"csrf_token": csrf_token(client, path)}).status_code == 303
    assert _photo_path(target.id) == entra_photo


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(app, image_store):
    target = employee_with_contact("Robin")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    response = _upload(client, target.id, b"<html><script>alert(1)</script></html>", "photo.png")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="photo-error" role="alert">The photo must be a JPEG, PNG or WebP image.' in html
    assert 'aria-describedby="photo-error photo-hint"' in html
    gif = _upload(client, target.id, b"GIF89a" + b"\x00" * 20, "photo.gif")
    assert "The photo must be a JPEG, PNG or WebP image." in gif.get_data(as_text=True)
    assert not image_store.exists() or not any(image_store.iterdir())
    assert _photo_path(target.id) is None


def test_a_photo_over_the_size_limit_is_refused(app, image_store):
    target = employee_with_contact("Robin")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    app.config["PHOTO_UPLOAD_MAX_BYTES"] = "2048"
    try:
        response = _upload(client, target.id, png_bytes() + b"\x00" * 4096)
    finally:
        app.config["PHOTO_UPLOAD_MAX_BYTES"] = "2097152"
    assert response.status_code == 422
    assert "The photo must be 2 KB or smaller." in response.get_data(as_text=True)
    assert _photo_path(target.id) is None


def test_an_empty_upload_asks_for_a_photo(app):
    target = employee_with_contact("Robin")
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    assert "Choose a photo to upload." in _upload(client, target.id, b"").get_data(as_text=True)


def test_photos_of_employees_not_shown_publicly_are_not_served_publicly(app, client, image_store):
    name = store_image(png_bytes(), "png")
    employee_with_contact("Hidden", photo_override_path=name, show_publicly=False)
    assert client.get(f"/directory/photos/{name}").status_code == 404
    assert client.get("/directory/photos/..%2Fmygov.db").status_code == 404
