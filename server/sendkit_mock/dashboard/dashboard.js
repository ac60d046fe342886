// sendkit-mock's dashboard: a client of the control plane (/__mock), polled once a second. No build step,
// no library: the DOM is patched per item (keyed by id) so that what a person opened stays open. charts.js,
// forms.js and world.js are loaded before this file; it starts them.
"use strict";

const POLL_MS = 1000;
const PRESETS = {  // PATCH /__mock/settings bodies; "normal" turns every simulation off
  normal: {latency: null, errorRate: 0, rateLimit: null},
  slow: {latency: "uniform:400-1200", errorRate: 0, rateLimit: null},
  flaky: {latency: null, errorRate: 0.3, rateLimit: null},
  "rate-limited": {latency: null, errorRate: 0, rateLimit: "5/s"},
};
const $ = (selector, root = document) => root.querySelector(selector);
const SESSION_COOKIE = "sendkit_mock_session", SESSION_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SOURCES = {  // how the page came to its session, in the words the header shows
  cookie: "the cookie sendkit_mock_session", query: "?__session=", "legacy-query": "?session=",
  remembered: "the last one chosen in this browser", chosen: "chosen here", default: "(none named)",
};
const state = {
  ...chosenSession(),
  token: adminToken(),
  workspaces: {}, opened: new Set(), content: new Map(), seen: new Map(), journal: new Map(), timer: null,
  world: null, webhookNames: {}, attempts: [],
};

// The session, as the API picks it for a browser's calls (X-Mock-Session, then the cookie, then ?__session=),
// then the page's older ways (?session=, the last one chosen here), else default.
function chosenSession() {
  const query = new URLSearchParams(location.search);
  const candidates = [[sessionCookie(), "cookie"], [query.get("__session"), "query"],
    [query.get("session"), "legacy-query"], [localStorage.getItem("sendkit-mock.session"), "remembered"]];
  const [session, sessionSource] = candidates.find(([name]) => name && SESSION_NAME.test(name))
    || ["default", "default"];
  return {session, sessionSource};
}

function sessionCookie() {  // the session's name in the cookie the API reads (no secret is ever kept in one)
  const found = document.cookie.split(";").map(part => part.trim().split("="))
    .find(([name]) => name === SESSION_COOKIE);
  return found ? decodeURIComponent(found.slice(1).join("=")) : null;
}

// --- the control plane ------------------------------------------------------------------------------------
// With --admin-token: the token comes in the address's fragment (/#admin_token=..., never sent to a server),
// is kept in this tab's sessionStorage (no other origin, nor another port, reads it) and leaves the address.
function adminToken() {
  const given = new URLSearchParams(location.hash.slice(1)).get("admin_token");
  if (given) {
    sessionStorage.setItem("sendkit-mock.admin-token", given);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem("sendkit-mock.admin-token") || "";
}

async function call(method, path, body) {
  const headers = {"X-Mock-Session": state.session};
  if (state.token) headers["X-Mock-Admin-Token"] = state.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const answer = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const json = await answer.json().catch(() => null);
  if (answer.status === 401 && path.startsWith("/__mock")) {
    const token = prompt("This mock was started with --admin-token. The token:");
    if (token) { state.token = token; sessionStorage.setItem("sendkit-mock.admin-token", token); }
  }
  if (!answer.ok) {
    const error = new Error(json && json.message ? json.message : `${method} ${path} answered ${answer.status}`);
    error.details = json && json.details;
    throw error;
  }
  return json;
}

async function act(work) {  // a control's click: do it, show a refusal, refresh at once
  try { await work(); problem(null); } catch (error) { problem(error); }
  await refresh();
}

function problem(error) {
  const box = $("#problem");
  box.hidden = !error;
  if (error) {
    const details = (error.details || []).map(d => `${d.field}: ${d.message}`).join("; ");
    box.textContent = error.message + (details ? ` (${details})` : "");
  }
}

// --- small DOM helpers ------------------------------------------------------------------------------------
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
const time = iso => iso ? iso.slice(11, 19) : "";
const pretty = value => typeof value === "string" ? value : JSON.stringify(value, null, 2);
const workspaceName = id => id ? (state.workspaces[id] || id.slice(-6)) : "—";
function rows(table, items, render, empty) {
  const body = $("tbody", table);
  body.replaceChildren(...items.map(render).flat());
  $(empty).hidden = items.length > 0;
}

// --- the server, the session, the clock and the settings -------------------------------------------------
async function loadServer() {
  const server = (await call("GET", "/__mock/server")).data;
  state.workspaces = Object.fromEntries(server.workspaces.map(w => [w.id, w.name]));
  $("#server-info").textContent = `v${server.version} · seed ${server.seed} · store ${server.store}`
    + (server.reload.watching ? ` · watching (${server.reload.reloads} reloads)` : "");
  const banner = $("#banner");
  banner.hidden = !server.reload.error;
  banner.textContent = server.reload.error
    ? `serve --watch kept the previous world and contract: ${server.reload.error}` : "";
  showSessions(server.sessions);
  const names = new Set([...server.sessions, state.session]);
  const select = $("#session");
  const options = [...names].sort((a, b) => (a !== "default") - (b !== "default") || a.localeCompare(b));
  if (select.dataset.names !== options.join("\n")) {
    select.replaceChildren(...options.map(name => el("option", {value: name}, name)));
    select.dataset.names = options.join("\n");
  }
  select.value = state.session;
  showSessionSource();
}

function showSessionSource() {
  const from = $("#session-source");
  from.textContent = state.sessionSource === "default" ? SOURCES.default : `via ${SOURCES[state.sessionSource]}`;
  from.dataset.source = state.sessionSource;
  document.body.dataset.sessionSource = state.sessionSource;
}

function showClock(clock) {
  $("#clock-now").textContent = clock.now.replace("T", " ").replace("Z", " UTC");
  $("#clock-now").dateTime = clock.now;
  $("#clock-mode").textContent = clock.mode;
  $("#mode-toggle").textContent = clock.mode === "real" ? "Stop the clock (manual)" : "Run in real time";
  $("#mode-toggle").dataset.mode = clock.mode === "real" ? "manual" : "real";
}

function showSettings(settings) {
  const active = Object.entries(PRESETS).find(([, body]) =>
    Object.entries(body).every(([field, value]) => settings[field] === value));
  for (const button of document.querySelectorAll("[data-preset]")) {
    button.classList.toggle("active", !!active && button.dataset.preset === active[0]);
  }
  const parts = [];
  if (settings.latency) parts.push(`latency ${settings.latency} ms`);
  if (settings.errorRate) parts.push(`${Math.round(settings.errorRate * 100)}% errors`);
  if (settings.rateLimit) parts.push(`rate limit ${settings.rateLimit}`);
  parts.push(`reports ${settings.queuedSeconds}s queued + ${settings.processingSeconds}s processing`);
  $("#settings-now").textContent = parts.join(" · ");
}

// --- reports -------------------------------------------------------------------------------------------------
function showReports(page) {
  $("#reports-count").textContent = page.pagination.total ? `(${page.pagination.total})` : "";
  $("#try-it").hidden = page.pagination.total > 0;
  const list = $("#reports");
  const items = page.data.map(item => {
    const id = item.report.id;
    const signature = JSON.stringify(item) + state.opened.has(id) + !!state.content.get(id) + !!state.world;
    let node = list.querySelector(`[data-report-id="${id}"]`);
    if (!node || state.seen.get(id) !== signature) {
      node = reportNode(item);
      state.seen.set(id, signature);
    }
    return node;
  });
  list.replaceChildren(...items);
  for (const item of page.data) {  // content of an opened report, once it can no longer change
    const id = item.report.id, status = item.report.status;
    const kept = state.content.get(id);
    if (state.opened.has(id) && (!kept || kept.report.status !== status)) loadContent(id);
  }
}

function reportNode(item) {
  const r = item.report, t = item.timeline, open = state.opened.has(r.id);
  const finished = r.status === "ready" || r.status === "failed";
  const bar = el("div", {class: "bar" + (t.progress === null ? " held" : ""), title: t.progress === null
    ? "held in processing until forced on" : `${Math.round(t.progress * 100)}%`},
    el("span", {style: `width:${Math.round((t.progress ?? 1) * 100)}%`}));
  const when = finished ? `finished ${time(r.completedAt)}` : t.finishesAt ? `due ${time(t.finishesAt)}` : "held";
  const actions = finished ? null : el("div", {class: "actions"},
    el("button", {type: "button", class: "force-ready", onclick: () => force(r.id, "ready")}, "Force ready"),
    el("button", {type: "button", class: "force-failed danger", onclick: () => force(r.id, "failed")}, "Force failed"));
  const node = el("li", {class: "report", "data-report-id": r.id, "data-status": r.status},
    el("div", {class: "head", onclick: () => toggle(r.id)},
      el("span", {class: "title"}, (open ? "▾ " : "▸ ") + r.title),
      el("span", {class: "badge"}, r.reportType),
      el("span", {class: `badge status ${r.status}`}, r.status)),
    bar,
    el("div", {class: "meta"}, `${r.id} · ${workspaceName(r.workspaceId)} · ${r.periodStart} → ${r.periodEnd}`
      + ` · created ${time(r.createdAt)} · ${when}`),
    actions);
  if (open) node.append(contentNode(r.id));
  return node;
}

function toggle(id) {
  if (state.opened.has(id)) state.opened.delete(id); else { state.opened.add(id); loadContent(id); }
  refresh();
}

async function force(id, status) {
  await act(() => call("PUT", `/__mock/reports/${id}/status`, {status}));
}

async function loadContent(id) {
  try {
    state.content.set(id, (await call("GET", `/__mock/reports/${id}`)).data);
  } catch (error) { problem(error); }
  state.seen.delete(id);
  refresh();
}

function contentNode(id) {
  const kept = state.content.get(id);
  const box = el("div", {class: "content"});
  if (!kept) return el("div", {class: "content muted"}, "Loading…");
  const r = kept.report;
  if (r.status === "failed") {
    box.append(el("p", {class: "error"}, el("b", {}, r.error.code), ": ", r.error.message));
    return box;
  }
  if (r.status !== "ready") {
    box.append(el("p", {class: "muted"}, `Content comes once the report is ready (it is ${r.status}).`));
    return box;
  }
  const data = r.data, summary = data.executiveSummary;
  if (summary) {
    box.append(el("h4", {}, "Executive summary"), el("p", {}, summary.summary));
    const totals = summary.totals;
    box.append(el("div", {class: "figures"}, ...["sent", "delivered", "opened", "replied"].map(name =>
      el("div", {class: "figure"}, el("b", {}, totals[name].toLocaleString("en")), el("small", {}, name)))));
    box.append(el("h4", {}, "Rates"), ...["open", "click", "reply", "bounce", "delivery"].map(name =>
      el("div", {class: "rate"}, el("span", {}, name),
        el("div", {class: "bar"}, el("span", {style: `width:${Math.min(100, Number(summary.rates[name]))}%`})),
        el("span", {}, `${summary.rates[name]}%`))));
    if (summary.highlights.length) {
      box.append(el("ul", {}, ...summary.highlights.map(text => el("li", {}, text))));
    }
  }
  box.append(...drawReport(data), fetchIt(r));
  return box;
}

// The answer of GET /v1/reports/{id} to copy, and the curl that fetches it (a key of the world that reads it).
function fetchIt(r) {
  const answer = JSON.stringify({success: true, data: r}, null, 2);
  const curl = reportCurl(r);
  return el("div", {class: "fetch-it"},
    el("div", {class: "actions"}, copyButton(answer, "the JSON", "copy JSON"),
      curl ? copyButton(curl, "the curl", "copy curl") : null),
    curl ? el("pre", {class: "report-curl"}, curl) : null,
    el("details", {}, el("summary", {}, "JSON"), el("pre", {class: "report-json"}, answer)));
}

function reportCurl(r) {
  const world = state.world;
  if (!world) return null;
  const workspace = world.workspaces.find(w => w.id === r.workspaceId);
  const user = world.users.find(u => u.id === r.userId);
  const key = workspace ? workspace.apiKey : user && user.apiKey;
  if (!key) return null;
  return [`curl -s ${location.origin}/v1/reports/${r.id}`, `-H "X-Api-Key: ${key}"`,
    ...(state.session === "default" ? [] : [`-H "X-Mock-Session: ${state.session}"`])].join(" \\\n  ");
}

// --- the journal -------------------------------------------------------------------------------------------
function showJournal(page) {
  $("#journal-count").textContent = page.pagination.total ? `(${page.pagination.total})` : "";
  for (const entry of page.data) state.journal.set(entry._id, entry);
  rows($("#journal"), page.data, entry => {
    const bad = entry.violations.length > 0;
    const row = el("tr", {class: "entry" + (bad ? " bad" : ""), "data-entry-id": entry._id,
      onclick: () => openEntry(entry._id)},
      el("td", {}, time(entry.at)), el("td", {}, entry.method), el("td", {}, entry.path),
      el("td", {class: `status-${String(entry.status)[0]}`}, entry.status,
        entry.injected ? el("span", {class: "badge injected", title: "the mock's own answer"}, entry.injected) : null),
      el("td", {}, entry.durationMs.toFixed(1)), el("td", {}, workspaceName(entry.workspaceId)));
    if (!bad) return [row];
    const listed = entry.violations.map(v => el("div", {class: "violation"},
      el("span", {class: "field"}, v.field), ": ", el("span", {class: "message"}, v.message)));
    return [row, el("tr", {class: "violations"}, el("td", {colspan: 6}, ...listed))];
  }, "#journal-empty");
}

function openEntry(id) {
  const entry = state.journal.get(id);
  if (!entry) return;
  const query = new URLSearchParams(entry.query).toString();
  $("#detail-body").replaceChildren(
    el("h3", {}, `${entry.method} ${entry.path}${query ? "?" + query : ""} → ${entry.status}`),
    el("p", {class: "muted"}, `${entry.at} · ${entry.durationMs.toFixed(1)} ms · workspace `
      + workspaceName(entry.workspaceId) + (entry.injected ? ` · injected: ${entry.injected}` : "")),
    entry.violations.length ? el("ul", {class: "error"}, ...entry.violations.map(v =>
      el("li", {}, el("b", {}, v.field), ": ", v.message))) : null,
    el("h4", {}, "Request headers"), el("pre", {}, pretty(entry.headers)),
    el("h4", {}, "Request body"), el("pre", {class: "request-body"}, entry.body === null ? "(none)" : pretty(entry.body)),
    el("h4", {}, "Answer"), el("pre", {class: "answer-body"},
      entry.answer === undefined || entry.answer === null ? "(none)" : pretty(entry.answer)));
  $("#detail").showModal();
}

// --- deliveries -------------------------------------------------------------------------------------------
const webhookName = id => state.webhookNames[id] || `webhook …${id.slice(-6)}`;

function showDeliveries(deliveries) {
  state.attempts = deliveries.attempts;
  rows($("#attempts"), deliveries.attempts, a => [el("tr", {class: a.delivered ? "" : "bad"},
    el("td", {}, time(a.at)), el("td", {}, a.event), el("td", {title: `${a.webhookId} ${a.url}`}, webhookName(a.webhookId)),
    el("td", {}, a.attempt),
    el("td", {class: a.delivered ? "status-2" : "status-5"}, a.statusCode ?? (a.error || "no answer")),
    el("td", {}, a.latencyMs))], "#attempts-empty");
  rows($("#waiting"), deliveries.waiting, w => [el("tr", {},
    el("td", {}, time(w.dueAt)), el("td", {}, w.event), el("td", {title: w.webhookId}, webhookName(w.webhookId)),
    el("td", {}, w.attempt > 1 ? `retry ${w.attempt - 1}` : "first"))], "#waiting-empty");
  rows($("#outbox"), deliveries.outbox, m => [el("tr", {},
    el("td", {}, time(m.sentAt)), el("td", {}, `${m.name} <${m.email}>`), el("td", {}, m.subject))],
    "#outbox-empty");
}

// --- API coverage: what of the contract this session's client met -------------------------------------------
function showCoverage(found) {
  const table = $("#coverage"), answers = found.answers;
  $("#coverage-count").textContent = found.checked ? `(${answers.percent}%)` : "";
  $("#coverage-summary").textContent = found.checked
    ? `${found.operations.met} of ${found.operations.total} operations called, ${answers.met} of ${answers.total}`
      + ` documented answers received, from ${found.requests} requests in the journal.`
    : "Not checked: no request to /v1 in this session's journal yet.";
  table.hidden = !found.checked;
  $("tbody", table).replaceChildren(...(found.checked ? found.byOperation : []).map(row => el("tr", {"data-operation": row.operationId,
      class: row.calls ? "" : "never"},
    el("td", {title: `${row.method} ${row.path}`}, el("code", {}, row.operationId)),
    el("td", {class: "chips"}, ...row.answers.map(a => el("span", {
      class: "chip " + (!a.received ? "missed" : a.injected === a.received ? "injected" : "met"),
      "data-status": a.status,
      title: a.received ? `received ${a.received}` + (a.injected ? `, ${a.injected} injected` : "") : "never received",
    }, a.status)), ...row.undocumented.map(s => el("span", {class: "chip undocumented", "data-status": s,
      title: "not in the contract"}, s))))));
  const life = found.lifecycle;
  $("#coverage-lifecycle").textContent = found.checked
    ? `Report statuses seen: ${Object.entries(life.seen).filter(([, n]) => n).map(([s]) => s).join(", ") || "none"}`
      + ` · polled a report to its end: ${life.polledToCompletion ? "yes" : "no"}`
      + ` · followed nextCursor: ${life.followedNextCursor ? "yes" : "no"}`
    : "";
}

// --- the loop ----------------------------------------------------------------------------------------------
let refreshing = null, again = false, polls = 0;
async function refresh() {  // one poll at a time; a call during one runs another after it (a click's effect)
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    try {
      if (polls % 5 === 0) await loadServer();
      if (polls % 2 === 0 || !state.world) showWorld((await call("GET", "/__mock/world")).data);
      if (polls++ % 3 === 0) showCoverage((await call("GET", "/__mock/coverage")).data);  // reads the journal
      const [clock, settings, reports, journal, deliveries] = await Promise.all([
        call("GET", "/__mock/clock"), call("GET", "/__mock/settings"), call("GET", "/__mock/reports?limit=50"),
        call("GET", "/__mock/requests?limit=50"), call("GET", "/__mock/deliveries?limit=50")]);
      showClock(clock.data);
      showSettings(settings.data);
      showReports(reports);
      showJournal(journal);
      showDeliveries(deliveries.data);
      document.body.dataset.updated = clock.data.now;  // a test can wait for the next poll
      document.body.dataset.session = state.session;
    } catch (error) {
      problem(error);
    } finally {
      refreshing = null;
      if (again) { again = false; refresh(); }
    }
  })();
  return refreshing;
}

// Another session: kept where the page found its own (the cookie, which the API reads for this browser's
// calls too, or the address's ?__session=), so a reload opens it again.
function switchSession(name) {
  state.session = name;
  localStorage.setItem("sendkit-mock.session", name);
  if (state.sessionSource === "cookie") {
    document.cookie = `${SESSION_COOKIE}=${encodeURIComponent(name)}; path=/; SameSite=Lax`;
  } else {
    state.sessionSource = "chosen";
  }
  const url = new URL(location.href);
  url.searchParams.delete("session");
  url.searchParams.set("__session", name);
  history.replaceState(null, "", url);
  state.opened.clear(); state.content.clear(); state.seen.clear(); state.journal.clear();
  state.world = null;
  polls = 0;
  showSessionSource();
  document.dispatchEvent(new Event("sessionchange"));
  refresh();
}

function start() {
  const curl = $("#try-it-curl"), template = curl.textContent;
  const example = () => {  // the page's example, sent to the session on show
    curl.textContent = state.session === "default" ? template : template.replace(
      '-H "Content-Type: application/json"', `-H "Content-Type: application/json" -H "X-Mock-Session: ${state.session}"`);
  };
  example();
  document.addEventListener("sessionchange", example);
  $("#session").addEventListener("change", event => switchSession(event.target.value));
  $("#new-session").addEventListener("click", () => {
    const name = prompt("A name for the new session (1 to 64 of A-Z a-z 0-9 . _ -):", `demo-${Date.now() % 100000}`);
    if (name && /^[A-Za-z0-9._-]{1,64}$/.test(name)) switchSession(name);
    else if (name) problem(new Error(`"${name}" is not a session name: 1 to 64 of A-Z a-z 0-9 . _ -`));
  });
  $("#reset").addEventListener("click", () => {
    if (confirm(`Reset session "${state.session}"? Its reports, recipients, webhooks and journal go.`)) {
      state.opened.clear(); state.content.clear(); state.seen.clear();
      act(() => call("POST", "/__mock/reset"));
    }
  });
  $("#clear-journal").addEventListener("click", () => act(() => call("DELETE", "/__mock/requests")));
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => act(() => call("POST", "/__mock/clock",
      {advance: Number(button.dataset.advance)})));
  }
  $("#mode-toggle").addEventListener("click", event =>
    act(() => call("POST", "/__mock/clock", {mode: event.target.dataset.mode})));
  for (const button of document.querySelectorAll("[data-preset]")) {
    button.addEventListener("click", () => act(() => call("PATCH", "/__mock/settings", PRESETS[button.dataset.preset])));
  }
  showSessionSource();
  buildForms().catch(problem).then(() => { if (state.world) showForms(); });
  refresh();
  state.timer = setInterval(refresh, POLL_MS);
}

document.addEventListener("DOMContentLoaded", start);
