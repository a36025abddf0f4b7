"""Facilities and spaces: create, edit, archive; errors by field; who may do what; every change audited."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities.models import Facility, FacilitySpace
from tests.facilities.helpers import make_facility, make_space, post
from tests.factories import staff_client


def _editor(app):
    return staff_client(app, "facilities.editor", name="Eddie Editor")[0]


def test_an_editor_creates_a_facility_and_a_space_and_both_are_audited(app):
    client = _editor(app)
    response = post(client, "/staff/facilities/new",
                    {"name": "Auburn Public Library", "building_abbreviation": "lib", "address": "749 East Thach Avenue"})
    assert response.status_code == 303
    facility = db.session.scalars(select(Facility)).one()
    assert (facility.building_abbreviation, facility.slug) == ("LIB", "auburn-public-library")
    response = post(client, f"/staff/facilities/{facility.id}/spaces/new",
                    {"name": "Program Room", "floor": "1", "capacity": "80", "accessibility_notes": "Step-free."})
    assert response.status_code == 303
    space = db.session.scalars(select(FacilitySpace)).one()
    assert (space.name, space.floor, space.capacity, space.provisioning_state) == ("Program Room", "1", 80, "none")
    page = client.get(f"/staff/facilities/{facility.id}/").get_data(as_text=True)
    assert "Program Room" in page and "No mailbox" in page
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"facility.create", "facility_space.create"} <= actions


def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(app):
    make_facility()
    client = _editor(app)
    response = post(client, "/staff/facilities/new", {"name": "Lee County Library", "building_abbreviation": "LIB"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Auburn Public Library already uses LIB" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="building_abbreviation-error' in html
    response = post(client, "/staff/facilities/new", {"name": "", "building_abbreviation": "L I B!"})
    assert response.status_code == 422 and "Enter the facility" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Facility)) == 1


def test_capacity_must_be_a_number_of_people(app):
    facility = make_facility()
    response = post(_editor(app), f"/staff/facilities/{facility.id}/spaces/new", {"name": "Annex", "capacity": "0"})
    assert response.status_code == 422 and "from 1 to 10,000" in response.get_data(as_text=True)


def test_editing_a_space_is_audited_with_before_and_after(app):
    space = make_space(make_facility())
    client = _editor(app)
    post(client, f"/staff/facilities/spaces/{space.id}/edit",
         {"name": "Program Room", "floor": "2", "capacity": "60", "accessibility_notes": ""})
    entry = db.session.scalar(select(AuditEntry).filter_by(action="facility_space.update"))
    assert entry.before["floor"] == "1" and entry.after["floor"] == "2" and entry.after["capacity"] == 60


def test_archiving_a_facility_archives_its_spaces_and_restore_brings_it_back(app):
    facility = make_facility()
    space = make_space(facility)
    client = _editor(app)
    asked = post(client, f"/staff/facilities/{facility.id}/archive", token_from=f"/staff/facilities/{facility.id}/")
    assert asked.status_code == 200 and f"Archive {facility.name}?" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert facility.archived_at is None  # asked first, nothing changed
    assert post(client, f"/staff/facilities/{facility.id}/archive", {"confirmed": "yes"},
                token_from=f"/staff/facilities/{facility.id}/").status_code == 303
    db.session.expire_all()
    assert facility.archived_at is not None and space.archived_at is not None
    link = f'href="/staff/facilities/{facility.id}/"'
    assert link not in client.get("/staff/facilities/").get_data(as_text=True)
    assert link in client.get("/staff/facilities/?archived=1").get_data(as_text=True)
    post(client, f"/staff/facilities/{facility.id}/restore", token_from=f"/staff/facilities/{facility.id}/")
    post(client, f"/staff/facilities/spaces/{space.id}/restore", token_from=f"/staff/facilities/spaces/{space.id}/")
    db.session.expire_all()
    assert facility.archived_at is None and space.archived_at is None


def test_viewers_see_but_do_not_change(app):
    facility = make_facility()
    space = make_space(facility)
    viewer, _ = staff_client(app, "facilities.viewer", name="Vic Viewer")
    page = viewer.get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)
    assert "Program Room" in page and "Edit" not in page and "Provision a room mailbox" not in page
    assert viewer.get("/staff/facilities/new").status_code == 403
    assert viewer.post(f"/staff/facilities/{facility.id}/archive").status_code in (400, 403)
    outsider, _ = staff_client(app, "calendars.editor", name="Cal Editor")
    assert outsider.get("/staff/facilities/").status_code == 403


def test_the_staff_menu_shows_facilities_to_facilities_staff(app):
    viewer, _ = staff_client(app, "facilities.viewer", name="Vic Viewer")
    assert 'href="/staff/facilities/"' in viewer.get("/staff/").get_data(as_text=True)
