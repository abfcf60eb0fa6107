"""The build cache (generator.base.cache): content-hashed keys, entries that can be lost or damaged
at any time without losing anything, and a code fingerprint that follows imports."""

from __future__ import annotations

from generator.base.cache import Cache, digest, package_imports
from generator.catalogue.load import load_catalogue
from generator.catalogue.registry import load_registry
from generator.intake.readmany import read_many

from .builders import demo_files


def test_the_cache_can_be_deleted_or_damaged_without_losing_anything(small_demo, tmp_path):
    catalogue, registry = load_catalogue(), load_registry()
    files = demo_files(small_demo)[:30]
    path = tmp_path / "cache.sqlite"
    cold = read_many(files, catalogue, registry, cache=Cache(path), workers=1)
    warm_cache = Cache(path)
    warm = read_many(files, catalogue, registry, cache=warm_cache, workers=1)
    assert warm_cache.hits == len(files) and warm_cache.misses == 0
    assert [r.as_dict() for r in warm] == [r.as_dict() for r in cold]
    assert [r.values for r in warm] == [r.values for r in cold]
    path.write_bytes(b"this is not a database")  # damaged: treated as empty, then rebuilt
    again = read_many(files, catalogue, registry, cache=Cache(path), workers=1)
    assert [r.as_dict() for r in again] == [r.as_dict() for r in cold]
    path.unlink()
    assert [r.values for r in read_many(files, catalogue, registry, cache=Cache(path), workers=1)] == [
        r.values for r in cold
    ]


def test_a_digest_keeps_its_parts_apart():
    """Each part is length-prefixed: ('ab', 'c') and ('a', 'bc') are different inputs."""
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("ab", "c") == digest(b"ab", b"c")  # text is its UTF-8 bytes
    assert len(digest()) == 64


def test_entries_come_back_as_they_were_put_by_kind_and_are_counted(tmp_path):
    Cache(tmp_path / "cache.sqlite").put_many("read", {"k1": b"one", "k2": b"two"})
    cache = Cache(tmp_path / "cache.sqlite")  # another run, the same file
    assert cache.get_many("read", ["k1", "k3", "k1"]) == {"k1": b"one"}
    assert (cache.hits, cache.misses) == (1, 1)  # a key asked for twice counts once
    assert cache.get_many("chart", ["k1"]) == {}  # kinds are kept apart
    assert cache.misses_by_kind == {"read": 1, "chart": 1}
    off = Cache(None)  # --no-cache: nothing kept, everything a miss
    off.put_many("read", {"k1": b"one"})
    assert off.get_many("read", ["k1"]) == {} and off.misses == 1


def test_the_code_fingerprint_follows_the_imports():
    """An entry depends on every module its code imports, directly or not."""
    found = package_imports(["generator.store.table"])
    assert {"generator.store.table", "generator.store.records", "generator.base.names"} <= found
    assert "generator.intake.reader" in found  # through records, not imported by table itself
    assert not any(m.startswith(("generator.site", "generator.charts")) for m in found)
