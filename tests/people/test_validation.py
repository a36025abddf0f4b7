"""Override values are normalised or refused with a message; Entra phone numbers get a tel: link
only when they are numbers."""
from __future__ import annotations

import pytest

from app.people.validation import (
    InvalidValue,
    normalize_email,
    normalize_phone,
    normalize_text,
    phone_href,
)


@pytest.mark.parametrize(("raw", "stored"), [
    ("334-501-3000", "(334) 501-3000"),
    ("+1 334 501 3000 x 42", "(334) 501-3000 ext. 42"),
    ("+44 20 7946 0958", "+44 20 7946 0958"),
])
def test_phone_numbers_are_stored_in_one_format(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize("raw", ["call me", "12", "(111) 111-1111", "334-501-3000<script>"])
def test_malformed_phone_numbers_are_refused(raw):
    with pytest.raises(InvalidValue):
        normalize_phone(raw)


def test_emails_are_checked_without_dns_and_normalised():
    assert normalize_email("Parks@AuburnAL.gov") == "Parks@auburnal.gov"
    assert normalize_email("new-dept@auburnal.gov") == "new-dept@auburnal.gov"
    for bad in ("robin", "robin@", "robin@@auburnal.gov", "robin@auburnal", "a b@auburnal.gov"):
        with pytest.raises(InvalidValue, match="Enter an email address"):
            normalize_email(bad)


def test_text_is_trimmed_and_control_characters_are_refused():
    assert normalize_text("  Jo   O'Brien ", "Display name") == "Jo O'Brien"
    with pytest.raises(InvalidValue, match="cannot be shown"):
        normalize_text("Jo\x00", "Display name")
    with pytest.raises(InvalidValue, match="256 characters"):
        normalize_text("x" * 257, "Display name")


def test_tel_links_only_for_real_numbers():
    assert phone_href("(334) 501-3000 ext. 12") == "tel:+13345013000;ext=12"
    assert phone_href("ask the front desk") is None
    assert phone_href(None) is None
