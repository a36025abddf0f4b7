"""Reconcile: drift between Entra groups and MyGov is reported; Entra changes only on the admin's confirmation."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.access.mappings import link_groups_by_name
from app.access.models import AuditEntry, RoleAssignment
from app.access.reconcile import check_groups
from app.access.tasks import reconcile_groups
from app.extensions import db
from app.jobs.models import GraphOperation
from app.microsoft import graph_client
from app.sqltypes import utcnow
from tests.factories import csrf_headers, make_employee, staff_client
from tests.jobs.helpers import drain

PUBLISHERS = "15277fe8-3f96-54e9-9fc5-03cdddb41e6b"  # tasha.brewer, dana.whitfield, lindsey.fussell


@pytest.fixture
def drifted(app, tenant):
    """Only calendars.publisher is mapped. MyGov: Tasha and Ethan hold it. Entra: Tasha, Dana, Lindsey.

    Dana has signed in to MyGov (without the role); Lindsey never has.
    """
    for mapping in link_groups_by_name(graph_client()):
        if (mapping.module_key, mapping.role_key) != ("calendars", "publisher"):
            mapping.group_object_id = None
    control = tenant.server.control
    people = {}
    for upn in ("tasha.brewer@auburnal.gov", "ethan.park@auburnal.gov"):
        user = control.user(upn)
        employee = make_employee(user["displayName"])
        employee.entra_oid = user["id"]
        db.session.add(RoleAssignment(employee=employee, module_key="calendars", role_key="publisher", source="manual"))
        people[upn] = user["id"]
    people["dana"] = control.user("dana.whitfield@auburnal.gov")["id"]
    people["lindsey"] = control.user("lindsey.fussell@auburnal.gov")["id"]
    dana = make_employee("Dana Whitfield")
    dana.entra_oid, dana.last_sign_in_at = people["dana"], utcnow()
    db.session.commit()
    return people


def _operations() -> int:
    return db.session.scalar(select(func.count()).select_from(GraphOperation)) or 0


def test_the_server_job_reports_drift_and_changes_nothing(app, drifted, tenant):
    summary = reconcile_groups({})
    assert summary == {"missing_in_entra": 1, "only_in_entra": 1, "awaiting_first_sign_in": 1}
    assert _operations() == 0
    assert tenant.group_members(PUBLISHERS) == {drifted["tasha.brewer@auburnal.gov"], drifted["dana"],
                                                drifted["lindsey"]}


def test_check_now_shows_a_readable_table_and_applies_only_when_confirmed(app, drifted, tenant):
    admin, employee = staff_client(app, "platform.admin")
    checked = admin.post("/staff/access/groups/reconcile/check", headers=csrf_headers(admin), follow_redirects=True)
    page = checked.get_data(as_text=True)
    assert "3 differences between Entra and MyGov" in page
    table = page.split('id="drift"')[1].split("</table>")[0]
    assert "Ethan Park" in table and "Holds the role in MyGov, not in the group" in table
    assert "Dana Whitfield" in table and "In the group, no such role in MyGov" in table
    lindsey = table.split("Lindsey Fussell")[1].split("</tr>")[0]
    assert "never signed in to MyGov" in lindsey and "Nothing: stays in the group" in lindsey
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', page).group(1)

    unconfirmed = admin.post("/staff/access/groups/reconcile/apply", data={"fingerprint": fingerprint},
                             headers=csrf_headers(admin), follow_redirects=True)
    assert "Nothing was changed" in unconfirmed.get_data(as_text=True) and _operations() == 0

    applied = admin.post("/staff/access/groups/reconcile/apply", data={"fingerprint": fingerprint, "confirm": "y"},
                         headers=csrf_headers(admin), follow_redirects=True)
    assert "2 changes to Entra groups queued" in applied.get_data(as_text=True)
    assert "Already being added" in applied.get_data(as_text=True)
    drain()
    assert tenant.group_members(PUBLISHERS) == {drifted["tasha.brewer@auburnal.gov"],
                                                drifted["ethan.park@auburnal.gov"], drifted["lindsey"]}
    assert [(row.name, row.change) for row in check_groups(graph_client())] == [("Lindsey Fussell", "awaiting")]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "groups.reconcile"))
    assert entry.actor_id == employee.id and entry.after["add"] == 1 and entry.after["remove"] == 1


def test_a_confirmation_of_an_outdated_check_changes_nothing(app, drifted, tenant):
    admin, _ = staff_client(app, "platform.admin")
    page = admin.post("/staff/access/groups/reconcile/check", headers=csrf_headers(admin),
                      follow_redirects=True).get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', page).group(1)
    from app.graph import groups

    groups.remove_group_member(graph_client(), PUBLISHERS, drifted["dana"])  # IT changed the group meanwhile
    response = admin.post("/staff/access/groups/reconcile/apply", data={"fingerprint": fingerprint, "confirm": "y"},
                          headers=csrf_headers(admin), follow_redirects=True)
    assert "changed since that check" in response.get_data(as_text=True)
    assert _operations() == 0
    assert "Dana Whitfield" not in response.get_data(as_text=True).split('id="drift"')[1]
