"""Roles from Entra groups at sign-in: the groups claim, the overage marker, and manual roles that stay."""
from __future__ import annotations

from sqlalchemy import select

from app.access.mappings import link_groups_by_name
from app.access.models import RoleAssignment
from app.access.services import grant_role, revoke_role
from app.extensions import db
from app.graph import groups
from app.microsoft import graph_client
from app.people.models import Employee
from tests.factories import grant, make_employee

DANA = "dana.whitfield@auburnal.gov"  # 215 committee groups + mygov-calendars-publisher + 2 more
ETHAN = "ethan.park@auburnal.gov"  # in no mygov-* group
CALENDAR_EDITORS = "5aaf0f48-14a4-56d4-8b9b-0fcc4aeecdbc"


def _roles(upn_or_employee) -> dict[str, str]:
    employee = upn_or_employee if isinstance(upn_or_employee, Employee) else db.session.scalar(
        select(Employee).where(Employee.upn == upn_or_employee))
    return {f"{a.module_key}.{a.role_key}": a.source for a in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.employee_id == employee.id))}


def test_a_user_in_250_groups_signs_in_and_gets_the_mapped_roles(app, tenant, dev_sign_in, forge_id_tokens):
    tenant.update_settings(groups_replication_reads=0)  # the arrangement: groups made long ago
    graph = graph_client()
    dana = dev_sign_in.user_id(DANA)
    for number in range(32):
        group = groups.create_security_group(graph, f"Auburn Task Force {number:02d}", f"auburn-task-force-{number:02d}")
        groups.add_group_member(graph, group["id"], dana)
    assert len(groups.member_group_ids(graph, dana)) == 250
    groups.add_group_member(graph, CALENDAR_EDITORS, dana)  # 251, and a second mapped role
    issued: list[dict] = []
    forge_id_tokens(lambda claims: issued.append(dict(claims)))

    response = dev_sign_in(app.test_client(), DANA)

    assert response.status_code == 302
    assert "groups" not in issued[0] and issued[0]["_claim_names"] == {"groups": "src1"}  # the overage marker
    assert _roles(DANA) == {"calendars.publisher": "entra-seed", "calendars.editor": "entra-seed"}


def test_later_sign_ins_add_newly_mapped_roles_and_keep_manual_ones(app, dev_sign_in, tenant):
    dev_sign_in(app.test_client(), ETHAN)
    ethan = db.session.scalar(select(Employee).where(Employee.upn == ETHAN))
    assert _roles(ethan) == {}
    admin = make_employee("Admin")
    grant(admin, "platform.admin")
    grant_role(ethan, "facilities.viewer", admin)  # by hand: Ethan is in no facilities group
    groups.add_group_member(graph_client(), CALENDAR_EDITORS, ethan.entra_oid)  # IT adds him to a mapped group

    dev_sign_in(app.test_client(), ETHAN)  # re-seeding

    assert _roles(ethan) == {"facilities.viewer": "manual", "calendars.editor": "entra-seed"}


def test_manual_roles_survive_re_seeding_even_for_a_role_whose_group_lacks_the_person(app, dev_sign_in):
    admin = make_employee("Admin")
    grant(admin, "platform.admin")
    dev_sign_in(app.test_client(), DANA)
    dana = db.session.scalar(select(Employee).where(Employee.upn == DANA))
    grant_role(dana, "platform.admin", admin)
    grant_role(dana, "employees.editor", admin)
    for _ in range(2):
        dev_sign_in(app.test_client(), DANA)
    assert _roles(dana) == {"calendars.publisher": "entra-seed", "platform.admin": "manual",
                            "employees.editor": "manual"}


def test_a_role_revoked_in_mygov_is_not_handed_back_by_the_group_claim(app, dev_sign_in):
    admin = make_employee("Admin")
    grant(admin, "platform.admin")
    dev_sign_in(app.test_client(), DANA)
    dana = db.session.scalar(select(Employee).where(Employee.upn == DANA))
    revoke_role(dana, "calendars.publisher", admin)  # the removal from the group is still queued
    dev_sign_in(app.test_client(), DANA)
    assert _roles(dana) == {}


def test_sign_in_links_unmapped_roles_to_groups_of_the_configured_name(app, dev_sign_in):
    dev_sign_in(app.test_client(), DANA)
    from app.access.models import GroupMapping

    linked = {f"{m.module_key}.{m.role_key}": m.group_name for m in db.session.scalars(select(GroupMapping))}
    assert linked["calendars.publisher"] == "mygov-calendars-publisher" and len(linked) == 9
    assert link_groups_by_name(graph_client()) == []  # nothing left to link


def test_the_sign_in_notice_names_the_seeded_roles_as_people_say_them(app, dev_sign_in):
    client = app.test_client()
    dev_sign_in(client, DANA)

    page = client.get("/staff/").get_data(as_text=True)

    assert "Roles added from your Entra groups: Calendar publisher." in page
    assert "calendars.publisher" not in page
