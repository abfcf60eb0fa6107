"""`kpi serve`'s request handler: the built site's files, and its own 404 page for a missing one.

Its own module so that only `kpi serve` loads http.server (every other command starts sooner)."""

from __future__ import annotations

import http.server
import os
from pathlib import Path
from typing import Any


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that answers a missing page with the site's own 404 page, as GitHub
    Pages does, so what a user sees locally is what they will see once published. It serves
    files from inside the site only: no folder listings, and nothing reached through a symlink
    that leads out of it, which could serve any file on the machine."""

    def send_head(self) -> Any:
        """The file asked for, if it lies inside the site once every symlink is followed; else
        the site's 404 page."""
        root = Path(str(self.directory)).resolve()
        asked = Path(self.translate_path(self.path))
        # a folder is answered with its index page: that file must lie inside too
        served = [asked, *(asked / n for n in ("index.html", "index.htm"))] if asked.is_dir() else [asked]
        try:
            for p in served:
                p.resolve().relative_to(root)
        except (ValueError, OSError, RuntimeError):  # outside, or a loop of links
            self.send_error(404, "Not found")
            return None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """A folder without an index page is not listed: the site's own 404 page."""
        self.send_error(404, "Not found")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
