// The dashboard in headless Firefox (Debian's firefox-esr), driven over WebDriver BiDi by puppeteer-core:
// a report made by a client moves to ready as the page's clock buttons move time on, its content opens,
// an invalid request's violation shows in red with its answer, and a forced failure shows with its error.
// Issue 30: the ready report's drawings carry the numbers of the API's answer, a form's refused field is named
// beside it and a report made from the form joins the list, and a page on another origin (FRONTEND, served by
// the test; the mock started with --cors-origins naming it) reads Retry-After and keeps its cookie session.
// node dashboard_firefox.mjs NODE_TOOLS BASE_URL API_KEY FIREFOX SCREENSHOT FRONTEND; exit 0 and "ok" when all
// was seen.
// puppeteer-core is one of the project's pinned Node tools (tools/node), found from there.
import { createRequire } from "node:module";

const [tools, base, key, firefox, screenshot, frontend] = process.argv.slice(2);
const puppeteer = createRequire(`${tools}/package.json`)("puppeteer-core");
const FIRST = "5fd99d2f5f9abfeb15dcfcb8"; // the default seed's first report id
const headers = { "Content-Type": "application/json", "X-Api-Key": key };
const seed = {
  reportType: "campaign", campaignIds: ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"],
  periodStart: "2026-01-01", periodEnd: "2026-04-17",
};

async function post(body) {
  const answer = await fetch(`${base}/v1/reports`, { method: "POST", headers, body: JSON.stringify(body) });
  return [answer.status, await answer.json()];
}

const browser = await puppeteer.launch({ browser: "firefox", executablePath: firefox, headless: true,
  args: ["--width=1500", "--height=1100"] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1500, height: 1100 });
  const status = (id) => `[data-report-id='${id}']`;
  const until = (selector, what) => page.waitForSelector(selector, { timeout: 15000 }).catch(async () => {
    throw new Error(`the page never showed ${what}; it shows:\n${await page.evaluate(() => document.body.innerText)}`);
  });
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.body.dataset.updated !== undefined, { timeout: 15000 });

  const [made] = await post(seed);
  if (made !== 201) throw new Error(`POST /v1/reports answered ${made}`);
  await until(`${status(FIRST)}[data-status='queued']`, "the new report, queued");
  await page.click("[data-advance='1']");
  await page.click("[data-advance='1']");
  // Processing from +1 s: wait for the poll after the second click (the bar at 2 s of 4), not the first.
  await page.waitForFunction((css) => document.querySelector(css)?.style.width === "50%", { timeout: 15000 },
    `${status(FIRST)}[data-status='processing'] .bar > span`).catch(async () => {
    const width = await page.$eval(`${status(FIRST)} .bar > span`, (n) => n.style.width).catch(() => "nothing");
    throw new Error(`the progress bar shows ${width}, not 50% at 2 s of 4`);
  });
  await page.click("[data-advance='60']");
  await until(`${status(FIRST)}[data-status='ready']`, "the report ready after +1 min");
  await page.click(`${status(FIRST)} .head`);
  await page.waitForFunction((css) => document.querySelector(css)?.innerText.includes("Executive summary"),
    { timeout: 15000 }, `${status(FIRST)} .content`);
  await drawnAsAnswered(page, FIRST);

  const [refused] = await post({ reportType: "campaign" });
  if (refused !== 400) throw new Error(`the invalid request answered ${refused}`);
  await page.waitForFunction(() => document.querySelector("#journal tr.violations")?.innerText.includes("campaignIds"),
    { timeout: 15000 });
  const colour = await page.$eval("#journal tr.violations td", (n) => getComputedStyle(n).color);
  if (colour !== "rgb(198, 40, 40)") throw new Error(`the violation is shown in ${colour}, not red`);
  await page.click("#journal tr.entry.bad");
  await page.waitForFunction(() => document.querySelector("#detail").open, { timeout: 15000 });
  const answer = await page.$eval("#detail .answer-body", (n) => n.innerText);
  if (!answer.includes('"field": "campaignIds"')) throw new Error(`the answer shown is ${answer}`);
  await page.click("#detail .close");

  const [, third] = await post({ reportType: "workspace" });
  const id = third.data.reports[0].id;
  await until(`${status(id)} .force-failed`, "the third report's force button");
  await page.click(`${status(id)} .force-failed`);
  await until(`${status(id)}[data-status='failed']`, "the forced failure");
  await page.click(`${status(id)} .head`);
  await page.waitForFunction((css) => /failed|error/i.test(document.querySelector(css)?.innerText ?? ""),
    { timeout: 15000 }, status(id));
  await formsFromTheContract(page);
  await page.screenshot({ path: screenshot, fullPage: true });
  await anotherOrigin(await browser.newPage());
  console.log("ok");
} finally {
  await browser.close();
}

function same(what, shown, answered) {
  const [a, b] = [JSON.stringify(shown), JSON.stringify(answered)];
  if (a !== b) throw new Error(`${what}: the page draws ${a}, the API answered ${b}`);
}

// The report's drawings, read from the SVG, against GET /v1/reports/{id}.
async function drawnAsAnswered(page, id) {
  await page.waitForSelector(`[data-report-id='${id}'] svg[data-chart='campaigns']`, { timeout: 15000 });
  const answer = await (await fetch(`${base}/v1/reports/${id}`, { headers })).json();
  const data = answer.data.data, summary = data.executiveSummary;
  const read = (css, attribute) => page.$$eval(css, (nodes, attribute) => nodes.map((n) => n.getAttribute(attribute)),
    attribute);
  same("sent per campaign", await read("svg[data-chart='campaigns'] g.mark", "data-value"),
    data.campaignPerformance.map((c) => String(c.stats.sent)));
  same("totals this period", await read("svg[data-chart='period-totals'] g.mark.current", "data-raw"),
    Object.values(summary.totals).map(String));
  same("totals of the previous period", await read("svg[data-chart='period-totals'] g.mark.previous", "data-raw"),
    Object.values(summary.previousPeriod.totals).map(String));
  same("rates this period", await read("svg[data-chart='period-rates'] g.mark.current", "data-raw"),
    Object.values(summary.rates));
  same("replies per step", await read("svg[data-chart='steps'] g.mark.replied", "data-value"),
    data.campaignPerformance.flatMap((c) => c.stepStats.map((s) => String(s.replied))));
  const copied = await page.$eval(".fetch-it button[data-label='copy JSON']", (n) => n.dataset.copy);
  same("the JSON to copy", JSON.parse(copied), answer);
}

// A recipient refused on its e-mail (named beside the field), then a report made from the form, in the list.
async function formsFromTheContract(page) {
  await page.waitForSelector("#recipient-form [name='email']", { timeout: 15000 });
  await page.$eval("#recipient-form [name='name']", (n) => { n.value = "Ana Lima"; });
  await page.$eval("#recipient-form [name='email']", (n) => { n.value = "not-an-email"; });
  await page.click("#recipient-form button[type='submit']");
  await page.waitForFunction(() => document.querySelector("#recipient-form [data-error-for='email']")?.textContent
    === "Invalid email format", { timeout: 15000 }).catch(async () => {
    throw new Error(`no error beside email: ${await page.$eval("#recipient-form", (n) => n.innerText)}`);
  });
  await page.$eval("#report-form [name='reportType']", (n) => {
    n.value = "workspace";
    n.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await page.click("#report-form button[type='submit']");
  const made = await page.waitForFunction(() => document.querySelector("#report-form .result")?.dataset.created,
    { timeout: 15000 });
  const id = await made.jsonValue();
  await page.waitForSelector(`[data-report-id='${id}']`, { timeout: 15000 }); // the form's report, in the list
}

// A frontend's page on another 127.0.0.1 origin: its cookie session and the 429's Retry-After, as a script reads them.
async function anotherOrigin(other) {
  const limited = await fetch(`${base}/__mock/settings`, { method: "PATCH", body: JSON.stringify({ rateLimit: "1/s" }),
    headers: { "Content-Type": "application/json", "X-Mock-Session": "devserver" } });
  if (limited.status !== 200) throw new Error(`PATCH /__mock/settings answered ${limited.status}`);
  await other.goto(`${frontend}/index.html?mock=${encodeURIComponent(base)}&key=${key}`);
  const handle = await other.waitForFunction(() => window.result, { timeout: 15000 });
  const result = await handle.jsonValue();
  if (result.error || result.created !== 201 || result.status !== 429 || !(Number(result.retryAfter) >= 1)) {
    throw new Error(`the frontend on another origin read ${JSON.stringify(result)}`);
  }
  const listed = await (await fetch(`${base}/__mock/reports`, { headers: { "X-Mock-Session": "devserver" } })).json();
  same("the cookie session's reports", listed.data.map((item) => item.report.id), [result.id]);
}
