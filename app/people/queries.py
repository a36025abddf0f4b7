"""Searching employees (staff screens) and public contacts (the public directory)."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.people.contacts import fold
from app.people.models import Employee, EmployeeContact
from app.web.params import whole_number

PER_PAGE = 50
MAX_PAGE = 10_000  # further than anyone pages; a larger number shows the first page
Item = TypeVar("Item")


@dataclass
class ResultPage(Generic[Item]):
    items: list[Item]
    number: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def page_number(raw: str | None) -> int:
    return whole_number(raw, MAX_PAGE) or 1


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _terms(query: str) -> list[str]:
    return fold(query).split()[:8]


def paginate(statement: Select[Any], number: int, per_page: int = PER_PAGE) -> ResultPage[Any]:
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page)).all()
    return ResultPage(list(items), number, total or 0, per_page)


def search_employees(query: str, number: int = 1, departments: set[str] | None = None) -> ResultPage[Employee]:
    """Staff search: every word must match the name (Entra or override), title or department.

    `departments` limits it to people of those departments (None: everyone).
    """
    return paginate(_employee_search(query, departments), number)


def all_matching_employees(query: str, departments: set[str] | None = None) -> list[Employee]:
    """What the staff search finds, every page of it (the CSV export)."""
    return list(db.session.scalars(_employee_search(query, departments)))


def _employee_search(query: str, departments: set[str] | None) -> Select[tuple[Employee]]:
    statement = select(Employee).outerjoin(EmployeeContact).options(selectinload(Employee.contact))
    if departments is not None:
        statement = statement.where(Employee.department.in_(sorted(departments)))
    for term in _terms(query):
        pattern = _like(term)
        matches: list[ColumnElement[bool]] = [
            EmployeeContact.search_text.like(pattern, escape="\\"),
            *(func.lower(column).like(pattern, escape="\\") for column in (
                Employee.legal_name, Employee.job_title, Employee.department,
                Employee.mail, Employee.upn,
            )),
        ]
        statement = statement.where(or_(*matches))
    order = func.coalesce(Employee.display_name_override, Employee.legal_name, Employee.upn)
    return statement.order_by(order, Employee.id)


def search_directory(query: str, department: str, number: int = 1) -> ResultPage[EmployeeContact]:
    """Public search over public values only, grouped by department."""
    conditions = [EmployeeContact.is_public]
    conditions += [EmployeeContact.search_text.like(_like(term), escape="\\") for term in _terms(query)]
    if department:
        conditions.append(EmployeeContact.department == department)
    statement = select(EmployeeContact).where(and_(*conditions)).order_by(
        EmployeeContact.department.is_(None), EmployeeContact.department,
        EmployeeContact.display_name, EmployeeContact.id,
    )
    return paginate(statement, number)


def public_departments() -> list[str]:
    return list(db.session.scalars(
        select(EmployeeContact.department)
        .where(EmployeeContact.is_public, EmployeeContact.department.is_not(None))
        .distinct().order_by(EmployeeContact.department)
    ))


def employee_departments() -> list[tuple[str, int, int]]:
    """Each department with how many employees it has and how many of them the directory shows."""
    rows = db.session.execute(
        select(Employee.department, func.count(), func.sum(case((Employee.show_publicly, 1), else_=0)))
        .where(Employee.department.is_not(None)).group_by(Employee.department).order_by(Employee.department)
    )
    return [(name, total, int(shown or 0)) for name, total, shown in rows]


def public_photo_in_use(name: str) -> bool:
    return db.session.scalar(
        select(EmployeeContact.id).where(EmployeeContact.is_public, EmployeeContact.photo_path == name).limit(1)
    ) is not None
