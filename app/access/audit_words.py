"""Audit entries in words a city employee reads: "Granted a role", "Role: Calendar publisher"."""
from __future__ import annotations

from typing import Any

from app.access.registry import ROLES

ACTION_WORDS = {
    "role.grant": "Granted a role", "role.revoke": "Removed a role",
    "role.seed": "Role added from an Entra group at sign-in",
    "employee.add": "Added from the Entra directory", "employee.update": "Changed public details",
    "employee.use_entra_value": "Went back to the Entra value", "employee.photo_upload": "Uploaded a photo",
    "employee.photo_use_entra": "Went back to the Entra photo",
    "employee.department_visibility": "Showed or hid a department in the public directory",
    "facility.create": "Created a facility", "facility.update": "Changed a facility",
    "facility.archive": "Archived a facility", "facility.restore": "Restored a facility",
    "outbox.retry": "Retried a write to Microsoft 365", "outbox.cancel": "Cancelled a write to Microsoft 365",
    "groups.reconcile": "Compared role groups with Entra", "calendar.save": "Saved a calendar",
}
KEY_WORDS = {"group_object_id": "Entra group", "group_name": "Entra group name", "source": "How",
             "show_publicly": "In the public directory", "spaces_archived": "Spaces archived"}
VALUE_WORDS = {"manual": "granted in MyGov", "entra-seed": "from an Entra group"}
ROLE_TITLES = {role.qualified_name: role.title for role in ROLES}


def action_words(code: str) -> str:
    return ACTION_WORDS.get(code) or code.replace("_", " ").replace(".", ": ").capitalize()


def value_words(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_words(item) for item in value)
    text = str(value)
    return ROLE_TITLES.get(text) or VALUE_WORDS.get(text) or text


def change_words(values: dict[str, Any] | None) -> str:
    """One side of a change ("Role: Calendar publisher; How: granted in MyGov"), or a dash."""
    if not values:
        return "—"
    return "; ".join(f"{KEY_WORDS.get(key, key.replace('_', ' ').capitalize())}: {value_words(value)}"
                     for key, value in values.items() if key != "changes")
