"""A small HTTP server on 127.0.0.1 standing in for an online service (GeoNames dumps,
geoBoundaries, Nominatim), so the real client code is tested without the internet."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    """Serves a folder, without logging every request to stderr."""

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler] | None = None,
          folder: Path | None = None) -> Iterator[str]:
    """Run `handler` (or a quiet file server for `folder`) on a free port; yields the base URL."""
    if handler is None:
        handler = functools.partial(QuietFiles, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
