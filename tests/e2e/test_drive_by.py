"""A hostile page in a real browser (headless Chromium) tries to drive and read the control plane of a mock on
127.0.0.1, from another site (`localhost:<port>`) and from another port of the same host (`127.0.0.1:<port>`).
Everything is refused: the session's report, clock and settings are as they were, the server saw the requests
and answered each 403, and the page could still call the /v1 API (its CORS is for frontends), so the refusals
are the control plane's and not a page that never ran."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from ..conftest import SEED_BODY, WS_KEY
from .conftest import RunningServer, running

pytestmark = pytest.mark.e2e

PAGE = """<!doctype html><html><body><pre id="out"></pre><iframe name="sink"></iframe>
<iframe src="MOCK/"></iframe><iframe src="MOCK/__mock/clock?__session=framed-1"></iframe>
<iframe src="MOCK/__mock/clock?__session=framed-2"></iframe>
<form id="form" method="post" action="MOCK/__mock/reset" target="sink" enctype="text/plain">
<input name='{"a":"' value='"}'></form>
<script>
const mock = "MOCK", out = {};
async function attempt(name, work) {
  try { out[name] = await work(); } catch (error) { out[name] = "blocked: " + error.name; }
}
(async () => {
  await attempt("readState", async () => (await fetch(mock + "/__mock/state")).status);
  await attempt("readServer", async () => (await fetch(mock + "/__mock/server", {credentials: "include"})).status);
  await attempt("simpleReset", async () => (await fetch(mock + "/__mock/reset", {method: "POST", mode: "no-cors"})).type);
  await attempt("simpleClock", async () => (await fetch(mock + "/__mock/clock", {method: "POST", mode: "no-cors",
    headers: {"Content-Type": "text/plain"}, body: '{"advanceSeconds": 864000}'})).type);
  await attempt("jsonSettings", async () => (await fetch(mock + "/__mock/settings", {method: "PATCH",
    headers: {"Content-Type": "application/json"}, body: '{"errorRate": 1}'})).status);
  await attempt("api", async () => (await fetch(mock + "/v1/reports", {headers: {"X-Api-Key": "KEY"}})).status);
  document.getElementById("form").submit();
  await new Promise(done => document.querySelector("iframe").addEventListener("load", done, {once: true}));
  out.formSent = true;
  document.getElementById("out").textContent = JSON.stringify(out);
})();
</script></body></html>"""


class _Evil(BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running(tmp_path_factory.mktemp("drive-by") / "server.log") as server:
        yield server


@pytest.fixture(scope="module")
def evil(mock: RunningServer) -> Iterator[int]:
    handler = type("Evil", (_Evil,), {"page": PAGE.replace("MOCK", mock.url).replace("KEY", WS_KEY).encode()})
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(site.server_address[1])
    finally:
        site.shutdown()
        site.server_close()


def state(mock: RunningServer) -> tuple[int, str, float]:
    reports = requests.get(f"{mock.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=5).json()
    clock = requests.get(f"{mock.url}/__mock/clock", timeout=5).json()["data"]
    settings = requests.get(f"{mock.url}/__mock/settings", timeout=5).json()["data"]
    return reports["pagination"]["total"], clock["now"][:16], settings["errorRate"]


@pytest.mark.parametrize("origin", ["localhost", "127.0.0.1"], ids=["another site", "another port"])
def test_a_hostile_page_can_neither_drive_nor_read_the_control_plane(browser: Any, mock: RunningServer,
                                                                       evil: int, origin: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    requests.post(f"{mock.url}/v1/reports", json=SEED_BODY, headers={"X-Api-Key": WS_KEY}, timeout=5)
    before = state(mock)
    refusals_before = _refused(mock.log)
    browser.get(f"http://{origin}:{evil}/")
    WebDriverWait(browser, 20).until(lambda d: d.find_element("id", "out").text)
    seen = json.loads(browser.find_element("id", "out").text)
    assert seen["api"] == 200  # the page reached the mock: what follows was refused, not lost
    assert seen["readState"].startswith("blocked") and seen["readServer"].startswith("blocked")
    assert seen["jsonSettings"].startswith("blocked")  # its preflight got no grant
    assert seen["simpleReset"] == "opaque" and seen["formSent"]  # sent; the answers were 403s
    assert state(mock) == before  # the report, the clock and the settings as they were
    refused = _refused(mock.log) - refusals_before
    assert refused >= 4, Path(mock.log).read_text()[-3000:]  # state, server, reset, clock, the form, a preflight
    assert "/__mock/reset HTTP/1.1\" 200" not in Path(mock.log).read_text()
    sessions = requests.get(f"{mock.url}/__mock/server", timeout=5).json()["data"]["sessions"]
    assert not [name for name in sessions if name.startswith("framed")]  # frames reached no control call
    assert '"GET / HTTP/1.1" 403' in Path(mock.log).read_text()  # nor the page: it cannot be clickjacked


def test_the_dashboard_takes_the_admin_token_from_its_fragment(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    with running(tmp_path / "server.log", "--admin-token", "s3cret-admin-token") as mock:
        browser.get(f"{mock.url}/#admin_token=s3cret-admin-token")
        WebDriverWait(browser, 20).until(lambda d: d.find_element("id", "clock-now").text.strip())
        assert "#" not in browser.current_url  # the token left the address (and its history entry)
        assert browser.execute_script("return document.cookie") == ""
        kept = browser.execute_script("return sessionStorage.getItem('sendkit-mock.admin-token')")
        assert kept == "s3cret-admin-token"
        assert "s3cret" not in Path(mock.log).read_text()  # a fragment is never sent, so never logged


def _refused(log: Path) -> int:
    return sum(1 for line in log.read_text().splitlines() if "/__mock/" in line and '" 403 ' in line)
