"""With live notifications, polling slows down by itself: free/busy is kept longer for a watched room,
and the polling jobs run only as the nightly safety net (issue 23 follow-up)."""
from __future__ import annotations

from app.calendars.tasks import check_outlook_changes
from app.mail.tasks import process_mailbox_ndrs
from app.people.tasks import sync_users_delta
from app.subscriptions import services
from tests.reservations.helpers import make_room, next_open_day, page_text, space_url
from tests.subscriptions.test_notifications import live  # noqa: F401

POLLS = {"users": sync_users_delta, "sender_inbox": process_mailbox_ndrs, "outlook_calendar": check_outlook_changes}


def _schedule_reads(tenant) -> int:
    return sum(n for route, n in tenant.control.counters()["requests"].items() if "getSchedule" in route)


def test_a_watched_room_keeps_its_free_busy_longer_and_polling_jobs_wait_for_the_safety_net(app, client, live):
    app.config.update(FREEBUSY_CACHE_SECONDS="0", PUBLIC_PAGE_CACHE_SECONDS="0", FREEBUSY_LIVE_CACHE_SECONDS="600")
    space = make_room()
    page = f"{space_url(space)}?date={next_open_day()}"
    live.control.reset_counters()
    for _ in range(2):
        assert "9:00 AM to 8:00 PM" in page_text(client.get(page))
    assert _schedule_reads(live) == 2  # polling: every view asks Exchange again
    for poll in POLLS.values():
        assert "skipped" not in poll({})

    assert services.ensure_subscriptions()["created"] == 3  # the room, the sender's inbox, the directory
    live.control.reset_counters()
    for _ in range(3):
        assert "9:00 AM to 8:00 PM" in page_text(client.get(page))
    assert _schedule_reads(live) == 1  # a notification would drop it; until then it is kept
    live.control.reset_counters()
    for purpose, poll in POLLS.items():
        assert "skipped" in poll({}), purpose
    assert live.control.counters()["requests"] == {}  # not one Graph request

    app.config["POLL_SAFETY_NET_HOURS"] = "0"  # the nightly run is due
    for poll in POLLS.values():
        assert "skipped" not in poll({})
