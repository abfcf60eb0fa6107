"""The returns store's ingest (generator.store.returns): byte for byte, all or nothing, a ledger row
for every attempt (with when it arrived and whether it was late), duplicates refused without
--replace, quarantine for unknown senders."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest

from generator.base.names import original
from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.publish.quality import data_quality
from generator.store import durability
from generator.store.files import LEDGER_FIELDS
from generator.store.returns import Store

from .builders import inbox_with_a_name_that_is_not_utf8, ingested, ledger, valid_return
from .conftest import ROOT
from .hostile import CASES


def _tree(root):
    """Every stored file and its hash, except the ledger (which records every attempt)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("ledger.csv", ".lock")
    }


def _all_numerators(catalogue):
    from generator.workbook.layout import build_layout

    return [
        c.key for c in build_layout(catalogue.section("B"), catalogue).input_cells if c.part == "numerator"
    ]


def test_accepted_return_is_kept_byte_for_byte_under_a_predictable_name(stored, catalogue):
    store, f = stored
    kept = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP" / "B.xlsx"
    assert kept.read_bytes() == f.read_bytes()
    (row,) = ledger(store)
    assert tuple(row) == LEDGER_FIELDS
    assert (row["status"], row["section"], row["area_code"], row["period"]) == (
        "accepted",
        "B",
        "PS04",
        "2025-26 Q1",
    )
    assert row["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
    assert (
        row["template_id"] == "kpi-b-client-intake"
        and row["template_version"] == catalogue.section("B").version
    )


def test_identical_file_again_is_a_no_op(stored, catalogue, registry):
    store, f = stored
    before = _tree(store.root)
    o = store.ingest(f, catalogue, registry)
    assert o.status == "unchanged" and o.ok
    assert _tree(store.root) == before


def test_second_return_for_the_slot_is_refused_without_replace(stored, catalogue, registry, tmp_path):
    store, f = stored
    g = tmp_path / "b2.xlsx"
    g.write_bytes(
        valid_return(
            catalogue, registry, "B", {"B01_new_referrals": 0, **dict.fromkeys(_all_numerators(catalogue), 0)}
        )
    )
    before = _tree(store.root)
    o = store.ingest(g, catalogue, registry)
    assert o.status == "refused-duplicate" and not o.ok and "--replace" in o.message
    assert _tree(store.root) == before
    o = store.ingest(g, catalogue, registry, replace=True)
    assert o.status == "replaced"
    slot = store.root / "2025-26-Q1" / "PS04" / "PS04-EMP"
    assert (slot / "B.xlsx").read_bytes() == g.read_bytes()
    (old,) = list((slot / "history").iterdir())
    assert old.read_bytes() == f.read_bytes()  # the replaced return stays in the history
    assert [r["status"] for r in ledger(store)] == ["accepted", "refused-duplicate", "replaced"]
    assert ledger(store)[-1]["replaced"] == f"2025-26-Q1/PS04/PS04-EMP/history/{old.name}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_rejected_return_changes_nothing_stored(stored, catalogue, registry, tmp_path, case):
    store, _ = stored
    before = _tree(store.root)
    bad = tmp_path / case.filename
    bad.write_bytes(case.build(catalogue, registry))
    o = store.ingest(bad, catalogue, registry, replace=True, expected_section=case.expected_section)
    assert o.status == "rejected"
    assert _tree(store.root) == before
    assert ledger(store)[-1]["status"] == "rejected"
    assert int(ledger(store)[-1]["errors"]) >= 1


def test_a_failed_write_leaves_the_previous_return_in_place(
    stored, catalogue, registry, tmp_path, monkeypatch
):
    """A crash between writes never half-loads: the old return and its values stay consistent."""
    store, _ = stored
    before = _tree(store.root)
    g = tmp_path / "b2.xlsx"
    g.write_bytes(
        valid_return(
            catalogue, registry, "B", {"B01_new_referrals": 0, **dict.fromkeys(_all_numerators(catalogue), 0)}
        )
    )

    real = durability.write_tmp

    def flaky(path, data, **kw):
        if path.suffix == ".xlsx" and path.parent.name != "history":
            raise OSError("disk full")
        return real(path, data, **kw)

    monkeypatch.setattr(durability, "write_tmp", flaky)
    with pytest.raises(OSError):
        store.ingest(g, catalogue, registry, replace=True)
    monkeypatch.setattr(durability, "write_tmp", real)
    after = _tree(store.root)
    assert {k: v for k, v in after.items() if "/history/" not in k} == before
    assert not list(store.root.rglob(".*.tmp-*"))
    assert store.ingest(g, catalogue, registry, replace=True).status == "replaced"


@pytest.mark.parametrize("round_size", [1, 256])
def test_a_batch_stores_in_order_whatever_the_round_size(
    tmp_path, catalogue, registry, monkeypatch, round_size
):
    """Files are put in place in rounds; a later file for the same slot must still see the
    earlier one, and the outcome must not depend on where the rounds fall."""

    monkeypatch.setattr(durability, "ROUND", round_size)
    first = tmp_path / "first.xlsx"
    first.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 1}))
    again = tmp_path / "again.xlsx"
    again.write_bytes(first.read_bytes())
    second = tmp_path / "second.xlsx"
    second.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 2}))
    third = tmp_path / "third.xlsx"
    third.write_bytes(valid_return(catalogue, registry, "C", {"C15_model_processes": 3}))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    other = tmp_path / "b.xlsx"
    other.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    paths = [first, bad, again, second, third, other]
    outcomes = store.ingest_many(
        paths, catalogue, registry, replace=[False, False, False, False, True, False]
    )
    assert [o.status for o in outcomes] == [
        "accepted",
        "rejected",
        "unchanged",
        "refused-duplicate",
        "replaced",
        "accepted",
    ]
    assert [r["status"] for r in ledger(store)] == [o.status for o in outcomes]
    assert [r["file"] for r in ledger(store)] == [str(p) for p in paths]
    (slot,) = {p.parent for p in store.root.rglob("C.xlsx")}
    assert (slot / "C.xlsx").read_bytes() == third.read_bytes()
    (hist,) = (slot / "history").iterdir()
    assert hist.read_bytes() == first.read_bytes()
    assert not list(store.root.rglob(".*.tmp-*"))
    with store.table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["section"] for r in rows} == {"B", "C"}
    assert {r["value"] for r in rows if r["item_id"] == "C15_model_processes"} == {"3"}
    # the lines made as each return was stored (the replaced one's dropped) are the table's
    made_as_stored = store.table.read_bytes()
    assert store.rebuild_table(catalogue).read_bytes() == made_as_stored


def test_values_csv_catches_up_after_an_ingest_stopped_before_rebuilding_it(
    tmp_path, catalogue, registry, monkeypatch
):
    """Returns put in place by an ingest that then failed (here: writing values.csv on a full
    disk) are in the table after the next ingest, even though every file is then unchanged."""
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    real = Store.rebuild_table

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "rebuild_table", full_disk)
    with pytest.raises(OSError):
        store.ingest(f, catalogue, registry)
    monkeypatch.setattr(Store, "rebuild_table", real)
    assert not store.table.exists() and len(store.ledger_rows()) == 1
    assert store.ingest(f, catalogue, registry).status == "unchanged"
    rows = store.table.read_text(encoding="utf-8").splitlines()
    assert len(rows) > 1 and all(",B," in r for r in rows[1:])
    assert not list(store.root.glob(".*tmp*")) and not list(store.root.glob(".values.csv.stale"))
    assert store.ingest(f, catalogue, registry).status == "unchanged"  # and then nothing to catch up


def test_a_file_name_that_is_not_utf8_is_stored_recorded_and_recoverable(
    tmp_path, catalogue, registry, capsys
):
    """It stopped the ingest with a UnicodeEncodeError in the ledger writer, after the returns
    were in place, and every later ingest the same way. Now it is stored and recorded by a
    printable name from which the exact bytes come back."""
    inbox, paths = inbox_with_a_name_that_is_not_utf8(tmp_path, catalogue, registry)
    store = Store(tmp_path / "store")
    assert main(["ingest", "--store", str(store.root), str(inbox)]) == 0
    assert "b-R\\xe9sum\\xe9 PS04.xlsx: ACCEPTED" in capsys.readouterr().out
    rows = ledger(store)
    assert [r["status"] for r in rows] == ["accepted"] * 3
    assert [original(r["file"]) for r in rows] == [os.fsencode(p) for p in paths]
    assert len(store.current_returns()) == 3
    assert main(["validate", "--json", str(paths[1])]) == 0
    assert json.loads(capsys.readouterr().out)[0]["file"].endswith("b-R\\xe9sum\\xe9 PS04.xlsx")


HOSTILE_TEXT = [
    '=HYPERLINK("http://evil.example","x")',
    "\uff1dSUM(1,2)",
    "+1+1",
    "@SUM(1)",
    "-2+3",
    "a\x00b",
    "clear\x1b[2Jscreen",
    "\u202etxt.exe",
    "\tTabbed",
    "\rall files valid",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=repr)
def test_hostile_text_never_reaches_a_csv_or_the_terminal_raw(
    tmp_path, catalogue, registry, capsys, monkeypatch, text
):
    """Issue 19: a free-text answer reached values.csv as it was typed ('=HYPERLINK(...)' ran as a
    formula when the analyst opened it; NUL and escape sequences came through), a formula-like
    file name reached ledger.csv, and an organisation code holding an escape sequence was
    printed raw by validate and ingest. Each now arrives made literal or escaped, and the
    stored JSON keeps what was typed."""
    from dataclasses import replace

    from generator.base.names import FORMULA_START, original

    from .builders import identity_for

    answer = "E06_rejection_reasons"  # a free-text answer
    store = Store(tmp_path / "store")
    name = tmp_path / f"{text.replace('/', '_').replace(chr(0), '0')[:20]}.xlsx"  # a name holds no NUL
    name.write_bytes(valid_return(catalogue, registry, "E", {answer: text}))
    monkeypatch.chdir(tmp_path)  # the ledger records the name as given: here, the file's own
    assert main(["ingest", "--store", str(store.root), "--", name.name]) == 0
    out = capsys.readouterr()
    table = store.table.read_text(encoding="utf-8")
    cells = [row["value"] for row in csv.DictReader(table.splitlines()) if row["item_id"] == answer]
    assert len(cells) == 1 and not cells[0].lstrip().startswith(FORMULA_START)
    assert not any(c in table for c in "\x00\x1b\u202e")
    (row,) = ledger(store)
    assert not row["file"].startswith(FORMULA_START) and original(row["file"]) == os.fsencode(name.name)
    stored = json.loads(next(store.root.glob("*/*/*/E.json")).read_text(encoding="utf-8"))
    assert stored["values"][answer] in (text, text.strip())  # the truth, as typed
    # an organisation code holding the text: rejected, and printed escaped
    bad = tmp_path / "bad.xlsx"
    ident = replace(identity_for(catalogue, registry, "E"), organisation_code="PS04" + text)
    bad.write_bytes(valid_return(catalogue, registry, "E", identity=ident))
    main(["validate", str(bad)])
    main(["ingest", "--store", str(store.root), str(bad)])
    printed = capsys.readouterr()
    for stream in (out.out, out.err, printed.out, printed.err):
        assert not any(c in stream for c in "\x00\x1b\u202e\r"), stream
    assert not any(r["organisation_code"].startswith(FORMULA_START) for r in ledger(store))


def test_a_return_from_a_sender_the_registry_does_not_list_is_quarantined(
    tmp_path, catalogue, registry, capsys
):
    """Issue 19: a return claiming another provider's code was filed, and sent first it turned
    the genuine one into a refused duplicate. With senders in the registry and `--from`, it is
    kept in quarantine/, never filed: the genuine return is accepted after it."""
    reg = tmp_path / "organisations.csv"
    text = (ROOT / "data" / "organisations.csv").read_text(encoding="utf-8").splitlines()
    head, rows = text[0] + ",senders", [line + "," for line in text[1:]]
    rows = [
        r[:-1] + ",employment@ps04.example.org" if r.startswith("PS04,") and ",provider," in r else r
        for r in rows
    ]
    reg.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    f = tmp_path / "b.xlsx"
    f.write_bytes(valid_return(catalogue, registry, "B"))
    store = tmp_path / "store"
    common = ["ingest", "--registry", str(reg), "--store", str(store)]
    assert main([*common, "--from", "someone@elsewhere.example", str(f)]) == 1
    out = capsys.readouterr().out
    assert "QUARANTINED" in out and "not filed" in out
    assert list((store / "quarantine").iterdir()) and not list(store.glob("*/*/*/B.xlsx"))
    assert main([*common, "--from", "Employment@PS04.example.org", str(f)]) == 0
    assert list(store.glob("*/*/*/B.xlsx"))
    assert [r["status"] for r in ledger(Store(store))] == ["quarantined", "accepted"]


def test_sender_addresses_as_pasted_and_a_long_name_in_quarantine(tmp_path, catalogue, registry):
    """A From header pasted with its display name is understood; a bare domain is no address;
    a spoofer's very long file name cannot stop the batch (the quarantined copy's name is
    shortened); a senders column that is not addresses or domains stops the registry loading."""
    from generator.catalogue.registry import Organisation, RegistryError

    org = Organisation("PS04-EMP", "x", "PS04", "a", "provider", False, ("employment@ps04.example.org",))
    assert org.may_send("Employment <Employment@PS04.example.org>")
    assert org.may_send("mailto:employment@ps04.example.org")
    assert not org.may_send("ps04.example.org") and not org.may_send("@ps04.example.org")
    head = "area_code,area_name,organisation_code,organisation_name,role,synthetic,senders\n"
    reg = tmp_path / "organisations.csv"
    reg.write_text(head + 'PS04,Area,PS04-EMP,Service,provider,yes,"a@b.org,c@d.org"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="are not addresses or domains"):
        load_registry(reg)
    reg.write_text(
        head + "PS04,Area,PS04-EMP,Service,provider,yes,employment@ps04.example.org\n", encoding="utf-8"
    )
    long_name = tmp_path / ("a" * 240 + ".xlsx")
    long_name.write_bytes(valid_return(catalogue, registry, "B"))
    store = Store(tmp_path / "store")
    (out,) = store.ingest_many([long_name], catalogue, load_registry(reg), sender="evil@evil.example")
    assert out.status == "quarantined" and len(Path(out.stored_as).name) < 120


def test_the_ledger_records_when_a_return_arrived_and_whether_it_was_late(tmp_path, catalogue):
    store = ingested(tmp_path, catalogue, "E", dt.date(2025, 7, 30))
    (row,) = ledger(store)
    assert (row["received"], row["due"], row["late"]) == ("2025-07-30", "2025-07-30", "no")
    store2 = ingested(tmp_path / "b", catalogue, "E", dt.date(2025, 7, 31))
    (row,) = ledger(store2)
    assert row["late"] == "yes"
    (q,) = [
        x
        for x in data_quality(store2.current_returns(), catalogue, load_registry(), ledger(store2))
        if x["status"] != "missing"
    ]
    assert (q["due"], q["received"], q["late"]) == ("2025-07-30", "2025-07-31", "yes")
    missing = [
        x
        for x in data_quality(store2.current_returns(), catalogue, load_registry(), [])
        if x["status"] == "missing"
    ]
    assert missing and all(x["late"] == "yes" and x["received"] == "" for x in missing)  # long overdue
