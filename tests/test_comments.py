"""Providers' caveats and their approval (generator.intake.comments): an approval is for one text
on one return, found by its key, and only approved text is published."""

from __future__ import annotations

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
