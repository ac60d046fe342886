// Forms to create a report and a recipient, built from the contract the mock serves (/openapi.json): the
// operation's request schema gives the fields, their enums and limits. The browser checks nothing itself
// (novalidate): the mock answers with the contract's errors, and each `details[{field, message}]` is shown beside
// the field it names. The call is the user's own /v1 call (journaled like curl's), with a key of the world.
"use strict";

const FORMS = [
  {form: "#report-form", operationId: "createReport"},
  {form: "#recipient-form", operationId: "createRecipient"},
];
const forms = {contract: null, built: new Map()};

function pointer(doc, ref) {
  return ref.slice(2).split("/").map(p => p.replace(/~1/g, "/").replace(/~0/g, "~")).reduce((n, key) => n[key], doc);
}

function schemaOf(doc, node) {  // dereferenced, with its allOf merged in: the type, enum and limits a field needs
  while (node && node.$ref) node = pointer(doc, node.$ref);
  if (!node || !node.allOf) return node || {};
  const merged = Object.assign({}, ...node.allOf.map(part => schemaOf(doc, part)), node);
  delete merged.allOf;
  return merged;
}

function findOperation(doc, id) {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op && op.operationId === id) return {path, method: method.toUpperCase(), op};
    }
  }
  throw new Error(`the contract has no operation ${id}`);
}

function limits(s) {  // the schema's limits, in words beside the field
  const words = [];
  if (s.minLength !== undefined || s.maxLength !== undefined) {
    words.push(`${s.minLength ?? 0}–${s.maxLength ?? "∞"} characters`);
  }
  if (s.minimum !== undefined || s.maximum !== undefined) words.push(`${s.minimum ?? "…"} to ${s.maximum ?? "…"}`);
  if (s.minItems !== undefined || s.maxItems !== undefined) words.push(`${s.minItems ?? 0} to ${s.maxItems ?? "any"}`);
  if (s.pattern && s.pattern.startsWith("^(19")) words.push("YYYY-MM-DD");
  return words.join(", ");
}

function fieldFor(doc, name, schema, required, prefix) {
  const s = schemaOf(doc, schema), path = prefix ? `${prefix}.${name}` : name;
  const slot = el("span", {class: "field-error", "data-error-for": path, role: "alert"});
  if (s.type === "object" && s.properties) {
    return el("fieldset", {"data-field": path, "data-kind": "object"},
      el("legend", {title: s.description || ""}, name), slot,
      ...Object.entries(s.properties).map(([sub, subSchema]) =>
        fieldFor(doc, sub, subSchema, (s.required || []).includes(sub), path)));
  }
  const optional = required ? "— choose —" : "(server default)";
  let input, kind = s.type || "string";
  if (s.enum) {
    input = el("select", {}, el("option", {value: ""}, optional), ...s.enum.map(v => el("option", {value: v}, v)));
  } else if (s.type === "boolean") {
    input = el("select", {}, el("option", {value: ""}, optional), el("option", {value: "true"}, "true"),
      el("option", {value: "false"}, "false"));
  } else if (s.type === "array" && /campaignIds$/.test(name)) {
    input = el("select", {multiple: "", size: 4, class: "campaign-picker"});
    kind = "campaigns";
  } else if (s.type === "array") {
    input = el("input", {type: "text", placeholder: "comma-separated"});
  } else if (s.type === "integer" || s.type === "number") {
    input = el("input", {type: "number", min: s.minimum, max: s.maximum, step: s.type === "integer" ? 1 : "any"});
  } else {
    input = el("input", {type: "text", maxlength: s.maxLength, placeholder: s.example ?? ""});
  }
  input.name = path;
  input.dataset.kind = kind;
  const hint = limits(s);
  return el("label", {class: "field", "data-field": path, title: (s.description || "").trim()},
    el("span", {class: "name"}, name, required ? el("b", {class: "required", title: "required"}, " *") : null),
    input, hint ? el("small", {class: "muted"}, hint) : null, slot);
}

function valueOf(input) {  // what the body carries for one field; undefined leaves it out
  const kind = input.dataset.kind;
  if (kind === "campaigns") {
    const ids = [...input.selectedOptions].map(o => o.value);
    return ids.length ? ids : undefined;
  }
  const text = input.value;
  if (text === "") return undefined;
  if (kind === "boolean") return text === "true";
  if (kind === "integer" || kind === "number") return Number(text);
  if (kind === "array") return text.split(",").map(part => part.trim()).filter(Boolean);
  return text;
}

function bodyOf(form) {
  const body = {};
  for (const input of form.querySelectorAll("[data-kind]:not(fieldset)")) {
    const value = valueOf(input);
    if (value === undefined) continue;
    const parts = input.name.split("."), last = parts.pop();
    parts.reduce((node, part) => (node[part] ??= {}), body)[last] = value;
  }
  return body;
}

function keyOptions(select) {  // the world's keys: workspace keys, then platform keys
  const world = state.world;
  if (!world) return;
  const kept = select.value;
  const options = [
    ...world.workspaces.map(w => el("option", {value: w.apiKey, "data-workspace-id": w.id}, `${w.name} (workspace key)`)),
    ...world.users.map(u => el("option", {value: u.apiKey, "data-user-id": u.id}, `${u.name} (platform key)`))];
  const signature = options.map(o => o.value).join();
  if (select.dataset.signature !== signature) {
    select.replaceChildren(...options);
    select.dataset.signature = signature;
    if (kept) select.value = kept;
  }
}

function workspacesOf(form) {  // the workspaces the chosen key acts on (a platform key: X-Workspace-Id, else all)
  const world = state.world, option = form.querySelector(".key").selectedOptions[0];
  if (!world || !option) return [];
  if (option.dataset.workspaceId) return world.workspaces.filter(w => w.id === option.dataset.workspaceId);
  const named = form.querySelector(".workspace-header").value;
  const user = world.users.find(u => u.id === option.dataset.userId);
  return world.workspaces.filter(w => named ? w.id === named : user && user.workspaceIds.includes(w.id));
}

function refreshPickers(form) {
  const option = form.querySelector(".key").selectedOptions[0];
  const header = form.querySelector(".workspace-header");
  header.closest("label").hidden = !option || !option.dataset.userId;
  const user = option && state.world && state.world.users.find(u => u.id === option.dataset.userId);
  const choices = user ? state.world.workspaces.filter(w => user.workspaceIds.includes(w.id)) : [];
  const signature = choices.map(w => w.id).join();
  if (header.dataset.signature !== signature) {
    header.replaceChildren(el("option", {value: ""}, "(none)"), ...choices.map(w => el("option", {value: w.id}, w.name)));
    header.dataset.signature = signature;
  }
  for (const picker of form.querySelectorAll(".campaign-picker")) {
    const campaigns = workspacesOf(form).flatMap(w => w.campaigns);
    const signature = campaigns.map(c => c.id).join();
    if (picker.dataset.signature === signature) continue;
    const chosen = new Set([...picker.selectedOptions].map(o => o.value));
    picker.replaceChildren(...campaigns.map(c => el("option", {value: c.id, selected: chosen.has(c.id) ? "" : null},
      `${c.name} (${c.status})`)));
    picker.dataset.signature = signature;
  }
}

function showErrors(form, answer, json) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const result = form.querySelector(".result");
  result.className = "result " + (answer.ok ? "ok" : "bad");
  if (answer.ok) {
    const made = json.data.reports ? json.data.reports.map(r => r.id) : [json.data._id];
    result.dataset.created = made.join(",");
    result.textContent = `${answer.status}: created ${made.join(", ")}`;
    return;
  }
  result.dataset.created = "";
  result.textContent = `${answer.status} ${json ? json.error + ": " + json.message : ""}`;
  for (const detail of (json && json.details) || []) {
    let path = detail.field.replace(/\[\d+\]/g, ""), slot = null;
    while (path && !(slot = form.querySelector(`[data-error-for="${CSS.escape(path)}"]`))) {
      path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    }
    const target = slot || form.querySelector(".form-error");
    target.textContent = (target.textContent ? target.textContent + "; " : "") + (slot ? "" : `${detail.field}: `)
      + detail.message;
    const input = slot && slot.closest("[data-field]").querySelector("input, select");
    if (input) input.setAttribute("aria-invalid", "true");
  }
}

async function submitForm(form, found) {
  const option = form.querySelector(".key").selectedOptions[0];
  const headers = {"Content-Type": "application/json", "X-Mock-Session": state.session};
  if (option) headers["X-Api-Key"] = option.value;
  const named = form.querySelector(".workspace-header").value;
  if (option && option.dataset.userId && named) headers["X-Workspace-Id"] = named;
  const body = bodyOf(form);
  form.querySelector(".curl").textContent = curlOf(found.method, found.path, headers, body);
  const answer = await fetch(found.path, {method: found.method, headers, body: JSON.stringify(body)});
  showErrors(form, answer, await answer.json().catch(() => null));
  refresh();
}

function curlOf(method, path, headers, body) {
  const lines = [`curl -s -X ${method} ${location.origin}${path}`,
    ...Object.entries(headers).filter(([name, value]) => name !== "X-Mock-Session" || value !== "default")
      .map(([name, value]) => `-H "${name}: ${value}"`)];
  if (body !== undefined) lines.push(`-d '${JSON.stringify(body)}'`);
  return lines.join(" \\\n  ");
}

async function buildForms() {
  if (!forms.contract) forms.contract = await (await fetch("/openapi.json")).json();
  const doc = forms.contract;
  for (const {form: selector, operationId} of FORMS) {
    const form = $(selector), found = findOperation(doc, operationId);
    const schema = schemaOf(doc, found.op.requestBody.content["application/json"].schema);
    form.querySelector(".fields").replaceChildren(...Object.entries(schema.properties).map(([name, sub]) =>
      fieldFor(doc, name, sub, (schema.required || []).includes(name), "")));
    form.dataset.operation = operationId;
    form.querySelector(".endpoint").textContent = `${found.method} ${found.path}`;
    form.addEventListener("submit", event => { event.preventDefault(); submitForm(form, found); });
    form.querySelector(".key").addEventListener("change", () => refreshPickers(form));
    form.querySelector(".workspace-header").addEventListener("change", () => refreshPickers(form));
    forms.built.set(selector, form);
  }
}

function showForms() {  // after each load of the world: the keys and the campaigns they reach
  for (const form of forms.built.values()) {
    keyOptions(form.querySelector(".key"));
    refreshPickers(form);
  }
}
