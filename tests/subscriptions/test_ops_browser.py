"""The "Live updates" ops screen in Chromium with axe, at desktop and phone widths (issue 23)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.sqltypes import utcnow
from app.subscriptions.models import GraphSubscription
from tests.browser_plugin import axe_violations, describe
from tests.factories import grant, make_employee, sign_in_browser


@pytest.mark.browser
def test_the_ops_screen_lists_subscriptions_and_says_which_mode_runs(app, live_server, page):
    app.config["GRAPH_NOTIFICATION_URL"] = "https://mygov.auburnal.gov/graph/notifications"
    now = utcnow()
    db.session.add_all([
        GraphSubscription(purpose="room_events", target="rm_lib_studyrooma@auburnal.gov", resource="/users/x/events",
                          graph_id="g1", state_nonce="n1", status="active", expires_at=now + timedelta(days=2),
                          last_notification_at=now - timedelta(minutes=3), notifications=4),
        GraphSubscription(purpose="users", target="", resource="/users", graph_id="g2", state_nonce="n2",
                          status="failed", last_error="Subscription validation request failed."),
    ])
    db.session.commit()
    admin = make_employee("Ops Admin")
    grant(admin, "platform.admin")
    sign_in_browser(app, page, live_server.url, admin)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/staff/ops/subscriptions")
        assert axe_violations(page) == [], describe(axe_violations(page))
        page.screenshot(path=f"/tmp/i23/live-updates-{width}.png", full_page=True)
    text = page.locator("main").inner_text()
    assert "tells MyGov about changes as they happen" in text
    assert "Room calendar" in text and "rm_lib_studyrooma@auburnal.gov" in text and "Working" in text
    assert "Staff directory" in text and "Everyone in the directory" in text and "Could not subscribe" in text
    assert "None yet" in text and "g1" not in text and "/users" not in text  # no ids or Graph paths shown
