"""Hostile input never reaches a 500 (issue 18, point 6).

Every page a staff member with every role and an anonymous visitor can reach is found by following
links (tests/web/fuzz_crawler.py); then every form field, every query parameter those pages use and
every variable part of their addresses is sent overlong, with a NUL, out of range, as a non-ASCII
digit, twice, empty and left out. For each answer: no 5xx; a refusal commits nothing; and a refusal
names the field it is about (the field is marked invalid, or the error page names it), without
blaming fields the unchanged form did not.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from app.access.registry import ROLES
from app.calendars.models import Calendar, CalendarEvent, OutlookImportSource
from app.demo.services import seed_demo
from app.extensions import db, limiter
from app.facilities.models import FacilitySpace
from app.jobs.models import ServerJob
from app.reservations import services
from app.reservations.rules import parse_booking
from app.web.input_guard import field_label
from app.web.templating import city_zone
from tests.factories import grant, make_employee, sign_in
from tests.reservations.conftest import IsolatedClient
from tests.reservations.helpers import booking_form, next_open_day
from tests.web.fuzz_crawler import Form, local_path, parse_page, probe, query_names, values_for_mutation

PAGES_PER_ENDPOINT = 2
# Endpoints no link or form reaches in this data; each with why. Any other endpoint unreached fails.
UNREACHED = {
    "reservations.received": "only the redirect after a booking leads there",
    "reservation_confirm.confirm_page": "only the email's link leads there",
    "reservation_confirm.confirm": "only the email's link leads there",
    "reservations.cancel": "the manage page is reached by the email's link",
    "reservations.manage": "only the email's link leads there",
    "employees.staff_photo": "no employee has an uploaded photo in the demo data",
    "directory.public_photo": "no employee has an uploaded photo in the demo data",
    "reservations.space_photo": "no room has a photo in the demo data",
    "outlook_import.review_change": "no imported event has an Outlook change waiting",
    "outlook_import.apply_change": "no imported event has an Outlook change waiting",
    "facilities.revoke_share": "no room calendar is shared in the demo data",
    "facilities.restore_facility": "nothing is archived in the demo data",
    "facilities.restore_space": "nothing is archived in the demo data",
    "ops.change_operation": "no outbox operation is dead or waiting in the demo data",
    "facilities.link": "the link form appears after a directory search",
    "facilities.provision": "every demo room already has a mailbox",
    "facilities.provision_preview": "every demo room already has a mailbox",
    "facilities.unlink": "linked rooms offer it after a confirmation step",
    "facilities.link_search": "every demo room already has a mailbox",
    "facilities.check_provisioning": "no demo room is being provisioned",
    "facilities.remove_photo": "no room has a photo in the demo data",
    "facilities.reconcile_repair": "offered only when a check found differences",
    "access_groups.apply": "offered only when a check found differences",
    "access_groups.map_group": "offered after a group search in Entra",
    "access.add_from_directory": "offered for people in Entra who are not in MyGov; the demo has none",
    "employees.use_entra_value": "offered only where a local value overrides Entra's",
    "employees.use_entra_photo": "offered only when Entra has a photo",
    "my_reservations.listing": "only the email's link leads there",
    "my_reservations.from_manage_link": "the manage page is reached by the email's link",
    "reservation_move.citizen_move": "the manage page is reached by the email's link",
    "calendar_revisions.index": "listed in the navigation only while an editor's change waits",
    "calendar_revisions.decide": "offered only while an editor's change waits",
    "calendar_staff.repeat_preview": "asked for by htmx only; the event form's fields are fuzzed on the save",
    "ops.retry_waiting_for_it": "offered only while a room waits for IT",
    "reservation_bulk.confirm": "offered after requests are ticked in the list",
    "calendars.event_image": "no demo event has an uploaded image",
    # Merged from main at the deadline; each needs data the demo city lacks (not yet seeded here):
    "access_groups.remove_before_sign_in": "offered only for a role granted before the person's first sign-in",
    "access_seeding.remove_rule": "offered only for an existing seeding rule",
    "employees.change_contact": "offered on a contact-change form the crawl does not open",
    "facilities.remove_closure": "offered only for an existing closure",
    "facilities.allow_overlap": "offered only when a published event overlaps a booking",
    "ops.retry_dead": "offered only while an operation is dead",
    "mail_admin.restore": "offered only for a template's earlier version; the demo has none",
    "graph_notifications.receive": "Microsoft Graph posts there, no page links it (tests/graph cover it)",
}
# Fields that are one control to the person filling the form: an error on one names the other.
FIELD_GROUPS = {
    "image_url": {"image", "image_alt"},  # the stored image is shown as the Image field (and then needs its text)
    "list_id": {"site_id"},  # a SharePoint list is chosen within its site
}
NOT_FUZZED = {"auth.callback", "auth.login", "auth.logout", "auth.signed_out", "metrics.metrics", "health.healthz",
              "static"}


class Writes:
    """Which tables a request committed rows to (INSERT/UPDATE/DELETE followed by COMMIT)."""

    DML = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
    IGNORED = {"staff_session"}  # a signed-in request notes the session's last use

    def __init__(self) -> None:
        self.pending: set[str] = set()
        self.committed: set[str] = set()

    def execute(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        match = self.DML.match(statement)
        if match and match.group(1) not in self.IGNORED:
            self.pending.add(match.group(1))

    def commit(self, _conn) -> None:  # type: ignore[no-untyped-def]
        self.committed |= self.pending
        self.pending = set()

    def rollback(self, _conn) -> None:  # type: ignore[no-untyped-def]
        self.pending = set()

    @contextmanager
    def watching(self) -> Iterator[Writes]:
        self.pending, self.committed = set(), set()
        listeners = (("before_cursor_execute", self.execute), ("commit", self.commit), ("rollback", self.rollback))
        for name, listener in listeners:
            event.listen(db.engine, name, listener)
        try:
            yield self
        finally:
            for name, listener in listeners:
                event.remove(db.engine, name, listener)


def flagged(html: str) -> set[str]:
    """The fields a page marks invalid (aria-invalid on the control, or an error message tied to it)."""
    names = set()
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'aria-invalid="true"' in tag and (name := re.search(r'\bname="([^"]+)"', tag)):
            names.add(name.group(1))
    names |= {m.removeprefix("field-").removeprefix("move-") for m in re.findall(r'id="error-([^"]+)"', html)}
    names |= {m.removeprefix("field-") for m in re.findall(r'id="([^"]+)-error"', html)}
    return names - {"summary"}


@pytest.fixture
def world(app: Flask, devtenant_clean) -> dict[str, object]:
    """The demo city, a pending request and a repeating published event, caps out of the way."""
    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    app.config.update(BOOKING_MAX_OPEN_PER_CLIENT=10_000, BOOKING_MAX_OPEN_PER_ADDRESS=10_000,
                      BOOKING_MAX_ADDRESSES_PER_HOUR=10_000)
    limiter.enabled = False
    app.config["PUBLIC_BASE_URL"] = "http://localhost"  # absolute links (feeds, images) lead back to this site
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is an answer the assertion names (the log has the traceback)
    space = db.session.scalars(select(FacilitySpace).where(FacilitySpace.slug == "program-room")).one()
    with app.test_request_context():
        booking, errors = parse_booking(booking_form(next_open_day(), "15:00", "16:00"), space, city_zone(app),
                                        datetime.now(timezone.utc))
        assert booking is not None, errors
        services.submit_reservation(space, booking, client_key="fuzz")
    assert db.session.scalar(select(CalendarEvent).where(CalendarEvent.rrule.is_not(None)).limit(1))
    library = db.session.scalars(select(Calendar).where(Calendar.slug == "library")).one()
    db.session.add(OutlookImportSource(name="Program room", mailbox=space.exchange_resource_mailbox.lower(),
                                       calendar=library))
    db.session.add(ServerJob(name="Outbox sweeper", action="outbox.sweep", parameters={}, interval_seconds=30))
    db.session.commit()
    staff = make_employee("Fuzz Staff")
    grant(staff, *[role.qualified_name for role in ROLES])
    yield {"staff": staff}
    limiter.enabled = True


def _endpoint(app: Flask, path: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(path).path, method="GET")[0]
    except HTTPException:
        return None


def crawl(app: Flask, client, starts: list[str]) -> tuple[dict[str, list[str]], list[Form]]:
    """The addresses reached (by endpoint; feeds and files too) and the forms on the pages."""
    pages: dict[str, list[str]] = {}
    forms: dict[tuple[str, str, tuple[str, ...]], Form] = {}
    queue, seen = list(starts), set()
    while queue:
        path = queue.pop(0)
        endpoint = _endpoint(app, path)
        if path in seen or endpoint is None or len(pages.get(endpoint, [])) >= PAGES_PER_ENDPOINT:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, f"GET {path} answered {response.status_code}"
        if response.status_code != 200:
            continue
        pages.setdefault(endpoint, []).append(path)
        if response.mimetype != "text/html":
            continue
        links, found = parse_page(path, response.get_data(as_text=True))
        queue += [p for p in (local_path(link) for link in links) if p]
        for form in found:
            action = local_path(form.action)
            if action:
                form.action = action
                # One form per endpoint and fields: the publish button of every event is one form.
                key = (_endpoint_of_form(app, form) or action, form.method, tuple(form.names))
                forms.setdefault(key, form)
                if form.method == "get":
                    queue.append(probe(form))
    return pages, list(forms.values())


class Fuzzer:
    """Sends the hostile values and keeps every problem found (all of them are reported at once)."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.sent = 0
        self.writes = Writes()

    def survives(self, response, what: str) -> bool:  # type: ignore[no-untyped-def]
        self.sent += 1
        if response.status_code >= 500:
            self.problems.append(f"{what} answered {response.status_code}")
            return False
        return True

    def form(self, client, form: Form) -> None:  # type: ignore[no-untyped-def]
        """Every hostile value in every field of one form."""
        def send(data: MultiDict):  # type: ignore[no-untyped-def]
            if form.method == "get":
                return client.get(urlsplit(form.action).path + "?" + urlencode(list(data.items(multi=True))))
            return client.post(form.action, data=data)

        base = MultiDict(form.fields)
        baseline = send(base)
        if not self.survives(baseline, f"{form.method.upper()} {form.action} as the page offers it"):
            return
        before = flagged(baseline.get_data(as_text=True)) if baseline.status_code >= 400 else set()
        for name in form.names:
            if name == "csrf_token":
                continue
            for what, values in values_for_mutation(base.get(name, "")):
                data = MultiDict([(k, v) for k, v in base.items(multi=True) if k != name])
                for value in values or []:
                    data.add(name, value)
                with self.writes.watching():
                    response = send(data)
                label = f"{form.method.upper()} {form.action} with {name} {what} (from {form.page})"
                # Another button (or none) is another action: what it refuses need not be this field.
                if self.survives(response, label) and form.method == "post" and name not in form.buttons and \
                        response.status_code in (400, 413, 422, 429):
                    self._refusal(response, label, name, before, baseline.status_code < 400)

    def _refusal(self, response, label: str, name: str, before: set[str], baseline_accepted: bool) -> None:  # type: ignore[no-untyped-def]
        if self.writes.committed:
            self.problems.append(f"{label} was refused but wrote to {sorted(self.writes.committed)}")
        shown = flagged(response.get_data(as_text=True))
        if not (shown <= before | {name} | FIELD_GROUPS.get(name, set()) or _named(response, name)):
            self.problems.append(f"{label} blamed {sorted(shown - before)}")
        elif baseline_accepted and not _named(response, name):
            self.problems.append(f"{label} was refused without naming {name}")

    def address(self, client, path: str) -> None:  # type: ignore[no-untyped-def]
        """Each variable segment of a page's address."""
        parts = urlsplit(path)
        segments = parts.path.strip("/").split("/")
        for index, segment in enumerate(segments):
            if segment.isdigit() or not segment:
                continue
            for what, values in values_for_mutation(segment):
                if not values or len(values) > 1:
                    continue
                changed = [*segments[:index], quote(values[0], safe=""), *segments[index + 1:]]
                url = "/" + "/".join(changed) + ("/" if parts.path.endswith("/") else "")
                self.survives(client.get(url), f"GET {url[:120]} ({what} in the address)")

    def query(self, client, path: str, names: set[str]) -> None:  # type: ignore[no-untyped-def]
        """Each query parameter the page's links use."""
        for name in sorted(names):
            for what, values in values_for_mutation("1"):
                if values is None:
                    continue  # the page without the parameter was crawled
                url = urlsplit(path).path + "?" + urlencode([(name, v) for v in values])
                self.survives(client.get(url), f"GET {url[:120]} ({name} {what})")


def _named(response, name: str) -> bool:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    return bool(({name} | FIELD_GROUPS.get(name, set())) & flagged(html)) or (
        response.status_code in (400, 413, 429) and field_label(name) in html)


def test_no_form_parameter_or_address_reaches_a_500_and_refusals_name_their_field(app, world):
    started = time.monotonic()
    staff = IsolatedClient(app, app.response_class, use_cookies=True)
    sign_in(staff, world["staff"])
    visitor = IsolatedClient(app, app.response_class, use_cookies=True)

    staff_pages, staff_forms = crawl(app, staff, ["/staff/", f"/staff/access/people/{world['staff'].id}",
                                                  "/staff/bookings/new/"])
    public_pages, public_forms = crawl(app, visitor, ["/", "/calendars/all/", "/reservations/", "/directory/"])
    pages = {**staff_pages, **public_pages}
    reached = set(pages) | {_endpoint_of_form(app, f) for f in staff_forms + public_forms}
    every = {rule.endpoint for rule in app.url_map.iter_rules()} - NOT_FUZZED
    assert every - reached <= set(UNREACHED), f"not reached by any link or form: {every - reached - set(UNREACHED)}"

    fuzz = Fuzzer()
    for client, forms in ((visitor, public_forms), (staff, staff_forms)):
        for form in forms:
            fuzz.form(client, form)
    for client, found in ((visitor, public_pages), (staff, staff_pages)):
        for paths in found.values():
            fuzz.address(client, paths[0])
            fuzz.query(client, paths[0], {n for p in paths for n in query_names(p)})
    print(f"fuzz: {fuzz.sent} requests, {len(staff_forms) + len(public_forms)} forms, {len(pages)} pages, "
          f"{time.monotonic() - started:.1f} s")
    assert not fuzz.problems, f"{len(fuzz.problems)} problems:\n" + "\n".join(fuzz.problems[:40])
    assert fuzz.sent > 1000  # the crawl found the site, not an error page


def _endpoint_of_form(app: Flask, form: Form) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(form.action).path, method=form.method.upper())[0]
    except HTTPException:
        return None
