"""Seeding rules apart from write-back: Entra groups (read, never written), departments and job
titles give roles at every sign-in; leaving takes them back; a revoke in MyGov is an exclusion.
Reconcile can take someone who never signed in out of a role's group."""
from __future__ import annotations

from sqlalchemy import select

from app.access import scopes
from app.access.mappings import link_groups_by_name
from app.access.models import AuditEntry, RoleAssignment, SeedExclusion, SeedingRule
from app.calendars.models import Calendar
from app.extensions import db
from app.graph import groups
from app.jobs.models import GraphOperation
from app.microsoft import graph_client
from app.people.models import Employee
from tests.factories import csrf_headers, staff_client
from tests.jobs.helpers import drain

BECKY = "becky.richardson@auburnal.gov"  # Auburn Parks and Recreation group; department Parks and Recreation
DARNELL = "darnell.hughes@auburnal.gov"  # same department, "Recreation Supervisor"
MORGAN = "morgan.reyes@auburnal.gov"  # the only member of mygov-platform-admin in the dev tenant
PARKS_GROUP = "Auburn Parks and Recreation"


def _held(upn: str) -> dict[tuple[str, str], str]:
    """Roles held, except those seeded from the write-back groups the dev tenant already puts people in."""
    employee = db.session.scalar(select(Employee).where(Employee.upn == upn))
    return {(f"{a.module_key}.{a.role_key}", a.scope): a.source for a in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.employee_id == employee.id))
        if a.source == "manual" or a.seed_rule_id is not None}


def test_a_group_rule_gives_its_role_at_every_sign_in_and_never_writes_the_group(app, dev_sign_in, tenant):
    parks = Calendar(name="Parks", slug="parks", time_zone="America/Chicago")
    db.session.add(parks)
    db.session.commit()
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    added = admin.post("/staff/access/seeding/", data={
        "source_kind": "group", "value": PARKS_GROUP, "role": "calendars.editor", "scope": scopes.calendar(parks.id),
    }, headers=csrf_headers(admin), follow_redirects=True)
    assert "Added: Members of the Entra group Auburn Parks and Recreation get Calendar editor for Parks" in (
        added.get_data(as_text=True))
    group_id = db.session.scalars(select(SeedingRule)).one().match_value
    members_before = tenant.group_members(group_id)

    dev_sign_in(app.test_client(), BECKY)

    assert _held(BECKY) == {("calendars.editor", scopes.calendar(parks.id)): "entra-seed"}
    labels = db.session.scalars(select(AuditEntry.actor_label).where(AuditEntry.action == "role.seed")).all()
    assert f"Seeding rule: members of the Entra group {PARKS_GROUP}" in labels
    drain()
    assert tenant.group_members(group_id) == members_before  # read, never written
    assert not db.session.scalar(select(GraphOperation).where(GraphOperation.target_id.startswith(group_id)))

    becky = db.session.scalar(select(Employee).where(Employee.upn == BECKY))
    groups.remove_group_member(graph_client(), group_id, becky.entra_oid)  # IT moves her out of Parks
    dev_sign_in(app.test_client(), BECKY)

    assert _held(BECKY) == {}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role.unseed")).actor_label.startswith(
        "MyGov at sign-in")


def test_revoking_a_seeded_role_records_an_exclusion_and_removing_the_rule_takes_its_roles_back(app, dev_sign_in):
    admin, admin_employee = staff_client(app, "platform.admin", name="Ada Admin")
    department = scopes.department("Parks and Recreation")
    dev_sign_in(app.test_client(), DARNELL)  # known to MyGov, so the department is a choice
    for kind, value in (("department", "parks and recreation"), ("position", "Parks and Recreation Director")):
        assert admin.post("/staff/access/seeding/", data={
            "source_kind": kind, "value": value, "role": "employees.editor", "scope": department,
        }, headers=csrf_headers(admin)).status_code == 303
    dev_sign_in(app.test_client(), DARNELL)
    dev_sign_in(app.test_client(), BECKY)
    assert _held(DARNELL) == {("employees.editor", department): "entra-seed"}
    assert _held(BECKY) == {("employees.editor", department): "entra-seed"}

    darnell = db.session.scalar(select(Employee).where(Employee.upn == DARNELL))
    revoked = admin.post(f"/staff/access/people/{darnell.id}/revoke",
                         data={"role": "employees.editor", "scope": department, "confirmed": "yes"},
                         headers=csrf_headers(admin))
    assert revoked.status_code == 303
    assert db.session.scalars(select(SeedExclusion)).one().employee_id == darnell.id
    dev_sign_in(app.test_client(), DARNELL)
    assert _held(DARNELL) == {}  # the department still matches; the exclusion stands

    admin.post(f"/staff/access/people/{darnell.id}/grant", data={"role": "employees.editor", "scope": department},
               headers=csrf_headers(admin))
    assert _held(DARNELL) == {("employees.editor", department): "manual"}
    assert db.session.scalar(select(SeedExclusion)) is None

    page = admin.get("/staff/access/seeding/").get_data(as_text=True)
    assert "People of the department parks and recreation get Employee editor for Parks and Recreation" in page
    for rule in db.session.scalars(select(SeedingRule)).all():
        assert admin.post(f"/staff/access/seeding/{rule.id}/remove", headers=csrf_headers(admin)).status_code == 303
    assert _held(BECKY) == {}  # taken back with the rules
    assert _held(DARNELL) == {("employees.editor", department): "manual"}  # a grant by hand stays
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "seeding_rule.remove"))


def test_a_rule_names_the_field_at_fault_and_refuses_a_write_back_group(app, tenant):
    link_groups_by_name(graph_client())
    db.session.commit()
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    cases = [
        ({"source_kind": "group", "value": "mygov-platform-admin", "role": "calendars.editor"}, "value",
         "is the group MyGov writes for a role"),
        ({"source_kind": "group", "value": "No Such Group", "role": "calendars.editor"}, "value",
         "No Entra group is named “No Such Group”"),
        ({"source_kind": "department", "value": "Library", "role": "platform.admin", "scope": "department:Library"},
         "scope", "Platform admin is held for the whole module"),
        ({"source_kind": "department", "value": "  ", "role": "platform.admin"}, "value", "Type the group"),
    ]
    for data, field, message in cases:
        response = admin.post("/staff/access/seeding/", data=data, headers=csrf_headers(admin))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in page and message in page, data
        assert f'aria-invalid="true"' in page
    assert db.session.scalar(select(SeedingRule)) is None


def test_reconcile_takes_someone_who_never_signed_in_out_of_a_role_group(app, dev_sign_in, tenant):
    link_groups_by_name(graph_client())
    db.session.commit()
    admin, _ = staff_client(app, "platform.admin", name="Ada Admin")
    admin.post("/staff/access/groups/reconcile/check", headers=csrf_headers(admin))
    page = admin.get("/staff/access/groups/reconcile").get_data(as_text=True)
    assert "Morgan Reyes" in page and "Remove now" in page
    admin_group = next(g["id"] for g in tenant.server.control.groups() if g["displayName"] == "mygov-platform-admin")
    morgan_oid = dev_sign_in.user_id(MORGAN)

    removed = admin.post("/staff/access/groups/reconcile/remove-before-sign-in",
                         data={"group_id": admin_group, "oid": morgan_oid}, headers=csrf_headers(admin),
                         follow_redirects=True)
    assert "Morgan Reyes is being removed from mygov-platform-admin" in removed.get_data(as_text=True)
    assert "Being removed from the group" in removed.get_data(as_text=True)
    drain()
    assert morgan_oid not in tenant.group_members(admin_group)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "groups.remove_before_sign_in"))

    dev_sign_in(app.test_client(), MORGAN)
    morgan = db.session.scalar(select(Employee).where(Employee.upn == MORGAN))
    assert not db.session.scalar(select(RoleAssignment).where(RoleAssignment.employee_id == morgan.id,
                                                              RoleAssignment.module_key == "platform"))
