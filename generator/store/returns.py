"""The returns store: received files kept byte for byte, a ledger of every attempt, a tidy table.

Embedded and file-based: no server. Layout under the store folder (default ``data/returns/``)::

    ledger.csv                                  one row per ingest attempt
    values.csv                                  tidy table of all accepted values (rebuilt)
    <period>/<area>/<organisation>/<S>.<ext>     the current return for a section
    <period>/<area>/<organisation>/<S>.json      its validated values (what values.csv is built from)
    <period>/<area>/<organisation>/history/      returns it replaced, kept byte for byte

Ingest is all-or-nothing per file: a file is validated completely before anything is
written, every write goes to a temporary file that is made durable and then renamed into
place, and a rejected file changes nothing but the ledger. A lock file stops two ingests
overlapping. Many files are stored in rounds (:mod:`generator.store.durability`): a round's
files are written, made durable together, renamed into place and recorded in one ledger append.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.base import paths
from generator.base.cache import NO_CACHE, Cache, digest
from generator.base.names import as_recorded, printable, record_text, safe_name
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.intake.reader import ReadResult
from generator.intake.readmany import iter_read
from generator.store import durability
from generator.store.records import (
    DIGEST,
    due_of,
    dump_json,
    load_json,
    record_digest,
    record_of,
    sha_of,
    slot_args,
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
# kpi comments: an analyst's approval (or its withdrawal) of one caveat, for one return's bytes
# `chain`: a digest of the row and the one before it, so a row typed in by hand (which would
# publish free text) is found, as the records' digests find an edited value
APPROVAL_FIELDS = ("time", "action", "sha256", "item_id", "text_sha256", "by", "chain")
# ledger statuses that mean the return was put in place (recovered: found in place, its row lost)
STORED_STATUSES = ("accepted", "replaced", "recovered")


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file: accepted, replaced, unchanged, refused or rejected."""

    file: str
    status: str  # accepted | replaced | unchanged | refused-duplicate | rejected | quarantined
    result: ReadResult
    stored_as: str = ""
    replaced: str = ""
    message: str = ""
    received: str = ""  # ISO date the return arrived
    due: str = ""  # ISO date it was due, when its section and period are known

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "replaced", "unchanged")


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


class Store:
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

    # -- ingest ----------------------------------------------------------------------------
    def ingest(
        self,
        path: Path | str,
        catalogue: Catalogue,
        registry: Registry,
        replace: bool = False,
        expected_section: str | None = None,
        rebuild: bool = True,
        received: dt.date | None = None,
    ) -> IngestOutcome:
        """One file: :meth:`ingest_many` of a batch of one."""
        return self.ingest_many(
            [Path(path)], catalogue, registry, replace, expected_section, rebuild=rebuild, received=received
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
        sender: str | None = None,
        received: dt.date | Sequence[dt.date | None] | None = None,
    ) -> list[IngestOutcome]:
        """:meth:`ingest` for many files: read in parallel (and from the cache where a file was
        read before) and stored one by one, in order, as the reading goes on, under one lock,
        with the tidy table rebuilt once at the end. Each file is still all-or-nothing on its
        own. ``received``: when the files arrived (one date, or one per file; default today),
        recorded in the ledger against the date each was due."""
        results = iter_read(paths, catalogue, registry, expected_section, cache, workers)
        flags = [replace] * len(paths) if isinstance(replace, bool) else list(replace)
        today = dt.date.today()
        arrived = (
            [received or today] * len(paths)
            if received is None or isinstance(received, dt.date)
            else [d or today for d in received]
        )
        outcomes: list[IngestOutcome] = []
        # lines of values.csv, made only if it is to be rebuilt (tests ingest returns one at a time)
        writes, logged, lines = (
            durability.Writes(root=self.root),
            0,
            TableLines(catalogue) if rebuild else None,
        )
        # closing: should storing fail, the files not yet read are dropped at once, not read first
        with self._locked(), contextlib.closing(results):
            # returns an earlier ingest put in place but did not record: after a stop (the stale
            # mark), and once in a store an earlier version kept (no mark of this version's)
            self.repairs = self._repair_ledger()
            if self._stale.exists():  # an ingest stopped part-way: complete what it put in place
                self.repairs += self._complete_interrupted(catalogue, registry)
            if not self._digests.exists():  # a store an earlier version kept: digests added
                self.repairs += self._add_digests()
            if problems := self.verify():
                raise StoreIntegrityError(self.root, problems)
            self.recovered = self._record_unrecorded()  # every run: a ledger cut short loses none
            if self.ledger.exists():
                self._checked.touch()
            for path, result, rep, day in zip(paths, results, flags, arrived, strict=True):
                slot = self._slot_of(result)
                if slot in writes.slots or len(writes.ops) >= 2 * durability.ROUND:
                    # a second return for the same slot must see the first one in place
                    self._commit_round(writes, outcomes[logged:])
                    logged = len(outcomes)
                outcome = self._store(Path(path), result, rep, writes, lines, registry, sender)
                outcomes.append(
                    dataclasses.replace(outcome, received=day.isoformat(), due=due_of(result, catalogue))
                )
                if slot is not None:
                    writes.slots.add(slot)
            self._commit_round(writes, outcomes[logged:])
            if rebuild and (self._stale.exists() or (not self.table.exists() and self._value_files())):
                self.rebuild_table(catalogue, cache, lines)
        return outcomes

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

    def _commit_round(self, writes: durability.Writes, outcomes: Sequence[IngestOutcome]) -> None:
        """Put a round's files in place, then record its attempts in the ledger."""
        marked = bool(writes.ops) and not self._stale.exists()
        try:
            if marked:
                with durability.Durable([self.root]) as durable:
                    self._stale.touch()
                    durable.sync([self._stale, self.root])
            writes.commit()
        except BaseException:
            if marked and not writes.placing:  # nothing of this round reached its place
                self._stale.unlink(missing_ok=True)
            raise
        self._append_ledger(outcomes)

    def _slot_of(self, result: ReadResult) -> Path | None:
        if not result.valid:
            return None
        i = result.identity
        return self.slot(i["period"], i["area_code"], i["organisation_code"], result.section)

    def _store(
        self,
        path: Path,
        result: ReadResult,
        replace: bool,
        writes: durability.Writes,
        lines: TableLines | None,
        registry: Registry | None = None,
        sender: str | None = None,
    ) -> IngestOutcome:
        """What to do with one read return; its files go into ``writes``, put in place later, and
        its lines of values.csv into ``lines``. The file is recorded by its printable name (any
        bytes: see :mod:`generator.base.names`)."""
        name = printable(path)
        if not result.valid:
            n = len(result.errors)
            return IngestOutcome(
                name, "rejected", result, message=f"rejected: {n} error{'s' * (n != 1)}; nothing stored"
            )
        ident = result.identity
        org = registry.organisations.get(ident["organisation_code"]) if registry else None
        if sender is not None and org is not None and not org.may_send(sender):
            # never filed, so it can neither block nor replace the organisation's own return
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            kept = self.root / "quarantine" / f"{stamp}.{result.sha256[:12]}.{safe_name(path.name)[-80:]}"
            writes.put(kept, path.read_bytes())
            return IngestOutcome(
                name,
                "quarantined",
                result,
                stored_as=self._rel(kept),
                message=(
                    f"sent from {printable(sender)}, which the registry does not list for "
                    f"{printable(ident['organisation_code'])}; kept in {self._rel(kept)}, not filed"
                ),
            )
        slot = self.slot(ident["period"], ident["area_code"], ident["organisation_code"], result.section)
        suffix = ".ods" if result.kind == "ods" else ".xlsx"
        current = self._current(slot)
        data = path.read_bytes()
        # the very file already in place, its values missing or not its own (an ingest stopped
        # between the two): write them again, with no history and no --replace needed
        repair = current is not None and current.read_bytes() == data
        if current is not None:
            if repair and self._in_sync(slot, result.sha256):
                return IngestOutcome(
                    name,
                    "unchanged",
                    result,
                    stored_as=self._rel(current),
                    message="identical to the stored return: nothing to do",
                )
            if not replace and not repair:
                return IngestOutcome(
                    name,
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
        if current is not None and not repair:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            old_sha = sha_of(current)[:12]
            hist = slot.parent / "history" / f"{slot.name}.{stamp}.{old_sha}{current.suffix}"
            writes.put(hist, current.read_bytes())
            replaced = self._rel(hist)
        values = record_of(printable(path.name), result)
        writes.put(target, data)
        blob = dump_json(values)
        writes.put(slot.with_suffix(".json"), blob)
        if lines is not None:
            lines.add(slot.with_suffix(".json"), blob)
        if current is not None and current.suffix != suffix:
            writes.remove(current)  # an .ods replaced by an .xlsx, or the other way round
        status = "replaced" if replaced else "accepted"
        note = (
            f"; the previous return is kept as {replaced}"
            if replaced
            else "; the file was in place without its values (an ingest stopped): they are written now"
            if repair
            else ""
        )
        return IngestOutcome(
            name, status, result, stored_as=self._rel(target), replaced=replaced, message=status + note
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

    def _append_ledger(self, outcomes: Sequence[IngestOutcome]) -> None:
        """One row per attempt, appended after the round's files are in place."""
        if not outcomes:
            return
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self._append_rows(
            [
                {
                    "time": now,
                    "file": record_text(o.file),
                    "sha256": o.result.sha256,
                    "template_id": record_text(printable(o.result.template_id or "")),
                    "template_version": record_text(printable(o.result.version or "")),
                    "section": record_text(printable(o.result.section or "")),
                    # as typed in a return, which may be rejected for them: never raw in a CSV
                    "area_code": record_text(printable(o.result.identity.get("area_code", ""))),
                    "organisation_code": record_text(
                        printable(o.result.identity.get("organisation_code", ""))
                    ),
                    "period": record_text(printable(o.result.identity.get("period", ""))),
                    "status": o.status,
                    "errors": str(len(o.result.errors)),
                    "warnings": str(len(o.result.warnings)),
                    "stored_as": o.stored_as,
                    "replaced": o.replaced,
                    "received": o.received,
                    "due": o.due,
                    "late": ("yes" if o.received > o.due else "no") if o.received and o.due else "",
                }
                for o in outcomes
            ]
        )

    def _append_rows(self, rows: Sequence[Mapping[str, str]]) -> None:
        """Rows appended to the ledger and made durable. Every text in them is printable UTF-8
        (file names through :func:`generator.base.names.printable`), so no name can stop the write."""
        if self._append_csv(self.ledger, LEDGER_FIELDS, rows):
            self._checked.touch()  # a new ledger, so a store this version keeps from the start

    @property
    def approvals(self) -> Path:
        """The analyst's approvals of free-text caveats for publication (``kpi comments``)."""
        return self.root / "approvals.csv"

    def approval_rows(self) -> list[dict[str, str]]:
        """The approvals as recorded; :class:`StoreIntegrityError` if any row is not as
        ``kpi comments`` wrote it (their chain of digests is broken)."""
        rows, problems = self._read_approvals()
        if problems:
            raise StoreIntegrityError(self.root, problems)
        return rows

    def _read_approvals(self) -> tuple[list[dict[str, str]], list[str]]:
        if not self.approvals.exists():
            return [], []
        with os.fdopen(durability.open_nofollow(self.approvals, os.O_RDONLY), "rb") as f:
            data = f.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            return [], [f"approvals.csv is not UTF-8 text (line {line}): it is written by kpi comments only"]
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        chain = ""
        for n, row in enumerate(rows, start=2):
            chain = _chain(chain, row)
            if row.get("chain") != chain:
                return [], [f"approvals.csv line {n} is not as kpi comments recorded it (edited by hand?)"]
        return rows, []

    def record_approvals(self, rows: Sequence[Mapping[str, str]]) -> None:
        """Approvals (or withdrawals) appended, under the store's lock, and made durable, each
        chained to the one before."""
        with self._locked():
            before = self.approval_rows()
            chain = before[-1]["chain"] if before else ""
            chained = []
            for row in rows:
                chain = _chain(chain, row)
                chained.append({**row, "chain": chain})
            self._append_csv(self.approvals, APPROVAL_FIELDS, chained)

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

    def verify(self) -> list[str]:
        """What in the store disagrees with what it recorded when it wrote it, one line each: a
        symbolic link or special file (a FIFO hangs a reader); a record (the JSON beside a
        workbook) that is not readable, lacks its digest, or is not what its digest says (an
        edit of a value, an identity, anything); a record filed under another organisation,
        period or section than its identity; a workbook that is not the one its record was read
        from, or with no record; a record with no workbook; values.csv not as the store last
        wrote it (truncated, edited; checked only when up to date, with no stale mark)."""
        return self._audit()[0] + self._read_approvals()[1]

    def _audit(self, links_checked: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
        """:meth:`verify`'s problems, and the records it read (in :meth:`_value_files` order),
        so that a caller about to use them reads each once."""
        if not links_checked and (links := self.links()):
            return [f"{self._rel(p)} is a symbolic link or special file" for p in links], []
        problems: list[str] = []
        records: list[dict[str, Any]] = []
        stale = self._stale.exists()
        digests = self._digests.exists()
        workbooks = {p.with_suffix(""): rel for rel, p in self._stored_files()}
        for j in self._value_files():
            rel = self._rel(j)
            try:
                ret = load_json(j.read_bytes())
                ident, recorded = ret["identity"], ret.get(DIGEST)
                filed = self.slot(
                    ident["period"], ident["area_code"], ident["organisation_code"], ret["section"]
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                problems.append(f"{rel} is not a return's record as the store wrote it (unreadable)")
                continue
            records.append(ret)
            if recorded is None and digests:
                problems.append(f"{rel} has lost its digest (edited)")
            elif recorded is not None and record_digest(ret) != recorded:
                problems.append(f"{rel} differs from the record stored (edited)")
            if filed != j.with_suffix(""):
                problems.append(f"{rel} names another organisation, period or section than its folder")
            book = workbooks.pop(j.with_suffix(""), None)
            if book is None:
                problems.append(f"{rel} has no stored workbook beside it")
            elif sha_of(self.root / book) != ret.get("sha256"):
                problems.append(f"{book} is not the workbook its record was read from (edited or replaced)")
        problems += [f"{rel} has no record beside it" for rel in workbooks.values()]
        table_known = self.table.exists() and self._table_digest.exists() and not stale
        if table_known and sha_of(self.table) != self._table_digest.read_text(encoding="ascii").strip():
            problems.append("values.csv is not as the store last wrote it (truncated or edited)")
        return problems, records

    def _complete_interrupted(self, catalogue: Catalogue, registry: Registry) -> list[str]:
        """After an ingest stopped part-way (the stale mark): a workbook it put in place without
        its record, or beside the record of the return it replaced, gets its record, read again
        from it (it was validated before it was put there), whichever files the ingest that
        finds it is given."""
        done = []
        writes = durability.Writes(root=self.root)
        for rel, book in self._stored_files():
            j = book.with_suffix(".json")
            try:
                in_step = load_json(j.read_bytes()).get("sha256") == sha_of(book)
            except (OSError, ValueError, AttributeError):
                in_step = False
            if in_step:
                continue
            record = self._read_record(book, catalogue, registry, book.name)
            if record is not None:
                writes.put(j, dump_json(record))
                done.append(f"{rel}: put in place by an ingest that stopped; its record is written now")
        writes.commit()
        return done

    def _read_record(
        self, book: Path, catalogue: Catalogue, registry: Registry, name: str
    ) -> dict[str, Any] | None:
        """The record of a stored workbook, read again; None unless it is a valid return that
        belongs where it is filed."""
        from generator.intake.reader import read_return

        result = read_return(book, catalogue, registry)
        if not result.valid or self._slot_of(result) != book.with_suffix(""):
            return None
        return record_of(name, result)

    def _add_digests(self) -> list[str]:
        """Digests for the records of a store an earlier version kept, each in step with its
        workbook (one that is not is reported by :meth:`verify`); then the mark that every
        record has one. Edits made before this cannot be told apart."""
        writes = durability.Writes(root=self.root)
        n = 0
        for j in self._value_files():
            try:
                ret = load_json(j.read_bytes())
                book = self._current(j.with_suffix(""))
                if DIGEST in ret or book is None or ret.get("sha256") != sha_of(book):
                    continue
            except (OSError, ValueError, AttributeError):
                continue
            if isinstance(ret.get("file"), str):  # an earlier version kept a name as it came
                ret["file"] = as_recorded(ret["file"])
            ret[DIGEST] = record_digest(ret)
            writes.put(j, dump_json(ret))
            n += 1
        writes.commit()
        self._digests.touch()
        return [f"added digests to {n} record(s) an earlier version wrote"] if n else []

    def repair(self, catalogue: Catalogue, registry: Registry) -> tuple[list[str], list[str]]:
        """What :meth:`verify` finds, put right where the stored workbooks allow, under the lock:
        a return's record is read again from its workbook when that workbook is the one the
        ledger last recorded storing in its place (a refused or a replaced workbook copied there
        is not); values.csv is rebuilt. Returns (what was repaired, what could not be)."""
        fixed, left = [], []
        with self._locked_only():
            latest: dict[str, tuple[str, str]] = {}  # stored_as -> (sha256, file) of its last storing
            for r in self.ledger_rows():
                if r.get("status") in STORED_STATUSES and r.get("stored_as"):
                    latest[r["stored_as"]] = (r.get("sha256", ""), r.get("file", ""))
            writes = durability.Writes(root=self.root)
            for rel, book in self._stored_files():
                j = book.with_suffix(".json")
                sha = sha_of(book)
                try:
                    ret = load_json(j.read_bytes())
                    ok = ret.get("sha256") == sha and ret.get(DIGEST) == record_digest(ret)
                    ok = ok and self.slot(**slot_args(ret)) == book.with_suffix("")
                except (OSError, ValueError, KeyError, TypeError, AttributeError):
                    ok = False
                if ok:
                    continue
                last_sha, last_file = latest.get(rel, ("", ""))
                if last_sha != sha:
                    left.append(f"{rel}: not the workbook the ledger last recorded storing here (restore it)")
                    continue
                record = self._read_record(
                    book, catalogue, registry, as_recorded(last_file).rsplit("/", 1)[-1]
                )
                if record is None:
                    left.append(f"{rel}: its workbook no longer reads as a valid return filed here")
                    continue
                writes.put(j, dump_json(record))
                fixed.append(f"{self._rel(j)}: record read again from {rel}")
            writes.commit()
            self._digests.touch()
            self.rebuild_table(catalogue)
            fixed.append("values.csv rebuilt")
        left += [p for p in self.verify() if not any(p.startswith(x.split(":")[0]) for x in left)]
        return fixed, left

    @contextlib.contextmanager
    def _locked_only(self) -> Iterator[None]:
        """The store's lock, with no check of the store (a repair runs on a store that fails one)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if links := self.links():
            raise durability.link_error(links)
        with os.fdopen(durability.open_nofollow(self.root / ".lock", os.O_WRONLY | os.O_CREAT), "wb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _repair_ledger(self) -> list[str]:
        """Mend what an interrupted append (a kill, a full disk, a size limit) or a hand edit did
        to the ledger, saying what: a last row cut short is removed (it read as a return stored
        twice; the return it was for gets a ``recovered`` row), and a missing header is put back
        (without it the first row became the header and was lost). Rewrites go through a
        temporary file renamed into place."""
        if not self.ledger.exists():
            return []
        with os.fdopen(durability.open_nofollow(self.ledger, os.O_RDONLY), "rb") as f:
            data = f.read()
        notes = []
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            notes.append(
                f"removed a last row cut short ({len(data) - cut} bytes: "
                f"{printable(data[cut:][:60].decode('utf-8', 'replace'))!r}...)"
            )
            data = data[:cut]
        if data and not data.startswith(b"time,file,"):  # an older version's header has these too
            data = csv_lines([LEDGER_FIELDS]) + data
            notes.append("put back the header row, which was missing")
        header = csv_lines([LEDGER_FIELDS])
        if data.startswith(b"time,file,") and not data.startswith(header):
            # an earlier version's ledger: its fields are the first of these, so its rows read
            # the same under the longer header (the new fields empty)
            old = data[: data.index(b"\n") + 1]
            if header.startswith(old.rstrip(b"\r\n")):
                data = header + data[len(old) :]
                notes.append("added the received, due and late columns to the ledger's header")
        if notes:
            tmp = durability.write_tmp(self.ledger, data, fsync=True)
            tmp.replace(self.ledger)
            durability.fsync_path(self.root)
        return notes

    def _record_unrecorded(self) -> list[dict[str, str]]:
        """A ledger row, status ``recovered``, for every return in place that the ledger does not
        record as stored: an ingest stopped between putting a round's files in place and recording
        them (a kill, a full disk, or a file name an earlier version could not write). Only a
        return whose values belong to its file is recorded; one whose values are out of step is
        repaired when its file is ingested again."""
        stored = {
            (row.get("stored_as"), row.get("sha256"))
            for row in self.ledger_rows()
            if row.get("status") in STORED_STATUSES
        }
        rows = []
        for rel, data_file in self._stored_files():
            p = data_file.with_suffix(".json")
            if not p.exists():
                continue
            try:
                ret = load_json(p.read_bytes())
                sha, ident = ret["sha256"], ret["identity"]
                if (rel, sha) in stored or sha_of(data_file) != sha:
                    continue
                when = dt.datetime.fromtimestamp(data_file.stat().st_mtime, dt.UTC)
                rows.append(
                    {
                        "time": when.isoformat(timespec="seconds"),
                        "file": record_text(as_recorded(str(ret.get("file", "")))),
                        "sha256": sha,
                        "template_id": str(ret.get("template_id", "")),
                        "template_version": str(ret.get("template_version", "")),
                        "section": str(ret.get("section", "")),
                        "area_code": str(ident.get("area_code", "")),
                        "organisation_code": str(ident.get("organisation_code", "")),
                        "period": str(ident.get("period", "")),
                        "status": "recovered",
                        "errors": "0",
                        "warnings": str(len(ret.get("warnings", []))),
                        "stored_as": self._rel(data_file),
                        "replaced": "",
                    }
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # not a return's values: left for the analyst (nothing is guessed)
        if rows:
            self._append_rows(rows)
        return rows

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

    def current_returns(self) -> list[dict[str, object]]:
        """The validated values of every current return, from the JSON beside each file; its file
        name printable (an earlier version stored a name that was not UTF-8 as it was)."""
        if links := self.links():  # nothing is read through a link (it may lead anywhere)
            raise durability.link_error(links)
        problems, returns = self._audit(links_checked=True)
        if problems:
            stopped = self._stale.exists()  # an ingest stopped part-way: its rerun completes it
            advice = (
                "An ingest stopped part-way: run `kpi ingest` again with the same files" if stopped else ""
            )
            raise StoreIntegrityError(self.root, problems, advice)
        for r in returns:
            if isinstance(r.get("file"), str):
                r["file"] = as_recorded(r["file"])
        return returns

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


def _chain(before: str, row: Mapping[str, str | None]) -> str:
    """An approval row's digest, chained to the previous row's."""
    fields = "\x1f".join(str(row.get(k) or "") for k in APPROVAL_FIELDS[:-1])
    return hashlib.sha256(f"{before}\x1e{fields}".encode()).hexdigest()
