"""The site's abbreviations and terms (``data/glossary.yaml``): one list, two renderings.

The glossary page lists every term; the abbreviations file, appended to every page by the
``abbr`` and ``pymdownx.snippets`` Markdown extensions (mkdocs.yml), marks each use of a term in
a page's text as an ``<abbr>`` with its expansion, so a reader who meets "SEQF" or "PSA 16" on an
area page is told what it means there (in the page, not by a hook: Zensical reads the same
extensions).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from pydantic import Field, ValidationError

from generator.base.inputs import GLOSSARY_YAML, find
from generator.catalogue.load import load_yaml
from generator.catalogue.model import Model
from generator.site.markup import GENERATED, Page, esc, front

ABBREVIATIONS = (
    f"{GENERATED}/abbreviations.md"  # mkdocs.yml appends it to every page, and keeps it off the site
)


class GlossaryError(ValueError):
    """The glossary cannot be read."""


class Passage(Model):
    document: str = Field(pattern=r"^\d{3}$")
    passage: str = Field(min_length=3)


class Term(Model):
    term: str = Field(min_length=2, max_length=20, pattern=r"^[A-Za-z][A-Za-z0-9 ]*[A-Za-z0-9]$")
    expansion: str = Field(min_length=3, max_length=120)
    meaning: str = Field(min_length=10)
    source: Passage | None = None  # where the source documents use it; none for a term of our own


class Glossary(Model):
    terms: tuple[Term, ...] = Field(min_length=1)


def load(path: Path | None = None) -> Glossary:
    """The glossary in ``path`` (default the project's), each term once."""
    path = path or find(GLOSSARY_YAML)
    try:
        g = Glossary.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as e:
        raise GlossaryError(f"{path}: cannot be read: {' '.join(str(e).splitlines()[:3])}") from None
    seen = [t.term for t in g.terms]
    if twice := sorted({t for t in seen if seen.count(t) > 1}):
        raise GlossaryError(f"{path}: terms listed twice: {', '.join(twice)}")
    return g


def glossary_page(g: Glossary) -> Page:
    """Every term, alphabetically, with what it stands for, what it means here and its source."""
    lines = [
        front("Glossary"),
        "# Glossary",
        "",
        "The abbreviations and terms this site uses. Each is also explained where it appears: "
        "hold the pointer over it, or tap it, to see what it stands for.",
        "",
        "| Term | Stands for | What it means here | Where it comes from |",
        "|---|---|---|---|",
    ]
    for t in sorted(g.terms, key=lambda t: t.term.lower()):
        where = f"[{esc(t.source.document)}]" if t.source else "this site"
        lines.append(f"| **{esc(t.term)}** | {esc(t.expansion)} | {esc(t.meaning)} | {where} |")
    lines += ["", "Sources are numbered as on the [guidance](../guidance/index.md) page."]
    return Page(f"{GENERATED}/glossary.md", "\n".join(lines) + "\n")


def abbreviations(g: Glossary) -> Page:
    """The definitions the ``abbr`` extension reads (``*[SEQF]: Supported ...``)."""
    lines = [f"*[{t.term}]: {_plain(t.expansion)}" for t in g.terms]
    return Page(ABBREVIATIONS, "\n".join(lines) + "\n")


def _plain(text: str) -> str:
    """An expansion as the extension puts it in a title attribute: one line, no markup."""
    return re.sub(r"\s+", " ", re.sub(r"[<>\[\]*_`]", "", text)).strip()


_TAG = re.compile(r"(<[^>]*>)")


def mark_terms(page_text: str, g: Glossary) -> str:
    """A page with every term in its raw HTML lines (tables of figures, chart blocks) marked as
    the ``abbr`` extension marks them in Markdown, which leaves raw HTML untouched: so a term
    first met in a table is explained there too. Only text between tags changes (never an
    attribute, never text already inside an ``<abbr>``)."""
    pattern = re.compile(
        r"(?<![\w&#])("
        + "|".join(re.escape(html.escape(t.term)) for t in sorted(g.terms, key=lambda t: -len(t.term)))
        + r")(?![\w])"
    )
    title = {html.escape(t.term): html.escape(_plain(t.expansion)) for t in g.terms}

    def mark(line: str) -> str:
        out, inside = [], 0
        for part in _TAG.split(line):
            if part.startswith("<"):
                low = part.lower()
                inside += 1 if low.startswith("<abbr") else -1 if low.startswith("</abbr") else 0
                out.append(part)
            elif inside or not part:
                out.append(part)
            else:
                out.append(pattern.sub(lambda m: f'<abbr title="{title[m[1]]}">{m[1]}</abbr>', part))
        return "".join(out)

    return "\n".join(mark(line) if line.startswith("<") else line for line in page_text.split("\n"))
