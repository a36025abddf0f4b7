"""Internal values never reach a person: codes, ids and None read as words a city employee uses."""
from __future__ import annotations

from app.access import services
from app.access.models import GroupMapping
from app.extensions import db
from app.jobs.outbox import record_operation
from tests.factories import grant, make_employee, staff_client


def test_a_staff_member_with_no_role_is_told_whom_to_ask(app):
    admin = make_employee("Ada Admin", mail="ada.admin@auburnal.gov")
    grant(admin, "platform.admin")
    newcomer, _ = staff_client(app, name="New Person")
    html = newcomer.get("/staff/").get_data(as_text=True)
    assert "You have no MyGov role yet" in html
    assert 'href="mailto:ada.admin@auburnal.gov"' in html and "Ada Admin" in html


def test_the_audit_log_and_the_outbox_speak_in_words(app):
    admin_client, admin = staff_client(app, "platform.admin", name="Ada Admin")
    ethan = make_employee("Ethan Park")
    group_id, oid = "5aaf0f48-14a4-56d4-8b9b-0fcc4aeecdbc", "0b6a8a59-1d3c-4f0e-9d51-9f0c8e5b2a71"
    db.session.add(GroupMapping(module_key="calendars", role_key="publisher", group_name="mygov-calendars-publisher",
                                group_object_id=group_id))
    ethan.entra_oid = oid
    db.session.commit()
    services.grant_role(ethan, "calendars.publisher", admin)
    db.session.commit()
    audit = admin_client.get("/staff/access/audit").get_data(as_text=True)
    assert "Granted a role" in audit and "Role: Calendar publisher" in audit
    assert "role.grant" not in audit.split("<tbody>")[1] and "None" not in audit
    outbox = admin_client.get("/staff/ops/outbox").get_data(as_text=True)
    assert "Add Ethan Park to mygov-calendars-publisher (Calendar publisher)" in outbox
    assert f"{group_id}:{oid}"[:64] not in outbox


def test_someone_who_never_signed_in_is_said_to_get_roles_at_first_sign_in(app):
    admin_client, _ = staff_client(app, "platform.admin", name="Ada Admin")
    ethan = make_employee("Ethan Park")
    html = admin_client.get(f"/staff/access/people/{ethan.id}").get_data(as_text=True)
    assert "has not signed in yet" in html and "first sign-in" in html


def test_the_group_mappings_screen_offers_unmapped_roles_only_when_some_are(app):
    admin_client, _ = staff_client(app, "platform.admin", name="Ada Admin")
    from app.access.registry import ROLES

    assert "Unmapped roles" in admin_client.get("/staff/access/groups/").get_data(as_text=True)
    for n, role in enumerate(ROLES):
        db.session.add(GroupMapping(module_key=role.module, role_key=role.key, group_name=f"mygov-{role.module}-{role.key}",
                                    group_object_id=f"00000000-0000-4000-8000-{n:012d}"))
    db.session.commit()
    assert "Unmapped roles" not in admin_client.get("/staff/access/groups/").get_data(as_text=True)


def test_staff_pages_of_the_demo_city_show_no_internal_values(app):
    import re

    from app.access.registry import ROLES
    from app.calendars.models import CalendarEvent
    from app.demo.services import seed_demo
    from app.facilities.models import FacilitySpace

    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    client, _ = staff_client(app, *(r.qualified_name for r in ROLES))
    space = db.session.query(FacilitySpace).first()
    space.exchange_resource_mailbox, space.provisioning_state = None, "none"  # no room mailbox
    db.session.commit()
    event = db.session.query(CalendarEvent).filter(CalendarEvent.status == "published").first()
    pages = [f"/staff/facilities/spaces/{space.id}/",
             f"/staff/facilities/{db.session.query(FacilitySpace).first().facility_id}/",
             f"/staff/calendars/events/{event.id}"]
    for path in pages:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert not re.search(r">\s*None\s*<|: None\b", html), path  # a value rendered as Python's None
        for internal in ("revision 0", "Not yet:"):
            assert internal not in html, (path, internal)
