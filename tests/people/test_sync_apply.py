"""Directory delta sync from the dev tenant: exact counts, overrides untouched, expiry recovered."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.graph import DeltaTokenExpired, users
from app.jobs.models import SyncState
from app.microsoft import graph_client
from app.people.directory_sync import DELTA_KEY, sync_users_delta
from app.people.models import Employee, EmployeeContact
from app.people.tasks import DeltaPage, GraphDirectory
from tests.factories import staff_client
from tests.people.helpers import employee_with_contact


def _sync(app):
    return sync_users_delta(GraphDirectory(graph_client()), app.config["ENTRA_TENANT_ID"], DeltaTokenExpired)


def _people(devtenant) -> int:
    """Directory users that are people: room and shared mailboxes are users in Entra too."""
    state = devtenant.tenant.state
    return len([u for u in state.users.values() if state.find_mailbox(u["id"]) is None
                or state.find_mailbox(u["id"]).kind == "user"])


def _by_oid() -> dict[str, Employee]:
    db.session.expire_all()
    return {e.entra_oid: e for e in db.session.scalars(select(Employee))}


def _add(devtenant, name: str, **props: Any) -> str:
    given, _, surname = name.partition(" ")
    user = {"displayName": name, "givenName": given, "surname": surname or "Tester",
            "userPrincipalName": f"{name.lower().replace(' ', '.')}@auburnal.gov", **props}
    return devtenant.control.add_user(user)["id"]


def test_rounds_apply_exactly_the_changes(app, devtenant_clean):
    tenant = devtenant_clean
    seeded = _people(tenant)
    ana = _add(tenant, "Ana Alvarez", jobTitle="Clerk", department="Library", businessPhones=["334-501-3000"])
    bo, cy, dee = (_add(tenant, name) for name in ("Bo Brown", "Cy Cole", "Dee Diaz"))
    first = _sync(app)
    assert (first.created, first.updated) == (seeded + 4, 0)
    assert db.session.get(SyncState, DELTA_KEY).value.startswith(tenant.graph_base_url + "/users/delta?")
    assert db.session.scalar(select(func.count()).select_from(Employee)) == seeded + 4

    quiet = _sync(app)
    assert (quiet.created, quiet.updated, quiet.deactivated) == (0, 0, 0)  # nothing changed: nothing written

    tenant.control.update_user(ana, displayName="Ana Renamed", jobTitle="Head Clerk")
    tenant.control.update_user(bo, accountEnabled=False)
    tenant.control.remove_user(cy)
    second = _sync(app)
    assert (second.created, second.updated, second.deactivated) == (0, 1, 2)
    employees = _by_oid()
    assert employees[ana].legal_name == "Ana Renamed" and employees[ana].job_title == "Head Clerk"
    assert employees[ana].business_phone == "334-501-3000"
    assert employees[bo].account_enabled is False and not employees[bo].is_active
    assert employees[cy].entra_removed_at is not None  # kept, never deleted
    assert employees[dee].is_active


def test_a_sync_reads_past_empty_delta_pages_that_carry_a_next_link(app, devtenant_clean):
    tenant = devtenant_clean
    tenant.control.update_settings(delta_page_size=10, delta_empty_pages=True)
    seeded = _people(tenant)
    first = _sync(app)
    assert first.created == seeded and not first.full_resync
    assert db.session.scalar(select(func.count()).select_from(Employee)) == seeded
    ana = _add(tenant, "Ana Alvarez", jobTitle="Clerk")
    second = _sync(app)
    assert (second.created, second.updated, second.deactivated) == (1, 0, 0)
    assert _by_oid()[ana].job_title == "Clerk"


def test_overrides_and_visibility_survive_a_sync(app, devtenant_clean):
    ana = _add(devtenant_clean, "Ana Legal", jobTitle="Clerk")
    _sync(app)
    employee = _by_oid()[ana]
    employee.display_name_override = "Ana Public"
    employee.public_phone_override = "(334) 501-4100"
    employee.show_publicly = True
    db.session.commit()

    devtenant_clean.control.update_user(ana, displayName="Ana Legal-Renamed", jobTitle="Head Clerk",
                                        businessPhones=["1"])
    assert _sync(app).updated == 1
    employee = _by_oid()[ana]
    assert employee.display_name_override == "Ana Public" and employee.show_publicly is True
    contact = db.session.scalar(select(EmployeeContact).where(EmployeeContact.employee_id == employee.id))
    assert (contact.display_name, contact.public_title, contact.public_phone) == (
        "Ana Public", "Head Clerk", "(334) 501-4100")
    assert contact.is_public is True


def test_an_expired_token_recovers_with_a_full_round_that_ends_consistent(app, devtenant_clean):
    tenant = devtenant_clean
    tenant.control.update_settings(delta_page_size=7)  # many pages per round
    oids = [_add(tenant, f"User Number{n}") for n in range(7)]
    _sync(app)
    tenant.control.update_user(oids[0], displayName="Renamed")
    tenant.control.remove_user(oids[1])
    tenant.control.remove_user(oids[2])
    tenant.control.update_user(oids[3], jobTitle="New")
    tenant.control.remove_user(oids[4])
    tenant.control.expire_delta_tokens()

    counts = _sync(app)
    assert counts.full_resync is True
    assert counts.deactivated == 3
    employees = _by_oid()
    assert employees[oids[0]].legal_name == "Renamed" and employees[oids[3]].job_title == "New"
    assert {o for o, e in employees.items() if e.entra_removed_at} == {oids[1], oids[2], oids[4]}
    assert _sync(app).full_resync is False  # the new delta link works


class ExpiresAfterFirstPage(GraphDirectory):
    """The real Graph path, with the dev tenant expiring every delta token once a page was read."""

    def __init__(self, graph, tenant) -> None:
        super().__init__(graph)
        self.tenant, self.expired = tenant, False

    def users_delta(self, delta_link=None):
        round_ = users.users_delta(self.graph, delta_link)
        for seen, user in enumerate(round_, start=1):
            if delta_link and not self.expired and seen == round_.changed + round_.removed == 7:
                self.tenant.control.expire_delta_tokens()  # the next page's skiptoken is now stale
                self.expired = True
            yield DeltaPage([user], None)
        yield DeltaPage([], round_.delta_link)


def test_a_token_expiry_in_the_middle_of_paging_recovers(app, devtenant_clean):
    tenant = devtenant_clean
    tenant.control.update_settings(delta_page_size=7)
    oids = [_add(tenant, f"Paging User{n}") for n in range(20)]
    sync_users_delta(GraphDirectory(graph_client()), app.config["ENTRA_TENANT_ID"], DeltaTokenExpired)
    for oid in oids[:12]:
        tenant.control.update_user(oid, jobTitle="Renamed in Entra")
    tenant.control.remove_user(oids[19])
    source = ExpiresAfterFirstPage(graph_client(), tenant)
    counts = sync_users_delta(source, app.config["ENTRA_TENANT_ID"], DeltaTokenExpired)
    assert source.expired and counts.full_resync is True
    employees = _by_oid()
    assert all(employees[oid].job_title == "Renamed in Entra" for oid in oids[:12])
    assert employees[oids[19]].entra_removed_at is not None
    assert _sync(app).full_resync is False


def test_a_user_changed_twice_between_rounds_is_applied_once(app, devtenant_clean):
    ana = _add(devtenant_clean, "Ana Twice")
    _sync(app)
    devtenant_clean.control.update_user(ana, displayName="Ana 1")
    devtenant_clean.control.update_user(ana, displayName="Ana 2")
    assert _sync(app).updated == 1
    assert _by_oid()[ana].legal_name == "Ana 2"


def test_the_server_job_records_its_counts(app, devtenant_clean):
    from datetime import datetime, timezone

    from app.jobs.models import ServerJob, ServerJobRun
    from app.jobs.scheduler import execute_run, tick

    db.session.add(ServerJob(name="Directory sync", action="graph.sync_users_delta", parameters={},
                             interval_seconds=900, next_run_at=datetime.now(timezone.utc)))
    db.session.commit()
    run_id = tick()[0]
    execute_run(run_id)
    run = db.session.get(ServerJobRun, run_id)
    assert run.status == "succeeded" and run.summary["created"] == _people(devtenant_clean)


def test_disabled_and_removed_staff_leave_the_public_directory(app, client, devtenant_clean):
    tenant = devtenant_clean
    ids = {name: _add(tenant, name, jobTitle="Clerk", department="Library")
           for name in ("Ana Shown", "Bo Disabled", "Cy Removed")}
    _sync(app)
    from app.people.contacts import refresh_contacts

    shown = [e for e in _by_oid().values() if e.entra_oid in ids.values()]
    for employee in shown:
        employee.show_publicly = True  # as staff choose on the employee page
    refresh_contacts([e.id for e in shown])
    db.session.commit()
    before = client.get("/directory/").get_data(as_text=True)
    assert all(name in before for name in ids)
    tenant.control.update_user(ids["Bo Disabled"], accountEnabled=False)
    tenant.control.remove_user(ids["Cy Removed"])
    _sync(app)
    after = client.get("/directory/").get_data(as_text=True)
    assert "Ana Shown" in after and "Bo Disabled" not in after and "Cy Removed" not in after


def test_a_sync_writes_in_bulk_not_a_round_trip_per_user(app, devtenant_clean):
    from sqlalchemy import event

    devtenant_clean.control.add_users_bulk(300)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = _sync(app)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert result.created >= 300
    assert len(statements) < result.created / 5, f"{len(statements)} statements for {result.created} users"


RESOURCE_MAILBOXES = ("rm_LIB_StudyRoomA@auburnal.gov", "rm_CC_Gymnasium@auburnal.gov", "citymeetings@auburnal.gov",
                      "noreply@auburnal.gov")


def test_the_demo_rooms_and_shared_mailboxes_are_not_employees(app, client, devtenant_clean):
    """Entra lists room and shared mailboxes as (sign-in disabled) users: a sync leaves them out."""
    editor, _ = staff_client(app, "employees.editor", name="Editor Person")
    listed = {u["mail"].lower() for u in users.list_users(graph_client())}
    assert {address.lower() for address in RESOURCE_MAILBOXES} <= listed  # Graph lists them
    _sync(app)
    mails = {(e.mail or "").lower() for e in _by_oid().values()}
    assert not mails & {address.lower() for address in RESOURCE_MAILBOXES}
    assert "joe.sikes@auburnal.gov" in mails  # a disabled employee stays one
    people = editor.get("/staff/employees/?q=study").get_data(as_text=True)
    assert "Study Room" not in people


def test_a_room_listed_as_staff_before_leaves_the_directory(app, client, devtenant_clean):
    room = devtenant_clean.control.user("rm_LIB_StudyRoomA@auburnal.gov")
    employee = employee_with_contact("Study Room A", entra_oid=room["id"], mail=room["mail"], show_publicly=True,
                                     tenant_id=app.config["ENTRA_TENANT_ID"])
    assert "Study Room A" in client.get("/directory/").get_data(as_text=True)
    _sync(app)
    db.session.expire_all()
    assert db.session.get(Employee, employee.id).entra_removed_at is not None
    assert "Study Room A" not in client.get("/directory/").get_data(as_text=True)
