"""Small helpers for the people tests: CSRF tokens from rendered forms, and real image bytes."""
from __future__ import annotations

import re
import struct
import zlib

from flask.testing import FlaskClient


def csrf_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def png_bytes(red: int = 0, green: int = 94, blue: int = 162) -> bytes:
    """A valid 1x1 PNG of one colour: different colours give different bytes (and hashes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, green, blue]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def employee_with_contact(name: str = "Pat Staff", **fields: object):
    """An employee as a sync would leave it: with its EmployeeContact computed."""
    from app.extensions import db
    from app.people.contacts import refresh_contacts
    from tests.factories import make_employee

    employee = make_employee(name)
    for column, value in fields.items():
        setattr(employee, column, value)
    db.session.flush()
    refresh_contacts([employee.id])
    db.session.commit()
    return employee
