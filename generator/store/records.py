"""What the store keeps beside each return's workbook, and how it is written and checked.

A record holds where the return came from, its identity, its values and warnings, and a digest
of all of it, so that an edit of any stored value is found (`kpi verify`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from generator.catalogue.sections import Catalogue
from generator.intake.reader import ReadResult
from generator.intake.readmany import orjson_keeps
from generator.workbook.layout import due_date, periods


def due_of(result: ReadResult, catalogue: Catalogue) -> str:
    """When the return was due (ISO date), or "" when its section or period is not known."""
    section = catalogue.sections.get(result.section or "")
    period = result.identity.get("period", "")
    if section is None or period not in periods(section.frequency):
        return ""
    return due_date(section, period).isoformat()


def record_of(name: str, result: ReadResult) -> dict[str, Any]:
    """What is stored beside a return's workbook: where it came from, its identity, its values
    (and their digest) and its warnings."""
    record: dict[str, Any] = {
        "file": name,
        "sha256": result.sha256,
        "template_id": result.template_id,
        "template_version": result.version,
        "section": result.section,
        "identity": result.identity,
        "values": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in result.values.items()},
        "warnings": [p.as_dict() for p in result.warnings],
    }
    record[DIGEST] = record_digest(record)
    return record


DIGEST = "record_sha256"


def slot_args(record: Mapping[str, Any]) -> dict[str, str]:
    ident = record["identity"]
    return {
        "period": ident["period"],
        "area": ident["area_code"],
        "organisation": ident["organisation_code"],
        "section": record["section"],
    }


def record_digest(record: Mapping[str, Any]) -> str:
    """The SHA-256 of everything stored beside a workbook but this digest (values, identity,
    the workbook's own digest, warnings), in one canonical form: recorded with it, so that an
    edit of any of it is found."""
    rest = {k: v for k, v in record.items() if k != DIGEST}
    try:
        data = orjson.dumps(rest, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):  # text an earlier version kept with undecodable bytes
        data = json.dumps(rest, sort_keys=True, ensure_ascii=True).encode()
    return hashlib.sha256(data).hexdigest()


def dump_json(values: Mapping[str, Any]) -> bytes:
    """A return's values as JSON, keys sorted, indented for a person reading the store. orjson:
    json's indented encoder is pure Python, a tenth of a national ingest. json for what only it
    writes as the value it is: orjson would write an infinite number as null."""
    if orjson_keeps(values.get("values", {})):
        with contextlib.suppress(orjson.JSONEncodeError, TypeError):
            return orjson.dumps(values, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    return json.dumps(values, indent=1, sort_keys=True).encode()


def load_json(data: bytes) -> Any:
    """orjson: quicker over thousands of returns; json for what only it accepts
    (json.dumps writes an infinite number as Infinity, which orjson refuses)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def sha_of(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()
