"""What the catalogue's schema cannot check (generator.catalogue.checks): references, versions, due
dates, rules across items and their cycles, which items select targets; every problem reported
at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from generator.catalogue.load import load_catalogue
from generator.catalogue.model import CatalogueError

from .builders import catalogue_with_checks, edit_yaml
from .conftest import ROOT


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda d: d["groups"][0]["items"][0].update(since="1.5"), "since '1.5' is not one of its versions"),
        (lambda d: d.update(versions=list(reversed(d["versions"]))), "oldest first"),
        (lambda d: d.update(version="1.0"), "must be the last of versions"),
        # a rule of the first version reading an item added in 1.1
        (
            lambda d: d["groups"][0]["items"][0].update(
                checks=[
                    {"id": "reads-later", "op": "<=", "right": ["B90_comments"], "says": "a rule on text"}
                ]
            ),
            "reads B90_comments, added after the rule",
        ),
    ],
)
def test_the_catalogue_refuses_versions_that_do_not_hold_together(cat_copy, change, says):
    cat = cat_copy
    path = cat / "sections" / "B_client_intake.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(CatalogueError) as e:
        load_catalogue(cat)
    assert any(says in p for p in e.value.problems), e.value.problems


def test_due_dates_for_periods_that_do_not_exist_are_refused(tmp_path):
    import shutil

    import yaml

    from generator.catalogue.load import load_catalogue
    from generator.catalogue.model import CatalogueError

    cat = tmp_path / "catalogue"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "catalogue", cat)
    path = cat / "sections" / "E_job_outcomes.yaml"
    data = yaml.safe_load(path.read_text())
    data["due"]["dates"] = {"2025/26 Q1": "2025-08-01", "2099-00 Q9": "2025-08-01", "2025-26": "2025-08-01"}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(CatalogueError) as e:
        load_catalogue(cat)
    assert sum("not a quarterly reporting period" in p for p in e.value.problems) == 3


def test_every_problem_is_reported_at_once(cat_copy):
    """A bad denominator, an unknown breakdown and a duplicate id are all listed in one error."""

    def break_it(d):
        items = {i["id"]: i for g in d["groups"] for i in g["items"]}
        items["B02_age"]["denominator"] = {"item": "B99_nothing"}
        items["B03_gender"]["breakdown"] = "shoe_size"
        items["B05_nvq2"]["id"] = "B04_ethnicity"

    edit_yaml(cat_copy / "sections" / "B_client_intake.yaml", break_it)
    with pytest.raises(CatalogueError) as e:
        load_catalogue(cat_copy)
    problems = e.value.problems
    assert any("denominator item 'B99_nothing' is not an item" in p for p in problems)
    assert any("breakdown 'shoe_size' is not defined" in p for p in problems)
    assert any(p.startswith("duplicate item or indicator id") for p in problems)


def test_a_benchmark_citing_an_unknown_document_is_rejected(cat_copy):
    def bad(d):
        d["groups"][0]["items"][0]["source"]["document"] = "009"

    edit_yaml(cat_copy / "sections" / "A_context.yaml", bad)
    with pytest.raises(CatalogueError, match="cites document '009'"):
        load_catalogue(cat_copy)


def test_the_item_that_selects_targets_is_catalogue_data(cat_copy, catalogue):
    """Which targets apply (IPS or SEQF) follows the item marked `selects_targets`, not an id in
    the code (issue 21, item 2); two such items are refused."""
    assert catalogue.target_selector == "E01_support_model"

    def second(d):
        for g in d["groups"]:
            for i in g["items"]:
                if i["id"] == "C11_accreditation":  # a choice item too
                    i["selects_targets"] = True

    edit_yaml(cat_copy / "sections" / "C_quality.yaml", second)
    with pytest.raises(CatalogueError, match="only one item may select targets"):
        load_catalogue(cat_copy)


@pytest.mark.parametrize("where", ["nowhere", "C11_accreditation"])
def test_targets_for_one_kind_of_service_need_an_item_that_says_the_kind(cat_copy, where):
    """Found by review: with the flag removed, or moved to a choice whose answers are not
    support models, the 536 rows judged against IPS or SEQF targets lost them without a word."""

    def unflag(d):
        for g in d["groups"]:
            for i in g["items"]:
                i.pop("selects_targets", None)

    def flag(d):
        for g in d["groups"]:
            for i in g["items"]:
                if i["id"] == where:
                    i["selects_targets"] = True

    edit_yaml(cat_copy / "sections" / "E_job_outcomes.yaml", unflag)
    if where != "nowhere":
        edit_yaml(cat_copy / "sections" / "C_quality.yaml", flag)
    with pytest.raises(
        CatalogueError, match="no item says which kind" if where == "nowhere" else "has no answer"
    ):
        load_catalogue(cat_copy)


@pytest.mark.parametrize(
    "rule, words",
    [
        ({"op": "=", "right": ["E99_nothing"]}, "not an item"),
        ({"op": "=", "right": ["D02_audited_caseload"]}, "another section"),
        ({"op": "<="}, "needs 'right'"),
        ({"op": "blank", "right": ["E09_active_caseload"]}, "takes no 'right'"),
        ({"op": ">=", "right": ["E09_active_caseload"], "value": 3}, "not both"),
        ({"op": ">=", "right": ["E09_active_caseload", "E03_referrals"], "left": ["E02_total_cost"]}, None),
        ({"op": "=", "right": ["E05a_outcome_type:promoted"]}, "not a category"),
        ({"op": "blank", "when": {"item": "E01_support_model", "is": ["magic"]}}, "not all answers"),
        ({"op": "blank", "when": {"item": "E09_active_caseload", "is": ["1"]}}, "not a choice"),
    ],
)
def test_a_rule_that_cannot_work_stops_the_catalogue_loading(tmp_path, rule, words):
    check = {"id": "x-rule", "says": "A rule written for this test", **rule}
    if words is None:  # money against counts is allowed: a sanity check of the good case
        catalogue_with_checks(tmp_path, "E11_largest_caseload", [check])
        return
    with pytest.raises(CatalogueError, match=words):
        catalogue_with_checks(tmp_path, "E11_largest_caseload", [check])


def test_rules_that_read_each_other_stop_the_catalogue_loading(tmp_path):
    """E11's rule reads E09; a rule on E09 reading E11 would make their checks circular."""
    folder = tmp_path / "catalogue"
    shutil.copytree(ROOT / "data" / "catalogue", folder)
    path = folder / "sections" / "E_job_outcomes.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for g in raw["groups"]:
        for it in g["items"]:
            if it["id"] == "E09_active_caseload":
                it["checks"] = [
                    {"id": "mirror", "op": ">=", "right": ["E11_largest_caseload"], "says": "A mirror rule"}
                ]
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="circular"):
        load_catalogue(folder)
