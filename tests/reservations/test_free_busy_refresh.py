"""A busy room's page never waits on Exchange for its next free/busy answer: past half the answer's
age, a worker fetches the next one (once), and pages rendered after that show it."""
from __future__ import annotations

from datetime import time
from time import sleep

from app.jobs.queue import get_queue, get_redis
from tests.jobs.helpers import drain
from tests.reservations.helpers import make_room, next_open_day, page_text, space_url
from tests.reservations.test_exchange import _outlook_booking


def _free_times(client, page: str) -> str:
    return page_text(client.get(page, headers={"HX-Request": "true"}))


def _age_the_answer(seconds_left: int) -> None:
    redis = get_redis()
    for key in redis.scan_iter("mygov:freebusy:*"):
        if not key.endswith(b":refreshing"):
            redis.expire(key, seconds_left)


def test_an_outlook_booking_reaches_the_page_through_the_worker_before_the_answer_ends(app, client, exchange):
    app.config.update(FREEBUSY_CACHE_SECONDS="20", PUBLIC_PAGE_CACHE_SECONDS="0")  # every visit renders
    space = make_room()
    day = next_open_day()
    page = f"{space_url(space)}?date={day}"
    assert "9:00 AM to 8:00 PM" in _free_times(client, page)
    _outlook_booking(exchange, day, time(10), time(11))
    assert "9:00 AM to 8:00 PM" in _free_times(client, page)  # the answer is 20 s fresh: reused
    assert get_queue("default").count == 0

    _age_the_answer(seconds_left=8)
    for _ in range(3):  # the visitors meanwhile still see the answer they may see, and ask once
        assert "9:00 AM to 8:00 PM" in _free_times(client, page)
    assert get_queue("default").count == 1

    drain()
    after = _free_times(client, page)
    assert "9:00 AM to 10:00 AM" in after and "11:00 AM to 8:00 PM" in after


def test_a_failed_refresh_leaves_the_answer_and_the_page_asks_exchange_when_it_ends(app, client, exchange):
    app.config.update(FREEBUSY_CACHE_SECONDS="20", PUBLIC_PAGE_CACHE_SECONDS="0")
    space = make_room()
    day = next_open_day()
    page = f"{space_url(space)}?date={day}"
    _free_times(client, page)
    _outlook_booking(exchange, day, time(10), time(11))
    _age_the_answer(seconds_left=8)
    _free_times(client, page)
    exchange.control.set_faults(throttle_share=1.0, status=503, retry_after=0)
    drain()
    exchange.control.clear_faults()
    assert "9:00 AM to 8:00 PM" in _free_times(client, page)  # the old answer, within its age

    get_redis().delete(*[k for k in get_redis().scan_iter("mygov:freebusy:*") if not k.endswith(b":refreshing")])
    after = _free_times(client, page)
    assert "9:00 AM to 10:00 AM" in after and "11:00 AM to 8:00 PM" in after


def test_a_refresh_no_worker_took_while_the_answer_lasted_is_dropped(app, client, exchange):
    app.config.update(FREEBUSY_CACHE_SECONDS="20", PUBLIC_PAGE_CACHE_SECONDS="0")
    space = make_room()
    page = f"{space_url(space)}?date={next_open_day()}"
    _free_times(client, page)
    _age_the_answer(seconds_left=1)
    _free_times(client, page)
    assert get_queue("default").count == 1
    sleep(1.5)  # the workers were down until the answer ended
    exchange.control.reset_counters()
    drain()
    asked = exchange.control.counters()["requests"]
    assert not any(route.endswith("/calendar/getSchedule") for route in asked)
