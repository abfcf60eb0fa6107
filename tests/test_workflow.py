"""The GitHub Pages workflow gives write access to Pages only where it is used (issue 19): the
test and install steps (apt, npm, pip, on every push) hold no token that can publish."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "pages.yml"
WRITERS = ("pages", "id-token")


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def _writes(permissions: Any) -> set[str]:
    if permissions in ("write-all",):
        return set(WRITERS)
    if not isinstance(permissions, dict):
        return set()
    return {k for k in WRITERS if permissions.get(k) == "write"}


def test_only_the_deploy_job_may_write_to_pages():
    wf = _workflow()
    assert not _writes(wf.get("permissions")), "the whole workflow may write to Pages"
    assert wf.get("permissions") == {"contents": "read"}, "the workflow's default should be read-only"
    holders = {name for name, job in wf["jobs"].items() if _writes(job.get("permissions"))}
    assert holders == {"deploy"}, holders
    assert _writes(wf["jobs"]["deploy"]["permissions"]) == set(WRITERS)


def test_every_action_is_pinned_by_commit():
    uses = re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)", WORKFLOW.read_text(encoding="utf-8"), re.MULTILINE)
    assert uses, "no actions found: the test reads the wrong file"
    loose = [u for u in uses if not re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u)]
    assert not loose, f"actions not pinned by a full commit hash: {loose}"


def test_a_deploy_under_way_is_never_cancelled():
    wf = _workflow()
    assert "concurrency" not in wf or wf["concurrency"].get("cancel-in-progress") is False
    deploy = wf["jobs"]["deploy"]["concurrency"]
    assert deploy["cancel-in-progress"] is False


def test_every_container_is_pinned_by_digest():
    wf = _workflow()
    images = []
    for job in wf["jobs"].values():
        c = job.get("container")
        if c is not None:
            images.append(c if isinstance(c, str) else c.get("image", ""))
        images += [s.get("image", "") for s in (job.get("services") or {}).values()]
    assert images, "no container found: the test reads the wrong file"
    loose = [i for i in images if not re.fullmatch(r"[\w./:-]+@sha256:[0-9a-f]{64}", i)]
    assert not loose, f"containers not pinned by a sha256 digest: {loose}"


def test_a_repository_publishing_real_data_can_stop_the_demo_deploy():
    """make publish builds the real site on the analyst's machine; the demo must not overwrite
    it on the next push (README, Publishing real data)."""
    condition = _workflow()["jobs"]["deploy"]["if"]
    assert "vars.KPI_DEPLOY_DEMO != 'false'" in condition
    readme = (WORKFLOW.parents[2] / "README.md").read_text(encoding="utf-8")
    assert "KPI_DEPLOY_DEMO" in readme
