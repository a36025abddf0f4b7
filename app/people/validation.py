"""Checks on values staff type into override fields; each failure is a message for the field."""
from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

PHONE_REGION = "US"
MAX_NAME_LENGTH = 256


class InvalidValue(ValueError):
    """A value the field refuses; the message is written for the person who typed it."""


def normalize_phone(raw: str) -> str:
    """A valid phone number in the city's usual format, e.g. "(334) 501-3000 ext. 12"."""
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidValue(
            "Enter a phone number like (334) 501-3000, with an extension if needed."
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("That is not a valid phone number. Check the area code and the digits.")
    national = phonenumbers.region_code_for_number(number) == PHONE_REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def phone_href(value: str | None) -> str | None:
    """A tel: link for a phone number, or None when the value is not a number (odd Entra data)."""
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    href = "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{href};ext={number.extension}" if number.extension else href


def normalize_email(raw: str) -> str:
    """A syntactically valid address (no DNS look-up: a department mailbox may be new)."""
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidValue("Enter an email address like parks@auburnal.gov.") from None


def normalize_text(raw: str, label: str) -> str:
    value = " ".join(raw.split())
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidValue(f"{label} must be {MAX_NAME_LENGTH} characters or fewer.")
    if any(ord(ch) < 32 for ch in raw if ch not in "\t\r\n"):
        raise InvalidValue(f"{label} contains characters that cannot be shown.")
    return value
