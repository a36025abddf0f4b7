"""Ask before a destructive action, with or without JavaScript.

A form whose action cannot be undone carries `confirm_attributes(...)` (templates/_partials/confirm.html).
With JavaScript, static/js/confirm.js opens a USWDS-styled modal dialog and, on yes, submits the form
with `confirmed=yes`. Without it, the view's `ask_first(...)` answers the plain POST with a page
that asks the same question and whose form repeats the POST with `confirmed=yes`.

    asked = ask_first(Confirmation("Archive the Library?", "Its rooms ...", "Archive the Library", back))
    if asked:
        return asked
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request

CONFIRMED_FIELD = "confirmed"


@dataclass(frozen=True)
class Confirmation:
    question: str  # "Archive Auburn Public Library?"
    consequence: str  # what happens, in words the person understands
    confirm_label: str  # the button that does it: "Archive Auburn Public Library"
    cancel_url: str  # where "No, go back" leads


def is_confirmed() -> bool:
    return request.form.get(CONFIRMED_FIELD) == "yes"


def ask_first(confirmation: Confirmation) -> tuple[str, int] | None:
    """None once the person said yes; otherwise the page that asks (nothing has changed)."""
    if is_confirmed():
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in ("csrf_token", CONFIRMED_FIELD)]
    return render_template("confirm.html", confirmation=confirmation, action=request.path, fields=fields), 200
