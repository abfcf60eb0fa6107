"""`kpi serve` serves the built site and nothing else: no folder listings, no file reached
through a symlink that leads out of the site (issue 19)."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.site.serve import SiteHandler


class _Quiet(SiteHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    (root / "areas").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "index.html").write_text("home", encoding="utf-8")
    (root / "404.html").write_text("our own 404", encoding="utf-8")
    (root / "areas" / "index.html").write_text("areas", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the site", encoding="utf-8")
    (root / "leak.txt").symlink_to(secret)
    (root / "up").symlink_to(tmp_path)
    (root / "inside.html").symlink_to(root / "index.html")  # a link within the site is fine
    (root / "sub").mkdir()
    (root / "sub" / "index.html").symlink_to(secret)  # a folder's index page leading out
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_the_site_is_served(site):
    url, _ = site
    assert _get(url + "/") == (200, "home")
    assert _get(url + "/areas/") == (200, "areas")
    assert _get(url + "/inside.html") == (200, "home")
    assert _get(url + "/missing.html") == (404, "our own 404")


def test_no_listing_and_no_symlink_out_of_the_site(site):
    url, _ = site
    assert _get(url + "/empty/") == (404, "our own 404")  # a folder without an index page
    assert _get(url + "/leak.txt") == (404, "our own 404")
    assert _get(url + "/up/secret.txt") == (404, "our own 404")
    assert _get(url + "/up/") == (404, "our own 404")
    assert _get(url + "/../secret.txt")[0] == 404
    assert _get(url + "/sub/") == (404, "our own 404")
    assert _get(url + "/sub")[0] in (301, 404)  # redirected to /sub/, which is refused
