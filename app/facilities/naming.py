"""The room-mailbox naming convention: `rm_{abbr}_{room}@{domain}` by default (configurable).

A room name becomes an SMTP local part by folding accents to ASCII ("Café" -> "Cafe"), joining
words in CamelCase ("Program Room" -> "ProgramRoom") and dropping anything else. The result must
be a dot-atom of at most 64 characters (RFC 5321); otherwise the name is refused with a reason.
"""
from __future__ import annotations

import re
import unicodedata

MAX_LOCAL_PART = 64
MAX_ADDRESS = 254
LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
PLACEHOLDERS = ("{abbr}", "{room}", "{domain}")


class AddressRefused(ValueError):
    """The convention cannot make a valid address from this name; the message says why."""


def address_part(text: str) -> str:
    """ASCII letters and digits only, each word capitalised and joined."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.split(r"[^A-Za-z0-9]+", ascii_text)
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def room_address(pattern: str, abbreviation: str, room_name: str, domain: str) -> str:
    """The address the convention gives this room, or AddressRefused saying what is wrong."""
    if any(placeholder not in pattern for placeholder in PLACEHOLDERS[:2]) or "@" not in pattern:
        raise AddressRefused(f"The address pattern {pattern!r} must contain {{abbr}}, {{room}} and an @.")
    abbr = re.sub(r"[^A-Za-z0-9]", "", abbreviation)
    if not abbr:
        raise AddressRefused("The facility needs a building abbreviation of letters or digits (such as LIB).")
    room = address_part(room_name)
    if not room:
        raise AddressRefused(
            f"“{room_name}” has no letters or digits to build an address from; rename the space or link an existing room."
        )
    address = pattern.replace("{abbr}", abbr).replace("{room}", room).replace("{domain}", domain)
    local, _, host = address.rpartition("@")
    if len(local) > MAX_LOCAL_PART:
        raise AddressRefused(
            f"The address would be {local!r} ({len(local)} characters before the @); Exchange allows at most "
            f"{MAX_LOCAL_PART}. Shorten the space name."
        )
    if not LOCAL_PART.match(local):
        raise AddressRefused(f"{local!r} is not a valid mailbox name (letters, digits and . _ - are safe).")
    if not DOMAIN.match(host) or len(address) > MAX_ADDRESS:
        raise AddressRefused(f"{host!r} is not a valid mail domain; check FACILITIES_ROOM_ADDRESS_PATTERN and CITY_DOMAIN.")
    return address
