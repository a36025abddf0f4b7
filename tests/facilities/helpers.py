"""Facilities, spaces and signed-in staff for the facilities tests."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from app.jobs.models import GraphOperation
from tests.factories import staff_client

LIBRARY_ROOM = "rm_LIB_ProgramRoom@auburnal.gov"  # seeded in the dev tenant


def make_facility(name: str = "Auburn Public Library", abbreviation: str = "LIB", slug: str | None = None) -> Facility:
    facility = Facility(name=name, slug=slug or abbreviation.lower(), building_abbreviation=abbreviation,
                        address="749 East Thach Avenue, Auburn, AL 36830")
    db.session.add(facility)
    db.session.commit()
    return facility


def make_space(facility: Facility, name: str = "Program Room", floor: str | None = "1", **fields: object) -> FacilitySpace:
    space = FacilitySpace(facility=facility, name=name, slug=re.sub(r"\W+", "-", name.lower()), floor=floor,
                          capacity=80, **fields)
    db.session.add(space)
    db.session.commit()
    return space


def csrf_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None, *, token_from: str | None = None):
    token = csrf_token(client, token_from or path)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def admin(app, name: str = "Fran Facilities") -> FlaskClient:
    return staff_client(app, "facilities.admin", name=name)[0]


def operations(kind: str | None = None) -> list[GraphOperation]:
    query = db.session.query(GraphOperation)
    if kind:
        query = query.filter_by(kind=kind)
    return query.order_by(GraphOperation.id).all()
