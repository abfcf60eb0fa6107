"""An analyst's approvals of providers' caveats for publication (``kpi comments``): appended
under the store's lock, each row chained to the one before, so a row typed in by hand is found.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator.store import durability
from generator.store.files import StoreFiles, StoreIntegrityError

# kpi comments: an analyst's approval (or its withdrawal) of one caveat, for one return's bytes
# `chain`: a digest of the row and the one before it, so a row typed in by hand (which would
# publish free text) is found, as the records' digests find an edited value
APPROVAL_FIELDS = ("time", "action", "sha256", "item_id", "text_sha256", "by", "chain")


class Approvals(StoreFiles):
    """The store's approvals file."""

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


def _chain(before: str, row: Mapping[str, str | None]) -> str:
    """An approval row's digest, chained to the previous row's."""
    fields = "\x1f".join(str(row.get(k) or "") for k in APPROVAL_FIELDS[:-1])
    return hashlib.sha256(f"{before}\x1e{fields}".encode()).hexdigest()
