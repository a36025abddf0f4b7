"""@requires: a role or a stronger role of the same module opens a staff view; nothing else does."""
from __future__ import annotations

import pytest

from app.access.permissions import has_role, requires
from tests.factories import grant, make_employee


def test_stronger_role_in_the_same_module_includes_the_weaker(app):
    employee = make_employee()
    grant(employee, "facilities.admin", "calendars.editor")
    assert has_role(employee, "facilities.viewer")
    assert has_role(employee, "facilities.editor")
    assert has_role(employee, "calendars.editor")
    assert not has_role(employee, "calendars.publisher")
    assert not has_role(employee, "reservations.viewer")


def test_unknown_role_is_refused_when_the_view_is_declared():
    with pytest.raises(KeyError):
        requires("calendars.owner")
