"""The dashboard as a frontend developer lives in it (issue 30), in headless Chromium against the real server: the
session picked as the API picks it, a ready report's data drawn with the API's own numbers, the world at hand,
forms from the contract with its errors beside their fields, a layout that breaks no word from 1,024 to 1,920 px,
and a page on another 127.0.0.1 origin that reads `Retry-After` and keeps its cookie session. Each panel's
screenshot is written to test-output/dashboard-<panel>.png. Firefox: test_dashboard.py's Firefox flow.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from ..conftest import WS_ID, WS_KEY
from .conftest import running
from .frontend import frontend_site, static_site
from .test_dashboard import SCREENSHOTS, Page

SESSION = "dashman"
HEADERS = {"X-Api-Key": WS_KEY, "X-Mock-Session": SESSION}
PANELS = ("reports-panel", "journal-panel", "deliveries-panel", "world-panel", "recipients-panel", "webhooks-panel",
          "forms-panel", "sessions-panel")


def shoot(browser: Any, panel: str) -> None:
    from selenium.webdriver.common.by import By

    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / f"dashboard-{panel.removesuffix('-panel')}.png"
    width = browser.get_window_size()["width"]
    browser.set_window_size(width, min(6000, browser.execute_script("return document.body.scrollHeight") + 200))
    browser.find_element(By.ID, panel).screenshot(str(shot))  # whole: the window is as tall as the page
    browser.set_window_size(width, 1100)
    assert shot.stat().st_size > 2_000, shot


def drawn(page: Page, css: str, attribute: str = "data-value") -> dict[str, str]:
    """`{key: value}` of the marks `css` names in the drawing; key: the mark's data-metric and data-period, or its
    campaign, step or mailbox."""
    return page.js("""const out = {};
      for (const n of document.querySelectorAll(arguments[0])) {
        const d = n.dataset, key = [d.mailbox, d.campaignId, d.step, d.metric, d.dns, d.period]
          .filter(x => x !== undefined).join("/");
        out[key] = n.getAttribute(arguments[1]);
      }
      return out;""", css, attribute)  # type: ignore[no-any-return]


def test_a_ready_reports_data_is_drawn_with_the_numbers_of_the_apis_answer(browser: Any, tmp_path: Path) -> None:
    browser.set_window_size(1500, 1100)
    with running(tmp_path / "server.log", "--clock", "manual") as server:
        page = Page(browser, server.url)
        forget_cookies(browser, server.url)
        page.open(f"?__session={SESSION}")  # as the API reads it: the page is on that session, and says how
        assert page.js("return document.body.dataset.session") == SESSION
        assert page.text("#session-source") == "via ?__session="
        made = requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"}, headers=HEADERS, timeout=5)
        report_id = made.json()["data"]["reports"][0]["id"]
        page.until(lambda: page.status(report_id) == "queued", "the session's report, queued")
        page.click("[data-advance='60']")  # the session's clock, moved from the page: no sleep
        page.until(lambda: page.status(report_id) == "ready", "the report ready after +1 min")
        page.click(f"[data-report-id='{report_id}'] .head")
        page.until(lambda: page.js("return document.querySelector(\"svg[data-chart='mailboxes']\")"), "the drawings")
        page.until(lambda: page.text(".report-curl"), "the curl that fetches the report")

        answer = requests.get(f"{server.url}/v1/reports/{report_id}", headers=HEADERS, timeout=5).json()
        data = answer["data"]["data"]
        summary, previous = data["executiveSummary"], data["executiveSummary"]["previousPeriod"]
        totals = drawn(page, "svg[data-chart='period-totals'] g.mark", "data-raw")
        assert totals == {**{f"{m}/current": str(v) for m, v in summary["totals"].items()},
                          **{f"{m}/previous": str(v) for m, v in previous["totals"].items()}}
        rates = drawn(page, "svg[data-chart='period-rates'] g.mark", "data-raw")
        assert rates == {**{f"{m}/current": v for m, v in summary["rates"].items()},
                         **{f"{m}/previous": v for m, v in previous["rates"].items()}}
        changes = drawn(page, "svg[data-chart='period-totals'] text.change", "data-change")
        assert changes == {m: v or "" for m, v in summary["change"]["totals"].items()}
        sent = drawn(page, "svg[data-chart='campaigns'] g.mark")
        assert sent == {f"{c['campaign']['id']}/sent": str(c["stats"]["sent"]) for c in data["campaignPerformance"]}
        labels = page.js("return [...document.querySelectorAll(\"svg[data-chart='campaigns'] g.mark text.value\")]"
                         ".map(n => n.textContent)")
        assert labels == [str(c["stats"]["sent"]) for c in data["campaignPerformance"]]  # what a person reads
        replies = drawn(page, "svg[data-chart='campaigns'] text.rates", "data-reply")
        assert replies == {c["campaign"]["id"]: c["rates"]["reply"] for c in data["campaignPerformance"]}
        steps = drawn(page, "svg[data-chart='steps'] g.mark")
        assert steps == {f"{c['campaign']['id']}/{s['step']}/{metric}": str(s[metric])
                         for c in data["campaignPerformance"] for s in c["stepStats"] for metric in ("sent", "replied")}
        scores = drawn(page, "svg[data-chart='mailboxes'] g.mark", "data-score")
        assert scores == {f"{m['email']}/healthScore": str(m["healthScore"]) for m in data["mailboxHealth"]}
        dns = drawn(page, "svg[data-chart='mailboxes'] g.dns")
        assert dns == {f"{m['email']}/{r}": m["dns"][r]["status"] for m in data["mailboxHealth"] for r in m["dns"]}
        assert "team@brightwave-mail.co: health 0/100 (critical)" in page.js(
            "return [...document.querySelectorAll(\"svg[data-chart='mailboxes'] title\")].map(t => t.textContent)")

        # "copy JSON" holds the API's answer; the curl shown fetches that same answer.
        copied = page.js("return document.querySelector(\".fetch-it button[data-label='copy JSON']\").dataset.copy")
        assert json.loads(copied) == answer
        curl = page.text(".report-curl")
        assert f"X-Mock-Session: {SESSION}" in curl and WS_KEY in curl
        if shutil.which("curl") and shutil.which("sh"):
            fetched = subprocess.run(["sh", "-c", curl], capture_output=True, text=True, timeout=10, check=True)
            assert json.loads(fetched.stdout) == answer
        shoot(browser, "reports-panel")
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]] == []


def test_the_world_recipients_webhooks_sessions_and_forms_from_the_contract(browser: Any, tmp_path: Path) -> None:
    browser.set_window_size(1500, 1100)
    with running(tmp_path / "server.log", "--clock", "manual") as server:
        hook = requests.post(f"{server.url}/v1/webhooks", headers=HEADERS, timeout=5, json={
            "name": "frontend dev server", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready"]})
        assert hook.status_code == 201
        requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"}, headers=HEADERS, timeout=5)
        requests.post(f"{server.url}/__mock/clock", json={"advance": 60}, headers=HEADERS, timeout=5)
        forget_cookies(browser, server.url)
        browser.add_cookie({"name": "sendkit_mock_session", "value": SESSION, "path": "/"})
        page = Page(browser, server.url)
        page.open("?__session=ignored")  # the cookie comes first, as for the API
        assert page.js("return document.body.dataset.session") == SESSION
        assert page.text("#session-source") == "via the cookie sendkit_mock_session"

        # The world: each workspace's key with its copy button, campaigns; webhooks and their deliveries by name.
        key = f"#world [data-workspace-id='{WS_ID}'] .key-line"
        page.until(lambda: page.text(key), "the workspace's key")
        assert WS_KEY in page.text(key)
        assert page.js(f"return document.querySelector(\"{key} button.copy\").dataset.copy") == WS_KEY
        assert "Q1 Outreach" in page.text(f"#world [data-workspace-id='{WS_ID}']")
        webhook = f"#webhooks tr[data-webhook-id='{hook.json()['data']['_id']}']"
        page.until(lambda: "frontend dev server" in page.text(webhook), "the webhook by name")
        page.until(lambda: page.js(f"return document.querySelector(\"{webhook} .chip.missed\")?.title"),
                   "its failed attempt")
        assert "ConnectionRefusedError" in page.js(f"return document.querySelector(\"{webhook} .chip.missed\").title")
        assert "frontend dev server" in page.text("#attempts")  # the deliveries panel names it too
        assert "Jane Smith" in page.text("#recipients") and "weekly" not in page.text("#recipients")  # schedule off
        assert page.js(f"return document.querySelector(\"#sessions li[data-session='{SESSION}']\").className") \
            == "current"

        # A recipient from the form: a field the contract refuses is named beside it, then a good one is created.
        form = "#recipient-form"
        page.until(lambda: page.js(f"return document.querySelectorAll('{form} [data-field]').length") > 5, "the form")
        fill(page, f"{form} [name='name']", "Ana Lima")
        fill(page, f"{form} [name='email']", "not-an-email")
        page.click(f"{form} button[type='submit']")
        page.until(lambda: page.text(f"{form} [data-error-for='email']") == "Invalid email format", "the email error")
        assert page.js(f"return document.querySelector(\"{form} [name='email']\").getAttribute('aria-invalid')") == "true"
        assert page.text(f"{form} [data-error-for='name']") == ""
        fill(page, f"{form} [name='email']", "ana@example.com")
        choose(page, f"{form} [name='schedule.enabled']", "true")
        choose(page, f"{form} [name='schedule.frequency']", "daily")
        page.click(f"{form} button[type='submit']")
        page.until(lambda: page.js(f"return document.querySelector('{form} .result').dataset.created"), "the recipient")
        page.until(lambda: "Ana Lima" in page.text("#recipients"), "the new recipient in the list")
        ana = page.js("return [...document.querySelectorAll('#recipients tbody tr')].map(r => [...r.cells]"
                      ".map(c => c.innerText)).find(cells => cells[0] === 'Ana Lima')")
        assert ana[4] == "daily 09:00 UTC" and ana[5] not in ("", "—")  # its schedule, and its next run

        # A report from the form: the contract's limits shown; its rule for campaign reports named beside the field.
        form = "#report-form"
        assert "1 to 10" in page.text(f"{form} [data-field='campaignIds']")
        choose(page, f"{form} [name='reportType']", "campaign")
        page.click(f"{form} button[type='submit']")
        page.until(lambda: "Required for campaign reports" in page.text(f"{form} [data-error-for='campaignIds']"),
                   "the campaignIds error")
        page.js(f"document.querySelector(\"{form} [name='campaignIds'] option\").selected = true")
        page.click(f"{form} button[type='submit']")
        page.until(lambda: page.js(f"return document.querySelector('{form} .result').dataset.created"), "the report")
        created = page.js(f"return document.querySelector('{form} .result').dataset.created")
        page.until(lambda: page.status(created) == "queued", "the form's report in the list")
        assert "Q1 Outreach Report" in page.text(f"[data-report-id='{created}']")
        for panel in PANELS[1:]:
            shoot(browser, panel)
        severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert [m for m in severe if "status of 400" not in m and "favicon" not in m] == []  # the forms' 400s


def forget_cookies(browser: Any, url: str) -> None:
    """One browser serves the module, and a cookie knows no port: another test's session cookie goes."""
    browser.get(url + "/openapi.json")
    browser.delete_all_cookies()
    browser.get_log("browser")  # and what the last test's page logged once its server had stopped


def fill(page: Page, css: str, text: str) -> None:
    page.js("const n = document.querySelector(arguments[0]); n.value = arguments[1];", css, text)


def choose(page: Page, css: str, value: str) -> None:
    page.js("const n = document.querySelector(arguments[0]); n.value = arguments[1];"
            "n.dispatchEvent(new Event('change', {bubbles: true}));", css, value)


@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_from_1024_to_1920_px_no_word_is_broken_and_tables_scroll(browser: Any, tmp_path: Path, width: int) -> None:
    browser.set_window_size(width, 1000)
    with running(tmp_path / "server.log", "--clock", "manual") as server:
        requests.post(f"{server.url}/v1/webhooks", headers={"X-Api-Key": WS_KEY}, timeout=5, json={
            "name": "refused receiver", "url": "http://127.0.0.1:9/hooks", "events": ["report.ready"]})
        made = requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"},
                             headers={"X-Api-Key": WS_KEY}, timeout=5).json()["data"]["reports"][0]["id"]
        requests.post(f"{server.url}/__mock/clock", json={"advance": 60}, timeout=5)
        page = Page(browser, server.url)
        forget_cookies(browser, server.url)
        page.open()
        page.until(lambda: "report.ready" in page.text("#attempts"), "the failed attempt")
        page.click(f"[data-report-id='{made}'] .head")
        page.until(lambda: page.js("return document.querySelector(\".issues\")"), "the mailbox issues")
        # Nothing may break inside a word, anywhere on the page.
        breaking = page.js("""return [...document.querySelectorAll('body *')].filter(n => {
            const s = getComputedStyle(n);
            return s.wordBreak === 'break-all' || s.overflowWrap === 'anywhere' || s.overflowWrap === 'break-word';
          }).map(n => n.id || n.className || n.tagName).slice(0, 5)""")
        assert breaking == []
        # The cells the issue saw broken each keep to one line ("report.r|eady", "ConnectionRefusedE|rror").
        one_line = """return [...document.querySelectorAll(arguments[0])].map(n => {
            const line = parseFloat(getComputedStyle(n).lineHeight) || 18;
            return n.getBoundingClientRect().height < 1.6 * line + 8; })"""
        assert all(page.js(one_line, "#attempts td")) and page.js(one_line, "#attempts td")
        assert all(page.js(one_line, "#webhooks td, #recipients td, #journal tr.entry td"))
        assert "refused receiver" in page.text("#attempts")  # by name, not an id tail
        # An issue wraps between words, never letter by letter: as wide as a line of words.
        widths = page.js("return [...document.querySelectorAll('.issues li')].map(n => n.getBoundingClientRect().width)")
        assert widths and min(widths) > 200
        overflow = page.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0  # the page itself never scrolls sideways; a table's .scroll does
        if width == 1920:  # what a person sees on opening a report: docs/dashboard.png, in the README, is one
            SCREENSHOTS.mkdir(exist_ok=True)
            browser.set_window_size(width, 1080)
            page.js("window.scrollTo(0, 0)")
            browser.save_screenshot(str(SCREENSHOTS / "dashboard-1920.png"))


def test_a_page_on_another_origin_reads_retry_after_and_keeps_its_cookie_session(browser: Any, tmp_path: Path) -> None:
    with static_site(frontend_site(tmp_path / "site")) as origin, running(tmp_path / "server.log", "--clock", "manual",
                                              "--cors-origins", origin) as server:
        limited = requests.patch(f"{server.url}/__mock/settings", json={"rateLimit": "1/s"}, timeout=5,
                                 headers={"X-Mock-Session": "devserver"})
        assert limited.status_code == 200
        browser.get(f"{origin}/index.html?mock={server.url}&key={WS_KEY}")
        page = Page(browser, origin)
        result = page.until(lambda: page.js("return window.result"), "the frontend's calls")
        assert "error" not in result, result
        assert (result["created"], result["status"]) == (201, 429)
        assert result["retryAfter"] is not None and int(result["retryAfter"]) >= 1  # read by the script
        assert (result["remaining"], result["limit"]) == ("0", "1")
        reports = requests.get(f"{server.url}/__mock/reports", headers={"X-Mock-Session": "devserver"}, timeout=5)
        assert [i["report"]["id"] for i in reports.json()["data"]] == [result["id"]]  # the cookie's session
        assert requests.get(f"{server.url}/__mock/reports", timeout=5).json()["pagination"]["total"] == 0
