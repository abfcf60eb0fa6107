"""Templates as files: written where only changed bytes are rewritten, and checked against
the catalogue (the committed blank templates must be what it makes now)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.catalogue.sections import Catalogue
from generator.workbook.identity import Identity, template_filename
from generator.workbook.templates import render_template


def write_templates(
    catalogue: Catalogue,
    out_dir: Path,
    sections: list[str] | None = None,
    identity: Identity | None = None,
) -> list[Path]:
    """Write one workbook per section; only files whose bytes changed are rewritten."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for letter, section in catalogue.sections.items():
        if sections and letter not in sections:
            continue
        path = out_dir / template_filename(section, identity)
        data = render_template(section, catalogue, identity)
        if not path.exists() or path.read_bytes() != data:
            tmp = path.with_suffix(".xlsx.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        written.append(path)
    return written


def out_of_date(
    catalogue: Catalogue, out: Path, letters: Sequence[str], identity: Identity | None = None
) -> tuple[list[Path], list[Path]]:
    """The workbooks in ``out`` that are missing or differ from what the catalogue makes now,
    and (for blank templates) the workbooks there that the catalogue does not make at all."""
    stale = []
    for letter in letters:
        sec = catalogue.sections[letter]
        path = out / template_filename(sec, identity)
        if not path.exists() or path.read_bytes() != render_template(sec, catalogue, identity):
            stale.append(path)
    expected = {template_filename(catalogue.sections[s]) for s in letters}
    extra = sorted(p for p in out.glob("*.xlsx") if p.name not in expected) if not identity else []
    return stale, extra
