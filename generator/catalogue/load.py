"""The catalogue read from its YAML files, checked, and given back as frozen values; every
problem is collected before anything is raised.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from generator.base.inputs import find
from generator.catalogue.checks import cross_check
from generator.catalogue.model import Breakdown, CatalogueError, Document, M, Scale
from generator.catalogue.sections import Catalogue, Section

_KNOWN_FILES = ("sources.yaml", "scales.yaml", "breakdowns.yaml")


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's C loader where PyYAML was built with it: the same safe
    subset, parsed faster (the catalogue is read by every command)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_yaml(path: Path, problems: list[str]) -> object:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problems.append(f"{path.name}: cannot be read as YAML: {e}")
        return None


def _pydantic_problems(where: str, err: ValidationError) -> list[str]:
    out = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        got = e.get("input")
        shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
        out.append(f"{where}: {loc}: {e['msg']} (found {shown[:80]})")
    return out


def _parse_list(model: type[M], raw: object, where: str, problems: list[str]) -> list[M]:
    if not isinstance(raw, list):
        problems.append(f"{where}: expected a list at the top level, found {type(raw).__name__}")
        return []
    parsed = []
    for n, entry in enumerate(raw):
        label = entry.get("id") or entry.get("code") if isinstance(entry, dict) else n
        try:
            parsed.append(model.model_validate(entry))
        except ValidationError as e:
            problems.extend(_pydantic_problems(f"{where}[{n}] ({label})", e))
    return parsed


def load_catalogue(directory: Path | str | None = None) -> Catalogue:
    """Load and check the catalogue (by default the current folder's data/catalogue, else the
    package's copy: :func:`generator.base.inputs.find`); raise :class:`CatalogueError` listing every
    problem."""
    directory = Path(directory) if directory is not None else find("data/catalogue")
    problems: list[str] = []
    digest = hashlib.sha256()
    files = [directory / f for f in _KNOWN_FILES] + sorted((directory / "sections").glob("*.yaml"))
    for f in files:
        if f.exists():
            digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        else:
            problems.append(f"{f.relative_to(directory.parent)}: missing")
    if problems:
        raise CatalogueError(problems)

    docs = _parse_list(Document, _read_yaml(files[0], problems), "sources.yaml", problems)
    scales = _parse_list(Scale, _read_yaml(files[1], problems), "scales.yaml", problems)
    bds = _parse_list(Breakdown, _read_yaml(files[2], problems), "breakdowns.yaml", problems)
    sections: list[Section] = []
    section_digests: dict[str, str] = {}
    shared = b"".join(f.name.encode() + b"\0" + f.read_bytes() + b"\0" for f in files[:3])
    for f in files[3:]:
        raw = _read_yaml(f, problems)
        try:
            sec = Section.model_validate(raw)
        except ValidationError as e:
            problems.extend(_pydantic_problems(f"sections/{f.name}", e))
            continue
        sections.append(sec)
        section_digests[sec.section] = hashlib.sha256(shared + f.read_bytes()).hexdigest()
    cat = Catalogue(
        documents={d.code: d for d in docs},
        scales={s.id: s for s in scales},
        breakdowns={b.id: b for b in bds},
        sections={s.section: s for s in sorted(sections, key=lambda s: s.section)},
        digest=digest.hexdigest(),
        section_digests=section_digests,
    )
    problems.extend(cross_check(cat, docs, scales, bds, sections))
    if problems:
        raise CatalogueError(problems)
    return cat
