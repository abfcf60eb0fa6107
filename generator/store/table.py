"""values.csv: every accepted value of the store in one tidy table, one line per value.

Rebuilt from the records, never edited in place; free text is made literal, as the table is
opened in spreadsheet programs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.base.cache import code_fingerprint, digest
from generator.base.names import cell_text
from generator.catalogue.sections import Catalogue
from generator.store.records import load_json

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


def csv_lines(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as CSV bytes (csv's defaults: quoting as needed, CRLF line ends), UTF-8."""
    f = io.StringIO(newline="")
    csv.writer(f).writerows(rows)
    return f.getvalue().encode("utf-8")


def table_lines(ret: dict[str, Any], types: Mapping[str, str]) -> bytes:
    """One return's lines of values.csv, in VALUE_FIELDS order."""
    ident, values = ret["identity"], ret["values"]
    head = (ident["area_code"], ident["organisation_code"], ident["period"], ret["section"])
    version, sha = ret["template_version"], ret["sha256"]
    rows = []
    for key, value in sorted(values.items()):
        item_part, _, category = key.partition(":")
        item_id, _, part = item_part.partition(".")
        # free text made literal: values.csv is opened in spreadsheet programs ('=HYPERLINK(...)'
        # typed as an answer ran as a formula there); the stored JSON keeps what was typed
        shown = cell_text(value) if isinstance(value, str) else value
        rows.append((*head, version, item_id, part or "value", category, shown, types.get(item_id, ""), sha))
    return csv_lines(rows)


_TABLE_CODE = code_fingerprint(__name__)


class TableLines:
    """Lines of values.csv made as an ingest stores each return, while the workers read the
    rest (made after the last one, they kept the cores waiting). The same bytes either way: the
    same function of the same JSON."""

    def __init__(self, catalogue: Catalogue | None) -> None:
        self.types = {i.id: i.value_type for _, i in catalogue.items()} if catalogue else {}
        self.salt = digest(_TABLE_CODE, json.dumps(sorted(self.types.items())))
        self.by_path: dict[Path, tuple[str, bytes]] = {}  # a value file -> (its key, its lines)

    def add(self, path: Path, blob: bytes) -> None:
        self.by_path[path] = (digest(self.salt, blob), table_lines(load_json(blob), self.types))
