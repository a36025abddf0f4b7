"""A facility mirrors its approved reservations into a SharePoint list through the outbox, with Sites.Selected."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry
from app.config import DEV_CLIENT_ID
from app.devtenant.state import DEFAULT_APP_ROLES
from app.extensions import db
from app.facilities import services as facility_services
from app.graph.client import drop_clients
from app.jobs.models import GraphOperation
from app.microsoft import graph_client
from app.reservations import services as reservation_services
from app.reservations.models import Reservation
from tests.jobs.helpers import drain
from tests.reservations.helpers import booking_form, csrf_token, make_room, next_open_day, staff, submit

SITE, LIST = "auburnal.sharepoint.com,1b6e2c4a-0f3d-4e5b-8a9c-7d2e1f0a3b4c,9c8b7a6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", "Bookings"


def _grant_only_this_site(exchange) -> None:
    """What IT does for least privilege: Sites.Selected for the app, write on the facility's one site."""
    exchange.control.set_app_roles([*(r for r in DEFAULT_APP_ROLES if not r.startswith("Sites.")),
                                    "Sites.FullControl.All"])
    drop_clients()
    graph_client().post(f"/sites/{SITE}/permissions", json={"roles": ["write"], "grantedToIdentities": [
        {"application": {"id": DEV_CLIENT_ID, "displayName": "MyGov"}}]})
    exchange.control.set_app_roles([*(r for r in DEFAULT_APP_ROLES if not r.startswith("Sites.")), "Sites.Selected"])
    drop_clients()


def _items(exchange) -> list[dict]:
    return [i["fields"] for i in exchange.control.list_items() if i["site"] == SITE and i["list"] == LIST]


def _kinds() -> list[str]:
    return list(db.session.scalars(select(GraphOperation.kind).where(GraphOperation.target_type == "sharepoint_item")
                                   .order_by(GraphOperation.id)))


def test_approved_reservations_are_mirrored_updated_and_removed_without_contact_details(app, client, exchange):
    _grant_only_this_site(exchange)
    space = make_room()
    editor, _ = staff(app, "facilities.editor", name="Fran Facilities")
    page = f"/staff/facilities/{space.facility.id}/sharepoint"
    token = csrf_token(editor, page)
    bad = editor.post(page, data={"csrf_token": token, "site_id": "https://evil.example/x", "list_id": LIST})
    assert bad.status_code == 422 and 'id="site_id-error"' in bad.get_data(as_text=True)
    half = editor.post(page, data={"csrf_token": token, "site_id": SITE, "list_id": ""})
    assert half.status_code == 422 and "Give both the site and the list" in half.get_data(as_text=True)
    assert editor.post(page, data={"csrf_token": token, "site_id": SITE, "list_id": LIST}).status_code == 303
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "facility.sharepoint")) is not None
    facility_page = editor.get(f"/staff/facilities/{space.facility.id}/").get_data(as_text=True)
    assert "without citizens&#39; contact details" in facility_page

    submit(client, space, booking_form(next_open_day(), requester_email="ann@example.org"))
    submit(client, space, booking_form(next_open_day(), start="13:00", end="14:00"))
    first, second = db.session.scalars(select(Reservation).order_by(Reservation.id)).all()
    assert _kinds() == []  # pending requests are not in the list
    approver, approver_employee = staff(app, "reservations.approver")
    with app.test_request_context():
        reservation_services.approve(first, approver_employee)
    drain()
    [item] = _items(exchange)
    assert (item["Reference"], item["Room"], item["Facility"]) == (first.reference, "Study Room A",
                                                                  "Auburn Public Library")
    assert "RequesterEmail" not in item and "ann@example.org" not in str(item)

    start_before = item["Start"]
    move = f"/staff/reservations/{first.id}/move"
    moved = approver.post(move, data={"csrf_token": csrf_token(approver, move), "space": str(space.id),
                                      "date": next_open_day().isoformat(), "start_time": "16:00", "end_time": "17:00"})
    assert moved.status_code == 303
    drain()
    [item] = _items(exchange)
    assert item["Start"] != start_before and item["Reference"] == first.reference

    facility_services.update_space(space, {"name": "Quiet Study Room", "floor": "2", "capacity": 20,
                                           "accessibility_notes": ""}, approver_employee)
    assert editor.post(page, data={"csrf_token": csrf_token(editor, page), "site_id": SITE, "list_id": LIST,
                                   "include_contact": "y"}).status_code == 303
    drain()
    [item] = _items(exchange)
    assert item["Room"] == "Quiet Study Room" and item["RequesterEmail"] == "ann@example.org"

    with app.test_request_context():
        reservation_services.deny(second, approver_employee, "Closed for cleaning")  # never mirrored: no delete
        reservation_services.cancel_by_staff(first, approver_employee, "Double-booked")
    drain()
    assert _items(exchange) == []
    assert _kinds() == ["create_list_item", "update_list_item", "update_list_item", "update_list_item",
                        "delete_list_item"]
    assert set(db.session.scalars(select(GraphOperation.status).where(
        GraphOperation.target_type == "sharepoint_item"))) == {"done"}
