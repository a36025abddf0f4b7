"""The image store (staff photos, room photos): kept once under the SHA-256 of their bytes, so an unchanged photo
is never written again and a name can be cached for ever."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from pathlib import Path

from flask import Response, abort, current_app, send_file
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from app.config import INSTANCE_DIR

# Type by content (Pillow's decoders for these three formats only), never by the name or the
# Content-Type the sender claims.
KINDS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")
CACHE_SECONDS = 365 * 24 * 3600  # stored names are content hashes: they never change


class ImageRefused(ValueError):
    """An upload that is not an image MyGov keeps; the message is for the person who sent it."""


def upload_limit() -> int:
    return int(current_app.config["PHOTO_UPLOAD_MAX_BYTES"])


def readable_size(size: int) -> str:
    return f"{size / 1048576:g} MB" if size >= 1048576 else f"{size / 1024:g} KB"


def read_upload(upload: FileStorage | None) -> bytes:
    """At most one byte past the limit, so an oversized upload is refused without reading it all."""
    return upload.stream.read(upload_limit() + 1) if upload else b""


def store_upload(data: bytes) -> str:
    """Check an uploaded photo (present, small enough, a JPEG/PNG/WebP image) and store it re-encoded."""
    if not data:
        raise ImageRefused("Choose a photo to upload.")
    if len(data) > upload_limit():
        raise ImageRefused(f"The photo must be {readable_size(upload_limit())} or smaller.")
    return store_image(*clean_image(data))


def clean_image(data: bytes) -> tuple[bytes, str]:
    """The image decoded and encoded afresh, and its kind; ImageRefused for anything else.

    Decoding is what proves a file is an image (a signature proves nothing), the pixel limit is read
    from the header before any pixel is decoded (a 30000x30000 PNG of a few KB would take 900 MB),
    and the new file carries no metadata: no EXIF (a phone's GPS position), no comments, no profile.
    """
    max_pixels = int(current_app.config["IMAGE_MAX_PIXELS"])
    too_large = ImageRefused(f"The photo must be at most {max_pixels / 1e6:g} megapixels.")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard (far above our limit) refuses at open; ours reads the header.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(KINDS)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise too_large
                kind = KINDS[image.format]
                upright = ImageOps.exif_transpose(image)  # the way it was taken, before EXIF goes
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise too_large from error
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageRefused("The photo must be a JPEG, PNG or WebP image.") from error
    return _encode(upright, kind), kind


def _encode(image: Image.Image, kind: str) -> bytes:
    image.info = {}  # Pillow would copy a profile, comments or EXIF from here
    if kind == "jpg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    if kind == "jpg":
        image.save(out, "JPEG", quality=88, optimize=True)
    elif kind == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=88)
    return out.getvalue()


def image_store_dir() -> Path:
    return Path(current_app.config.get("IMAGE_STORE_DIR") or INSTANCE_DIR / "images")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_image(data: bytes, kind: str) -> str:
    """Write the image unless the store already has these bytes; returns its stored name."""
    name = f"{content_hash(data)}.{kind}"
    directory = image_store_dir()
    target = directory / name
    if target.exists():
        return name
    directory.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so a reader never sees half a photo.
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, target)
    return name


def stored_image_path(name: str) -> Path | None:
    """The file behind a stored name, or None when the name is not one the store makes."""
    if not STORED_NAME.match(name):
        return None
    path = image_store_dir() / name
    return path if path.is_file() else None


def image_response(name: str) -> Response:
    """A stored image, cached for ever (its name is its hash); 404 for any other name."""
    path = stored_image_path(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=MIMETYPES[path.suffix.lstrip(".")], max_age=CACHE_SECONDS)
    response.headers["Cache-Control"] += ", immutable"
    return response
