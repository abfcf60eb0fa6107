"""A build cache: one embedded SQLite file, keyed by content hashes.

What it saves is work, never data: every entry can be recomputed from the returns store, so the
file can be deleted at any time (``rm build/cache.sqlite``) and the next run is simply slower.
Keys are SHA-256 digests of everything an entry depends on (the input bytes and a fingerprint of
the code that made it), so a stale entry is never found rather than ever being wrong.

SQLite because it is in the standard library, is one file, survives a crash mid-write (each
batch is one transaction) and lets many readers look up small blobs quickly.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from generator.base import paths
from generator.base.imports import imported_names

DEFAULT_CACHE = paths.CACHE
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries "
    "(kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (kind, key))"
)


def digest(*parts: str | bytes) -> str:
    """SHA-256 over the parts, each length-prefixed so that ('ab', 'c') and ('a', 'bc') differ."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()


PACKAGE = Path(__file__).resolve().parent.parent  # generator/


def code_fingerprint(*modules: str) -> str:
    """A digest of the named modules' source files (``"generator.charts.plans"``) and of every
    package module they import, directly or not: change the code and old entries stop matching.
    Imports are followed so that no module an entry depends on (such as the verdicts' wording)
    can be left out."""
    names = sorted(package_imports(modules))
    return digest(*(part for m in names for part in (m, source(m).read_bytes())))


def source(module: str) -> Path:
    """The file of a module of this package named in full (a subpackage: its ``__init__.py``)."""
    parts = module.split(".")[1:]
    path = PACKAGE.joinpath(*parts)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def package_imports(modules: Iterable[str]) -> set[str]:
    """The named modules and every module of this package they import, transitively, in any form
    (:func:`generator.base.imports.imported_names`), type-checking imports included (harmless: at
    worst an entry stops matching when it need not)."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        m = todo.pop()
        path = source(m)
        if m in seen or not path.is_file():  # a name from a package's __init__, not a module
            continue
        seen.add(m)
        names = imported_names(path.read_bytes(), m, package=path.name == "__init__.py", runtime_only=False)
        todo.extend(n for n in names if n.split(".")[0] == "generator")
    return seen


class Cache:
    """Key-value blobs by kind ('chart', 'read', 'section'); values are stored compressed."""

    def __init__(self, path: Path | str | None = DEFAULT_CACHE) -> None:
        self.path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        self.misses_by_kind: Counter[str] = Counter()  # what had to be computed afresh

    @property
    def db(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = sqlite3.connect(self.path, timeout=30)
                self._db.execute(SCHEMA)
            except sqlite3.DatabaseError:
                # a damaged cache file is only lost work: start again with an empty one
                self.path.unlink(missing_ok=True)
                self._db = sqlite3.connect(self.path, timeout=30)
                self._db.execute(SCHEMA)
        return self._db

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, bytes]:
        keys = list(dict.fromkeys(keys))
        db = self.db
        found: dict[str, bytes] = {}
        if db is not None:
            for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, value in db.execute(
                    f"SELECT key, value FROM entries WHERE kind = ? AND key IN ({marks})", [kind, *chunk]
                ):
                    found[key] = zlib.decompress(value)
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        self.misses_by_kind[kind] += len(keys) - len(found)
        return found

    def put_many(self, kind: str, items: Mapping[str, bytes], *, compressed: bool = False) -> None:
        """Keep ``items``; ``compressed``: their values are zlib-compressed already (by a
        worker process, sparing the main one), as :meth:`get_many` expects to find them."""
        db = self.db
        if db is None or not items:
            return
        with db:  # one transaction: all of the batch or none of it
            db.executemany(
                "INSERT OR REPLACE INTO entries (kind, key, value) VALUES (?, ?, ?)",
                [(kind, k, v if compressed else zlib.compress(v, 1)) for k, v in items.items()],
            )

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


NO_CACHE = Cache(None)
