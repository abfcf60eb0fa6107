"""The returns store's files: where each return lives, the store's lock, the ledger as rows, the
tidy table rebuilt from the records, and appends made durable. The store's other jobs build on
this (:mod:`generator.store.approvals`, :mod:`generator.store.audit`,
:mod:`generator.store.returns`).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from generator.base import paths
from generator.base.cache import NO_CACHE, Cache, digest
from generator.base.names import safe_name
from generator.catalogue.sections import Catalogue
from generator.intake.reader import ReadResult
from generator.store import durability
from generator.store.records import (
    load_json,
)
from generator.store.table import VALUE_FIELDS, TableLines, csv_lines, table_lines

DEFAULT_STORE = paths.STORE

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
    # when the return arrived (kpi ingest --received; the day of the ingest by default), when it
    # was due (the section's `due:` in the catalogue) and whether it came after that
    "received",
    "due",
    "late",
)

# ledger statuses that mean the return was put in place (recovered: found in place, its row lost)
STORED_STATUSES = ("accepted", "replaced", "recovered")


class StoreIntegrityError(ValueError):
    """Stored files disagree with what the store recorded when it wrote them (an edit, a
    truncation): nothing is ingested or published until `kpi verify --repair` has put it right.
    This detects corruption and casual edits, not someone who also rewrites the digests."""

    def __init__(self, root: Path, problems: Sequence[str], advice: str = "") -> None:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        advice = advice or (
            f"Run `kpi verify --store {root} --repair` to rebuild what can be rebuilt from its workbooks"
        )
        super().__init__(
            f"the returns store {root} does not match what it recorded: {shown}. Nothing was "
            f"ingested or published. {advice}"
        )
        self.problems = list(problems)


GITIGNORE = b"# a returns store: personal-level service data, never committed (kpi wrote this)\n*\n"


class StoreFiles:
    """The store's folder and files; :class:`generator.store.returns.Store` is what callers use."""

    def __init__(self, root: Path | str = DEFAULT_STORE) -> None:
        self.root = Path(root)
        self.recovered: list[dict[str, str]] = []  # ledger rows the last ingest wrote for returns in place
        self.repairs: list[str] = []  # what the last ingest mended in the ledger, in words

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.csv"

    @property
    def table(self) -> Path:
        return self.root / "values.csv"

    def slot(self, period: str, area: str, organisation: str, section: str) -> Path:
        """Where the current return for this organisation, section and period lives (no suffix)."""
        return (
            self.root
            / safe_name(period.replace(" ", "-"))
            / safe_name(area)
            / safe_name(organisation)
            / section
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The store to itself: an exclusive lock, taken on a lock file that is not a link; then
        the store is checked for links (:meth:`links`) and for temporary files an interrupted
        ingest left, which are removed (no other ingest can be writing them)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with os.fdopen(durability.open_nofollow(self.root / ".lock", os.O_WRONLY | os.O_CREAT), "wb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if links := self.links():
                    raise durability.link_error(links)
                self._remove_leftovers()
                self._keep_out_of_git()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def links(self) -> list[Path]:
        """Every symbolic link in the store (a file or a folder, at any depth; none is followed),
        and every entry that is neither a file nor a folder (a FIFO hangs whoever reads it)."""
        found = []
        for top, dirs, files in os.walk(self.root):  # os.walk does not descend into linked folders
            for name in (*dirs, *files):
                p = Path(top) / name
                mode = p.lstat().st_mode
                if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                    found.append(p)
        return sorted(found)

    def _keep_out_of_git(self) -> None:
        """A ``.gitignore`` of ``*`` at the store's root: returns are personal-level service data,
        and wherever an analyst puts the store (inside a clone of this repository, or another),
        ``git add`` passes it by."""
        path = self.root / ".gitignore"
        if path.exists():
            return
        try:
            fd = durability.open_nofollow(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as f:
            f.write(GITIGNORE)

    def _remove_leftovers(self) -> None:
        """Temporary files (``.<name>.tmp-<pid>``) of an ingest that was killed before it could
        remove them: under the lock, no ingest is writing them."""
        for top, _, files in os.walk(self.root):
            for name in files:
                if name.startswith(".") and ".tmp-" in name:
                    (Path(top) / name).unlink(missing_ok=True)

    @property
    def _checked(self) -> Path:
        """Present once an ingest of this version has made sure that every stored return has its
        row in the ledger: an earlier version could leave a store without them (a file name it
        could not write stopped it), and a later run of it could clear the stale mark."""
        return self.root / ".ledger-checked"

    @property
    def _stale(self) -> Path:
        """Present from the moment returns are put in place until values.csv is rebuilt: if an
        ingest stops in between (a full disk, a crash), the next one rebuilds the table."""
        return self.root / ".values.csv.stale"

    def _slot_of(self, result: ReadResult) -> Path | None:
        if not result.valid:
            return None
        i = result.identity
        return self.slot(i["period"], i["area_code"], i["organisation_code"], result.section)

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

    def _append_rows(self, rows: Sequence[Mapping[str, str]]) -> None:
        """Rows appended to the ledger and made durable. Every text in them is printable UTF-8
        (file names through :func:`generator.base.names.printable`), so no name can stop the write."""
        if self._append_csv(self.ledger, LEDGER_FIELDS, rows):
            self._checked.touch()  # a new ledger, so a store this version keeps from the start

    @staticmethod
    def _append_csv(path: Path, fields: Sequence[str], rows: Sequence[Mapping[str, str]]) -> bool:
        """Rows appended to a CSV of the store and made durable; True if it was new."""
        # appending (every write goes to the end), to the file itself, not where a link points
        with os.fdopen(durability.open_nofollow(path, os.O_RDWR | os.O_CREAT | os.O_APPEND), "a+b") as f:
            if os.fstat(f.fileno()).st_nlink > 1:  # a hard link: appending would write elsewhere too
                raise durability.link_error([path])
            end = f.seek(0, os.SEEK_END)
            if end:
                f.seek(end - 1)
                if f.read(1) != b"\n":  # a row cut short (a full disk, a kill): start on a line of our own
                    f.write(b"\r\n")
            text = io.StringIO(newline="")
            w = csv.DictWriter(text, fieldnames=fields)
            if not end:
                w.writeheader()
            w.writerows(rows)
            f.write(text.getvalue().encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        return not end

    @property
    def _table_digest(self) -> Path:
        """The SHA-256 of values.csv as the store last wrote it."""
        return self.root / ".values.csv.sha256"

    @property
    def _digests(self) -> Path:
        """Present once every stored return's record carries its digest: from then on a record
        without one is an edit (before, it was a record an earlier version wrote)."""
        return self.root / ".digests"

    def _stored_files(self) -> Iterator[tuple[str, Path]]:
        """Every current return's file (``<period>/<area>/<organisation>/<S>.xlsx`` or ``.ods``),
        with its path relative to the store: one listing per folder, three levels down, rather
        than a glob and a look for each file's two possible names."""
        for top, dirs, files in os.walk(self.root):
            depth = len(Path(top).relative_to(self.root).parts)
            if depth < 3:
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                continue
            dirs[:] = []  # history/ and anything deeper
            for f in sorted(files):
                if f.endswith((".xlsx", ".ods")) and not f.startswith("."):
                    path = Path(top) / f
                    yield path.relative_to(self.root).as_posix(), path

    def ledger_rows(self) -> list[dict[str, str]]:
        if not self.ledger.exists():
            return []
        with self.ledger.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    # -- the tidy table --------------------------------------------------------------------
    def _value_files(self) -> list[Path]:
        return sorted(self.root.glob("*/*/*/*.json"))

    def rebuild_table(
        self, catalogue: Catalogue | None = None, cache: Cache = NO_CACHE, fresh: TableLines | None = None
    ) -> Path:
        """Rewrite values.csv from the store: one row per organisation x period x item x breakdown.

        Each return's lines are kept in the cache, keyed by its JSON's bytes, so that after one
        new return only that return's lines are made afresh (at national scale the table is
        half a million lines, rebuilt in full after every ingest). ``fresh`` has the lines of the
        returns an ingest has just stored, made as it stored them."""
        tl = TableLines(catalogue)
        given = fresh.by_path if fresh is not None and fresh.salt == tl.salt else {}
        keys: list[str] = []
        blobs: dict[str, bytes] = {}  # key -> JSON of the value files this ingest did not store
        made: dict[str, bytes] = {}
        for p in self._value_files():
            if p in given:
                k, made[k] = given[p]
            else:
                b = p.read_bytes()
                k = digest(tl.salt, b)
                blobs[k] = b
            keys.append(k)
        found = cache.get_many("values", list(blobs))
        made.update({k: table_lines(load_json(b), tl.types) for k, b in blobs.items() if k not in found})
        cache.put_many("values", made)
        tmp = self.table.with_name(f".values.csv.tmp-{os.getpid()}")
        self.root.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        try:
            with tmp.open("wb") as f:
                for block in (
                    csv_lines([VALUE_FIELDS]),
                    *(found[k] if k in found else made[k] for k in keys),
                ):
                    f.write(block)
                    h.update(block)
                f.flush()
                os.fsync(f.fileno())
            tmp.replace(self.table)
        finally:
            tmp.unlink(missing_ok=True)
        sidecar = durability.write_tmp(self._table_digest, h.hexdigest().encode(), fsync=True)
        sidecar.replace(self._table_digest)
        if self._stale.exists():  # the table is durable, and so is its name, before the marker goes
            durability.fsync_path(self.root)
            self._stale.unlink()
        return self.table
