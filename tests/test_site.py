"""The MkDocs configuration builds strictly and stays self-contained."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import ROOT


def test_mkdocs_build_strict_is_clean_and_offline(tmp_path):
    """`mkdocs build --strict` (never with -q, which hides warnings) and no third-party hosts."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "WARNING" not in r.stderr
    html = (tmp_path / "site" / "index.html").read_text()
    loaded = re.findall(r'src="(https?://[^"/]+)', html) + re.findall(
        r'<link[^>]*href="(https?://[^"/]+)', html
    )
    assert not loaded, f"the page loads scripts, styles, fonts or images from other hosts: {set(loaded)}"
