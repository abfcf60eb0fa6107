"""The store checked against what it recorded when it wrote it, and repaired from its workbooks
where they allow: records and their digests, workbooks and their records, values.csv, the ledger
after an interrupted append, and returns in place that the ledger does not record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.base.names import as_recorded, printable, record_text
from generator.catalogue.registry import Registry
from generator.catalogue.sections import Catalogue
from generator.store import durability
from generator.store.approvals import Approvals
from generator.store.files import LEDGER_FIELDS, STORED_STATUSES, StoreIntegrityError
from generator.store.records import (
    DIGEST,
    dump_json,
    load_json,
    record_digest,
    record_of,
    sha_of,
    slot_args,
)
from generator.store.table import csv_lines


class Audit(Approvals):
    """What :class:`generator.store.returns.Store` can say about its own state, and mend."""

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
