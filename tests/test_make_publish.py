"""`make publish` (issue 19, publishing real data): the site built from a store is kept only when
the disclosure attacker cannot break the dataset it was built from; a refused run leaves nothing
that could be deployed, and a store keeps itself out of git wherever it lives."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.base.inputs import config_elsewhere

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(
    MAKE is None or not (ROOT / ".venv" / "bin" / "kpi").exists(),
    reason="make publish needs make and the project's .venv (run `make test`)",
)


def _project(tmp: Path) -> Path:
    """A copy of the site's sources and mkdocs.yml, so the build writes its pages there."""
    top = ROOT / "site_src"
    shutil.copytree(
        top,
        tmp / "site_src",
        ignore=lambda d, n: [x for x in n if Path(d) == top and x in ("generated", "index.md")],
    )
    (tmp / "mkdocs.yml").write_text(config_elsewhere((ROOT / "mkdocs.yml").read_text()))
    return tmp / "mkdocs.yml"


def _publish(store: Path, out: Path | str, config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(MAKE),
            "-s",
            "-C",
            str(ROOT),
            "publish",
            f"STORE={store}",
            f"OUT={out}",
            f"CONFIG={config}",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_site_passes_the_gate_and_a_refused_one_leaves_nothing_to_deploy(small_demo, tmp_path):
    config = _project(tmp_path / "project")
    out = tmp_path / "publish"
    ok = _publish(small_demo.root, out, config)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert (out / "site" / "index.html").is_file() and not (out / "site.unchecked").exists()
    report = (out / "attack.md").read_text(encoding="utf-8")
    assert "soundness (true value outside a range an attack gave): none" in report
    assert "Deploy" in ok.stdout and str(out / "site") in ok.stdout

    # the same, with an attacker that breaks the dataset: the new site is deleted, and so is
    # the one the last run passed, so nothing stale is left where a deploy looks
    refused = _publish(small_demo.root, out, config, "ATTACK=false")
    assert refused.returncode != 0
    assert "NOT PUBLISHED" in refused.stderr
    assert not (out / "site").exists() and not (out / "site.unchecked").exists()
    assert (out / "dataset" / "indicators.csv").is_file()  # what was refused stays to look at


def test_publish_never_clears_a_folder_it_did_not_make(small_demo, tmp_path):
    out = tmp_path / "mine"
    (out / "site").mkdir(parents=True)
    (out / "site" / "keep.txt").write_text("an analyst's own file")
    r = _publish(small_demo.root, out, tmp_path / "mkdocs.yml")
    assert r.returncode != 0 and "not a folder make publish made" in r.stderr
    assert (out / "site" / "keep.txt").read_text() == "an analyst's own file"


def test_publish_without_a_store_says_how_to_call_it(tmp_path):
    r = subprocess.run(
        [str(MAKE), "-s", "-C", str(ROOT), "publish"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode != 0 and "usage: make publish STORE=DIR" in r.stderr
    r = _publish(tmp_path / "nowhere", tmp_path / "out", tmp_path / "mkdocs.yml")
    assert r.returncode != 0 and "no returns store at" in r.stderr and not (tmp_path / "out").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_store_inside_a_git_repository_is_ignored_by_it(small_demo, tmp_path):
    repo = tmp_path / "clone"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copytree(small_demo.root, repo / "returns-store")
    stored = next((repo / "returns-store").rglob("*.xlsx")).relative_to(repo)
    r = subprocess.run(["git", "-C", str(repo), "check-ignore", "-q", str(stored)])
    assert r.returncode == 0, f"{stored} would be committed"
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    listed = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True, check=True)
    assert listed.stdout == ""


def test_an_empty_out_is_refused_before_anything_is_removed(small_demo, tmp_path):
    """OUT= (an unset shell variable) would make the folders to clear /site and /dataset."""
    r = _publish(small_demo.root, "", tmp_path / "mkdocs.yml")
    assert r.returncode != 0 and "usage: make publish" in r.stderr
