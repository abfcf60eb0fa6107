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
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.base.cache import NO_CACHE, Cache
from generator.base.names import printable, record_text, safe_name
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.intake.reader import ReadResult
from generator.intake.readmany import iter_read
from generator.store import durability
from generator.store.audit import Audit
from generator.store.files import StoreIntegrityError
from generator.store.records import (
    due_of,
    dump_json,
    record_of,
    sha_of,
)
from generator.store.table import TableLines


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


class Store(Audit):
    """The returns store: ingest (here), with its files (:mod:`generator.store.files`), approvals
    (:mod:`generator.store.approvals`) and audit (:mod:`generator.store.audit`) built in."""

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
