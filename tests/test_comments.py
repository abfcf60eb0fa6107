"""Providers' caveats and their approval (generator.intake.comments): an approval is for one text
on one return, found by its key, and only approved text is published."""

from __future__ import annotations

import pytest

from generator.catalogue.registry import load_registry
from generator.intake import comments as cm

from .builders import store_with_comment, versioned_workbook


def test_an_approval_is_for_that_text_on_that_return_only(tmp_path, catalogue):
    store, _ = store_with_comment(tmp_path, catalogue, "Synthetic: first wording.")
    (c,) = cm.comments(store.current_returns(), catalogue, [])
    store.record_approvals([cm.approval_row(c, cm.APPROVED, "A")])
    assert [x.status for x in cm.comments(store.current_returns(), catalogue, store.approval_rows())] == [
        cm.APPROVED
    ]

    def reworded(a):
        a["E90_comments"] = "Synthetic: second wording, naming nobody."

    path = tmp_path / "e2.xlsx"
    path.write_bytes(versioned_workbook(catalogue, "E", "1.1", reworded, "2025-26 Q1"))
    assert store.ingest(path, catalogue, load_registry(), replace=True).ok
    (again,) = cm.comments(store.current_returns(), catalogue, store.approval_rows())
    assert again.status == cm.AWAITING  # a resubmission is read afresh


def _comment(sha: str, text: str = "Synthetic: a caveat.", status: str = cm.AWAITING) -> cm.Comment:
    return cm.Comment(sha, "E90_comments", text, "PS04", "PS04-EMP", "E", "2025-26 Q1", status)


def test_a_key_or_an_unambiguous_start_of_one_names_its_comment():
    a, b = _comment("abcdef01" + "0" * 56), _comment("abcdef02" + "1" * 56)
    assert a.key == "abcdef010000:E90_comments"
    assert cm.find([a, b], a.key) is a
    assert cm.find([a, b], "ABCDEF02") is b  # as typed, in capitals, without the item
    with pytest.raises(cm.UnknownComment, match="names 2 comments"):
        cm.find([a, b], "abcdef:E90_comments")
    with pytest.raises(cm.UnknownComment, match="no comment has the key"):
        cm.find([a, b], "abcde")  # too short to name anything
    with pytest.raises(cm.UnknownComment, match="no comment has the key"):
        cm.find([a, b], "abcdef01:E91_other")


def test_only_approved_caveats_are_published_one_text_per_return():
    found = [
        _comment("1" * 64, " First caveat. ", cm.APPROVED),
        _comment("2" * 64, "Second caveat.", cm.APPROVED),
        _comment("3" * 64, "Withdrawn caveat.", cm.WITHDRAWN),
        _comment("4" * 64, "Awaiting caveat."),
    ]
    assert cm.published(found) == {("PS04-EMP", "E", "2025-26 Q1"): "First caveat. Second caveat."}
