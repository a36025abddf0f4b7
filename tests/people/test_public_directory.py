"""The public staff directory: only employees shown publicly and active, by department, searchable
with and without JavaScript, Entra oddities escaped, never the hidden Entra values."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.people.helpers import employee_with_contact


def test_lists_only_public_active_employees_by_department(app, client):
    employee_with_contact("Ana Ranger", department="Parks", job_title="Park Ranger", show_publicly=True,
                          business_phone="334-501-3000")
    employee_with_contact("Bo Reader", department="Library", show_publicly=True)
    employee_with_contact("Hidden Person", department="Library", show_publicly=False)
    employee_with_contact("Disabled Person", department="Library", show_publicly=True, account_enabled=False)
    employee_with_contact("Removed Person", department="Library", show_publicly=True,
                          entra_removed_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    employee_with_contact("No Department", show_publicly=True)

    html = client.get("/directory/").get_data(as_text=True)
    assert 'id="directory-count" role="status"' in html and "3 staff members found." in html
    for hidden in ("Hidden Person", "Disabled Person", "Removed Person"):
        assert hidden not in html
    library, parks, other = html.index(">Library</h2>"), html.index(">Parks</h2>"), html.index(">Other staff</h2>")
    assert library < html.index("Bo Reader") < parks < html.index("Ana Ranger") < other
    assert '<a class="usa-link" href="tel:+13345013000">(334) 501-3000</a>' not in html  # Entra value as-is
    assert 'href="tel:+13345013000">334-501-3000</a>' in html


def test_search_works_without_javascript_and_with_htmx(app, client):
    employee_with_contact("Ana Gómez", department="Parks", job_title="Park Ranger", show_publicly=True)
    employee_with_contact("Bo Reader", department="Library", show_publicly=True)

    plain = client.get("/directory/?q=gomez").get_data(as_text=True)
    assert "Ana Gómez" in plain and "Bo Reader" not in plain and "1 staff member found." in plain
    assert 'value="gomez"' in plain

    response = client.get("/directory/?q=library", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "Bo Reader" in fragment and "Ana Gómez" not in fragment
    assert '<p id="directory-count" hx-swap-oob="innerHTML">1 staff member found.</p>' in fragment

    by_department = client.get("/directory/", query_string={"department": "Parks"}).get_data(as_text=True)
    assert "Ana Gómez" in by_department and "Bo Reader" not in by_department
    assert '<option value="Parks" selected>Parks</option>' in by_department


def test_public_search_never_finds_a_legal_name_hidden_by_an_override(app, client):
    employee_with_contact("Legal Birthname", display_name_override="Sam Chosen", show_publicly=True)
    assert "No staff members match your search." in client.get("/directory/?q=birthname").get_data(as_text=True)
    shown = client.get("/directory/?q=chosen").get_data(as_text=True)
    assert "Sam Chosen" in shown and "Birthname" not in shown


def test_odd_entra_values_are_shown_escaped(app, client):
    employee_with_contact('<img src=x onerror="alert(1)">', department="<b>Ops</b>",
                          job_title="R&D \u202e lead", business_phone="ext. 5 <call>", show_publicly=True)
    html = client.get("/directory/").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "&lt;b&gt;Ops&lt;/b&gt;" in html and "R&amp;D" in html
    assert "Phone:" in html and "ext. 5 &lt;call&gt;" in html and 'href="tel:' not in html


def test_results_are_paged_and_the_pages_keep_the_search(app, client):
    for n in range(55):
        employee_with_contact(f"Clerk {n:02d}", department="Clerk", show_publicly=True)
    first = client.get("/directory/?q=clerk").get_data(as_text=True)
    assert "55 staff members found." in first and "Page 1 of 2" in first
    assert 'href="/directory/?page=2&amp;q=clerk"' in first
    second = client.get("/directory/?page=2&q=clerk").get_data(as_text=True)
    assert "Clerk 54" in second and "Clerk 00" not in second and "Previous page" in second
    assert client.get("/directory/?page=x").status_code == 200


def test_the_demo_city_publishes_a_directory_out_of_the_box(app, client):
    from app.demo.services import seed_demo

    seed_demo(app.config["ENTRA_TENANT_ID"], app.config["CITY_TIMEZONE"])
    html = client.get("/directory/").get_data(as_text=True)
    assert "No staff members match" not in html
    assert ">Library</h2>" in html and ">Parks and Recreation</h2>" in html
    assert "Police" not in html  # the demo keeps some departments unlisted, as a city may


def test_an_empty_directory_says_why_before_any_search(app, client):
    employee_with_contact("Hidden Person", department="Library", show_publicly=False)
    html = client.get("/directory/").get_data(as_text=True)
    assert "No staff members match" not in html
    assert "No one is listed in the staff directory yet" in html
    searched = client.get("/directory/?q=nobody").get_data(as_text=True)
    assert "No staff members match your search" in searched
