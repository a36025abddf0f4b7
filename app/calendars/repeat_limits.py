"""How far a repeat rule may go: public events repeat at most daily, and no page, feed or Exchange
write expands more than MAX_EXPANDED starts of one rule.

A calendar of city events has no event that repeats every hour or minute; a rule that did (issue
18: FREQ=MINUTELY made each public render take seconds and tens of megabytes) is refused when staff
save it. The cap covers what the refusal cannot: rules stored before it, and legal rules asked about
a far window. dateutil expands a rule from its first start, so the cap counts from there: 10,000
is a daily series of 27 years.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

MAX_EXPANDED = 10_000
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# The time of day comes from the event's own fields; these would multiply its starts within a day.
REFUSED_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")


def repeat_rule_problem(rule: str) -> str | None:
    """What is wrong with a rule staff typed (for their "Repeats" field), or None."""
    parts = dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        return "Events repeat daily, weekly, monthly or yearly (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)."
    if any(name in parts for name in REFUSED_PARTS):
        return "The time of day comes from the start and end fields; leave BYHOUR, BYMINUTE and BYSECOND out."
    return None


def starts_until(rule: Iterable[datetime], until: datetime) -> Iterator[datetime]:
    """The rule's starts up to `until` (inclusive), no more than MAX_EXPANDED counted from the first."""
    for start in islice(rule, MAX_EXPANDED):
        if start > until:
            return
        yield start


def starts_between(rule: Iterable[datetime], first: datetime, last: datetime) -> list[datetime]:
    """`rule.between(first, last, inc=True)` within the cap."""
    return [start for start in starts_until(rule, last) if start >= first]


def all_starts(rule: Iterable[datetime]) -> list[datetime]:
    """Every start of a rule with COUNT or UNTIL, within the cap."""
    return list(islice(rule, MAX_EXPANDED))
