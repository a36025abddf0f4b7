"""sendMail and reading bounces the way the contract says MyGov must (§9)."""

from __future__ import annotations

from urllib.parse import quote

from tests.devtenant.conftest import error_code

SENDER = "noreply@auburnal.gov"
NDR_FILTER = (
    "singleValueExtendedProperties/any(ep: ep/id eq 'String 0x001A' and ep/value eq 'REPORT.IPM.Note.NDR')"
)
NDR_EXPAND = "singleValueExtendedProperties($filter=id eq 'String 0x001A')"
NDR_QUERY = f"$filter={quote(NDR_FILTER)}&$select=id,subject,receivedDateTime,from,body,internetMessageId&$expand={quote(NDR_EXPAND)}"


def _message(to: str, subject: str = "Your booking", ref: str = "B-123") -> dict:
    return {
        "message": {
            "subject": subject,
            "body": {"contentType": "HTML", "content": "<p>Confirmed.</p>"},
            "toRecipients": [{"emailAddress": {"address": to}}],
            "internetMessageHeaders": [{"name": "x-mygov-ref", "value": ref}],
        },
        "saveToSentItems": False,
    }


def test_send_mail_is_202_and_lands_in_a_tenant_inbox(tenant, graph):
    response = graph.post(f"/users/{SENDER}/sendMail", json=_message("tasha.brewer@auburnal.gov"))
    assert response.status_code == 202 and response.content == b""
    inbox = graph.get("/users/tasha.brewer@auburnal.gov/mailFolders/inbox/messages").json()["value"]
    assert [m["subject"] for m in inbox] == ["Your booking"] and inbox[0]["from"]["emailAddress"][
        "address"
    ] == SENDER
    assert tenant.control.outbound_mail()[0]["delivered"] == ["tasha.brewer@auburnal.gov"]
    external = graph.post(f"/users/{SENDER}/sendMail", json=_message("citizen@example.com"))
    assert external.status_code == 202 and tenant.control.outbound_mail()[1]["external"] == [
        "citizen@example.com"
    ]


def test_undeliverable_address_puts_an_ndr_in_the_senders_inbox(tenant, graph):
    graph.post(f"/users/{SENDER}/sendMail", json=_message("someone@invalid.example", ref="B-777"))
    graph.post(
        f"/users/{SENDER}/sendMail", json=_message("tasha.brewer@auburnal.gov", subject="Not a bounce")
    )
    tenant.control.update_settings(undeliverable_addresses=["gone@example.com"])
    graph.post(f"/users/{SENDER}/sendMail", json=_message("gone@example.com", ref="B-778"))
    found = graph.get(f"/users/{SENDER}/mailFolders/inbox/messages?{NDR_QUERY}").json()["value"]
    assert len(found) == 2
    report = next(m for m in found if "B-777" in m["body"]["content"])
    assert report["subject"] == "Undeliverable: Your booking"
    assert "550 5.1.1" in report["body"]["content"] and "someone@invalid.example" in report["body"]["content"]
    assert report["singleValueExtendedProperties"] == [
        {"id": "String 0x001A", "value": "REPORT.IPM.Note.NDR"}
    ]
    assert set(report) == {
        "id",
        "subject",
        "receivedDateTime",
        "from",
        "body",
        "internetMessageId",
        "singleValueExtendedProperties",
        "@odata.etag",
    }
    assert (
        graph.get("/users/tasha.brewer@auburnal.gov/mailFolders('Inbox')/messages").json()["value"][0][
            "subject"
        ]
        == "Not a bounce"
    )


def test_id_only_extended_property_filter_is_rejected(graph):
    id_only = quote("singleValueExtendedProperties/any(ep: ep/id eq 'String 0x001A')")
    response = graph.get(f"/users/{SENDER}/mailFolders/inbox/messages?$filter={id_only}")
    assert response.status_code == 400


def test_send_mail_validation(graph):
    no_recipients = graph.post(f"/users/{SENDER}/sendMail", json={"message": {"subject": "x"}})
    assert no_recipients.status_code == 400 and error_code(no_recipients) == "ErrorInvalidRecipients"
    bad_header = _message("tasha.brewer@auburnal.gov")
    bad_header["message"]["internetMessageHeaders"] = [{"name": "Reference", "value": "1"}]
    assert graph.post(f"/users/{SENDER}/sendMail", json=bad_header).status_code == 400
