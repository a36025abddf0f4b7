"""Each calendar's managed list of categories (issue 20, point 2): staff add, rename and retire them;
the editor offers the calendar's current ones and the public filters list them.

An event keeps its category as text, so a rename renames it on the calendar's events too (their
updated_at moves, so pages and feeds change); a retired category stays on its events but is no
longer offered."""
from __future__ import annotations

from sqlalchemy import select, update

from app.access.services import audit
from app.calendars.forms import Invalid
from app.calendars.models import Calendar, CalendarCategory, CalendarEvent
from app.extensions import db
from app.people.models import Employee
from app.sqltypes import utcnow

MAX_LENGTH = 100


def categories_of(calendar_ids: list[int], *, include_retired: bool = False) -> list[CalendarCategory]:
    query = select(CalendarCategory).where(CalendarCategory.calendar_id.in_(calendar_ids))
    if not include_retired:
        query = query.where(CalendarCategory.retired.is_(False))
    return list(db.session.scalars(query.order_by(CalendarCategory.name)))


def offered_names(calendar: Calendar, current: str | None = None) -> list[str]:
    """What the editor offers: the calendar's current categories, and the event's own if retired since."""
    names = [c.name for c in categories_of([calendar.id])]
    return names + [current] if current and current not in names else names


def first_known(calendar: Calendar, names: list[str] | None) -> str:
    """The first of an Outlook event's categories that the calendar has (Outlook's own are free text)."""
    offered = set(offered_names(calendar))
    return next((name for name in names or [] if name in offered), "")


def category_problem(calendar: Calendar, chosen: str, current: str | None) -> str | None:
    if chosen.strip() and chosen.strip() not in offered_names(calendar, current):
        return f"Choose one of the categories of {calendar.name}, or none."
    return None


def add_category(calendar: Calendar, name: str, actor: Employee) -> CalendarCategory:
    name = _checked(calendar, name, "name")
    category = CalendarCategory(calendar_id=calendar.id, name=name, retired=False)
    db.session.add(category)
    db.session.flush()
    audit(actor, "calendar_category.add", "calendar_category", category.id, {}, {"calendar": calendar.slug, "name": name})
    db.session.commit()
    return category


def rename_category(category: CalendarCategory, name: str, actor: Employee) -> None:
    calendar = db.session.get(Calendar, category.calendar_id)
    old = category.name
    name = _checked(calendar, name, f"name-{category.id}", keep=category.id)
    category.name = name
    renamed = db.session.execute(
        update(CalendarEvent).where(CalendarEvent.calendar_id == calendar.id, CalendarEvent.category == old)
        .values(category=name, updated_at=utcnow())).rowcount
    audit(actor, "calendar_category.rename", "calendar_category", category.id, {"name": old},
          {"name": name, "events": renamed})
    db.session.commit()


def set_retired(category: CalendarCategory, retired: bool, actor: Employee) -> None:
    if category.retired == retired:
        return
    category.retired = retired
    audit(actor, "calendar_category.retire" if retired else "calendar_category.restore", "calendar_category",
          category.id, {"retired": not retired}, {"retired": retired})
    db.session.commit()


def _checked(calendar: Calendar, name: str, field: str, keep: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid({field: "Enter the category's name, for example Children."})
    if len(name) > MAX_LENGTH:
        raise Invalid({field: f"Keep the name to {MAX_LENGTH} characters or fewer."})
    taken = db.session.scalar(select(CalendarCategory.id).where(
        CalendarCategory.calendar_id == calendar.id, CalendarCategory.name == name))
    if taken is not None and taken != keep:
        raise Invalid({field: f"{calendar.name} already has the category “{name}”."})
    return name
