"""Entra photos from the dev tenant: stored by content hash, unchanged ones not rewritten."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.people.models import Employee
from app.people.tasks import get_user_photo, sync_users_delta


def test_photos_are_downloaded_once_and_users_without_one_are_fine(app, devtenant_clean, tmp_path):
    app.config["IMAGE_STORE_DIR"] = str(tmp_path)
    try:
        sync_users_delta({})
        state = devtenant_clean.tenant.state
        employees = db.session.scalars(select(Employee).where(Employee.entra_removed_at.is_(None))).all()
        with_photo = {e.entra_oid for e in employees} & set(state.photos)
        first = get_user_photo({"target": "all"})
        assert first["stored"] == len(with_photo) and first["no_photo"] == len(employees) - len(with_photo)
        stored = sorted(p.name for p in tmp_path.rglob("*.png"))
        assert len(stored) == len(with_photo) and all(len(name) == 64 + 4 for name in stored)
        mtimes = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.png")}

        second = get_user_photo({"target": "all"})
        assert second["unchanged"] == len(with_photo) and second["stored"] == 0
        assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.png")} == mtimes  # nothing rewritten

        one = next(iter(with_photo))
        assert get_user_photo({"target": one}) == {"stored": 0, "unchanged": 1, "cleared": 0, "no_photo": 0,
                                                   "refused": 0}
    finally:
        app.config["IMAGE_STORE_DIR"] = None
