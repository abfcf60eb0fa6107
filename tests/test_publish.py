"""The published dataset: nothing below national level identifies anyone; text is formula-safe."""

from __future__ import annotations

import csv

import pytest
from python_calamine import CalamineWorkbook

from generator.catalogue.registry import load_registry
from generator.cli import main
from generator.publish.dataset import build_dataset
from generator.publish.files import write_dataset
from generator.publish.quality import data_quality
from generator.publish.safe_csv import neutralise


@pytest.fixture(scope="module")
def published(catalogue, small_demo, tmp_path_factory):
    """The five-site demo store, computed and written as the published files."""
    registry = load_registry()
    returns = small_demo.current_returns()
    rows = build_dataset(returns, catalogue, registry)
    quality = data_quality(returns, catalogue, registry, small_demo.ledger_rows())
    paths = write_dataset(rows, quality, tmp_path_factory.mktemp("pub") / "dataset")
    return {p.name: p for p in paths}, rows, quality


def _num(v):
    if v in (None, ""):
        return None
    return float(v)


STOCKS = {"E09_active_caseload", "E11_largest_caseload", "EX06_caseload_per_specialist"}


def _not_people(catalogue):
    return {i.id for _, i in catalogue.items() if i.disclosure == "other"}


def _scan(rows, not_people):
    """Independent check of the plain parts of the rule, on rows as read back from a published
    file (what combinations of figures give away is the attacker's part:
    tests/test_disclosure_attack.py): below national level, every count of people is 0, at
    least 5, and a multiple of 5 (one derived from counts, a recorded subtotal less a suppressed
    'not recorded', a multiple of 2.5); no rate rests on a denominator under 10; and no count
    that adds up over time is published for a quarter."""
    problems = []
    for r in rows:
        if (
            r["area_code"] == "ALL"
            or r["unit"] not in ("count", "percent")
            or r["indicator_id"] in not_people
        ):
            continue
        where = (
            f"{r['area_code']}/{r['provider_code']}/{r['period']}/{r['indicator_id']}/{r['breakdown_value']}"
        )
        given = str(r["method"]).startswith("as returned")  # a published statistic, not our rate
        if given:
            continue
        for col in ("numerator", "denominator") + (("value",) if r["unit"] == "count" else ()):
            v = _num(r[col])
            if v is not None and (0 < v < 5 or (2 * v) % 5):
                problems.append(f"{where}: {col} {v} is a small or unrounded count")
        if r["unit"] == "percent" and _num(r["value"]) is not None:
            d = _num(r["denominator"])
            if d is None or d < 10:
                problems.append(f"{where}: a rate shown with denominator {d}")
        if (
            " Q" in r["period"]
            and not r["period"].startswith("12 months")
            and r["indicator_id"] not in STOCKS
        ):
            problems.append(f"{where}: a quarter below national level")
    return problems


def test_published_csv_has_no_small_counts_below_national_level(published, catalogue):
    files, _, _ = published
    with files["indicators.csv"].open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    problems = _scan(rows, _not_people(catalogue))
    assert not problems, "\n".join(problems[:20])
    # the rule was exercised, not vacuous: small sites produce suppressed and withheld cells
    assert sum("suppressed" in r["flags"] for r in rows) > 100
    assert any("withheld" in r["flags"] for r in rows)


def test_published_workbook_has_no_small_counts_below_national_level(published, catalogue):
    files, _, _ = published
    wb = CalamineWorkbook.from_path(str(files["dataset.xlsx"]))
    assert wb.sheet_names == ["Notes", "Indicators", "Data quality"]
    table = wb.get_sheet_by_name("Indicators").to_python()
    header, body = table[0], table[1:]
    rows = [dict(zip(header, (("" if v == "" else v) for v in line), strict=False)) for line in body]
    assert rows and not _scan(rows, _not_people(catalogue))
    notes = " ".join(str(r[1]) for r in wb.get_sheet_by_name("Notes").to_python()[3:])
    assert "1 to 4 are blank (flag 'suppressed')" in notes and "flag 'withheld'" in notes
    assert "secondary" not in notes and "unrounded" not in notes  # the rule before issue 17


def test_national_rows_are_unsuppressed(published):
    _, rows, _ = published
    national = [r for r in rows if r["area_code"] == "ALL" and r["unit"] == "count" and r["value"]]
    assert any(0 < r["value"] < 5 or r["value"] % 5 for r in national)  # exact counts nationally


def test_data_quality_lists_received_missing_and_resubmitted(published):
    _, _, quality = published
    statuses = {q["status"] for q in quality}
    assert {"received", "resubmitted"} <= statuses
    resub = [q for q in quality if q["status"] == "resubmitted"]
    assert [(q["organisation_code"], q["section"], q["period"]) for q in resub] == [
        ("PS04-EMP", "E", "2025-26 Q2")
    ]


def test_required_columns_are_published(published):
    files, _, _ = published
    with files["indicators.csv"].open(newline="") as f:
        header = next(csv.reader(f))
    required = (
        "area_code, area_name, provider_code, provider_name, period, indicator_id, indicator_title, "
        "breakdown, breakdown_value, numerator, denominator, value, unit, lower_95, upper_95, lower_998, "
        "upper_998, target, comparison_target, comparison_all_areas, quartile, trend, flags, method"
    )
    assert header[:24] == required.split(", ")


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\uff1dSUM(1)", " =1"])
def test_formula_injection_is_neutralised_in_text(text):
    assert neutralise(text) == "'" + text
    assert neutralise("plain") == "plain" and neutralise(-2) == -2


@pytest.mark.parametrize("text", ["\tx", "\rx", "a\x00b", "\x1b[2J", "\u202eexe.txt"])
def test_hidden_characters_in_published_text_are_escaped(text):
    """A tab or carriage return (which some programs take as the start of a formula), NUL, an
    escape sequence or a bidirectional override is written as a visible escape."""
    out = neutralise(text)
    assert out.isprintable() and ("\\x" in out or "\\u" in out)


def test_text_columns_are_safe_in_the_csv(tmp_path):
    row = {"area_code": "PS01", "area_name": "=cmd|' /C calc'!A0", "value": -3.5, "indicator_title": "@x"}
    write_dataset([row], [], tmp_path)
    text = (tmp_path / "indicators.csv").read_text()
    assert "'=cmd" in text and ",-3.5," in text and "'@x" in text


def test_compute_cli(published, tmp_path, capsys):
    assert main(["compute", "--store", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 1
    assert "no returns stored" in capsys.readouterr().err


def test_the_zipped_table_is_the_csv_byte_for_byte_and_the_same_every_time(published, tmp_path):
    import zipfile

    files, rows, quality = published
    with zipfile.ZipFile(files["indicators.csv.zip"]) as zf:
        assert zf.namelist() == ["indicators.csv"]
        assert zf.read("indicators.csv") == files["indicators.csv"].read_bytes()
    again = {p.name: p for p in write_dataset(rows, quality, tmp_path)}
    assert again["indicators.csv.zip"].read_bytes() == files["indicators.csv.zip"].read_bytes()
    assert files["indicators.csv.zip"].stat().st_size * 5 < files["indicators.csv"].stat().st_size


def test_the_workbook_holds_the_latest_period_for_areas_and_all_areas(published):
    files, rows, _ = published
    wb = CalamineWorkbook.from_path(str(files["dataset.xlsx"]))
    table = wb.get_sheet_by_name("Indicators").to_python()
    provider, area = table[0].index("provider_code"), table[0].index("area_code")
    assert not any(line[provider] for line in table[1:])  # each provider's figures are in the CSV
    assert any(line[area] == "ALL" for line in table[1:]) and any(line[area] != "ALL" for line in table[1:])
    assert any(r["level"] == "provider" for r in rows)


def test_the_site_offers_a_large_table_zipped_only():
    from generator.site.front import PLAIN_CSV_ROWS, site_downloads

    assert "indicators.csv" in site_downloads(PLAIN_CSV_ROWS)
    big = site_downloads(PLAIN_CSV_ROWS + 1)
    assert "indicators.csv" not in big and "indicators.csv.zip" in big and "dataset.xlsx" in big


def test_writing_the_same_dataset_again_replaces_no_file(published, tmp_path):
    """Unchanged files keep their inode and time, so the site build and browsers see them as
    unchanged; a changed table replaces the CSV and its zip."""
    _, rows, quality = published
    first = {p.name: p.stat() for p in write_dataset(rows, quality, tmp_path)}
    again = {p.name: p.stat() for p in write_dataset(rows, quality, tmp_path)}
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in first.items()} == {
        n: (s.st_ino, s.st_mtime_ns) for n, s in again.items()
    }
    assert not list(tmp_path.glob(".*tmp"))
    changed = {p.name: p.stat() for p in write_dataset(rows[1:], quality, tmp_path)}
    assert changed["indicators.csv"].st_ino != first["indicators.csv"].st_ino
    assert changed["indicators.csv.zip"].st_ino != first["indicators.csv.zip"].st_ino
    assert changed["data_quality.csv"].st_ino == first["data_quality.csv"].st_ino


def test_the_tables_written_beside_a_failing_step_are_whole(published, tmp_path):
    """`kpi build` writes the CSVs on a thread while it makes the workbook, pages and charts.
    Should that step fail, the error is the build's, and the thread has finished first: each
    file is complete and in place (or not there at all), never half-written."""
    from generator.publish.dataset import Dataset
    from generator.publish.files import publishing
    from generator.publish.safe_csv import csv_block

    files, rows, quality = published
    data = Dataset(len(rows), [csv_block(rows)], list(rows))
    with pytest.raises(ValueError, match="a page failed"), publishing(data, quality, tmp_path):
        raise ValueError("a page failed")
    assert (tmp_path / "indicators.csv").read_bytes() == files["indicators.csv"].read_bytes()
    assert (tmp_path / "indicators.csv.zip").read_bytes() == files["indicators.csv.zip"].read_bytes()
    assert not list(tmp_path.glob(".*tmp"))
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / ".indicators.csv.tmp").mkdir()  # the thread cannot write its file: the build fails
    with pytest.raises(IsADirectoryError), publishing(data, quality, blocked):
        pass
    with pytest.raises(ValueError) as both, publishing(data, quality, blocked):  # both fail: both said
        raise ValueError("a page failed")
    assert any("dataset files" in n and "Is a directory" in n for n in getattr(both.value, "__notes__", []))


def test_ctrl_c_stops_the_tables_within_a_chunk_and_leaves_the_files_as_they_were(
    published, tmp_path, monkeypatch
):
    """Ctrl-C during a build: the thread writing the (half-gigabyte, at national scale) table and
    its zip stops at its next chunk instead of finishing, and removes its temporary files; what
    was in place stays as it was."""
    import threading
    import types

    from generator.publish import files as publish
    from generator.publish.dataset import Dataset
    from generator.publish.safe_csv import csv_block

    _, rows, quality = published
    data = Dataset(len(rows), [csv_block(rows)], list(rows))
    made, entered = [], threading.Event()

    class Event(threading.Event):
        def __init__(self):
            super().__init__()
            made.append(self)

    def zip_holds_waiting_for_stop(*args):  # the thread is between the table and its zip
        entered.set()
        made[-1].wait(10)
        return False

    monkeypatch.setattr(publish, "threading", types.SimpleNamespace(Event=Event))
    monkeypatch.setattr(publish, "_zip_holds", zip_holds_waiting_for_stop)
    (tmp_path / "indicators.csv").write_text("the previous table\n")
    with pytest.raises(KeyboardInterrupt) as stopped, publish.publishing(data, quality, tmp_path):
        assert entered.wait(10)
        raise KeyboardInterrupt
    assert made[-1].is_set() and not getattr(stopped.value, "__notes__", [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv"]
    assert (tmp_path / "indicators.csv").read_text() == "the previous table\n"
    stop = Event()
    stop.set()
    (tmp_path / "x").mkdir()
    with pytest.raises(publish._Stopped):  # set before it starts: nothing is written at all
        publish._write_tables(data, quality, tmp_path / "x", stop)
    assert not list((tmp_path / "x").iterdir())


def test_ctrl_c_is_a_line_and_exit_status_130_not_a_traceback(monkeypatch, capsys):
    from generator import cli

    def interrupted(args):
        """Stands in for the build (its parser is made from this docstring)."""
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "build", interrupted)
    assert main(["build"]) == 130
    err = capsys.readouterr().err
    assert "kpi build: stopped (Ctrl-C)" in err and "Traceback" not in err


def test_a_worker_that_died_is_a_line_not_a_traceback(monkeypatch, capsys):
    from concurrent.futures.process import BrokenProcessPool

    from generator import cli

    def worker_killed(args):
        """Stands in for ingest (its parser is made from this docstring)."""
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setitem(cli.COMMANDS, "ingest", worker_killed)
    assert main(["ingest", "x.xlsx"]) == 1
    err = capsys.readouterr().err
    assert "kpi ingest: a worker process ended" in err and "--jobs 1" in err and "Traceback" not in err


def test_a_zip_left_behind_by_a_stopped_run_or_damaged_since_is_made_again(published, tmp_path, monkeypatch):
    """The zip is what a national site offers: after any run that ends well it holds the very
    table beside it, whatever an earlier run left (stopped while zipping) or a program did."""
    import zipfile

    from generator.base.cache import Cache
    from generator.publish import files as publish
    from generator.publish.dataset import Dataset
    from generator.publish.safe_csv import csv_block

    _, rows, quality = published
    cache, out = Cache(tmp_path / "cache.sqlite"), tmp_path / "dataset"
    old = Dataset(len(rows) - 1, [csv_block(rows[1:])], list(rows[1:]))
    new = Dataset(len(rows), [csv_block(rows)], list(rows))
    publish.write_published(old, quality, out, workbook=False, cache=cache)
    real = publish._zip_file

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "_zip_file", disk_full)
    with pytest.raises(OSError):
        publish.write_published(new, quality, out, workbook=False, cache=cache)
    monkeypatch.setattr(publish, "_zip_file", real)

    def zip_holds_table() -> bool:
        with zipfile.ZipFile(out / "indicators.csv.zip") as zf:
            return zf.read("indicators.csv") == (out / "indicators.csv").read_bytes()

    publish.write_published(new, quality, out, workbook=False, cache=cache)  # the retry
    assert zip_holds_table() and (out / "indicators.csv").read_bytes().count(b"\n") == len(rows) + 1
    (out / "indicators.csv.zip").write_bytes(b"not a zip")  # damaged by something else
    publish.write_published(new, quality, out, workbook=False, cache=cache)
    assert zip_holds_table()


def test_the_columns_spared_the_formula_check_are_numeric_columns_that_exist():
    """The CSV writer skips the formula check only for columns named numeric beside the column
    lists themselves; a name that is not a column (a typo, a renamed column) would spare nothing
    and hide that the list is out of step."""
    from generator.calc.columns import COLUMNS, NUMERIC_COLUMNS
    from generator.publish.quality import QUALITY_COLUMNS, QUALITY_NUMERIC

    assert set(COLUMNS) >= NUMERIC_COLUMNS
    assert set(QUALITY_COLUMNS) >= QUALITY_NUMERIC
    text = {"indicator_title", "flags", "method", "comment", "area_name"}
    assert not text & (NUMERIC_COLUMNS | QUALITY_NUMERIC)
