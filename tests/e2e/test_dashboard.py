"""The dashboard in a real browser (headless Chromium through selenium) against the real server.

A person's flow: open the page, watch a report made with `requests` move to ready as the clock is advanced
from the page, read its content, see an invalid request's violation, force a failure, apply a preset, watch a
webhook retry wait, switch sessions, reset. A screenshot of the page after the flow is written to
test-output/dashboard.png for a person to look at; the core of the flow runs in Firefox too
(test-output/dashboard-firefox.png).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from ..conftest import SEED_BODY, WS_KEY
from ..tooling import NODE_TOOLS, ROOT, missing, node_bin
from .conftest import running
from .frontend import frontend_site, static_site

HEADERS = {"X-Api-Key": WS_KEY}
SCREENSHOTS = ROOT / "test-output"
FIRST, SECOND = "5fd99d2f5f9abfeb15dcfcb8", "e5da01e21d7cf992b379a94d"  # the seed's first report ids


class Page:
    """The dashboard as a person sees it: read through the DOM, changed by clicks."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver, self.url = driver, url

    def open(self, query: str = "") -> None:
        self.driver.get(self.url + "/" + query)
        self.until(lambda: self.js("return document.body.dataset.updated") is not None, "the first poll")

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def until(self, check: Callable[[], Any], what: str, seconds: float = 15) -> Any:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.wait import WebDriverWait

        return WebDriverWait(self.driver, seconds, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda _: check(), message=f"the page never showed {what}; it shows:\n{self.text()}")

    def text(self, css: str = "body") -> str:
        return str(self.js("const n = document.querySelector(arguments[0]); return n ? n.innerText : ''", css))

    def click(self, css: str) -> None:
        """A real click on what `css` names now (the page redraws an item when it changes: retried)."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.common.by import By

        def clicked() -> bool:
            try:
                self.driver.find_element(By.CSS_SELECTOR, css).click()
                return True
            except (StaleElementReferenceException, NoSuchElementException):
                return False

        self.until(clicked, f"something to click at {css}")

    def status(self, report_id: str) -> str | None:
        return self.js("const n = document.querySelector(`[data-report-id='${arguments[0]}']`);"
                       "return n ? n.dataset.status : null", report_id)  # type: ignore[no-any-return]


def test_a_person_watches_reports_requests_and_deliveries_and_drives_the_session(browser: Any,
                                                                                 tmp_path: Path) -> None:
    with running(tmp_path / "server.log", "--clock", "manual") as server:
        page = Page(browser, server.url)
        page.open()
        assert "No report in this session yet" in page.text("#reports-panel")
        assert f"{server.url}/v1/reports" in page.text("#try-it-curl")

        # A report made by a client appears, and moves to ready as the page's clock buttons move time on.
        made = requests.post(f"{server.url}/v1/reports", json=SEED_BODY, headers=HEADERS, timeout=5)
        assert made.status_code == 201
        page.until(lambda: page.status(FIRST) == "queued", "the new report, queued")
        page.click("[data-advance='1']")
        page.click("[data-advance='1']")
        # The report is processing from +1 s: wait for the poll after the second click, not the first.
        bar = f"return document.querySelector(\"[data-report-id='{FIRST}'] .bar > span\")?.style.width"
        page.until(lambda: page.status(FIRST) == "processing" and page.js(bar) == "50%",
                   "the report processing, its bar at 50% (2 s of its 4) after +2 s")
        page.click("[data-advance='60']")
        page.until(lambda: page.status(FIRST) == "ready", "the report ready after +1 min")
        page.click(f"[data-report-id='{FIRST}'] .head")
        page.until(lambda: "Executive summary" in page.text(f"[data-report-id='{FIRST}']"), "the report's content")
        content = page.text(f"[data-report-id='{FIRST}'] .content")
        for shown in ("Q1 Outreach", "Campaigns", "open", "delivered"):
            assert shown in content

        # An invalid request's violation is in the journal, in red, with the field and the message.
        bad = requests.post(f"{server.url}/v1/reports", json={"reportType": "campaign"}, headers=HEADERS, timeout=5)
        assert bad.status_code == 400
        page.until(lambda: "campaignIds" in page.text("#journal tr.violations"), "the violation")
        assert "Required for campaign reports" in page.text("#journal tr.violations")
        color = page.js("return getComputedStyle(document.querySelector('#journal tr.violations td')).color")
        assert color == "rgb(198, 40, 40)"
        assert "Brightwave Growth" in page.text("#journal tr.entry.bad")  # the key's workspace
        page.click("#journal tr.entry.bad")
        page.until(lambda: page.js("return document.querySelector('#detail').open"), "the request's details")
        assert '"reportType": "campaign"' in page.text("#detail .request-body")
        assert '"field": "campaignIds"' in page.text("#detail .answer-body")  # the answer it got
        page.click("#detail .close")

        # The coverage panel: what the client met of the contract, a stub's answer marked injected.
        requests.post(f"{server.url}/__mock/stubs", json={"method": "GET", "path": "/v1/reports", "status": 503},
                      timeout=5)
        assert requests.get(f"{server.url}/v1/reports", headers=HEADERS, timeout=5).status_code == 503
        chip = "return document.querySelector(`#coverage tr[data-operation='${arguments[0]}'] " \
               ".chip[data-status='${arguments[1]}']`)?.className"
        page.until(lambda: page.js(chip, "listReports", "503") == "chip injected", "the stubbed 503, injected")
        assert [page.js(chip, "createReport", s) for s in ("201", "400", "429")] == [
            "chip met", "chip met", "chip missed"]
        assert "2 of 15 operations called" in page.text("#coverage-summary")
        assert "polled a report to its end: no" in page.text("#coverage-lifecycle")

        # A forced failure shows on the page with its error.
        page.until(lambda: page.status(SECOND) == "ready", "the second report, ready")
        third = requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"}, headers=HEADERS,
                              timeout=5).json()["data"]["reports"][0]["id"]
        page.until(lambda: page.status(third) == "queued", "the third report")
        page.click(f"[data-report-id='{third}'] .force-failed")
        page.until(lambda: page.status(third) == "failed", "the forced failure")
        page.click(f"[data-report-id='{third}'] .head")
        page.until(lambda: "GENERATION_FAILED" in page.text(f"[data-report-id='{third}']"), "the failure's error")

        # A webhook that cannot be reached: its failed attempt, and the retry waiting for its time.
        hook = requests.post(f"{server.url}/v1/webhooks", headers=HEADERS, timeout=5, json={
            "name": "dev", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready"], "retryAttempts": 2})
        assert hook.status_code == 201
        requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"}, headers=HEADERS, timeout=5)
        page.click("[data-advance='60']")
        page.until(lambda: "report.ready" in page.text("#attempts"), "the webhook attempt")
        page.until(lambda: "retry 1" in page.text("#waiting"), "the retry waiting")

        # Presets change what the session simulates, through PATCH /__mock/settings.
        page.click("[data-preset='flaky']")
        page.until(lambda: "30% errors" in page.text("#settings-now"), "the flaky preset")
        assert requests.get(f"{server.url}/__mock/settings", timeout=5).json()["data"]["errorRate"] == 0.3
        page.click("[data-preset='normal']")
        page.until(lambda: "errors" not in page.text("#settings-now"), "the normal preset")
        page.click("#mode-toggle")
        page.until(lambda: page.text("#clock-mode") == "real", "the clock in real time")

        SCREENSHOTS.mkdir(exist_ok=True)
        shot = SCREENSHOTS / "dashboard.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        print(f"dashboard screenshot: {shot}")

        # Switch to a new session: a world of its own, empty; and back.
        page.click("#new-session")
        alert = browser.switch_to.alert
        alert.send_keys("demo")
        alert.accept()
        page.until(lambda: page.js("return document.body.dataset.session") == "demo", "the new session")
        page.until(lambda: "No report in this session yet" in page.text("#reports-panel"), "an empty session")
        assert "X-Mock-Session: demo" in page.text("#try-it-curl")
        requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"}, timeout=5,
                      headers={**HEADERS, "X-Mock-Session": "demo"})
        page.until(lambda: page.status(FIRST) == "queued", "the demo session's own first report")
        page.until(lambda: "demo" in page.text("#session"), "the session in the list")
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        Select(browser.find_element(By.ID, "session")).select_by_value("default")
        page.until(lambda: page.status(third) == "failed", "the default session's reports again")

        # Reset, after the browser's confirmation.
        page.click("#reset")
        browser.switch_to.alert.accept()
        page.until(lambda: "No report in this session yet" in page.text("#reports-panel"), "the session reset")
        assert requests.get(f"{server.url}/__mock/reports", timeout=5).json()["pagination"]["total"] == 0
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []  # no script error


def test_a_fixture_with_a_mistake_shows_a_banner_until_it_is_fixed(browser: Any, tmp_path: Path) -> None:
    from sendkit_mock.resources import default_fixtures_path

    world = tmp_path / "world.yaml"
    shutil.copy(default_fixtures_path(), world)
    good = world.read_text()
    with running(tmp_path / "server.log", "--watch", "--fixtures", str(world)) as server:
        page = Page(browser, server.url)
        page.open()
        assert page.js("return document.querySelector('#banner').hidden")
        world.write_text(good + "\nworkspaces: [\n")
        page.until(lambda: "kept the previous world" in page.text("#banner"), "the reload's error", seconds=30)
        assert "world.yaml" in page.text("#banner")
        world.write_text(good.replace("name: Brightwave Growth\n", "name: Brightwave North\n"))
        page.until(lambda: page.js("return document.querySelector('#banner').hidden"), "the banner gone", 30)
        assert "1 reloads" in page.text("#server-info")


def test_the_same_flow_works_in_firefox(tmp_path: Path) -> None:
    """Firefox has no driver in Debian: puppeteer-core (tools/node) drives Debian's firefox-esr over WebDriver
    BiDi, the protocol Firefox speaks itself. Issue 30's checks too: the drawings against the API's answer, the
    forms, and a page on another origin (a static site on its own port) reading Retry-After with its cookie."""
    firefox = shutil.which("firefox-esr") or shutil.which("firefox")
    if firefox is None:
        missing("Firefox", "apt-get install firefox-esr")
    node_bin("tsc")  # tools/node's packages, installed from its lock file on first use
    script = Path(__file__).parent / "dashboard_firefox.mjs"
    SCREENSHOTS.mkdir(exist_ok=True)
    with static_site(frontend_site(tmp_path / "site")) as origin, running(
            tmp_path / "server.log", "--clock", "manual", "--cors-origins", origin) as server:
        done = subprocess.run([shutil.which("node") or "node", str(script), str(NODE_TOOLS), server.url, WS_KEY, str(firefox),
                               str(SCREENSHOTS / "dashboard-firefox.png"), origin],
                              capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout + done.stderr
