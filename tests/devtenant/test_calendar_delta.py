"""calendarView/delta: a window's instances, then changes, with out-of-window changes as @removed."""

from __future__ import annotations

from tests.devtenant.conftest import error_code

MAILBOX = "rm_CH_ConferenceRoom2B@auburnal.gov"
WINDOW = "startDateTime=2032-03-01T00:00:00Z&endDateTime=2032-04-01T00:00:00Z"


def _event(day: str, subject: str) -> dict:
    return {
        "subject": subject,
        "start": {"dateTime": f"2032-03-{day}T15:00:00", "timeZone": "UTC"},
        "end": {"dateTime": f"2032-03-{day}T16:00:00", "timeZone": "UTC"},
    }


def _pages(graph, url: str) -> list[dict]:
    pages: list[dict] = []
    while True:
        body = graph.get(url, headers={"Prefer": "odata.maxpagesize=2"}).json()
        pages.append(body)
        if "@odata.deltaLink" in body:
            return pages
        url = body["@odata.nextLink"]


def _round(graph, url: str) -> tuple[list[dict], str]:
    pages = _pages(graph, url)
    return [item for page in pages for item in page["value"]], pages[-1]["@odata.deltaLink"]


def test_window_then_changes_with_out_of_range_removals(tenant, graph):
    kept, moved, deleted = (
        tenant.control.add_event(MAILBOX, _event(day, name))
        for day, name in (("03", "kept"), ("10", "moved"), ("17", "deleted"))
    )
    tenant.control.add_event(MAILBOX, _event("20", "also in window"))
    first, delta_link = _round(graph, f"/users/{MAILBOX}/calendarView/delta?{WINDOW}")
    assert [e["subject"] for e in first] == ["kept", "moved", "deleted", "also in window"]

    tenant.control.update_event(
        MAILBOX,
        moved["id"],
        start={"dateTime": "2032-05-10T15:00:00", "timeZone": "UTC"},
        end={"dateTime": "2032-05-10T16:00:00", "timeZone": "UTC"},
    )
    tenant.control.remove_event(MAILBOX, deleted["id"])
    added = tenant.control.add_event(MAILBOX, _event("25", "new"))
    changes, _ = _round(graph, delta_link)
    by_id = {e["id"]: e for e in changes}
    assert set(by_id) == {moved["id"], deleted["id"], added["id"]}
    assert by_id[moved["id"]]["@removed"] == {"reason": "deleted"}  # merely outside the window now
    assert by_id[deleted["id"]]["@removed"] == {"reason": "deleted"}
    assert by_id[added["id"]]["subject"] == "new" and kept["id"] not in by_id


def test_empty_pages_with_only_a_next_link_lose_nothing_when_followed(tenant, graph):
    for day in ("02", "09", "16"):
        tenant.control.add_event(MAILBOX, _event(day, f"March {day}"))
    tenant.control.update_settings(delta_empty_pages=True)
    pages = _pages(graph, f"/users/{MAILBOX}/calendarView/delta?{WINDOW}")
    assert [len(page["value"]) for page in pages] == [0, 2, 0, 1]  # each page after an empty one
    for empty in (pages[0], pages[2]):
        assert set(empty) == {"@odata.context", "@odata.nextLink", "value"}
    assert [e["subject"] for page in pages for e in page["value"]] == ["March 02", "March 09", "March 16"]

    added = tenant.control.add_event(MAILBOX, _event("23", "March 23"))
    changes = _pages(graph, pages[-1]["@odata.deltaLink"])
    assert [len(page["value"]) for page in changes] == [0, 1] and "@odata.deltaLink" not in changes[0]
    assert changes[1]["value"][0]["id"] == added["id"]


def test_delta_needs_a_window_refuses_select_and_expires(tenant, graph):
    assert error_code(graph.get(f"/users/{MAILBOX}/calendarView/delta")) == "ErrorInvalidParameter"
    assert graph.get(f"/users/{MAILBOX}/calendarView/delta?{WINDOW}&$select=subject").status_code == 400
    _, delta_link = _round(graph, f"/users/{MAILBOX}/calendarView/delta?{WINDOW}")
    tenant.control.expire_delta_tokens()
    assert error_code(graph.get(delta_link)) == "syncStateNotFound"
