"""Pre-filled templates (generator.workbook.prefill): who a workbook is for, checked against the
registry and the section's periods, and a round for every organisation in the registry."""

from __future__ import annotations

import pytest

from generator.cli import main


def test_unknown_organisation_exits_1_and_says_why(capsys, tmp_path):
    assert (
        main(
            [
                "templates",
                "--out",
                str(tmp_path),
                "--area",
                "PS04",
                "--provider",
                "NOPE",
                "--period",
                "2025-26 Q1",
                "--section",
                "B",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "unknown organisation code 'NOPE'" in err and "PS01-COM" in err


def test_wrong_role_and_wrong_period_exit_1(capsys, tmp_path):
    base = ["templates", "--out", str(tmp_path), "--area", "PS04"]
    assert main([*base, "--provider", "PS04-EMP", "--period", "2025-26", "--section", "A"]) == 1
    assert "completed by a commissioner" in capsys.readouterr().err
    assert main([*base, "--provider", "PS04-EMP", "--period", "2025-26", "--section", "B"]) == 1
    assert "expected a period like '2025-26 Q1'" in capsys.readouterr().err
    assert main([*base, "--provider", "PS05-EMP", "--period", "2025-26 Q1", "--section", "B"]) == 1
    assert "belongs to area PS05" in capsys.readouterr().err


def _write_registry(path, areas=2, providers=3):
    lines = ["area_code,area_name,organisation_code,organisation_name,role,synthetic"]
    for a in range(1, areas + 1):
        lines.append(f"TA{a},Test area {a},TA{a}-COM,Test area {a} commissioners,commissioner,yes")
        lines += [
            f"TA{a},Test area {a},TA{a}-P{p},Test area {a} provider {p},provider,yes"
            for p in range(1, providers + 1)
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("period", ["2025-26 Q1", "2025-26"])
def test_every_organisation_gets_the_sections_it_completes(tmp_path, catalogue, capsys, period):
    """One command pre-fills a round for the whole registry: each organisation gets, in its own
    folder, exactly the workbooks for the sections its role completes in that kind of period,
    each the same bytes as pre-filling that organisation alone."""
    from generator.catalogue.registry import load_registry, role_for
    from generator.workbook.identity import Identity, template_filename
    from generator.workbook.templates import render_template

    reg_csv, out = tmp_path / "orgs.csv", tmp_path / "out"
    _write_registry(reg_csv)
    registry = load_registry(reg_csv)
    args = [
        "templates",
        "--every-organisation",
        "--period",
        period,
        "--registry",
        str(reg_csv),
        "--out",
        str(out),
    ]
    assert main([*args, "--jobs", "2"]) == 0
    frequency = "quarterly" if " Q" in period else "annual"
    expected = {
        out
        / o.area_code
        / o.code
        / template_filename(s, Identity(o.area_code, o.area_name, o.code, o.name, period)): (
            s,
            Identity(o.area_code, o.area_name, o.code, o.name, period),
        )
        for o in registry.organisations.values()
        for s in catalogue.sections.values()
        if s.frequency == frequency and o.role == role_for(s.completed_by)
    }
    assert expected and set(out.rglob("*.xlsx")) == set(expected)
    roles = {role_for(s.completed_by) for s in catalogue.sections.values() if s.frequency == frequency}
    assert {p.parent.name for p in expected} == {
        o.code for o in registry.organisations.values() if o.role in roles
    }
    for path, (section, ident) in expected.items():
        assert path.read_bytes() == render_template(section, catalogue, ident), path
    assert f"wrote {len(expected)} workbook(s) for" in capsys.readouterr().err
    # a second run rewrites nothing (the files' bytes are unchanged)
    stamps = {p: p.stat().st_mtime_ns for p in expected}
    assert main([*args, "--jobs", "1"]) == 0
    assert {p: p.stat().st_mtime_ns for p in expected} == stamps


def test_every_organisation_needs_a_fitting_period(tmp_path, capsys):
    reg_csv = tmp_path / "orgs.csv"
    _write_registry(reg_csv)
    base = ["templates", "--every-organisation", "--registry", str(reg_csv), "--out", str(tmp_path / "out")]
    assert main(base) == 2
    assert "needs --period" in capsys.readouterr().err
    assert main([*base, "--period", "2025-26", "--section", "B"]) == 1
    assert "expected a period like '2025-26 Q1'" in capsys.readouterr().err
    assert main([*base, "--period", "2025-26 Q1", "--area", "TA1"]) == 2
    assert not (tmp_path / "out").exists()


def test_a_quarter_for_an_annual_section_says_what_to_type(tmp_path, capsys):
    args = ["templates", "--out", str(tmp_path), "--area", "PS04", "--provider", "PS04-COM"]
    assert main([*args, "--period", "2025-26 Q1", "--section", "A"]) == 1
    assert "expected a period like '2025-26'" in capsys.readouterr().err
