"""Associate, rename and share, each seen on the dev tenant's side after a real worker run."""
from __future__ import annotations

from sqlalchemy import select

from app.access.models import AuditEntry
from app.extensions import db
from app.facilities.models import RoomCalendarShare
from tests.facilities.helpers import LIBRARY_ROOM, admin, make_facility, make_space, operations, post
from tests.factories import make_employee, staff_client
from tests.jobs.helpers import drain

ETHAN = "ethan.park@auburnal.gov"  # a dev tenant user with a mailbox


def _editor(app):
    return staff_client(app, "facilities.editor", name="Eddie Editor")[0]


def _ethan():
    ethan = make_employee("Ethan Park")
    ethan.mail = ethan.upn = ETHAN
    db.session.commit()
    return ethan


def _linked_space(app):
    space = make_space(make_facility())
    post(_editor(app), f"/staff/facilities/spaces/{space.id}/link", {"address": LIBRARY_ROOM},
         token_from=f"/staff/facilities/spaces/{space.id}/link")
    db.session.expire_all()
    return space


def test_search_finds_exchange_rooms_by_name_or_address_and_link_associates_one(app, tenant):
    space = make_space(make_facility())
    client = _editor(app)
    by_name = client.get(f"/staff/facilities/spaces/{space.id}/link?q=program").get_data(as_text=True)
    by_address = client.get(f"/staff/facilities/spaces/{space.id}/link?q=rm_CH_").get_data(as_text=True)
    assert LIBRARY_ROOM in by_name and "rm_CH_CouncilChambers@auburnal.gov" in by_address
    assert LIBRARY_ROOM not in by_address
    before = {p["id"]: p for p in tenant.server.control.places()}
    response = post(client, f"/staff/facilities/spaces/{space.id}/link", {"address": LIBRARY_ROOM},
                    token_from=f"/staff/facilities/spaces/{space.id}/link")
    assert response.status_code == 303
    db.session.expire_all()
    assert space.exchange_resource_mailbox == LIBRARY_ROOM and space.provisioning_state == "active"
    room = next(p for p in before.values() if p.get("emailAddress") == LIBRARY_ROOM)
    assert space.graph_place_id == room["placeId"]
    # Linking writes nothing to Exchange: the room keeps its Outlook name, recorded as the override.
    assert operations() == [] and {p["id"]: p for p in tenant.server.control.places()} == before
    assert space.mailbox_display_name == "LIB Program Room"
    assert db.session.scalar(select(AuditEntry).filter_by(action="facility_space.link_mailbox")) is not None


def test_htmx_search_returns_only_the_results_with_a_count_for_screen_readers(app, tenant):
    space = make_space(make_facility())
    response = _editor(app).get(f"/staff/facilities/spaces/{space.id}/link?q=room", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'role="status"' in html and "rooms found" in html
    assert "HX-Request" in response.headers["Vary"]


def test_an_address_linked_to_another_space_is_refused_with_a_link_to_that_space(app, tenant):
    facility = make_facility()
    holder = make_space(facility, exchange_resource_mailbox=LIBRARY_ROOM, provisioning_state="active")
    space = make_space(facility, "Annex")
    client = _editor(app)
    results = client.get(f"/staff/facilities/spaces/{space.id}/link?q=program").get_data(as_text=True)
    assert f'Linked to <a class="usa-link" href="/staff/facilities/spaces/{holder.id}/">' in results
    response = post(client, f"/staff/facilities/spaces/{space.id}/link", {"address": LIBRARY_ROOM},
                    token_from=f"/staff/facilities/spaces/{space.id}/link")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "already the mailbox of Program Room" in html
    assert f'href="/staff/facilities/spaces/{holder.id}/"' in html
    db.session.expire_all()
    assert space.exchange_resource_mailbox is None


def test_renaming_pushes_the_display_name_to_the_place_and_keeps_the_address(app, tenant):
    space = _linked_space(app)
    client = _editor(app)
    post(client, f"/staff/facilities/spaces/{space.id}/display-name",
         {"display_name": "Library Program Room (Floor 1)"}, token_from=f"/staff/facilities/spaces/{space.id}/")
    drain()
    room = next(p for p in tenant.server.control.places() if p.get("emailAddress") == LIBRARY_ROOM)
    assert room["displayName"] == "Library Program Room (Floor 1)" and room["emailAddress"] == LIBRARY_ROOM
    # Clearing the override goes back to the seed, the space's own name.
    post(client, f"/staff/facilities/spaces/{space.id}/display-name", {"display_name": ""},
         token_from=f"/staff/facilities/spaces/{space.id}/")
    drain()
    room = next(p for p in tenant.server.control.places() if p.get("emailAddress") == LIBRARY_ROOM)
    assert room["displayName"] == "Program Room"
    # Renaming the space (no override) renames the room in Outlook too; the address stays.
    post(client, f"/staff/facilities/spaces/{space.id}/edit",
         {"name": "Community Program Room", "floor": "1", "capacity": "80", "accessibility_notes": ""})
    drain()
    room = next(p for p in tenant.server.control.places() if p.get("emailAddress") == LIBRARY_ROOM)
    assert room["displayName"] == "Community Program Room"
    assert [op.status for op in operations("update_room")] == ["done", "done", "done"]


def test_a_space_without_a_mailbox_keeps_its_name_locally(app, tenant):
    space = make_space(make_facility())
    post(_editor(app), f"/staff/facilities/spaces/{space.id}/display-name", {"display_name": "Big Room"},
         token_from=f"/staff/facilities/spaces/{space.id}/")
    db.session.expire_all()
    assert space.mailbox_display_name == "Big Room" and operations() == []


def test_sharing_the_room_calendar_invites_the_staff_member_and_revoke_removes_access(app, tenant):
    space = _linked_space(app)
    _ethan()
    client = admin(app)
    response = post(client, f"/staff/facilities/spaces/{space.id}/shares", {"person": ETHAN},
                    token_from=f"/staff/facilities/spaces/{space.id}/")
    assert response.status_code == 303
    drain()
    permissions = tenant.server.control.calendar_permissions(LIBRARY_ROOM)
    assert [(p["emailAddress"]["address"], p["role"]) for p in permissions] == [(ETHAN, "read")]
    invitations = [m for m in tenant.server.control.messages(ETHAN) if "invited you" in m["subject"]]
    assert len(invitations) == 1
    page = client.get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)
    assert "Ethan Park" in page and "accept" in page  # says honestly that they must accept it in Outlook
    share = db.session.scalars(select(RoomCalendarShare)).one()
    assert share.permission_id == permissions[0]["id"]

    post(client, f"/staff/facilities/shares/{share.id}/revoke", token_from=f"/staff/facilities/spaces/{space.id}/")
    drain()
    assert tenant.server.control.calendar_permissions(LIBRARY_ROOM) == []
    assert "Ethan Park (" not in client.get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("%share%")).order_by(AuditEntry.id)))
    assert actions == ["facility_space.share_calendar", "facility_space.revoke_calendar_share"]


def test_a_revoke_before_the_share_ran_still_removes_the_permission(app, tenant):
    space = _linked_space(app)
    _ethan()
    client = admin(app)
    post(client, f"/staff/facilities/spaces/{space.id}/shares", {"person": ETHAN},
         token_from=f"/staff/facilities/spaces/{space.id}/")
    share = db.session.scalars(select(RoomCalendarShare)).one()
    post(client, f"/staff/facilities/shares/{share.id}/revoke", token_from=f"/staff/facilities/spaces/{space.id}/")
    drain()
    assert tenant.server.control.calendar_permissions(LIBRARY_ROOM) == []


def test_sharing_with_someone_unknown_is_refused_on_the_field(app, tenant):
    space = _linked_space(app)
    response = post(admin(app), f"/staff/facilities/spaces/{space.id}/shares", {"person": "nobody@auburnal.gov"},
                    token_from=f"/staff/facilities/spaces/{space.id}/")
    assert response.status_code == 422 and "No active staff member" in response.get_data(as_text=True)
    assert operations() == []


def test_editors_cannot_share(app, tenant):
    space = _linked_space(app)
    page = _editor(app).get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)
    assert "Share the room&#39;s calendar" not in page and "Share the room's calendar" not in page
    assert _editor(app).post(f"/staff/facilities/spaces/{space.id}/shares", data={"person": ETHAN}).status_code in (400, 403)


def test_access_given_in_outlook_is_listed_too(app, tenant):
    from app.graph import calendar
    from app.microsoft import graph_client
    space = _linked_space(app)
    calendar.share_calendar(graph_client(), LIBRARY_ROOM, "grace.kim@auburnal.gov", role="limitedRead", name="Grace Kim")
    page = admin(app).get(f"/staff/facilities/spaces/{space.id}/").get_data(as_text=True)
    assert "Also given access outside MyGov" in page and "grace.kim@auburnal.gov" in page and "limitedRead" in page


def test_archiving_a_space_says_its_mailbox_stays_and_upcoming_reservations_block_it(app, tenant):
    from app.extensions import limiter
    from tests.reservations.helpers import booking_form, make_room, next_open_day, submit
    limiter.reset()
    room = make_room()
    submit(app.test_client(), room, booking_form(next_open_day()))
    client = _editor(app)
    refused = post(client, f"/staff/facilities/spaces/{room.id}/archive", token_from=f"/staff/facilities/spaces/{room.id}/")
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "1 upcoming reservation" in page
    space = make_space(room.facility, "Annex", exchange_resource_mailbox=LIBRARY_ROOM, provisioning_state="active")
    done = post(client, f"/staff/facilities/spaces/{space.id}/archive", token_from=f"/staff/facilities/spaces/{space.id}/")
    assert "stays in Exchange" in client.get(done.headers["Location"]).get_data(as_text=True)
