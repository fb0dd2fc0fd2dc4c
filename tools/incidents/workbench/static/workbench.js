// The workbench page. Every value from the server or the report is put in the page with textContent or as
// a form value, never as HTML. The report is one text node in <pre id="report">, so a selection's offsets are
// offsets into the archived text (in UTF-16 units: the server converts them to the standard's code points).
"use strict";

const state = { form: null, source: null, drafts: [], current: -1, selection: null, names: {}, timer: null };
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
}

async function api(method, url, data) {
  const options = { method, headers: {} };
  if (data !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(data);
  }
  const response = await fetch(url, options);
  const out = await response.json();
  if (!response.ok) throw new Error(out.error || response.statusText);
  return out;
}

function say(message, kind = "") {
  const status = $("status");
  status.textContent = message;
  status.className = kind;
}

function draft() {
  return state.drafts[state.current];
}

// --- the report ------------------------------------------------------------------------------------------

async function openSource(sourceId) {
  const opened = await api("GET", "/api/sources/" + encodeURIComponent(sourceId));
  state.source = { id: sourceId, text: opened.text, meta: opened.metadata, records: opened.records };
  $("report").textContent = opened.text;
  const meta = opened.metadata;
  $("source-meta").textContent = [meta.title, meta.publisher, meta.published_at || "publication date unknown", meta.url]
    .filter(Boolean)
    .join(" · ");
  $("source-list").value = sourceId;
  $("assist").disabled = false;
  $("new-record").disabled = false;
  state.selection = null;
  $("selection").hidden = true;
  renderDrafts();
}

function unitOffset(node, offset) {
  const report = $("report");
  const text = report.firstChild;
  if (text && node === text) return offset;
  if (node === report) return offset === 0 ? 0 : text ? text.length : 0;
  return null;
}

function onSelection() {
  const selection = document.getSelection();
  if (!state.source || !draft() || !selection.rangeCount || selection.isCollapsed) return;
  const range = selection.getRangeAt(0);
  const start = unitOffset(range.startContainer, range.startOffset);
  const end = unitOffset(range.endContainer, range.endOffset);
  if (start === null || end === null || start === end) return;
  state.selection = { start, end };
  $("selection-text").textContent = selection.toString();
  $("selection").hidden = false;
}

function renderSupportChoices() {
  const box = $("selection-fields");
  box.replaceChildren(
    ...state.form.supports.map((name) =>
      el("label", { className: "choice" }, el("input", { type: "checkbox", value: name, name: "supports" }), " " + name),
    ),
  );
}

async function attach() {
  const chosen = [...$("selection-fields").querySelectorAll("input:checked")].map((box) => box.value);
  if (!state.selection || !chosen.length) {
    say("Select a passage and tick the fields it supports first.", "error");
    return;
  }
  try {
    const out = await api("POST", "/api/evidence", {
      source_id: state.source.id,
      start: state.selection.start,
      end: state.selection.end,
      supports: chosen,
    });
    draft().record.evidence.push(out.evidence);
  } catch (error) {
    say(error.message, "error");
    return;
  }
  for (const box of $("selection-fields").querySelectorAll("input")) box.checked = false;
  state.selection = null;
  $("selection").hidden = true;
  document.getSelection().removeAllRanges();
  renderEvidence();
  scheduleCheck();
}

// --- records of the report -------------------------------------------------------------------------------

function label(record) {
  return [record.date_start || "no date", record.location || "no place", record.event_type || ""].join(" · ");
}

function renderDrafts() {
  const list = $("drafts");
  const open = new Set(state.drafts.map((d) => d.record.incident_id));
  const items = state.drafts.map((d, index) =>
    el(
      "li",
      { className: index === state.current ? "current" : "" },
      el("button", { type: "button", text: d.record.incident_id, on: { click: () => select(index) } }),
      " " + label(d.record) + (d.saved ? " (saved)" : " (not saved)"),
    ),
  );
  for (const record of (state.source && state.source.records) || []) {
    if (open.has(record.incident_id)) continue;
    items.push(
      el(
        "li",
        {},
        el("button", { type: "button", text: record.incident_id, on: { click: () => openRecord(record.incident_id) } }),
        " " + label(record) + ((record.tags || []).includes("needs-review") ? " (needs review)" : ""),
      ),
    );
  }
  list.replaceChildren(...items);
}

function addDraft(record, newActors, saved) {
  for (const actor of newActors) state.names[actor.actor_id] = actor.name;
  state.drafts.push({ record, newActors, saved });
  select(state.drafts.length - 1);
}

async function openRecord(incidentId) {
  const index = state.drafts.findIndex((d) => d.record.incident_id === incidentId);
  if (index >= 0) return select(index);
  const out = await api("GET", "/api/records/" + encodeURIComponent(incidentId));
  const cited = (out.record.evidence || []).map((e) => e.source_id)[0];
  if (cited && (!state.source || state.source.id !== cited)) await openSource(cited);
  await learnNames(out.record.actors || []);
  addDraft(out.record, [], true);
}

async function learnNames(actors) {
  for (const actor of actors) {
    if (state.names[actor.actor_id]) continue;
    const found = await api("GET", "/api/actors?q=" + encodeURIComponent(actor.actor_id));
    if (found.length) state.names[actor.actor_id] = found[0].name;
  }
}

async function assist() {
  try {
    const out = await api("POST", "/api/sources/" + encodeURIComponent(state.source.id) + "/drafts", {});
    if (!out.records.length) say("The assistant found no incident in this report: start from an empty record.");
    for (const record of out.records) {
      const ids = new Set(record.actors.map((a) => a.actor_id));
      addDraft(record, out.new_actors.filter((a) => ids.has(a.actor_id)), false);
    }
  } catch (error) {
    say(error.message, "error");
  }
}

async function newRecord() {
  const out = await api("POST", "/api/records/new", {});
  addDraft(out.record, [], false);
}

function select(index) {
  state.current = index;
  $("editor").hidden = false;
  renderRecord();
  renderDrafts();
  scheduleCheck(0);
}

// --- the record form -------------------------------------------------------------------------------------

function shown(field, value) {
  if (value === null || value === undefined) return "";
  if (field.type === "list") return value.join("; ");
  return String(value);
}

function parsed(field, text) {
  const value = text.trim();
  if (field.type === "list") return value.split(";").map((v) => v.trim()).filter(Boolean);
  if (value === "") return null;
  if (field.type === "integer") return /^-?\d+$/.test(value) ? Number(value) : value;
  if (field.type === "number") return Number.isFinite(Number(value)) ? Number(value) : value;
  return text;
}

function options(field, record) {
  let choices = field.options;
  if (field.name === "sub_event_type") choices = choices.filter((o) => o.event_type === record.event_type);
  return [el("option", { value: "", text: "—" }), ...choices.map((o) => el("option", { value: o.code, text: o.label, title: o.description }))];
}

function describe(field, input, hint) {
  const option = field.options && field.options.find((o) => o.code === input.value);
  hint.textContent = option ? option.description : field.description;
}

function renderRecord() {
  const record = draft().record;
  $("record-title").textContent = record.incident_id;
  const rows = state.form.fields.map((field) => {
    let input;
    if (field.options) {
      input = el("select", { id: "field-" + field.name, name: field.name }, ...options(field, record));
    } else if (field.name === "summary" || field.name === "notes") {
      input = el("textarea", { id: "field-" + field.name, name: field.name, rows: 3 });
    } else {
      input = el("input", { id: "field-" + field.name, name: field.name });
    }
    input.value = shown(field, record[field.name]);
    const hint = el("small", { className: "hint" });
    describe(field, input, hint);
    input.addEventListener(field.options ? "change" : "input", () => {
      record[field.name] = field.options ? input.value || null : parsed(field, input.value);
      describe(field, input, hint);
      if (field.name === "event_type") {
        const sub = $("field-sub_event_type");
        const kept = sub.value;
        sub.replaceChildren(...options(state.form.fields.find((f) => f.name === "sub_event_type"), record));
        sub.value = kept;
        if (sub.value !== kept) record.sub_event_type = null;
      }
      renderDrafts();
      scheduleCheck();
    });
    return el(
      "div",
      { className: "field" + (field.required ? " required" : "") },
      el("label", { htmlFor: input.id, text: field.name, title: field.description }),
      input,
      hint,
      el("div", { className: "problems", dataset: { field: field.name } }),
    );
  });
  $("record-form").replaceChildren(...rows);
  renderActors();
  renderEvidence();
}

function roleSelect(value, onChange) {
  const select = el("select", {}, ...state.form.roles.map((r) => el("option", { value: r.code, text: r.label, title: r.description })));
  select.value = value;
  if (onChange) select.addEventListener("change", () => onChange(select.value));
  return select;
}

function renderActors() {
  const record = draft().record;
  $("actor-list").replaceChildren(
    ...record.actors.map((actor, index) =>
      el(
        "li",
        {},
        el("span", { className: "actor", text: state.names[actor.actor_id] || actor.actor_id }),
        " ",
        roleSelect(actor.role, (role) => {
          actor.role = role;
          scheduleCheck();
        }),
        " ",
        el("button", {
          type: "button",
          text: "Remove",
          on: {
            click: () => {
              record.actors.splice(index, 1);
              renderActors();
              scheduleCheck();
            },
          },
        }),
      ),
    ),
  );
}

function addActor(actor, role) {
  const record = draft().record;
  state.names[actor.actor_id] = actor.name;
  if (!record.actors.some((a) => a.actor_id === actor.actor_id)) record.actors.push({ actor_id: actor.actor_id, role });
  renderActors();
  scheduleCheck();
}

async function searchActors() {
  const query = $("actor-query").value;
  const found = query.trim() ? await api("GET", "/api/actors?q=" + encodeURIComponent(query)) : [];
  $("actor-results").replaceChildren(
    ...found.map((actor) => {
      const role = roleSelect(state.form.roles[0].code);
      const others = (actor.aliases || []).join(", ");
      return el(
        "li",
        {},
        el("strong", { text: actor.name }),
        ` (${actor.actor_type}, ${actor.country || "no country"})` + (others ? ` also: ${others}` : "") + " ",
        role,
        " ",
        el("button", { type: "button", text: "Add", on: { click: () => addActor(actor, role.value) } }),
      );
    }),
  );
}

async function createActor() {
  try {
    const out = await api("POST", "/api/actors/new", {
      name: $("actor-name").value,
      aliases: $("actor-aliases").value.split(";"),
      actor_type: $("actor-type").value,
      country: $("actor-country").value || null,
    });
    draft().newActors.push(out.actor);
    addActor(out.actor, $("actor-new-role").value);
    $("actor-name").value = "";
    $("actor-aliases").value = "";
  } catch (error) {
    say(error.message, "error");
  }
}

function renderEvidence() {
  const record = draft().record;
  $("evidence-list").replaceChildren(
    ...record.evidence.map((item, index) =>
      el(
        "li",
        {},
        el("q", { text: item.quote }),
        el("small", { text: ` characters ${item.char_start}–${item.char_end}; supports ${item.supports.join(", ")} ` }),
        el("button", {
          type: "button",
          text: "Remove",
          on: {
            click: () => {
              record.evidence.splice(index, 1);
              renderEvidence();
              scheduleCheck();
            },
          },
        }),
      ),
    ),
  );
}

// --- checking and saving ---------------------------------------------------------------------------------

function scheduleCheck(delay = 400) {
  clearTimeout(state.timer);
  state.timer = setTimeout(check, delay);
}

async function check() {
  const current = draft();
  if (!current) return;
  try {
    const out = await api("POST", "/api/check", { record: current.record, new_actors: current.newActors });
    if (current === draft()) showProblems(out.problems);
  } catch (error) {
    say(error.message, "error");
  }
}

function showProblems(problems) {
  for (const box of document.querySelectorAll("#editor .problems")) box.replaceChildren();
  for (const problem of problems) {
    const name = (problem.field || "").split(/[.[]/)[0];
    const box = document.querySelector(`#editor .problems[data-field="${CSS.escape(name)}"]`) || $("other-problems");
    const where = box.id === "other-problems" ? `${problem.file}${problem.field ? " " + problem.field : ""}: ` : "";
    box.append(
      el("p", { className: "problem", dataset: { code: problem.code } }, where + problem.message + "; expected " + problem.expected),
    );
  }
  $("editor").dataset.problems = String(problems.length);
  say(problems.length ? `${problems.length} problem(s) to fix.` : "The validator finds no problem.", problems.length ? "" : "ok");
}

async function save() {
  const current = draft();
  try {
    const out = await api("POST", "/api/save", {
      record: current.record,
      new_actors: current.newActors,
      reason: $("reason").value,
    });
    current.record = out.record;
    current.newActors = [];
    current.saved = true;
    renderRecord();
    renderDrafts();
    showProblems(out.problems);
    say(`Saved ${out.written.join(", ")}. ` + $("status").textContent, "ok");
    loadReview();
  } catch (error) {
    say(error.message, "error");
  }
}

// --- the rest of the page --------------------------------------------------------------------------------

async function loadReview() {
  const found = await api("GET", "/api/review");
  $("review-list").replaceChildren(
    ...found.map((record) =>
      el(
        "li",
        {},
        el("button", { type: "button", text: record.incident_id, on: { click: () => openRecord(record.incident_id) } }),
        " " + label(record),
      ),
    ),
  );
  if (!found.length) $("review-list").append(el("li", { text: "None: every draft has been reviewed." }));
}

async function paste(event) {
  event.preventDefault();
  try {
    const out = await api("POST", "/api/sources", {
      text: $("paste-text").value,
      publisher: $("paste-publisher").value,
      url: $("paste-url").value,
      published: $("paste-published").value,
      title: $("paste-title").value,
      language: $("paste-language").value,
    });
    const list = $("source-list");
    if (![...list.options].some((o) => o.value === out.source_id)) {
      list.append(el("option", { value: out.source_id, text: $("paste-title").value || out.source_id.slice(0, 12) }));
    }
    $("paste").open = false;
    await openSource(out.source_id);
  } catch (error) {
    say(error.message, "error");
    $("editor").hidden = false;
  }
}

async function start() {
  state.form = await api("GET", "/api/form");
  const fill = (select, choices) => select.replaceChildren(...choices.map((o) => el("option", { value: o.code, text: o.label, title: o.description })));
  fill($("actor-type"), state.form.actor_types);
  fill($("actor-country"), state.form.countries);
  fill($("actor-new-role"), state.form.roles);
  renderSupportChoices();
  $("open-source").addEventListener("click", () => $("source-list").value && openSource($("source-list").value));
  $("paste-form").addEventListener("submit", paste);
  $("assist").addEventListener("click", assist);
  $("new-record").addEventListener("click", newRecord);
  $("attach").addEventListener("click", attach);
  $("actor-query").addEventListener("input", () => {
    clearTimeout(state.search);
    state.search = setTimeout(searchActors, 250);
  });
  $("actor-create").addEventListener("click", createActor);
  $("save").addEventListener("click", save);
  document.addEventListener("selectionchange", onSelection);
  document.body.dataset.ready = "true";
  loadReview();
}

document.addEventListener("DOMContentLoaded", start);
