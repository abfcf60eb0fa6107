"""The build cache (generator.base.cache): content-hashed keys, entries that can be lost or damaged
at any time without losing anything, and a code fingerprint that follows imports."""

from __future__ import annotations

from generator.base.cache import Cache
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
