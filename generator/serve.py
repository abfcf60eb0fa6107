"""`kpi serve`'s request handler: the built site's files, and its own 404 page for a missing one.

Its own module so that only `kpi serve` loads http.server (every other command starts sooner)."""

from __future__ import annotations

import http.server
from pathlib import Path


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server that answers a missing page with the site's own 404 page, as GitHub
    Pages does, so what a user sees locally is what they will see once published."""

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
