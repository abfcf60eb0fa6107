"""Read and validate many returns at once: across cores, and not at all if already read.

A return's result depends only on its bytes, the catalogue, the registry, the section expected
and the reading code, so it is cached under a digest of all five. Re-running ``kpi ingest`` over
an inbox of thousands of returns then reads only the new ones. The result is stored as JSON
(never pickle: a cache file should not be able to run code).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
from collections.abc import Generator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from generator.base import pools
from generator.base.cache import NO_CACHE, Cache, code_fingerprint, digest
from generator.base.names import printable
from generator.base.progress import Progress
from generator.catalogue.registry import Registry, registry_fingerprint
from generator.catalogue.sections import Catalogue
from generator.intake.gate import MAX_FILE_BYTES
from generator.intake.problems import Problem
from generator.intake.reader import ReadResult, read_return

READ_CODE = code_fingerprint("generator.intake.reader")


def _encode(v: object) -> object:
    if isinstance(v, dt.datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    return v


def _decode(v: Any) -> object:
    if isinstance(v, dict) and "$date" in v:
        return dt.date.fromisoformat(v["$date"])
    if isinstance(v, dict) and "$datetime" in v:
        return dt.datetime.fromisoformat(v["$datetime"])
    return v


def _tagged(v: object) -> object:
    """orjson's hook for what it does not write itself (dates: asked to pass them here)."""
    if isinstance(v, dt.date):
        return _encode(v)
    raise TypeError(type(v).__name__)


def orjson_keeps(values: Mapping[str, object]) -> bool:
    """Does orjson write each of a return's values as the value it is? Not an infinite number
    or NaN, which it writes as null (an integer beyond 64 bits it refuses: the caller falls back
    to json then too)."""
    return all(type(v) is not float or math.isfinite(v) for v in values.values())


def to_json(r: ReadResult) -> bytes:
    """orjson, which calls back only for dates, not for each value of a return (json's encoder
    and a walk over every value slowed the storing process that the readers wait for); json for
    what only it writes as the value it is (an infinite number, a huge integer)."""
    doc = {
        "sha256": r.sha256,
        "kind": r.kind,
        "template_id": r.template_id,
        "section": r.section,
        "version": r.version,
        "identity": r.identity,
        "values": r.values,
        "problems": [p.as_dict() for p in r.problems],
    }
    if orjson_keeps(r.values):
        with contextlib.suppress(orjson.JSONEncodeError):
            return orjson.dumps(doc, default=_tagged, option=orjson.OPT_PASSTHROUGH_DATETIME)
    doc["values"] = {k: _encode(v) for k, v in r.values.items()}
    return json.dumps(doc).encode()


def from_json(data: bytes, name: str) -> ReadResult:
    """A cached result for the file now called ``name`` (the same bytes may arrive renamed)."""
    # orjson writes compactly, json with a space after each colon; what json wrote (an infinite
    # number, an integer beyond 64 bits) only json reads back as it was
    d = orjson.loads(data) if data.startswith(b'{"sha256":"') else json.loads(data)
    problems = [replace(Problem(**p), file=name) if p.get("file") else Problem(**p) for p in d["problems"]]
    return ReadResult(
        name,
        sha256=d["sha256"],
        kind=d["kind"],
        template_id=d["template_id"],
        section=d["section"],
        version=d["version"],
        identity=d["identity"],
        values={k: _decode(v) for k, v in d["values"].items()},
        problems=problems,
    )


_WORKER: dict[str, Any] = {}


def _init(catalogue: Catalogue, registry: Registry, expected: str | None) -> None:
    _WORKER.update(catalogue=catalogue, registry=registry, expected=expected)


def _read(path: str) -> ReadResult:
    return read_return(path, _WORKER["catalogue"], _WORKER["registry"], _WORKER["expected"])


def _sha(path: Path) -> str | None:
    """The file's digest, or None when it cannot (or should not) be read whole: the reader then
    reports why, uncached."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def read_many(
    paths: Sequence[Path],
    catalogue: Catalogue,
    registry: Registry,
    expected_section: str | None = None,
    cache: Cache = NO_CACHE,
    workers: int | None = None,
) -> list[ReadResult]:
    """:func:`generator.intake.reader.read_return` for every path, in order."""
    return list(iter_read(paths, catalogue, registry, expected_section, cache, workers))


CACHE_ROUND = 256  # results written to the cache together


def iter_read(
    paths: Sequence[Path],
    catalogue: Catalogue,
    registry: Registry,
    expected_section: str | None = None,
    cache: Cache = NO_CACHE,
    workers: int | None = None,
) -> Generator[ReadResult, None, None]:
    """:func:`read_many`, each result given as soon as it and those before it are read, so the
    caller can store the first returns while the workers read the rest (a national ingest's
    writing then costs almost nothing on top of its reading)."""
    base = digest(READ_CODE, catalogue.digest, registry_fingerprint(registry), expected_section or "")
    keys = [digest(base, sha) if (sha := _sha(p)) else "" for p in paths]
    cached = cache.get_many("read", [k for k in keys if k])
    todo = [str(p) for p, k in zip(paths, keys, strict=True) if k not in cached]
    fresh: dict[str, bytes] = {}
    results = pools.in_order(_read, todo, workers, _init, (catalogue, registry, expected_section), 16)
    with Progress("Reading returns", len(todo)) as bar, contextlib.closing(results):
        for p, k in zip(paths, keys, strict=True):
            if k in cached:
                yield from_json(cached[k], printable(p))
                continue
            r = next(results)
            bar.advance()
            if k:
                fresh[k] = to_json(r)
                if len(fresh) >= CACHE_ROUND:
                    cache.put_many("read", fresh)
                    fresh.clear()
            yield r
    cache.put_many("read", fresh)
