"""The analyst's approvals of caveats (generator.store.approvals): each row chained to the one
before, so a row typed in by hand, or a file that is not UTF-8, is found and publishes nothing."""

from __future__ import annotations

import csv

from generator.cli import main
from generator.demo.sites import NAMES_A_CLIENT
from generator.intake import comments as cm

from .builders import store_with_comment


def test_a_hand_typed_approval_is_found_and_publishes_nothing(tmp_path, catalogue, capsys):
    """approvals.csv decides what free text is published: a row not written by kpi comments
    breaks its chain of digests, and verify, comments and compute say so in one line."""
    store, _ = store_with_comment(tmp_path, catalogue, NAMES_A_CLIENT)
    (c,) = cm.comments(store.current_returns(), catalogue, [])
    with store.approvals.open("a", newline="") as f:  # as someone might, with the right digests
        csv.writer(f).writerows(
            [
                ["time", "action", "sha256", "item_id", "text_sha256", "by", "chain"],
                ["2026-12-03T10:00:00+00:00", "approved", c.sha256, c.item_id, c.text_sha256, "nobody", ""],
            ]
        )
    capsys.readouterr()
    assert main(["verify", "--store", str(store.root)]) == 1
    assert "approvals.csv line 2 is not as kpi comments recorded it" in capsys.readouterr().err
    assert main(["comments", "--store", str(store.root)]) == 1
    assert main(["compute", "--store", str(store.root), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out" / "data_quality.csv").exists()


def test_an_approvals_file_that_is_not_utf8_is_one_line_not_a_traceback(tmp_path, catalogue, capsys):
    store, _ = store_with_comment(tmp_path, catalogue, "Synthetic: a caveat.")
    key = cm.comments(store.current_returns(), catalogue, [])[0].key
    assert main(["comments", "--store", str(store.root), "--approve", key, "--by", "José"]) == 0
    store.approvals.write_bytes(
        store.approvals.read_bytes().replace("José".encode(), "José".encode("cp1252"))
    )
    capsys.readouterr()
    assert main(["comments", "--store", str(store.root)]) == 1
    err = capsys.readouterr().err
    assert "approvals.csv is not UTF-8 text (line 2)" in err and "Traceback" not in err
