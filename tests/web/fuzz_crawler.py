"""What the fuzz test drives: the pages a signed-in staff member and a visitor can reach, found by
following links from the home pages, with their forms and the query parameters their links and
GET forms use. Nothing is listed by hand, so a new page, form or field is fuzzed once it is linked."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

SKIPPED_PREFIXES = ("/static/", "/auth/", "/metrics", "/healthz", "/_devtenant")


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, default value), in order
    files: list[str] = field(default_factory=list)
    other_actions: list[str] = field(default_factory=list)
    buttons: set[str] = field(default_factory=set)  # which button was pressed (preview, save...)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.fields))


class _PageParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.links, self.forms = page, list[str](), list[Form]()
        self._form: Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        elif tag == "form":
            self._form = Form(self.page, urljoin(self.page, a.get("action") or self.page),
                              (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif tag == "button" and self._form is not None and a.get("formaction"):
            self._form.other_actions.append(urljoin(self.page, a["formaction"]))
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "file":
                self._form.files.append(a["name"])
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("value"):
            self._form.fields.append((a["name"], a["value"]))
            self._form.buttons.add(a["name"])

        elif tag == "select":
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form.fields[-1] = (self._textarea, self._form.fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            for action in self._form.other_actions:  # a button's formaction posts the same fields elsewhere
                self.forms.append(Form(self.page, action, self._form.method, list(self._form.fields)))
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(path: str, html: str) -> tuple[list[str], list[Form]]:
    parser = _PageParser("http://localhost" + path)
    parser.feed(html)
    return parser.links, parser.forms


def local_path(url: str) -> str | None:
    """The path and query of a link to this site that the fuzzer may follow, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != "localhost":
        return None
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith((".png", ".jpg", ".jpeg", ".webp")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def probe(form: Form) -> str:
    """A GET form submitted with "a" in its empty fields: a search that finds something, whose
    results link further."""
    values = [(name, value or "a") for name, value in form.fields]
    return urlsplit(form.action).path + "?" + urlencode(values)


def query_names(url: str) -> list[str]:
    return [name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]


def values_for_mutation(default: str) -> Iterator[tuple[str, list[str] | None]]:
    """(what, values): the hostile variants of one field; None means the field is left out."""
    yield "missing", None
    yield "empty", [""]
    yield "duplicate", [default, "9999-12-31"]
    yield "overlong", ["x" * 20_000]
    yield "NUL", ["a\x00b"]
    yield "far future", ["9999-12-31"]
    yield "far past", ["0001-01-01"]
    yield "huge number", ["99999999999999999999"]
    yield "negative", ["-1"]
    yield "non-ASCII digit", ["²"]
    yield "non-ASCII text", ["Zoë 東京 ١٢"]
