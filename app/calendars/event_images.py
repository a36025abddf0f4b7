"""An event's uploaded image: the same checks and store as room and staff photos (app/web/images)."""
from __future__ import annotations

from werkzeug.datastructures import FileStorage

from app.web.images import read_upload, store_upload


def store_event_image(upload: FileStorage) -> str:
    """The stored name of an uploaded image; raises ImageRefused (a message for staff) for a bad file."""
    return store_upload(read_upload(upload))
