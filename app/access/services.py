"""Operations on authorization data."""
from __future__ import annotations

from app.access.models import Module, Role
from app.access.registry import MODULES, ROLES
from app.extensions import db


def sync_registry() -> None:
    """Make the module and role tables match the registry in code (idempotent)."""
    for key, title in MODULES.items():
        module = db.session.get(Module, key) or Module(key=key)
        module.title = title
        db.session.add(module)
    db.session.flush()
    for definition in ROLES:
        row = db.session.get(Role, (definition.module, definition.key)) or Role(
            module_key=definition.module, key=definition.key
        )
        row.title = definition.title
        row.description = definition.description
        db.session.add(row)
