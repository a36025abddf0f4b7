"""HTML someone else wrote (an Outlook description, a bounce report) as plain text."""
from __future__ import annotations

import html
import re

import nh3


def html_to_text(markup: str) -> str:
    """Block ends become line breaks, tags go, entities are decoded once: the result is text to be
    escaped by whatever shows it (a template, a feed), never HTML."""
    spaced = re.sub(r"(?i)<br\s*/?>|</(p|li|h[2-4]|blockquote|pre|div)>", "\n", markup or "")
    text = html.unescape(nh3.clean(spaced, tags=set()))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
