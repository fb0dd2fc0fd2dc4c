// The data explorer (data/explorer/): every incident searched, filtered, sorted and opened in the browser,
// from incidents.json (one column per field) and, for the incident opened, its shard of whole records
// (incidents.site.explorer). Every value reaches the page as text (textContent, setAttribute), never as HTML.
(function () {
  "use strict";
  const box = document.getElementById("explorer");
  if (!box) return;
  const PAGE = 50;
  const SHARDS = 256;
  const siteRoot = box.dataset.root;
  const shardCache = new Map();

  // An element with attributes and children; a child that is not a node becomes a text node.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // The shard an incident's record is in: FNV-1a (32 bits) of its id modulo SHARDS, as explorer.shard_of.
  function shardOf(id) {
    let h = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(id)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    return (h % SHARDS).toString(16).padStart(2, "0");
  }

  function decoded(index) {
    const c = index.columns;
    const pick = (col, i) => col.values[col.index[i]];
    const rows = [];
    for (let i = 0; i < index.count; i++) {
      const actors = c.actors[i].map((a) => index.actors[a]);
      const row = {
        id: c.id[i], start: c.start[i], end: c.end[i], type: pick(c.type, i), sub: pick(c.sub, i),
        place: pick(c.place, i) || "", best: c.best[i], summary: c.summary[i], status: pick(c.status, i),
        actors: actors,
      };
      row.text = [row.id, row.place, row.summary, ...actors].join(" ").toLowerCase();
      rows.push(row);
    }
    return rows;
  }

  function label(index, codelist, code) {
    return (index.labels[codelist] || {})[code] || code;
  }

  function field(name, text, control) {
    return el("label", { class: "explorer-field" }, el("span", {}, text), control);
  }

  function select(name, options) {
    const node = el("select", { name: name }, el("option", { value: "" }, "all"));
    for (const [value, text] of options) node.append(el("option", { value: value }, text));
    return node;
  }

  const COLUMNS = [
    ["start", "date"], ["place", "place"], ["type", "event type"], ["best", "fatalities"],
    ["actors", "actors"], ["summary", "what happened"],
  ];

  function start(index) {
    const rows = decoded(index);
    const types = [...new Set(rows.map((r) => r.type))].sort();
    const form = el(
      "form", { class: "explorer-filters", role: "search" },
      field("q", "Search", el("input", { type: "search", name: "q", placeholder: "words, place, actor, id" })),
      field("from", "From", el("input", { type: "date", name: "from" })),
      field("to", "To", el("input", { type: "date", name: "to" })),
      field("type", "Event type", select("type", types.map((t) => [t, label(index, "event_type", t)]))),
      field("actor", "Actor", select("actor", index.actors.map((a) => [a, a]))),
      field("place", "Place", el("input", { type: "search", name: "place", list: "explorer-places" })),
      el("datalist", { id: "explorer-places" }),
    );
    const places = form.querySelector("datalist");
    for (const p of [...new Set(rows.map((r) => r.place))].sort()) places.append(el("option", { value: p }));
    const summary = el("p", { class: "explorer-count", "aria-live": "polite" });
    const table = el("table", { class: "explorer-table" });
    const head = el("tr");
    for (const [key, text] of COLUMNS) {
      const button = el("button", { type: "button", "data-sort": key }, text);
      head.append(el("th", { scope: "col", "aria-sort": "none" }, button));
    }
    const body = el("tbody");
    table.append(el("thead", {}, head), body);
    const pager = el("nav", { class: "explorer-pager" });
    const list = el("section", { class: "explorer-list" }, form, summary, el("div", { class: "explorer-scroll" }, table), pager);
    const detail = el("section", { class: "explorer-detail", hidden: "" });
    box.replaceChildren(detail, list);

    const state = { sort: "start", descending: true, page: 0 };
    const params = new URLSearchParams(location.search);
    for (const input of form.elements) if (input.name && params.has(input.name)) input.value = params.get(input.name);

    function matching() {
      const f = Object.fromEntries(new FormData(form));
      const words = (f.q || "").toLowerCase().split(/\s+/).filter(Boolean);
      const place = (f.place || "").toLowerCase();
      return rows.filter((r) =>
        words.every((w) => r.text.includes(w)) &&
        (!place || r.place.toLowerCase().includes(place)) &&
        (!f.type || r.type === f.type) &&
        (!f.actor || r.actors.includes(f.actor)) &&
        (!f.from || (r.end !== null && r.end >= f.from)) &&
        (!f.to || (r.start !== null && r.start <= f.to)));
    }

    function compare(a, b) {
      const key = state.sort;
      const x = key === "actors" ? a.actors.join(", ") : a[key];
      const y = key === "actors" ? b.actors.join(", ") : b[key];
      if (x === y) return a.id < b.id ? -1 : 1;
      if (x === null || x === undefined) return 1; // unknown last, whichever the order
      if (y === null || y === undefined) return -1;
      const order = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return state.descending ? -order : order;
    }

    function render() {
      const found = matching().sort(compare);
      const pages = Math.max(1, Math.ceil(found.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      const first = state.page * PAGE;
      const shown = found.slice(first, first + PAGE);
      summary.textContent = found.length
        ? `${found.length.toLocaleString("en")} of ${rows.length.toLocaleString("en")} incidents; ` +
          `showing ${(first + 1).toLocaleString("en")}-${(first + shown.length).toLocaleString("en")}.`
        : `No incident matches, of ${rows.length.toLocaleString("en")}.`;
      body.replaceChildren(...shown.map((r) => el(
        "tr", { "data-id": r.id },
        el("td", {}, el("a", { href: "#" + encodeURIComponent(r.id) }, r.start ? (r.end !== r.start ? `${r.start} to ${r.end}` : r.start) : "unknown")),
        el("td", {}, r.place),
        el("td", {}, label(index, "event_type", r.type)),
        el("td", { class: "number" }, r.best === null ? "—" : r.best.toLocaleString("en")),
        el("td", {}, r.actors.join("; ")),
        el("td", {}, r.summary + (r.status === "active" ? "" : ` (${r.status})`)),
      )));
      for (const th of head.children) {
        const key = th.firstChild.dataset.sort;
        th.setAttribute("aria-sort", key === state.sort ? (state.descending ? "descending" : "ascending") : "none");
      }
      const previous = el("button", { type: "button" }, "previous");
      const next = el("button", { type: "button" }, "next");
      previous.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      previous.addEventListener("click", () => { state.page--; render(); });
      next.addEventListener("click", () => { state.page++; render(); });
      pager.replaceChildren(previous, ` page ${state.page + 1} of ${pages} `, next);
      const query = new URLSearchParams([...new FormData(form)].filter(([, v]) => v)).toString();
      history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash);
    }

    form.addEventListener("input", () => { state.page = 0; render(); });
    form.addEventListener("submit", (event) => event.preventDefault());
    head.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      state.descending = state.sort === button.dataset.sort ? !state.descending : button.dataset.sort === "best";
      state.sort = button.dataset.sort;
      render();
    });
    body.addEventListener("click", (event) => {
      const tr = event.target.closest("tr");
      if (tr && !event.target.closest("a")) location.hash = "#" + encodeURIComponent(tr.dataset.id);
    });
    render();
    window.addEventListener("hashchange", () => open(index, detail, list));
    open(index, detail, list);
  }

  function shard(id) {
    const name = shardOf(id);
    if (!shardCache.has(name)) {
      shardCache.set(name, fetch(`${box.dataset.shards}${name}.json`).then((r) => {
        if (!r.ok) throw new Error(`shard ${name}: HTTP ${r.status}`);
        return r.json();
      }));
    }
    return shardCache.get(name);
  }

  function open(index, detail, list) {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id.startsWith("inc_")) {
      detail.hidden = true;
      list.hidden = false;
      return;
    }
    detail.hidden = false;
    list.hidden = true;
    detail.replaceChildren(el("p", {}, "Loading ", el("code", {}, id), "..."));
    shard(id).then((records) => {
      const record = Object.prototype.hasOwnProperty.call(records, id) ? records[id] : null;
      detail.replaceChildren(...(record ? view(index, id, record) : [
        el("p", {}, el("a", { href: "#" }, "All incidents")),
        el("p", { class: "explorer-missing" }, "No incident has the id ", el("code", {}, id), "."),
      ]));
      window.scrollTo(0, 0);
    }).catch((error) => detail.replaceChildren(el("p", {}, `The incident could not be loaded: ${error.message}`)));
  }

  function tableOf(header, rows) {
    return el("div", { class: "explorer-scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c)))))));
  }

  function shown(value) {
    if (value === null || value === undefined || (Array.isArray(value) && !value.length)) return "—";
    return Array.isArray(value) ? value.join(", ") : String(value);
  }

  function coded(index, codelist, value) {
    if (value === null || value === undefined) return "—";
    const text = label(index, codelist, value);
    return text === value ? value : `${text} (${value})`;
  }

  function webLink(url) {
    return typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url) ? el("a", { href: url, rel: "nofollow noopener" }, url) : shown(url);
  }

  function view(index, id, record) {
    const row = record.row;
    const title = `${label(index, "sub_event_type", row.sub_event_type)}, ${row.location || row.country}`;
    const hasPage = index.pages.includes(id);
    const back = el("p", {}, el("a", { href: "#" }, "All incidents"));
    if (hasPage) back.append(" · ", el("a", { href: `${siteRoot}data/incidents/${encodeURIComponent(id)}/` }, "its page"));
    const out = [
      back,
      el("h2", { class: "explorer-title" }, title),
      el("p", {}, el("code", {}, id), ` · revision ${row.revision} · ${coded(index, "status", row.status)}`),
    ];
    if (row.status !== "active") out.push(el("p", { class: "explorer-warning" }, `This record is ${row.status}: ${shown(row.status_reason)}`));
    out.push(el("p", {}, row.summary));
    if (row.notes) out.push(el("p", { class: "explorer-notes" }, el("strong", {}, "Coder's notes: "), row.notes));
    out.push(el("h3", {}, "Fields"));
    out.push(tableOf(["field", "value"], index.fields.filter((f) => !["incident_id", "summary", "notes"].includes(f.name)).map((f) => {
      const value = row[f.name];
      const text = f.codelist && Array.isArray(value) ? (value.length ? value.map((v) => coded(index, f.codelist, v)).join(", ") : "—")
        : f.codelist ? coded(index, f.codelist, value) : shown(value);
      return [el("a", { href: `${siteRoot}codebook/incidents/#${f.name}` }, el("code", {}, f.name)), text];
    })));
    out.push(el("h3", {}, "Actors"));
    out.push(tableOf(["actor", "role", "type"], record.actors.map((a) => [
      el("a", { href: `${siteRoot}data/actors/#${a.actor_id.toLowerCase()}` }, a.name),
      coded(index, "role", a.role), coded(index, "actor_type", a.actor_type),
    ])));
    out.push(el("h3", {}, "Evidence"));
    for (const ev of record.evidence) {
      out.push(el("blockquote", {}, ev.quote));
      out.push(el("p", {}, "Supports: ", ...ev.supports.flatMap((s, i) => [i ? ", " : "", el("code", {}, s)]), ". Source: ",
        el("a", { href: `${siteRoot}data/sources/#${ev.source_id.slice(0, 12)}` }, `${shown(ev.publisher)}: ${ev.title || "untitled"}`),
        `, characters ${ev.char_start}-${ev.char_end} of the `,
        el("a", { href: `${siteRoot}data/sources/${encodeURIComponent(ev.source_id)}.txt` }, "archived text"), "."));
    }
    if (record.citations.length) {
      out.push(el("h3", {}, "Citations"));
      out.push(el("p", {}, "The reports this incident was coded from, as the dataset it was imported from cites them; not archived here."));
      out.push(tableOf(["publisher", "published", "title", "url"], record.citations.map((c) => [shown(c.publisher), shown(c.published_at), shown(c.title), webLink(c.url)])));
    }
    out.push(el("h3", {}, "History"));
    out.push(tableOf(["revision", "changed at", "by", "method", "reason", "fields changed"], record.revisions.map((r) => [
      shown(r.revision), shown(r.changed_at), shown(r.changed_by), coded(index, "method", r.method), shown(r.reason), shown(r.fields_changed),
    ])));
    return out;
  }

  fetch(box.dataset.index)
    .then((r) => { if (!r.ok) throw new Error(`HTTP ${r.status}`); return r.json(); })
    .then(start)
    .catch((error) => box.replaceChildren(el("p", {}, `The incidents could not be loaded: ${error.message}`)));
})();
