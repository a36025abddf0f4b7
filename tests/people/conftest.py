"""People tests: each test gets its own image store."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def image_store(app: Flask, tmp_path: Path) -> Iterator[Path]:
    store = tmp_path / "images"
    previous = app.config.get("IMAGE_STORE_DIR")
    app.config["IMAGE_STORE_DIR"] = str(store)
    yield store
    app.config["IMAGE_STORE_DIR"] = previous
