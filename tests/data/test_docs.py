"""A newcomer can follow every document the README and the code point to: they are in the repository."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "README.md", *ROOT.glob("app/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("docs/*.md")]
OUTSIDE = re.compile(r"\bshared/(DESIGN|graph-contract|calendar-feeds)")  # Graph's CSDL schema is data, not a document


def test_documents_named_in_the_readme_and_the_code_exist_inside_the_repository():
    this = Path(__file__).resolve()
    outside = [str(p.relative_to(ROOT)) for p in SOURCES if p != this and OUTSIDE.search(p.read_text())]
    assert outside == []
    named = {m for p in SOURCES for m in re.findall(r"\bdocs/[\w.-]+\.md", p.read_text())}
    assert {"docs/architecture.md", "docs/graph-contract.md", "docs/calendar-feeds.md"} <= named
    assert [n for n in named if not (ROOT / n).exists()] == []
