"""Uploaded photos are decoded, held to a pixel limit and stored without their metadata."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from app.web.images import ImageRefused, clean_image, store_upload
from tests.factories import staff_client


def _photo_with_exif() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90 degrees clockwise
    exif[0x8825] = {2: (32.0, 36.0, 0.0), 4: (85.0, 29.0, 0.0)}  # GPS: where the photo was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def _bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A valid PNG header of `width` x `height` greyscale pixels: the file is tiny, decoding it is not."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compressobj(9)
    body = b"".join(rows.compress(b"\0" * (width + 1)) for _ in range(64)) + rows.flush()  # a few rows only
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_a_photo_is_stored_upright_without_exif_gps_or_comments(app):
    original = _photo_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()[0x010F] == "PhoneMaker"
    cleaned, kind = clean_image(original)
    image = Image.open(io.BytesIO(cleaned))
    assert kind == "jpg" and image.format == "JPEG"
    assert dict(image.getexif()) == {} and "comment" not in image.info and "exif" not in image.info
    assert image.size == (20, 40)  # turned the way the phone said, since the EXIF that said so is gone
    assert b"PhoneMaker" not in cleaned and b"taken at home" not in cleaned


@pytest.mark.parametrize("size", [(30000, 30000), (6000, 5000)])  # Pillow's own guard; only ours
def test_a_decompression_bomb_is_refused_from_its_header(app, tmp_path, size):
    app.config["IMAGE_STORE_DIR"] = str(tmp_path)
    bomb = _bomb_png(*size)
    assert len(bomb) < 2_000_000  # under the byte limit: only decoding would show what it is
    with pytest.raises(ImageRefused, match="at most 25 megapixels"):
        store_upload(bomb)
    assert list(tmp_path.iterdir()) == []


def test_the_upload_screen_says_so_on_the_field_and_keeps_nothing(app, tmp_path):
    from tests.people.helpers import csrf_token, employee_with_contact

    app.config["IMAGE_STORE_DIR"] = str(tmp_path)
    target = employee_with_contact("Robin", show_publicly=True)
    client, _ = staff_client(app, "employees.editor", name="Editor Person")
    path = f"/staff/employees/{target.id}/photo"
    token = csrf_token(client, f"/staff/employees/{target.id}")
    for data, said in ((_bomb_png(), "megapixels"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "JPEG, PNG or WebP")):
        response = client.post(path, data={"csrf_token": token, "photo": (io.BytesIO(data), "me.png")},
                               content_type="multipart/form-data")
        assert response.status_code == 422 and said in response.get_data(as_text=True)
    assert list(tmp_path.iterdir()) == []


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/reservations/library/study-room-a/", data={"purpose": "x" * 4096})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
