// The dashboard in headless Firefox (Debian's firefox-esr), driven over WebDriver BiDi by puppeteer-core:
// a report made by a client moves to ready as the page's clock buttons move time on, its content opens,
// an invalid request's violation shows in red with its answer, and a forced failure shows with its error.
// node dashboard_firefox.mjs NODE_TOOLS BASE_URL API_KEY FIREFOX SCREENSHOT; exit 0 and "ok" when all was seen.
// puppeteer-core is one of the project's pinned Node tools (tools/node), found from there.
import { createRequire } from "node:module";

const [tools, base, key, firefox, screenshot] = process.argv.slice(2);
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
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log("ok");
} finally {
  await browser.close();
}
