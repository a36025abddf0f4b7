"""The Graph client against the dev tenant over HTTPS, one typed call at a time."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from app.graph import (
    BatchRequest,
    DeltaTokenExpired,
    GraphAuthError,
    GraphClient,
    GraphForbidden,
    GraphSettings,
    TransportHooks,
    calendar,
    groups,
    mail,
    places,
    sharepoint,
    teams,
    users,
)

ROOM = "rm_LIB_ProgramRoom@auburnal.gov"


def _client(tenant, **overrides) -> GraphClient:
    settings = GraphSettings.from_mapping(tenant.graph_config, **overrides)
    return GraphClient(settings, TransportHooks())


def _slot(hours_from_now: int, minutes: int = 60) -> tuple[datetime, datetime]:
    start = (datetime.now(timezone.utc) + timedelta(hours=hours_from_now)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(minutes=minutes)


def _event(subject: str, start: datetime, end: datetime, transaction_id: str) -> dict:
    return {
        "subject": subject, "start": calendar.graph_datetime(start), "end": calendar.graph_datetime(end),
        "showAs": "busy", "transactionId": transaction_id,
    }


def test_app_token_comes_from_msal_and_is_cached(tenant):
    graph = _client(tenant)
    first = graph.tokens.access_token()
    assert graph.tokens.last_source == "identity_provider"
    assert graph.tokens.access_token() == first
    assert graph.tokens.last_source == "cache"


def test_a_wrong_client_secret_fails_cleanly(tenant):
    graph = _client(tenant, client_secret="not-the-secret")
    with pytest.raises(GraphAuthError) as refused:
        graph.get("/users")
    assert refused.value.code == "invalid_client"
    assert "AADSTS7000215" in refused.value.message
    assert "not-the-secret" not in str(refused.value)


def test_listing_users_follows_every_page(tenant):
    tenant.add_users(250)
    graph = _client(tenant)
    everyone = list(users.list_users(graph, top=100))
    expected = tenant.user_count()
    assert len(everyone) == expected and len({u["id"] for u in everyone}) == expected
    assert graph.request_count == -(-expected // 100)  # ceil: one request a page, no more
    assert all("accountEnabled" in u and "department" in u for u in everyone)


def test_search_sends_consistency_level_and_finds_by_name_prefix(tenant):
    someone = tenant.any_user()
    prefix = someone["displayName"].split()[0]
    found = list(users.search_users(_client(tenant), prefix))
    assert someone["id"] in {u["id"] for u in found}


def test_photo_is_bytes_or_none(tenant):
    graph = _client(tenant)
    with_photo, without_photo = tenant.user_with_photo(), tenant.user_without_photo()
    photo = users.get_user_photo(graph, with_photo["id"])
    assert photo is not None and photo.content and photo.content_type.startswith("image/")
    assert users.get_user_photo(graph, without_photo["id"]) is None


def test_delta_rounds_replay_the_link_surface_removals_and_expire(tenant):
    graph = _client(tenant)
    first = users.users_delta(graph)
    listed = list(first)
    assert first.delta_link and len(listed) == tenant.user_count()
    quiet = users.users_delta(graph, first.delta_link)
    assert list(quiet) == [] and quiet.delta_link

    changed, removed = tenant.any_user(), tenant.any_user(exclude=1)
    tenant.disable_user(changed["id"])
    tenant.delete_user(removed["id"])
    round_ = users.users_delta(graph, quiet.delta_link)
    items = {item["id"]: item for item in round_}
    assert items[changed["id"]]["accountEnabled"] is False
    assert "@removed" in items[removed["id"]]
    assert round_.removed == 1

    tenant.expire_delta_tokens()
    with pytest.raises(DeltaTokenExpired):
        list(users.users_delta(graph, round_.delta_link))


def test_delta_keeps_following_past_empty_pages_that_carry_a_next_link(tenant):
    tenant.update_settings(delta_page_size=10, delta_empty_pages=True)
    graph = _client(tenant)
    round_ = users.users_delta(graph)
    listed = list(round_)
    assert len(listed) == tenant.user_count() and round_.delta_link
    pages_with_users = -(-tenant.user_count() // 10)
    assert round_.pages == graph.request_count == 2 * pages_with_users  # each after an empty one


def test_a_calendar_view_delta_round_follows_empty_pages_to_every_event(tenant):
    graph = _client(tenant)
    day, _ = _slot(24 * 500)
    subjects = [f"delta {n}" for n in range(12)]  # more than the 10 events of a calendarView delta page
    for n, subject in enumerate(subjects):
        start = day + timedelta(hours=n)
        calendar.create_event(graph, ROOM, _event(subject, start, start + timedelta(minutes=30), f"delta-{n}"))
    tenant.update_settings(delta_empty_pages=True)
    window = {
        "startDateTime": f"{day:%Y-%m-%dT%H:%M:%SZ}",
        "endDateTime": f"{day + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}",
    }
    sent_before = graph.request_count
    round_ = graph.delta(f"/users/{ROOM}/calendarView/delta", params=window)
    assert sorted(e["subject"] for e in round_) == sorted(subjects) and round_.delta_link
    assert round_.pages == graph.request_count - sent_before == 4  # 10 events, then 2, each after an empty page

    late = day + timedelta(hours=20)
    calendar.create_event(graph, ROOM, _event("delta late", late, late + timedelta(minutes=30), "delta-late"))
    later = graph.delta(round_.delta_link)
    assert [e["subject"] for e in later] == ["delta late"] and later.pages == 2


def test_group_membership_changes_are_idempotent(tenant):
    graph = _client(tenant)
    member = tenant.any_user()
    group = groups.create_security_group(graph, "MyGov-Test-Editors", "mygov-test-editors",
                                         owner_ids=(tenant.any_user(exclude=1)["id"],))
    # Graph's directory is eventually consistent: a group just created is not found at once (the
    # contract: groups are not instantly visible after create); a later read finds it.
    assert groups.find_group_by_name(graph, "MyGov-Test-Editors") is None
    assert groups.find_group_by_name(graph, "MyGov-Test-Editors")["id"] == group["id"]
    assert groups.add_group_member(graph, group["id"], member["id"]) == "added"
    assert groups.add_group_member(graph, group["id"], member["id"]) == "already-member"
    assert member["id"] in groups.group_member_ids(graph, group["id"])
    assert groups.remove_group_member(graph, group["id"], member["id"]) == "removed"
    assert groups.remove_group_member(graph, group["id"], member["id"]) == "not-a-member"
    assert tenant.group_members(group["id"]) == set()
    assert tenant.user_exists(member["id"])  # /$ref: the user is still in the directory


def test_groups_overage_is_resolved_from_graph(tenant):
    busy = tenant.overage_user()
    ids = groups.member_group_ids(_client(tenant), busy["id"])
    assert len(ids) > 200
    assert groups.check_member_groups(_client(tenant), busy["id"], ids[:45]) == set(ids[:45])


def test_event_lifecycle_in_a_room_calendar(tenant):
    graph = _client(tenant)
    start, end = _slot(30)
    event = _event("Book club", start, end, "mygov-test-1")
    created = calendar.create_event(graph, ROOM, event)
    again = calendar.create_event(graph, ROOM, event)  # a retried POST with the same transactionId
    assert again["id"] == created["id"]
    assert [e["id"] for e in tenant.events(ROOM) if e.get("subject") == "Book club"] == [created["id"]]

    schedule = calendar.get_schedule(graph, ROOM, [ROOM, "nobody@auburnal.gov"], start - timedelta(hours=1),
                                     end + timedelta(hours=1))
    by_id = {s["scheduleId"].lower(): s for s in schedule}
    busy = by_id[ROOM.lower()]["scheduleItems"]
    assert any(calendar.parse_graph_datetime(item["start"]) == start and item["status"] == "busy" for item in busy)
    assert "error" in by_id["nobody@auburnal.gov"]

    calendar.update_event(graph, ROOM, created["id"], {"subject": "Book club (moved)", "transactionId": "x"})
    seen = list(calendar.calendar_view(graph, ROOM, start - timedelta(days=1), end + timedelta(days=1), page_size=1))
    assert "Book club (moved)" in {e["subject"] for e in seen}
    assert calendar.delete_event(graph, ROOM, created["id"]) is True
    assert calendar.delete_event(graph, ROOM, created["id"]) is False  # already gone is fine
    assert created["id"] not in {e["id"] for e in tenant.events(ROOM)}


def test_schedule_requests_beyond_graph_limits_are_refused_before_sending(tenant):
    graph = _client(tenant)
    start = datetime.now(timezone.utc)
    with pytest.raises(ValueError):
        calendar.get_schedule(graph, ROOM, [ROOM] * 21, start, start + timedelta(hours=1))
    with pytest.raises(ValueError):
        calendar.get_schedule(graph, ROOM, [ROOM], start, start + timedelta(days=62))
    assert graph.request_count == 0


def test_sharing_a_room_calendar(tenant):
    graph = _client(tenant)
    staff = tenant.any_user()
    permission = calendar.share_calendar(graph, ROOM, staff["mail"], role="read")
    shared = {p["emailAddress"].get("address") for p in calendar.list_calendar_permissions(graph, ROOM)}
    assert staff["mail"] in shared
    assert calendar.revoke_calendar_permission(graph, ROOM, permission["id"]) is True
    assert calendar.revoke_calendar_permission(graph, ROOM, permission["id"]) is False


def test_rooms_are_created_with_the_chosen_address_under_building_and_floor(tenant):
    graph = _client(tenant)
    building = places.create_building(graph, "Fire Station 3")
    floor = places.create_floor(graph, building["id"], "1")
    room = places.create_room(graph, floor["id"], "Training Room", "rm_FS3_TrainingRoom@auburnal.gov", capacity=20)
    assert room["emailAddress"] == "rm_FS3_TrainingRoom@auburnal.gov" and room["parentId"] == floor["id"]
    assert places.get_place(graph, "rm_FS3_TrainingRoom@auburnal.gov")["displayName"] == "Training Room"
    updated = places.update_room(graph, "rm_FS3_TrainingRoom@auburnal.gov", {"capacity": 24})
    assert updated["capacity"] == 24
    assert "rm_FS3_TrainingRoom@auburnal.gov" in {r["emailAddress"] for r in places.list_rooms(graph)}
    with pytest.raises(ValueError):
        places.update_room(graph, "rm_FS3_TrainingRoom@auburnal.gov", {"emailAddress": "other@auburnal.gov"})


def test_an_undeliverable_message_comes_back_as_a_bounce_report(tenant):
    graph = _client(tenant)
    sender = tenant.mail_sender
    message = {
        "subject": "Your reservation", "body": {"contentType": "Text", "content": "Hello"},
        "toRecipients": [{"emailAddress": {"address": "nobody@invalid.example"}}],
        "internetMessageHeaders": [{"name": "x-mygov-ref", "value": "mygov.0123456789abcdef0123"}],
    }
    mail.send_mail(graph, sender, message)
    reports = list(mail.list_bounce_reports(graph, sender))
    assert len(reports) == 1
    assert "nobody@invalid.example" in reports[0]["body"]["content"]


def test_batch_retries_only_the_throttled_inner_requests(tenant):
    graph = _client(tenant, max_attempts=30)
    some = [u["id"] for u in list(users.list_users(graph))[:25]]
    tenant.reset_counters()
    sent_before = graph.request_count
    tenant.throttle(share=0.5, retry_after=0, path_prefix="/users/")
    answers = graph.batch([BatchRequest(str(i), "GET", f"/users/{oid}?$select=id") for i, oid in enumerate(some)])
    tenant.clear_faults()
    assert {a.status for a in answers.values()} == {200}
    assert {a.body["id"] for a in answers.values()} == set(some)

    counts, throttled = tenant.request_counts(), tenant.throttled_count()
    inner = counts["GET /v1.0/users/<user_key>"]
    assert throttled >= 12  # every other inner request of each round answered 429
    # Each inner request reached the tenant once, plus once more per 429 it got: re-sending a whole
    # batch (or an answered request) would count more.
    assert inner == len(some) + throttled
    batches = counts["POST /v1.0/$batch"]
    assert batches == graph.request_count - sent_before
    assert batches >= 3  # 20 + 5 first, then the throttled ones again


def test_a_throttling_storm_still_completes_every_call_exactly_once(tenant):
    graph = _client(tenant, max_attempts=20, max_retry_wait_seconds=0.05)
    tenant.throttle(share=0.3, retry_after=0)
    start, end = _slot(60, 30)
    for n in range(60):
        calendar.create_event(graph, ROOM, _event(f"storm {n}", start, end, f"storm-{n}"))
    tenant.clear_faults()
    subjects = sorted(e["subject"] for e in tenant.events(ROOM) if e["subject"].startswith("storm "))
    assert subjects == sorted(f"storm {n}" for n in range(60))
    assert tenant.throttled_count() > 0


def test_no_more_than_four_requests_at_once_reach_one_mailbox(tenant):
    graph = _client(tenant)
    tenant.add_latency(150)
    start, end = _slot(5)
    errors: list[Exception] = []

    def read() -> None:
        try:
            calendar.get_schedule(graph, ROOM, [ROOM], start, end)
        except Exception as error:  # collected: the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tenant.clear_faults()
    assert errors == []
    assert tenant.throttled_count() == 0  # the tenant answers a 5th concurrent request with 429


def test_a_missing_application_permission_is_a_typed_403(tenant):
    tenant.set_app_roles(["User.Read.All"])
    graph = _client(tenant)
    start, end = _slot(3)
    with pytest.raises(GraphForbidden) as refused:
        calendar.create_event(graph, ROOM, _event("nope", start, end, "nope-1"))
    assert refused.value.status == 403 and refused.value.request_id


def test_teams_card_and_sharepoint_item(tenant):
    graph = _client(tenant)
    message = teams.adaptive_card_message("Outbox needs attention", {"Operation": "create_event #1"})
    teams.post_to_workflow(graph, tenant.teams_webhook_url, message)
    card = tenant.teams_posts()[-1]["payload"]["attachments"][0]["content"]
    assert card["body"][0]["text"] == "Outbox needs attention"
    item = sharepoint.create_list_item(graph, tenant.site_id, tenant.list_id, {"Title": "Room booked"})
    assert item["fields"]["Title"] == "Room booked"


def test_the_configured_ca_wins_over_a_ca_bundle_in_the_environment(tenant, monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE replace a session's own `verify`; the client must not.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    graph = _client(tenant)
    assert users.get_user(graph, tenant.any_user()["id"]) is not None
