// A ready report's data drawn as SVG by the page: no library, nothing fetched. Every mark carries the API's own
// value (data-value, and a <title> a person sees on hover), and its label prints that value as the API wrote it,
// so a test can compare the drawing with the JSON. Loaded before dashboard.js, which calls drawReport().
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const CHART_WIDTH = 600, LABEL_WIDTH = 200, VALUE_WIDTH = 90, ROW = 18, DNS_WIDTH = 95;
const DNS = ["spf", "dkim", "dmarc"];

function svgEl(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function chart(name, height, caption, ...marks) {
  return svgEl("svg", {class: "chart", "data-chart": name, viewBox: `0 0 ${CHART_WIDTH} ${height}`,
    width: CHART_WIDTH, height, role: "img", "aria-label": caption}, svgEl("title", {}, caption), ...marks);
}

// One horizontal bar with its label on the left and its value on the right; `value` as the API wrote it.
function bar({y, label, value, share, kind, data, height = ROW - 5, title, room = 0}) {
  const width = Math.max(0, Math.min(1, share)) * (CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH - room);
  return svgEl("g", {class: `mark ${kind || ""}`, ...data, "data-value": value},
    svgEl("title", {}, title || `${label}: ${value}`),
    label === null ? null : svgEl("text", {x: LABEL_WIDTH - 6, y: y + height - 3, "text-anchor": "end",
      class: "label"}, label),
    svgEl("rect", {x: LABEL_WIDTH, y, width: width.toFixed(1), height, rx: 2}),
    svgEl("text", {x: LABEL_WIDTH + width + 4, y: y + height - 3, class: "value"}, value));
}

const rateValue = text => text === null || text === undefined ? 0 : Number(text);
const short = (text, room = 28) => text.length > room ? text.slice(0, room - 1) + "…" : text;

// This period against the one before: each total and each rate, two bars a metric, the change beside.
function periodCharts(summary) {
  const previous = summary.previousPeriod;
  if (!previous) return [];
  const pair = (group, current, before, change, unit) => {  // every metric the answer has, in its order
    const names = Object.keys(current);
    const top = Math.max(1, ...names.flatMap(n => [rateValue(current[n]), rateValue(before[n])]));
    const marks = names.flatMap((name, i) => {
      const y = 8 + i * (2 * ROW + 6), delta = change && change[name];
      return [
        bar({y, label: name, value: `${current[name]}${unit}`, share: rateValue(current[name]) / top,
          kind: "current", data: {"data-metric": name, "data-period": "current", "data-raw": current[name]}}),
        bar({y: y + ROW - 2, label: null, value: `${before[name]}${unit}`, share: rateValue(before[name]) / top,
          kind: "previous", data: {"data-metric": name, "data-period": "previous", "data-raw": before[name]},
          title: `${name}, previous period: ${before[name]}${unit}`}),
        svgEl("text", {x: 8, y: y + 2 * ROW - 2, class: "change", "data-metric": name, "data-change": delta ?? ""},
          delta === null || delta === undefined ? "" : `${delta.startsWith("-") ? "" : "+"}${delta}${
            group === "totals" ? "%" : " pts"}`),
      ];
    });
    return chart(`period-${group}`, 8 + names.length * (2 * ROW + 6),
      `${group} this period against ${previous.periodStart} to ${previous.periodEnd}`, ...marks);
  };
  const change = summary.change || {};
  return [
    legend("this period", `previous: ${previous.periodStart} → ${previous.periodEnd}`),
    pair("totals", summary.totals, previous.totals, change.totals, ""),
    pair("rates", summary.rates, previous.rates, change.rates, "%"),
  ];
}

function legend(current, previous) {
  return el("p", {class: "legend"}, el("span", {class: "swatch current"}), current, " ",
    el("span", {class: "swatch previous"}), previous);
}

// Per campaign: what it sent, and its open, reply and bounce rates.
function campaignChart(campaigns) {
  const top = Math.max(1, ...campaigns.map(c => c.stats.sent));
  const rows = campaigns.flatMap((c, i) => {
    const y = 8 + i * (ROW + 4), id = c.campaign.id;
    return [bar({y, label: short(c.campaign.name), value: c.stats.sent, share: c.stats.sent / top, kind: "sent", room: 90,
      data: {"data-campaign-id": id, "data-metric": "sent"}, title: `${c.campaign.name}: ${c.stats.sent} sent`}),
    svgEl("text", {x: CHART_WIDTH - 2, y: y + ROW - 8, "text-anchor": "end", class: "rates",
      "data-campaign-id": id, "data-open": c.rates.open, "data-reply": c.rates.reply, "data-bounce": c.rates.bounce},
    svgEl("title", {}, `${c.campaign.name}: open ${c.rates.open}%, reply ${c.rates.reply}%, bounce ${c.rates.bounce}%`),
    `${c.rates.open}/${c.rates.reply}/${c.rates.bounce}%`)];
  });
  return chart("campaigns", 8 + campaigns.length * (ROW + 4), "emails sent per campaign", ...rows);
}

// Per step of a campaign: sent and replied, with the step's reply rate.
function stepChart(c) {
  const steps = c.stepStats || [];
  const top = Math.max(1, ...steps.map(s => s.sent));
  const marks = steps.flatMap((s, i) => {
    const y = 8 + i * (2 * ROW + 4), data = step => ({"data-campaign-id": c.campaign.id, "data-step": s.step,
      "data-metric": step});
    return [
      bar({y, label: short(`${s.step + 1}. ${s.subject}`), value: s.sent, share: s.sent / top, kind: "sent",
        data: data("sent"), title: `step ${s.step + 1}, “${s.subject}”: ${s.sent} sent`}),
      bar({y: y + ROW - 2, label: `reply ${s.rates.reply}%`, value: s.replied, share: s.replied / top,
        kind: "replied", data: {...data("replied"), "data-reply-rate": s.rates.reply},
        title: `step ${s.step + 1}: ${s.replied} replied (${s.rates.reply}%)`}),
    ];
  });
  return chart("steps", 8 + steps.length * (2 * ROW + 4), `${c.campaign.name}: each step`, ...marks);
}

// Mailbox health: the score out of 100, and the state of SPF, DKIM and DMARC, each named.
function mailboxChart(mailboxes) {
  const rows = mailboxes.flatMap((m, i) => {
    const y = 8 + i * (ROW + 6);
    const dns = DNS.map((name, j) => svgEl("g", {class: `dns ${m.dns[name].status}`, "data-mailbox": m.email,
      "data-dns": name, "data-value": m.dns[name].status},
    svgEl("title", {}, `${m.email} ${name.toUpperCase()}: ${m.dns[name].status}`),
    svgEl("circle", {cx: CHART_WIDTH - DNS_WIDTH + 6 + j * 32, cy: y + 7, r: 5}),
    svgEl("text", {x: CHART_WIDTH - DNS_WIDTH + 13 + j * 32, y: y + 11, class: "dns-label"},
      name === "dmarc" ? "DM" : name.toUpperCase().slice(0, 2))));
    return [bar({y, label: short(m.email), value: `${m.healthScore}/100`, share: m.healthScore / 100,
      kind: `score ${m.healthStatus}`, data: {"data-mailbox": m.email, "data-metric": "healthScore",
        "data-score": m.healthScore, "data-health-status": m.healthStatus}, room: DNS_WIDTH,
      title: `${m.email}: health ${m.healthScore}/100 (${m.healthStatus})`}), ...dns];
  });
  return chart("mailboxes", 8 + mailboxes.length * (ROW + 6), "mailbox health scores and DNS: SPF, DKIM, DMARC",
    ...rows);
}

function mailboxIssues(mailboxes) {
  const troubled = mailboxes.filter(m => m.issues.length);
  return troubled.length ? el("ul", {class: "issues"}, ...troubled.map(m => el("li", {"data-mailbox": m.email},
    el("b", {}, m.email), ": ", m.issues.join("; ")))) : null;
}

// The drawings of a ready report's data, section by section.
function drawReport(data) {
  const parts = [];
  const summary = data.executiveSummary;
  if (summary && summary.previousPeriod) parts.push(el("h4", {}, "This period against the previous one"),
    ...periodCharts(summary));
  if (data.campaignPerformance) {
    parts.push(el("h4", {}, "Campaigns"), el("p", {class: "muted small"}, "emails sent; open/reply/bounce rates"),
      el("div", {class: "scroll"}, campaignChart(data.campaignPerformance)));
    for (const [i, c] of data.campaignPerformance.filter(c => (c.stepStats || []).length).entries()) {
      parts.push(el("details", {class: "steps", "data-campaign-id": c.campaign.id, open: i === 0 ? "" : null},
        el("summary", {}, `Steps of ${c.campaign.name}`), el("div", {class: "scroll"}, stepChart(c))));
    }
  }
  if (data.mailboxHealth) {
    parts.push(el("h4", {}, "Mailbox health"), el("div", {class: "scroll"}, mailboxChart(data.mailboxHealth)),
      mailboxIssues(data.mailboxHealth));
  }
  return parts;
}
