// The world at hand (GET /__mock/world): workspaces with their keys and campaigns, users with their platform keys,
// the session's recipients with their schedules and next run, its webhooks by name with their deliveries, and the
// server's sessions. With --admin-token the world comes only with the token, like every control call.
"use strict";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function copyButton(text, what, label = "copy") {
  return el("button", {type: "button", class: "small copy", "data-copy": text, "data-label": label,
    title: `Copy ${what}`, onclick: event => copyText(text, event.currentTarget)}, label);
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {  // no clipboard API (an insecure context, a refused permission): the old way
    const area = el("textarea", {}, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  if (button) { button.textContent = "copied"; setTimeout(() => { button.textContent = button.dataset.label; }, 1200); }
}

function changed(node, value) {  // redraw a panel only when what it shows changed (a click in it stays put)
  const signature = JSON.stringify(value);
  if (node.dataset.signature === signature) return false;
  node.dataset.signature = signature;
  return true;
}

function showWorld(world) {
  state.world = world;
  state.webhookNames = Object.fromEntries(world.workspaces.flatMap(w => w.webhooks.map(h => [h._id, h.name])));
  const keys = world.workspaces.map(w => ({id: w.id, name: w.name, key: w.apiKey, campaigns: w.campaigns}));
  if (changed($("#world"), [keys, world.users])) {
    $("#world").replaceChildren(
      ...world.workspaces.map(w => el("div", {class: "workspace", "data-workspace-id": w.id},
        el("h3", {}, w.name, " ", el("code", {class: "muted"}, w.id)),
        el("div", {class: "key-line"}, el("code", {class: "key"}, w.apiKey), copyButton(w.apiKey, "the key")),
        el("div", {class: "scroll"}, el("table", {class: "campaign-list"},
          el("thead", {}, el("tr", {}, el("th", {}, "campaign"), el("th", {}, "status"), el("th", {}, "id"))),
          el("tbody", {}, ...w.campaigns.map(c => el("tr", {"data-campaign-id": c.id},
            el("td", {class: "name"}, c.name), el("td", {}, c.status),
            el("td", {}, el("code", {}, c.id), copyButton(c.id, "the id"))))))))),
      el("h3", {}, "Platform keys"),
      ...world.users.map(u => el("div", {class: "key-line", "data-user-id": u.id},
        el("span", {}, `${u.name} `), el("code", {class: "key"}, u.apiKey), copyButton(u.apiKey, "the key"))));
  }
  showRecipients(world);
  showWebhooks(world);
  showForms();
}

function schedule(s) {
  if (!s.enabled) return "off";
  const when = s.frequency === "weekly" ? ` ${DAYS[s.dayOfWeek]}` : s.frequency === "monthly" ? ` day ${s.dayOfMonth}` : "";
  return `${s.frequency}${when} ${s.timeOfDay} ${s.timezone}`;
}

function showRecipients(world) {
  const items = world.workspaces.flatMap(w => w.recipients.map(r => ({...r, workspace: w.name})));
  if (!changed($("#recipients"), items)) return;
  rows($("#recipients"), items, r => [el("tr", {"data-recipient-id": r._id, class: r.active ? "" : "inactive"},
    el("td", {}, r.name), el("td", {}, r.email), el("td", {}, r.workspace), el("td", {}, r.reportType),
    el("td", {class: "schedule"}, schedule(r.schedule)),
    el("td", {class: "next-run"}, r.schedule.nextScheduledAt ? r.schedule.nextScheduledAt.replace("T", " ").slice(0, 16) : "—"),
    el("td", {}, r.totalReportsSent))], "#recipients-empty");
}

function showWebhooks(world) {
  const attempts = state.attempts || [];
  const items = world.workspaces.flatMap(w => w.webhooks.map(h => ({...h, workspace: w.name,
    attempts: attempts.filter(a => a.webhookId === h._id).slice(0, 6)})));
  if (!changed($("#webhooks"), items)) return;
  rows($("#webhooks"), items, h => [el("tr", {"data-webhook-id": h._id},
    el("td", {class: "name"}, h.name), el("td", {}, h.workspace), el("td", {class: "url"}, h.url),
    el("td", {}, h.events.join(", ")), el("td", {}, h.status),
    el("td", {class: "delivery-stats"}, `${h.stats.totalDelivered} delivered, ${h.stats.totalFailed} failed`),
    el("td", {class: "chips"}, ...h.attempts.map(a => el("span", {
      class: "chip " + (a.delivered ? "met" : "missed"), title: `${a.event} #${a.attempt} at ${a.at}`
        + (a.error ? `: ${a.error}` : "")}, a.statusCode ?? "×"))))], "#webhooks-empty");
}

function showSessions(names) {
  if (!changed($("#sessions"), [names, state.session])) return;
  $("#sessions").replaceChildren(...names.map(name => el("li", {"data-session": name,
    class: name === state.session ? "current" : ""},
  el("code", {}, name), name === state.session ? el("span", {class: "badge"}, "this page") : el("button", {
    type: "button", class: "small", onclick: () => switchSession(name)}, "open"),
  el("a", {href: `/?__session=${encodeURIComponent(name)}`, class: "small"}, "link"))));
}
