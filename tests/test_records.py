"""What the store keeps beside each workbook (generator.store.records): the JSON record and its digest."""

from __future__ import annotations

import json


def test_stored_json_keeps_every_value_whichever_encoder_writes_it():
    """The JSON beside each return is written by orjson (quick) unless a value is one only json
    keeps (orjson writes infinity as null): either way it reads back as the same values."""
    import math

    from generator.store.records import dump_json

    plain = {"sha256": "x", "values": {"B01": 12, "B02.numerator:a": 3.5, "C01": "ips", "D": "2025-04-01"}}
    assert json.loads(dump_json(plain)) == plain
    odd = {"values": {"E02_total_cost": math.inf}}
    assert json.loads(dump_json(odd))["values"]["E02_total_cost"] == math.inf
    assert json.loads(dump_json({"values": {"x": 10**30}}))["values"]["x"] == 10**30


def test_the_digest_covers_the_whole_record_but_itself():
    from generator.store.records import DIGEST, record_digest

    rec = {"file": "b.xlsx", "sha256": "ab", "identity": {"period": "2025-26 Q1"}, "values": {"B01": 12}}
    d = record_digest(rec)
    assert record_digest({**rec, DIGEST: d}) == d  # recorded beside what it covers
    assert record_digest(dict(reversed(rec.items()))) == d  # in one canonical form
    assert record_digest({**rec, "values": {"B01": 13}}) != d
    assert record_digest({**rec, "identity": {"period": "2025-26 Q2"}}) != d
    assert record_digest({**rec, "file": "other.xlsx"}) != d
