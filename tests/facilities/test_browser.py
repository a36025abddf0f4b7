"""In Chromium: a facilities admin adds a facility and a space and provisions its room mailbox;
axe-core finds no violations on the facility screens."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.facilities import reconcile
from app.graph.calendar import graph_datetime
from app.jobs.models import GraphOperation
from app.jobs.queue import start_embedded_worker
from app.microsoft import graph_client
from app.sqltypes import utcnow
from tests.browser_plugin import axe_violations, describe
from tests.facilities.helpers import make_facility, make_space
from tests.factories import grant, make_employee, sign_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(app) -> Iterator[None]:
    embedded = start_embedded_worker(app, with_scheduler=False)
    yield
    embedded.stop()


def _accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {describe(violations)}"
    assert [e for e in page.console_errors if "Content Security Policy" in e] == [], what


def _signed_in_admin(app, page, live_server) -> None:
    fran = make_employee("Fran Facilities")
    grant(fran, "facilities.admin")
    sign_in_browser(app, page, live_server.url, fran)


def _room_done() -> bool:
    db.session.expire_all()
    return db.session.query(GraphOperation).filter_by(kind="create_room", status="done").count() == 1


def test_an_admin_clicks_through_provisioning_a_room(app, tenant, live_server, page, worker):
    _signed_in_admin(app, page, live_server)
    page.goto(f"{live_server.url}/staff/facilities/")
    _accessible(page, "facilities index")
    page.get_by_role("link", name="Add a facility").click()
    page.fill("#name", "Auburn Senior Center")
    page.fill("#building_abbreviation", "sc")
    page.get_by_role("button", name="Add the facility").click()
    expect(page.locator("h1")).to_have_text("Auburn Senior Center")
    _accessible(page, "facility")

    page.get_by_role("link", name="Add a space").click()
    page.fill("#name", "Craft Room")
    page.fill("#capacity", "0")
    page.get_by_role("button", name="Add the space").click()
    expect(page.locator(".usa-error-message")).to_contain_text("from 1 to 10,000")
    _accessible(page, "space form with errors")
    page.fill("#capacity", "20")
    page.fill("#floor", "2")
    page.get_by_role("button", name="Add the space").click()
    expect(page.locator("h1")).to_have_text("Craft Room")
    _accessible(page, "space")

    page.get_by_role("link", name="Provision a room mailbox").click()
    expect(page.locator("main")).to_contain_text("rm_SC_CraftRoom@auburnal.gov")
    _accessible(page, "provisioning preview")
    page.get_by_role("button", name="Create rm_SC_CraftRoom@auburnal.gov").click()
    expect(page.locator(".usa-tag")).to_have_text("Provisioning")
    _accessible(page, "space while provisioning")

    deadline = time.monotonic() + 20
    while not _room_done():
        assert time.monotonic() < deadline, "the worker did not create the room"
        time.sleep(0.2)
    page.get_by_role("button", name="Check now").click()
    expect(page.locator(".usa-tag")).to_have_text("Active")
    room = next(p for p in tenant.server.control.places() if p.get("emailAddress") == "rm_SC_CraftRoom@auburnal.gov")
    assert room["displayName"] == "Craft Room" and room["building"] == "Auburn Senior Center"


def test_the_facility_screens_have_no_axe_violations(app, tenant, live_server, page):
    _signed_in_admin(app, page, live_server)
    facility = make_facility()
    linked = make_space(facility, "Study Room A", exchange_resource_mailbox="rm_LIB_StudyRoomA@auburnal.gov",
                        provisioning_state="active")
    unlinked = make_space(facility, "Program Room")
    when = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    tenant.server.control.add_event("rm_LIB_StudyRoomA@auburnal.gov", {
        "subject": "MyGov reservation R-OLD", "categories": ["MyGov"],
        "start": graph_datetime(when), "end": graph_datetime(when + timedelta(hours=1))})
    reconcile.check_rooms(graph_client())
    screens = [
        "/staff/facilities/", f"/staff/facilities/{facility.id}/", f"/staff/facilities/{facility.id}/edit",
        f"/staff/facilities/spaces/{linked.id}/", f"/staff/facilities/spaces/{unlinked.id}/",
        f"/staff/facilities/spaces/{unlinked.id}/provision",  # refused: the dev tenant has the address
        f"/staff/facilities/spaces/{unlinked.id}/link?q=program", f"/staff/facilities/spaces/{unlinked.id}/edit",
        "/staff/facilities/reconcile",
    ]
    for path in screens:
        page.goto(live_server.url + path)
        _accessible(page, path)
    page.goto(f"{live_server.url}/staff/facilities/spaces/{linked.id}/")
    expect(page.locator("main")).to_contain_text("Two Exchange addresses, two jobs")
