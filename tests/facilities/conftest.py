"""Every facilities test talks to a freshly reset dev tenant over HTTPS."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def exchange(tenant):
    return tenant
