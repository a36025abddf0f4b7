"""The home page's lists come from one rendering per HOME_CACHE_SECONDS, shared by every visitor."""
from __future__ import annotations


from app.demo.services import seed_demo
from app.extensions import db
from app.facilities.models import FacilitySpace
from app.jobs.queue import get_redis
from app.web.views import HOME_LISTS_KEY
from tests.factories import statements_during


def test_a_second_visitor_gets_the_lists_without_a_database_query_and_they_expire(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    db.session.remove()
    first = client.get("/").get_data(as_text=True)
    assert "Program Room" in first and "Library Events" in first
    pages: list[str] = []
    assert statements_during(lambda: pages.append(app.test_client().get("/").get_data(as_text=True))) == 0
    assert "Program Room" in pages[0] and "Library Events" in pages[0]
    assert 0 < get_redis().ttl(HOME_LISTS_KEY) <= 30


def test_with_the_cache_off_a_renamed_room_shows_at_once(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    app.config["HOME_CACHE_SECONDS"] = "0"
    try:
        assert "Program Room" in client.get("/").get_data(as_text=True)
        room = db.session.scalars(db.select(FacilitySpace).where(FacilitySpace.name == "Program Room")).one()
        room.name = "Story Time Room"
        db.session.commit()
        assert "Story Time Room" in client.get("/").get_data(as_text=True)
    finally:
        app.config["HOME_CACHE_SECONDS"] = "30"
    assert get_redis().get(HOME_LISTS_KEY) is None


def test_the_home_page_still_renders_when_redis_is_down(app, client):
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens
    try:
        response = client.get("/")
    finally:
        app.config["REDIS_URL"] = saved
    assert response.status_code == 200 and "Program Room" in response.get_data(as_text=True)
