"""The signed-in staff member, restored from the session by Flask-Login."""
from __future__ import annotations

from app.extensions import db, login_manager
from app.people.models import Employee


@login_manager.user_loader
def load_employee(employee_id: str) -> Employee | None:
    if not employee_id.isdigit():
        return None
    return db.session.get(Employee, int(employee_id))
