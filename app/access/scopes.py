"""Role scopes: a role held for the whole module ("") or for one facility, calendar or department.

A scope is stored as text, `facility:<id>`, `calendar:<id>` or `department:<name>`, so one column
carries it and a unique constraint covers it. Build them with the functions here, never by hand.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.web.params import whole_number

WHOLE_MODULE = ""
KIND_TITLES = {"facility": "Facility", "calendar": "Calendar", "department": "Department"}


def facility(facility_id: int) -> str:
    return f"facility:{facility_id}"


def calendar(calendar_id: int) -> str:
    return f"calendar:{calendar_id}"


def department(name: str) -> str:
    return f"department:{name.strip()}"


def kind_of(scope: str) -> str | None:
    return scope.partition(":")[0] if scope else None


def value_of(scope: str) -> str:
    return scope.partition(":")[2]


@dataclass(frozen=True)
class ScopeChoice:
    scope: str
    label: str


def _facilities() -> list[ScopeChoice]:
    from app.facilities.models import Facility

    rows = db.session.execute(select(Facility.id, Facility.name).order_by(Facility.name))
    return [ScopeChoice(facility(fid), name) for fid, name in rows]


def _calendars() -> list[ScopeChoice]:
    from app.calendars.models import Calendar

    rows = db.session.execute(select(Calendar.id, Calendar.name).order_by(Calendar.name))
    return [ScopeChoice(calendar(cid), name) for cid, name in rows]


def _departments() -> list[ScopeChoice]:
    from app.people.models import Employee

    names = db.session.scalars(select(Employee.department).where(
        Employee.department.is_not(None), Employee.department != "").distinct().order_by(Employee.department))
    return [ScopeChoice(department(name), name) for name in names]


def choices(kind: str) -> list[ScopeChoice]:
    """Every facility, calendar or department a role of that kind may be held for."""
    return {"facility": _facilities, "calendar": _calendars, "department": _departments}[kind]()


def label(scope: str) -> str:
    """The scope in words: "the whole module", "Main Library", "Parks and Recreation"."""
    if not scope:
        return "the whole module"
    kind, value = kind_of(scope), value_of(scope)
    if kind == "department":
        return value
    model = _model(kind)
    row = db.session.get(model, whole_number(value)) if model is not None and whole_number(value) else None
    return row.name if row is not None else f"a removed {kind}"


def exists(scope: str) -> bool:
    kind = kind_of(scope)
    if kind == "department":
        return bool(value_of(scope))
    model = _model(kind)
    number = whole_number(value_of(scope))
    return model is not None and number is not None and db.session.get(model, number) is not None


def slug(scope: str) -> str:
    """The scope's part of a group name: the facility's or calendar's slug, the department in ASCII."""
    kind, value = kind_of(scope), value_of(scope)
    model = _model(kind)
    row = db.session.get(model, whole_number(value)) if model is not None and whole_number(value) else None
    text = row.slug if row is not None else value
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or kind or "scope"


def _model(kind: str | None) -> type | None:
    if kind == "facility":
        from app.facilities.models import Facility

        return Facility
    if kind == "calendar":
        from app.calendars.models import Calendar

        return Calendar
    return None
