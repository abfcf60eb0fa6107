"""The returns store: received files kept byte for byte, a ledger of every attempt, a tidy table.

Embedded and file-based: no server. Layout under the store folder (default ``data/returns/``)::

    ledger.csv                                  one row per ingest attempt
    values.csv                                  tidy table of all accepted values (rebuilt)
    <period>/<area>/<organisation>/<S>.<ext>     the current return for a section
    <period>/<area>/<organisation>/<S>.json      its validated values (what values.csv is built from)
    <period>/<area>/<organisation>/history/      returns it replaced, kept byte for byte

Ingest is all-or-nothing per file: a file is validated completely before anything is
written, every write goes to a temporary file that is then renamed into place, and a
rejected file changes nothing but the ledger. A lock file stops two ingests overlapping.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cache import NO_CACHE, Cache
from .catalogue import Catalogue
from .reader import ReadResult
from .readmany import read_many
from .registry import Registry

DEFAULT_STORE = Path(__file__).resolve().parent.parent / "data" / "returns"
LEDGER_FIELDS = (
    "time",
    "file",
    "sha256",
    "template_id",
    "template_version",
    "section",
    "area_code",
    "organisation_code",
    "period",
    "status",
    "errors",
    "warnings",
    "stored_as",
    "replaced",
)
VALUE_FIELDS = (
    "area_code",
    "organisation_code",
    "period",
    "section",
    "template_version",
    "item_id",
    "part",
    "category",
    "value",
    "value_type",
    "return_sha256",
)


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file: accepted, replaced, unchanged, refused or rejected."""

    file: str
    status: str  # accepted | replaced | unchanged | refused-duplicate | rejected
    result: ReadResult
    stored_as: str = ""
    replaced: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "replaced", "unchanged")


def _safe(part: str) -> str:
    """A path component from a code: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", part).strip(".-") or "unknown"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


class Store:
    def __init__(self, root: Path | str = DEFAULT_STORE) -> None:
        self.root = Path(root)

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.csv"

    @property
    def table(self) -> Path:
        return self.root / "values.csv"

    def slot(self, period: str, area: str, organisation: str, section: str) -> Path:
        """Where the current return for this organisation, section and period lives (no suffix)."""
        return self.root / _safe(period.replace(" ", "-")) / _safe(area) / _safe(organisation) / section

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- ingest ----------------------------------------------------------------------------
    def ingest(
        self,
        path: Path | str,
        catalogue: Catalogue,
        registry: Registry,
        replace: bool = False,
        expected_section: str | None = None,
        rebuild: bool = True,
    ) -> IngestOutcome:
        """One file: :meth:`ingest_many` of a batch of one."""
        return self.ingest_many(
            [Path(path)], catalogue, registry, replace, expected_section, rebuild=rebuild
        )[0]

    def ingest_many(
        self,
        paths: Sequence[Path],
        catalogue: Catalogue,
        registry: Registry,
        replace: bool | Sequence[bool] = False,
        expected_section: str | None = None,
        cache: Cache = NO_CACHE,
        workers: int | None = None,
        rebuild: bool = True,
    ) -> list[IngestOutcome]:
        """:meth:`ingest` for many files: read in parallel (and from the cache where a file was
        read before), then stored one by one, in order, under one lock, with the tidy table
        rebuilt once at the end. Each file is still all-or-nothing on its own."""
        results = read_many(paths, catalogue, registry, expected_section, cache, workers)
        flags = [replace] * len(paths) if isinstance(replace, bool) else list(replace)
        outcomes = []
        with self._locked():
            for path, result, rep in zip(paths, results, flags, strict=True):
                outcome = self._store(Path(path), result, rep)
                self._append_ledger(outcome)
                outcomes.append(outcome)
            if rebuild and any(o.status in ("accepted", "replaced") for o in outcomes):
                self.rebuild_table(catalogue)
        return outcomes

    def _store(self, path: Path, result: ReadResult, replace: bool) -> IngestOutcome:
        if not result.valid:
            n = len(result.errors)
            return IngestOutcome(
                str(path), "rejected", result, message=f"rejected: {n} error{'s' * (n != 1)}; nothing stored"
            )
        ident = result.identity
        slot = self.slot(ident["period"], ident["area_code"], ident["organisation_code"], result.section)
        suffix = ".ods" if result.kind == "ods" else ".xlsx"
        current = self._current(slot)
        data = path.read_bytes()
        if current is not None:
            if current.read_bytes() == data and self._in_sync(slot, result.sha256):
                return IngestOutcome(
                    str(path),
                    "unchanged",
                    result,
                    stored_as=self._rel(current),
                    message="identical to the stored return: nothing to do",
                )
            if not replace:
                return IngestOutcome(
                    str(path),
                    "refused-duplicate",
                    result,
                    stored_as=self._rel(current),
                    message=(
                        f"a Section {result.section} return for {ident['organisation_code']}, "
                        f"{ident['period']} is already stored ({self._rel(current)}); use --replace "
                        "to replace it (the old one is kept in history)"
                    ),
                )
        target = slot.with_suffix(suffix)
        replaced = ""
        if current is not None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            old_sha = _sha_of(current)[:12]
            hist = slot.parent / "history" / f"{slot.name}.{stamp}.{old_sha}{current.suffix}"
            _atomic_write(hist, current.read_bytes())
            replaced = self._rel(hist)
            if current.suffix != suffix:
                current.unlink()
        values = {
            "file": str(path.name),
            "sha256": result.sha256,
            "template_id": result.template_id,
            "template_version": result.version,
            "section": result.section,
            "identity": ident,
            "values": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in result.values.items()},
            "warnings": [p.as_dict() for p in result.warnings],
        }
        _atomic_write(target, data)
        _atomic_write(slot.with_suffix(".json"), json.dumps(values, indent=1, sort_keys=True).encode())
        status = "replaced" if replaced else "accepted"
        return IngestOutcome(
            str(path),
            status,
            result,
            stored_as=self._rel(target),
            replaced=replaced,
            message=status + (f"; the previous return is kept as {replaced}" if replaced else ""),
        )

    def _in_sync(self, slot: Path, sha256: str) -> bool:
        """The stored values belong to the stored file (a crash between the two writes is repaired)."""
        try:
            stored = json.loads(slot.with_suffix(".json").read_text(encoding="utf-8"))
            return bool(stored["sha256"] == sha256)
        except (OSError, ValueError, KeyError):
            return False

    def _current(self, slot: Path) -> Path | None:
        for suffix in (".xlsx", ".ods"):
            p = slot.with_suffix(suffix)
            if p.exists():
                return p
        return None

    def _rel(self, p: Path) -> str:
        return str(p.relative_to(self.root))

    def _append_ledger(self, o: IngestOutcome) -> None:
        r = o.result
        row = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "file": o.file,
            "sha256": r.sha256,
            "template_id": r.template_id,
            "template_version": r.version,
            "section": r.section,
            "area_code": r.identity.get("area_code", ""),
            "organisation_code": r.identity.get("organisation_code", ""),
            "period": r.identity.get("period", ""),
            "status": o.status,
            "errors": str(len(r.errors)),
            "warnings": str(len(r.warnings)),
            "stored_as": o.stored_as,
            "replaced": o.replaced,
        }
        new = not self.ledger.exists()
        with self.ledger.open("a", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=LEDGER_FIELDS)
            if new:
                w.writeheader()
            w.writerow(row)
            f.flush()
            os.fsync(f.fileno())

    def ledger_rows(self) -> list[dict[str, str]]:
        if not self.ledger.exists():
            return []
        with self.ledger.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    # -- the tidy table --------------------------------------------------------------------
    def current_returns(self) -> list[dict[str, object]]:
        """The validated values of every current return, from the JSON beside each file."""
        out = []
        for p in sorted(self.root.glob("*/*/*/*.json")):
            out.append(json.loads(p.read_text(encoding="utf-8")))
        return out

    def rebuild_table(self, catalogue: Catalogue | None = None) -> Path:
        """Rewrite values.csv from the store: one row per organisation x period x item x breakdown."""
        types = {i.id: i.value_type for _, i in catalogue.items()} if catalogue else {}
        rows = []
        for ret in self.current_returns():
            ident = ret["identity"]
            assert isinstance(ident, dict)
            values = ret["values"]
            assert isinstance(values, dict)
            for key, value in sorted(values.items()):
                item_part, _, category = key.partition(":")
                item_id, _, part = item_part.partition(".")
                rows.append(
                    {
                        "area_code": ident["area_code"],
                        "organisation_code": ident["organisation_code"],
                        "period": ident["period"],
                        "section": ret["section"],
                        "template_version": ret["template_version"],
                        "item_id": item_id,
                        "part": part or "value",
                        "category": category,
                        "value": value,
                        "value_type": types.get(item_id, ""),
                        "return_sha256": ret["sha256"],
                    }
                )
        tmp = self.table.with_name(f".values.csv.tmp-{os.getpid()}")
        self.root.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=VALUE_FIELDS)
            w.writeheader()
            w.writerows(rows)
        tmp.replace(self.table)
        return self.table


def _sha_of(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()
