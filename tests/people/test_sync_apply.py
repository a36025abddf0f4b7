"""Delta pages applied in bulk: exact counts, override columns untouched, expiry recovered."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.jobs.models import SyncState
from app.people.directory_sync import DELTA_KEY, sync_users_delta
from app.people.models import Employee, EmployeeContact
from tests.people.fake_directory import FakeDeltaExpired, FakeDirectory

TENANT = "7f3c6a1e-0d5b-4c8e-9a2f-3b1d2c4e5f60"


def _sync(directory: FakeDirectory):
    return sync_users_delta(directory, TENANT, FakeDeltaExpired)


def _by_oid() -> dict[str, Employee]:
    db.session.expire_all()
    return {e.entra_oid: e for e in db.session.scalars(select(Employee))}


def test_rounds_apply_exactly_the_changes(app):
    directory = FakeDirectory()
    ana = directory.add("Ana", jobTitle="Clerk", department="Library", businessPhones=["334-501-3000"])
    bo = directory.add("Bo")
    cy = directory.add("Cy")
    dee = directory.add("Dee")
    first = _sync(directory)
    assert (first.created, first.updated, first.deactivated) == (4, 0, 0)
    assert db.session.get(SyncState, DELTA_KEY).value == "https://graph.test/users/delta?$deltatoken=0"

    assert (_sync(directory).created, _sync(directory).updated) == (0, 0)  # nothing changed: nothing written

    directory.change(ana, displayName="Ana Renamed", jobTitle="Head Clerk")
    directory.change(bo, accountEnabled=False)
    directory.remove(cy)
    second = _sync(directory)
    assert (second.created, second.updated, second.deactivated) == (0, 1, 2)
    employees = _by_oid()
    assert employees[ana].legal_name == "Ana Renamed" and employees[ana].job_title == "Head Clerk"
    assert employees[ana].business_phone == "334-501-3000"
    assert employees[bo].account_enabled is False and not employees[bo].is_active
    assert employees[cy].entra_removed_at is not None  # kept, never deleted
    assert employees[dee].is_active


def test_overrides_and_visibility_survive_a_sync(app):
    directory = FakeDirectory()
    ana = directory.add("Ana Legal", jobTitle="Clerk")
    _sync(directory)
    employee = _by_oid()[ana]
    employee.display_name_override = "Ana Public"
    employee.public_phone_override = "(334) 501-4100"
    employee.show_publicly = True
    db.session.commit()

    directory.change(ana, displayName="Ana Legal-Renamed", jobTitle="Head Clerk", businessPhones=["1"])
    assert _sync(directory).updated == 1
    employee = _by_oid()[ana]
    assert employee.display_name_override == "Ana Public" and employee.show_publicly is True
    contact = db.session.scalar(select(EmployeeContact).where(EmployeeContact.employee_id == employee.id))
    assert (contact.display_name, contact.public_title, contact.public_phone) == (
        "Ana Public", "Head Clerk", "(334) 501-4100")
    assert contact.is_public is True


def test_an_expired_token_mid_paging_recovers_with_a_full_round(app):
    directory = FakeDirectory(page_size=2)
    oids = [directory.add(f"User {n}") for n in range(7)]
    _sync(directory)
    directory.change(oids[0], displayName="Renamed")
    directory.remove(oids[1])
    directory.remove(oids[2])
    directory.change(oids[3], jobTitle="New")
    directory.remove(oids[4])
    directory.expire_after_pages = directory.requests + 1  # the second page of the next round fails

    counts = _sync(directory)
    assert counts.full_resync is True
    assert (counts.created, counts.updated, counts.deactivated) == (0, 2, 3)
    employees = _by_oid()
    assert employees[oids[0]].legal_name == "Renamed" and employees[oids[3]].job_title == "New"
    assert {o for o, e in employees.items() if e.entra_removed_at} == {oids[1], oids[2], oids[4]}
    assert _sync(directory).full_resync is False  # the new delta link works


def test_a_repeated_user_in_a_page_is_applied_once(app):
    directory = FakeDirectory()
    ana = directory.add("Ana")
    _sync(directory)
    directory.change(ana, displayName="Ana 1")
    directory.change(ana, displayName="Ana 2")
    assert _sync(directory).updated == 1
    assert _by_oid()[ana].legal_name == "Ana 2"
