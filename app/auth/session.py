"""The signed-in staff member: Flask-Login's user, backed by a server-side StaffSession.

The cookie holds the employee id (Flask-Login) and a random session token. The employee is only
loaded while the token names a live StaffSession of that employee, so signing out, expiry or a
disabled account ends every copy of the cookie.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete

from app.auth.models import StaffSession
from app.extensions import db, login_manager
from app.people.models import Employee
from app.sqltypes import utcnow

SESSION_TOKEN_KEY = "staff_sid"
STALE_DAYS = 30  # expired sessions are kept this long (who was signed in when), then dropped


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_staff_session(employee: Employee) -> str:
    """A new StaffSession (added to the caller's transaction); returns its token for the cookie."""
    token = secrets.token_urlsafe(32)
    hours = int(current_app.config["STAFF_SESSION_HOURS"])
    db.session.execute(delete(StaffSession).where(StaffSession.expires_at < utcnow() - timedelta(days=STALE_DAYS)))
    db.session.add(StaffSession(id_hash=_hash(token), employee=employee, expires_at=utcnow() + timedelta(hours=hours)))
    return token


def begin(employee: Employee, token: str) -> None:
    """Replace whatever the browser's session held with a fresh one for this employee."""
    session.clear()
    session[SESSION_TOKEN_KEY] = token
    login_user(employee)


def end() -> None:
    """End the StaffSession named by the cookie and empty the browser's session."""
    token = session.get(SESSION_TOKEN_KEY)
    if token:
        row = db.session.get(StaffSession, _hash(token))
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()
            db.session.commit()
    logout_user()
    session.clear()


@login_manager.user_loader
def load_employee(employee_id: str) -> Employee | None:
    token = session.get(SESSION_TOKEN_KEY)
    if not token or not employee_id.isdigit():
        return None
    row = db.session.get(StaffSession, _hash(token))
    if row is None or row.employee_id != int(employee_id) or not row.is_live(utcnow()):
        return None
    return row.employee if row.employee.account_enabled else None
