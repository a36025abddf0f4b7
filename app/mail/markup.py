"""The wording admins write: plain text with `{{ variable }}` placeholders, nothing else.

No HTML and no template language: the text is escaped, blank lines make paragraphs, line breaks
stay, and web addresses become links. Placeholders are filled from known values only.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
STRAY_BRACES = re.compile(r"\{\{|\}\}|\{%|%\}")
NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")
SUBJECT_LIMIT = 200
BODY_LIMIT = 5000


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def problems(text: str, *, allowed: set[str], required: set[str], limit: int, single_line: bool) -> list[str]:
    """What is wrong with an admin's wording, in words for them; empty when it may be saved."""
    found: list[str] = []
    if not text.strip():
        return ["Write some text."]
    if len(text) > limit:
        found.append(f"Keep it under {limit:,} characters (it has {len(text):,}).")
    if single_line and "\n" in text.strip():
        found.append("A subject is one line.")
    if re.search(r"<\s*/?\s*[a-zA-Z][^>]*>", text):
        found.append("HTML tags are not allowed: write plain text; web addresses become links by themselves.")
    names = placeholders(text)
    unknown = sorted({n for n in names if n not in allowed})
    for name in unknown:
        shown = name if NAME.match(name) else "that placeholder"
        found.append(f"{{{{ {shown} }}}} is not a variable of this message. Use one of: "
                     + ", ".join(f"{{{{ {n} }}}}" for n in sorted(allowed)) + ".")
    if STRAY_BRACES.search(PLACEHOLDER.sub("", text)):
        found.append("Braces must come in pairs around a variable name, like {{ reference }}.")
    return found


def missing_required(subject: str, body: str, required: set[str],
                     implied: dict[str, set[str]] | None = None) -> list[str]:
    """Required variables the wording leaves out; `implied`: variables that carry others (details: reference)."""
    used = set(placeholders(subject)) | set(placeholders(body))
    for name in list(used):
        used |= (implied or {}).get(name, set())
    return sorted(required - used)


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def to_html(text: str) -> Markup:
    """Escaped paragraphs with line breaks; web addresses become links."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(_linked_lines(p)) for p in paragraphs)


def _linked_lines(paragraph: str) -> Markup:
    lines = []
    for line in paragraph.split("\n"):
        parts, last = [], 0
        for match in LINK.finditer(line):
            parts.append(escape(line[last:match.start()]))
            parts.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
            last = match.end()
        parts.append(escape(line[last:]))
        lines.append(Markup("").join(parts))
    return Markup("<br>\n").join(lines)
