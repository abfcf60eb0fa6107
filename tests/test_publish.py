"""The published dataset as a whole: nothing below national level identifies anyone, in the CSV
or the workbook, and national figures are exact; and the commands that publish it stop with
one line, never a traceback."""

from __future__ import annotations

import csv

from python_calamine import CalamineWorkbook

from generator.cli import main


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


def test_compute_cli(tmp_path, capsys):
    assert main(["compute", "--store", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 1
    assert "no returns stored" in capsys.readouterr().err


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
