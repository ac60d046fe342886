"""A frontend's dev server for the browser tests: a page on another 127.0.0.1 origin than the mock's, calling
its `/v1` API as an app would (a cookie session, `credentials: "include"`, headers read after a 429)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FRONTEND = """<!doctype html><meta charset="utf-8"><title>a frontend's dev server</title><script>
(async () => {
  const query = new URLSearchParams(location.search), mock = query.get("mock"), key = query.get("key");
  document.cookie = "sendkit_mock_session=devserver; path=/; SameSite=Lax";  // a cookie knows no port
  const made = await fetch(`${mock}/v1/reports`, {method: "POST", credentials: "include",
    headers: {"Content-Type": "application/json", "X-Api-Key": key}, body: JSON.stringify({reportType: "workspace"})});
  const limited = await fetch(`${mock}/v1/reports`, {credentials: "include", headers: {"X-Api-Key": key}});
  window.result = {created: made.status, id: (await made.json()).data.reports[0].id, status: limited.status,
    retryAfter: limited.headers.get("Retry-After"), remaining: limited.headers.get("X-RateLimit-Remaining"),
    limit: limited.headers.get("X-RateLimit-Limit")};
})().catch(error => { window.result = {error: String(error)}; });
</script>"""


@contextmanager
def static_site(root: Path) -> Iterator[str]:
    """A frontend's dev server: `root`'s files on a free 127.0.0.1 port (another origin than the mock's)."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def frontend_site(root: Path) -> Path:
    """`root` holding the frontend's page, index.html (?mock=<the mock's URL>&key=<a workspace key>): it sets
    the cookie `sendkit_mock_session=devserver`, creates a report, then lists reports over the session's rate
    limit, and leaves in `window.result` what a script could read of the answers."""
    root.mkdir(exist_ok=True)
    (root / "index.html").write_text(FRONTEND)
    return root
