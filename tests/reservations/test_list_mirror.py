"""A facility mirrors its approved reservations into a SharePoint list through the outbox: the item
is created on approval and changed on cancellation, without citizens' contact details unless the
facility turns them on, with only Sites.Selected on that one site."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry
from app.devtenant.state import DEFAULT_APP_ROLES
from app.extensions import db
from app.graph.client import drop_clients
from app.reservations.models import Reservation
from tests.jobs.helpers import drain
from tests.reservations.helpers import booking_form, csrf_token, make_room, next_open_day, staff, submit

SITE = "auburnal.sharepoint.com,2c3b6f6e-9d1a-4f0e-8a51-0c1d2e3f4a5b,7e8f9a0b-1c2d-4e3f-9a5b-6c7d8e9f0a1b"
OTHER_SITE = "auburnal.sharepoint.com,11111111-2222-4333-8444-555555555555,66666666-7777-4888-9999-000000000000"
LIST = "0b3c6b4e-1d2f-4a5b-8c9d-0e1f2a3b4c5d"


def _least_privilege(tenant) -> None:
    """The app has Sites.Selected only, and IT granted it write on the facility's site alone."""
    tenant.set_app_roles([r for r in DEFAULT_APP_ROLES if not r.startswith("Sites.")] + ["Sites.Selected"])
    tenant.grant_site(SITE, "write")
    drop_clients()


def _configure(app, space, site: str = SITE, contacts: bool = False):
    admin, _ = staff(app, "facilities.admin", name="Fay Facilities")
    page = f"/staff/sharepoint/{space.facility_id}"
    data = {"site_id": site, "list_id": LIST, "enabled": "yes", "csrf_token": csrf_token(admin, page)}
    if contacts:
        data["include_contacts"] = "yes"
    return admin, admin.post(page, data=data)


def _approve(app, client, space, start: str = "10:00", end: str = "11:00") -> Reservation:
    submit(client, space, booking_form(next_open_day(), start, end))
    reservation = db.session.scalars(select(Reservation).order_by(Reservation.id.desc())).first()
    approver, _ = staff(app, "reservations.approver", name="Alex Approver")
    page = f"/staff/reservations/{reservation.id}"
    assert approver.post(page + "/approve", data={"csrf_token": csrf_token(approver, page)}).status_code == 303
    return reservation


def test_approved_reservations_are_mirrored_and_cancellations_update_the_item(app, client, tenant):
    _least_privilege(tenant)
    space = make_room()
    admin, saved = _configure(app, space)
    assert saved.status_code == 303
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "facility.list_mirror"))

    reservation = _approve(app, client, space)
    drain()
    (item,) = tenant.list_items()
    fields = item["fields"]
    assert (item["site"], item["list"]) == (SITE, LIST)
    assert (fields["Title"], fields["Room"], fields["Facility"], fields["Status"]) == (
        reservation.reference, "Study Room A", "Auburn Public Library", "Approved")
    assert "RequesterEmail" not in fields and "ann@example.org" not in str(fields)  # no contact details

    approver, _ = staff(app, "reservations.approver", name="Alex Approver")
    page = f"/staff/reservations/{reservation.id}"
    moved = approver.post(page + "/move", data={"csrf_token": csrf_token(approver, page + "/move"),
                                                "space": str(space.id), "date": next_open_day().isoformat(),
                                                "start_time": "12:00", "end_time": "13:00"})
    assert moved.status_code == 303
    drain()
    (item,) = tenant.list_items()
    assert "T12:00:00" in item["fields"]["Start"] and item["fields"]["Status"] == "Approved"  # the move followed

    approver.post(page + "/cancel", data={"csrf_token": csrf_token(approver, page), "reason": "Closed",
                                          "confirmed": "yes"})
    drain()
    (item,) = tenant.list_items()
    assert item["fields"]["Status"] == "Cancelled"

    pending = submit(client, space, booking_form(next_open_day(), "15:00", "16:00"))
    assert pending.status_code in (200, 303)
    drain()
    assert len(tenant.list_items()) == 1  # a pending request is not mirrored


def test_contact_details_only_when_turned_on_and_a_site_not_granted_is_refused(app, client, tenant):
    _least_privilege(tenant)
    space = make_room()
    admin, refused = _configure(app, space, site="not a site id")
    assert refused.status_code == 422 and 'id="site_id-error"' in refused.get_data(as_text=True)

    _configure(app, space, contacts=True)
    _approve(app, client, space)
    drain()
    (item,) = tenant.list_items()
    assert item["fields"]["RequesterEmail"] == "ann@example.org" and item["fields"]["RequesterName"] == "Ann Citizen"

    _configure(app, space, site=OTHER_SITE)  # IT granted nothing on this site: Sites.Selected refuses
    _approve(app, client, space, "13:00", "14:00")
    drain()
    from app.jobs.models import GraphOperation

    refused_write = db.session.scalars(select(GraphOperation).where(GraphOperation.kind == "create_list_item")
                                       .order_by(GraphOperation.id.desc())).first()
    assert refused_write.status in ("failed", "dead") and refused_write.last_error_code
    assert len(tenant.list_items()) == 1
