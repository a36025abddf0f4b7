"""Each form's length limit fits the column it is saved in, as the database itself declares it
(reflected: on PostgreSQL, which refuses a longer value, what the migrations made). The calendar
forms take their limits from the columns (app.web.params.too_long); the fuzz test sends every field
20,000 characters on top of this."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect
from wtforms.validators import Length

from app.calendars.models import Calendar, CalendarEvent
from app.extensions import db
from app.facilities import forms as facility_forms
from app.people import validation as people_validation
from app.reservations import rules as reservation_rules
from app.reservations import staff_views as reservation_staff_views
from app.web.params import too_long


def _wtforms_max(field) -> int:  # type: ignore[no-untyped-def]
    return next(v.max for v in field.kwargs["validators"] if isinstance(v, Length))


LIMITS = [  # (what the form allows, table, column)
    (_wtforms_max(facility_forms.FacilityForm.name), "facility", "name"),
    (_wtforms_max(facility_forms.FacilityForm.building_abbreviation), "facility", "building_abbreviation"),
    (_wtforms_max(facility_forms.FacilityForm.address), "facility", "address"),
    (_wtforms_max(facility_forms.SpaceForm.name), "facility_space", "name"),
    (_wtforms_max(facility_forms.SpaceForm.floor), "facility_space", "floor"),
    (_wtforms_max(facility_forms.SpaceForm.accessibility_notes), "facility_space", "accessibility_notes"),
    (_wtforms_max(facility_forms.SpacePhotoForm.photo_alt), "facility_space", "photo_alt"),
    (_wtforms_max(facility_forms.DisplayNameForm.display_name), "facility_space", "mailbox_display_name_override"),
    (reservation_rules.MAX_NAME_LENGTH, "reservation", "requester_name"),
    (reservation_rules.MAX_PURPOSE_LENGTH, "reservation", "purpose"),
    (reservation_staff_views.MAX_REASON_LENGTH, "reservation", "decision_reason"),
    (people_validation.MAX_NAME_LENGTH, "employee", "display_name_override"),
    (people_validation.MAX_NAME_LENGTH, "employee", "public_title_override"),
]


@pytest.mark.parametrize(("allowed", "table", "column"), LIMITS, ids=[f"{t}.{c}" for _, t, c in LIMITS])
def test_a_form_never_allows_more_than_its_column_holds(app, allowed, table, column):
    declared = {c["name"]: c["type"] for c in inspect(db.engine).get_columns(table)}
    length = getattr(declared[column], "length", None)  # None: unlimited text
    assert length is None or allowed <= length, f"the form allows {allowed}, {table}.{column} holds {length}"


@pytest.mark.parametrize("model", [Calendar, CalendarEvent])
def test_the_calendar_forms_limits_are_the_database_columns(app, model):
    declared = {c["name"]: getattr(c["type"], "length", None) for c in inspect(db.engine).get_columns(model.__tablename__)}
    for name, length in declared.items():
        if length and name in model.__table__.columns and isinstance(model.__table__.columns[name].type.length, int):
            assert model.__table__.columns[name].type.length == length, f"the model and the database differ on {name}"
            assert name in too_long(model, {name: "x" * (length + 1)})
            assert not too_long(model, {name: "x" * length})
