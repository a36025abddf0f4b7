"""Factories for test data, and signing a test client in as an employee."""
from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

from flask.testing import FlaskClient

from app.access.models import RoleAssignment
from app.access.services import sync_registry
from app.auth.session import SESSION_TOKEN_KEY, open_staff_session
from app.extensions import db
from app.people.models import Employee

_numbers = itertools.count(1)


def make_employee(name: str = "Pat Staff", **fields: object) -> Employee:
    n = next(_numbers)
    employee = Employee(
        tenant_id=fields.pop("tenant_id", "7f3c6a1e-0d5b-4c8e-9a2f-3b1d2c4e5f60"),
        entra_oid=str(uuid.uuid4()),
        legal_name=name,
        upn=fields.pop("upn", f"staff{n}@auburnal.gov"),
        mail=fields.pop("mail", f"staff{n}@auburnal.gov"),
        account_enabled=True,
        **fields,
    )
    db.session.add(employee)
    db.session.commit()
    return employee


def grant(employee: Employee, *qualified_names: str, source: str = "manual", scope: str = "") -> None:
    """Give roles straight in the database; `scope` (app/access/scopes.py) limits them to one facility etc."""
    sync_registry()
    for qualified in qualified_names:
        module, key = qualified.split(".")
        db.session.add(
            RoleAssignment(employee=employee, module_key=module, role_key=key, source=source, scope=scope)
        )
    db.session.commit()


def sign_in(client: FlaskClient, employee: Employee) -> None:
    """Put the employee in the client's session the way a completed sign-in does (a live StaffSession)."""
    token = open_staff_session(employee)
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_TOKEN_KEY] = token
        session["_user_id"] = str(employee.id)
        session["_fresh"] = True


def staff_client(app, *roles: str, name: str = "Pat Staff") -> tuple[FlaskClient, Employee]:
    employee = make_employee(name)
    if roles:
        grant(employee, *roles)
    client = app.test_client()
    sign_in(client, employee)
    return client, employee


def csrf_headers(client: FlaskClient) -> dict[str, str]:
    """The header htmx sends: the session's CSRF token, read from a staff page as a browser would."""
    page = client.get("/staff/").get_data(as_text=True)
    return {"X-CSRFToken": page.split('"X-CSRFToken": "')[1].split('"')[0]}


def sign_in_browser(app, page, base_url: str, employee: Employee) -> None:
    """Give a Playwright page the session cookie of a signed-in employee."""
    client = app.test_client()
    sign_in(client, employee)
    page.context.add_cookies([{"name": "session", "value": client.get_cookie("session").value, "url": base_url}])


def statements_during(action: Callable[[], object]) -> int:
    """How many SQL statements the database received while `action` ran."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)
