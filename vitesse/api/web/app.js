// The seed's web flow: discover -> create -> ingest -> map -> test -> deploy, one API call per step and a person
// reviewing between steps. Every step shows the integration's status (GET /integrations/{id}).
import { call, setToken, takeToken, whenUnauthorized } from "./api.js";
import { act, add, debounce, describe, failure, field, fill, h } from "./dom.js";

const STEPS = [["discover", "Discover"], ["create", "Create"], ["ingest", "Ingest"], ["map", "Map"], ["test", "Test"],
  ["deploy", "Deploy"]];
const DISCOVERY_KEYS = ["api_name", "description", "base_url", "documentation_url", "confidence_score", "source"];
const TRANSFORMS = ["direct", "mapping", "parse_int", "parse_float", "stringify", "parse_bool", "collect", "custom",
  "iso_to_unix", "unix_to_iso"];
const S = { view: "start" };
const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;
const it = () => `/integrations/${enc(S.id)}`;

function reset() {
  for (const key of Object.keys(S)) delete S[key];
  S.view = "start";
}

function go(view) {
  S.view = view;
  render();
}

async function render() {
  renderStepper();
  const view = $("view");
  view.dataset.view = S.view;
  fill(view);
  await VIEWS[S.view](view);
}

function renderStepper() {
  const items = [["start", "Integrations"], ...STEPS].map(([key, label], index) => {
    const needsId = index > 2 && !S.id;
    return h("li", {}, h("button", {
      type: "button", "data-step": key, disabled: needsId, "aria-current": S.view === key ? "step" : null,
      onclick: () => go(key),
    }, index ? `${index} ${label}` : label));
  });
  fill($("stepper"), ...items);
}

// -- the integration's status, beside every step --------------------------------------------------------------

async function refresh() {
  if (!S.id) {
    $("status").hidden = true;
    return;
  }
  const result = await call("GET", it());
  const box = $("status");
  box.hidden = false;
  if (!result.ok) {
    fill(box, h("h2", {}, "Status"), failure(result, refresh));
    return;
  }
  const info = (S.info = result.body);
  const score = info.health_score;
  fill(box, 
    h("h2", {}, info.name),
    h("dl", { class: "kv" },
      h("dt", {}, "status"), h("dd", { id: "status-value" }, info.status),
      h("dt", {}, "step"), h("dd", {}, info.current_step),
      h("dt", {}, "service"), h("dd", { id: "service-value" }, info.service, info.service_detail ? ` (${info.service_detail})` : ""),
      h("dt", {}, "health"), h("dd", {}, score ? `${score.overall}` : "—")),
    info.error ? h("p", { class: "bad" }, info.error) : "",
    h("ul", {}, info.steps.map((step) => h("li", { class: step.current ? "ok" : "warn" },
      `${step.current ? "✓" : "○"} ${step.step}`, step.stale_reason && h("span", { class: "muted" }, ` — ${step.stale_reason}`)))),
  );
}

// -- start: the existing integrations ---------------------------------------------------------------------------

function nextStep(info) {
  const pending = info.steps.find((step) => step.step !== "create" && !step.current);
  return pending ? pending.step : "deploy";
}

async function open(id) {
  reset();
  S.id = id;
  await refresh();
  await loadManifest();
  go(S.info ? nextStep(S.info) : "ingest");
}

async function loadManifest() {
  const result = await call("GET", `${it()}/manifest`);
  if (result.ok) {
    S.yaml = result.body.data.yaml;
    S.path = result.body.data.path || S.path;
  }
  return result;
}

async function viewStart(view) {
  $("status").hidden = true;
  const slot = h("div", { id: "integrations" });
  add(view, h("div", { class: "card" },
    h("h2", {}, "Integrations"),
    h("p", {}, h("button", { type: "button", id: "new-integration", onclick: () => { reset(); go("discover"); } }, "New integration")),
    slot));
  await act(slot, "Loading integrations", () => call("GET", "/integrations"), (body) => {
    add(slot, body.data.length ? h("div", { class: "scroll" }, h("table", {},
      h("thead", {}, h("tr", {}, ["name", "status", "service", "health", "updated", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, body.data.map((item) => h("tr", {},
        h("td", {}, item.name), h("td", {}, item.status), h("td", {}, item.service),
        h("td", {}, item.health_score ? item.health_score.overall : "—"), h("td", {}, item.last_updated || "—"),
        h("td", {}, h("button", { type: "button", class: "secondary", onclick: () => open(item.id),
          "aria-label": `Open ${item.name}` }, "Open"))))))) : h("p", {}, "No integrations yet."));
    slot.dataset.loaded = "true";
    performance.mark("vitesse:start-data");
  });
}

// -- 1 discover ----------------------------------------------------------------------------------------------------

function discoveryCard(entry) {
  return h("dl", { class: "kv" }, DISCOVERY_KEYS.flatMap((key) => [h("dt", {}, key), h("dd", {},
    key.endsWith("_url") && entry[key] ? h("a", { href: entry[key], rel: "noopener noreferrer", target: "_blank" }, entry[key])
      : entry[key] ?? "—")]));
}

function catalogColumn(role, label) {
  const list = h("ul", { class: "list", id: `catalog-${role}` });
  const slot = h("div");
  const search = h("input", { type: "search", id: `search-${role}`, placeholder: "name, description…", autocomplete: "off" });
  const show = () => {
    for (const item of list.children) item.classList.toggle("chosen", item.dataset.name === S[role]?.api_name);
  };
  const find = () => act(slot, "Searching", () => call("GET", `/catalog?q=${enc(search.value)}`), (body) => {
    const entries = Array.isArray(body.data) ? body.data : body.data?.entries || body.data?.results || [];
    fill(list, ...entries.map((entry) => h("li", { "data-name": entry.api_name },
      h("strong", {}, entry.api_name), discoveryCard(entry),
      h("button", { type: "button", class: "secondary", onclick: () => { S[role] = entry; show(); $("to-create").disabled = !(S.source && S.dest); },
        "aria-label": `Use ${entry.api_name} as ${label.toLowerCase()}` }, `Use as ${label.toLowerCase()}`))));
    if (!entries.length) add(list, h("li", { class: "muted" }, "No API matches."));
    show();
  });
  search.addEventListener("input", debounce(find));
  find();
  return h("div", { class: "card" }, h("h3", {}, label), field(`Search ${label.toLowerCase()} APIs`, search), slot, list);
}

function viewDiscover(view) {
  add(view, h("h2", {}, "1 Discover the two APIs"),
    h("div", { class: "cols" }, catalogColumn("source", "Source"), catalogColumn("dest", "Destination")),
    h("button", { type: "button", id: "to-create", disabled: !(S.source && S.dest), onclick: () => go("create") }, "Next: create"));
}

// -- 2 create ------------------------------------------------------------------------------------------------------

function discoveryBody(entry) {
  return Object.fromEntries(DISCOVERY_KEYS.filter((key) => entry[key] != null && entry[key] !== "").map((key) => [key, entry[key]]));
}

function manifestView() {
  return h("div", { class: "card" }, h("h3", {}, "Manifest ", h("code", { id: "manifest-path" }, S.path || "")),
    h("p", { class: "muted" }, "Written to the project's integrations/ folder: commit it like any other manifest."),
    h("pre", { id: "manifest-yaml" }, S.yaml || "(not loaded)"));
}

function viewCreate(view) {
  if (!S.source || !S.dest) {
    add(view, h("p", {}, "Pick a source and a destination first."), h("button", { type: "button", onclick: () => go("discover") }, "Back to discover"));
    return;
  }
  const name = h("input", { type: "text", id: "create-name", required: true, value: `${S.source.api_name} to ${S.dest.api_name}` });
  const intent = h("textarea", { id: "create-intent", rows: 2 }, `Sync records from ${S.source.api_name} into ${S.dest.api_name}`);
  const target = h("select", { id: "create-target" }, ["local", "eks", "ecs"].map((t) => h("option", { value: t }, t)));
  const slot = h("div");
  const form = h("form", { class: "card" },
    h("p", {}, `${S.source.api_name} → ${S.dest.api_name}`),
    field("Name", name), field("Intent", intent), field("Deployment target", target),
    h("p", {}, h("button", { type: "submit" }, "Create integration")), slot);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { name: name.value, source_discovery: discoveryBody(S.source), dest_discovery: discoveryBody(S.dest),
      user_intent: intent.value, deployment_target: target.value };
    act(slot, "Creating", () => call("POST", "/integrations", body), async (answer) => {
      S.id = answer.integration_id;
      S.path = answer.data.integration.manifest_path;
      await refresh();
      const shown = await loadManifest();
      if (!shown.ok) add(slot, failure(shown, () => go("create")));
      add(slot, manifestView(), h("button", { type: "button", id: "to-ingest", onclick: () => go("ingest") }, "Next: ingest"));
    });
  });
  add(view, h("h2", {}, "2 Create the integration"), form);
}

// -- 3 ingest ------------------------------------------------------------------------------------------------------

function endpointName(endpoint) {
  return endpoint.method ? `${endpoint.method} ${endpoint.path}` : endpoint.path;
}

function picker(side, label, key) {
  const search = h("input", { type: "search", id: `ep-search-${side}`, autocomplete: "off", placeholder: "path or summary" });
  const method = h("select", { id: `ep-method-${side}` }, ["", "GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => h("option", { value: m }, m || "any")));
  const list = h("ul", { class: "list", id: `ep-list-${side}` });
  const pager = h("div", { class: "row" });
  const detail = h("div", { id: `ep-detail-${side}` });
  const slot = h("div");
  let offset = 0;
  const limit = 50;
  const choose = (endpoint) => {
    S[key] = endpointName(endpoint);
    for (const item of list.children) item.classList.toggle("chosen", item.dataset.endpoint === S[key]);
    fill(detail, h("h4", {}, S[key]), endpoint.summary && h("p", {}, endpoint.summary),
      ...["fields", "record_fields", "pagination", "parameters"].filter((k) => k in endpoint).map((k) =>
        h("div", {}, h("h4", {}, k.replace("_", " ")), describe(endpoint[k]))));
  };
  const show = (items, total) => {
    fill(list, ...items.map((endpoint) => h("li", { "data-endpoint": endpointName(endpoint), class: endpointName(endpoint) === S[key] ? "chosen" : null },
      h("button", { type: "button", class: "secondary", onclick: () => choose(endpoint), "aria-label": `Choose ${endpointName(endpoint)} (${label})` },
        h("span", { class: "method" }, endpoint.method || "·"), endpoint.path),
      endpoint.summary && h("span", { class: "muted" }, ` ${endpoint.summary}`))));
    if (!items.length) add(list, h("li", { class: "muted" }, "No endpoint matches."));
    const last = Math.min(offset + items.length, total ?? offset + items.length);
    fill(pager, h("span", {}, `${items.length ? offset + 1 : 0}–${last}${total != null ? ` of ${total}` : ""}`),
      h("button", { type: "button", class: "secondary", disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - limit); load(); } }, "Previous"),
      h("button", { type: "button", class: "secondary", disabled: total == null ? items.length < limit : last >= total, onclick: () => { offset += limit; load(); } }, "Next"));
  };
  const load = () => {
    const query = `side=${side}&q=${enc(search.value)}&method=${enc(method.value)}&limit=${limit}&offset=${offset}`;
    return act(slot, "Loading endpoints", () => call("GET", `${it()}/endpoints?${query}`), (body) => {
      const data = body.data;
      const items = Array.isArray(data) ? data : data.endpoints || data.items || [];
      show(items, body.total ?? data.total ?? body.count);
    });
  };
  const again = debounce(() => { offset = 0; load(); });
  search.addEventListener("input", again);
  method.addEventListener("change", again);
  load();
  return h("div", { class: "card picker" }, h("h3", {}, `${label} endpoint`),
    h("div", { class: "row" }, field(`Search ${label.toLowerCase()} endpoints`, search), field(`${label} method`, method)),
    slot, list, pager, detail);
}

function viewIngest(view) {
  const source = h("input", { type: "text", id: "spec-source", value: S.source?.spec || "", placeholder: "the manifest's source.spec" });
  const dest = h("input", { type: "text", id: "spec-dest", value: S.dest?.spec || "", placeholder: "the manifest's destination.spec" });
  const slot = h("div");
  const pickers = h("div", { id: "pickers" });
  const form = h("form", { class: "card" }, field("Source spec (URL or path under integrations/)", source),
    field("Destination spec (URL or path under integrations/)", dest), h("p", {}, h("button", { type: "submit" }, "Ingest specs")), slot);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {};
    if (source.value) body.source_spec_url = source.value;
    if (dest.value) body.dest_spec_url = dest.value;
    act(slot, "Ingesting", () => call("POST", `${it()}/ingest`, body), async (answer) => {
      S.ingest = answer.data;
      await refresh();
      const warnings = Object.entries(answer.data.warnings || {}).flatMap(([side, list]) => list.map((w) => `${side}: ${w}`));
      add(slot, h("p", { class: "ok", id: "ingested" }, `Ingested: ${answer.data.source_endpoints.length} source and ${answer.data.dest_endpoints.length} destination endpoints.`),
        warnings.length ? h("details", {}, h("summary", {}, `${warnings.length} warnings`), h("ul", {}, warnings.map((w) => h("li", { class: "warn" }, w)))) : null);
      fill(pickers, h("div", { class: "cols" }, picker("source", "Source", "srcEp"), picker("destination", "Destination", "dstEp")),
        h("button", { type: "button", id: "to-map", onclick: () => go("map") }, "Next: map"));
    });
  });
  add(view, h("h2", {}, "3 Ingest the OpenAPI specs"), form, pickers);
}

// -- 4 map ---------------------------------------------------------------------------------------------------------

function reviewTable(map, edits) {
  const rows = map.transformations.map((row) => {
    const source = row.source_field ?? (row.source_fields ? row.source_fields.join(", ") : row.template ?? "");
    const input = h("input", { type: "text", value: source, "aria-label": `Source of ${row.dest_field}`, "data-dest": row.dest_field, class: "mono" });
    input.addEventListener("change", () => {
      for (const [src, dst] of Object.entries(edits.hints)) if (dst === row.dest_field) delete edits.hints[src];
      if (input.value && input.value !== source) edits.hints[input.value] = row.dest_field;
    });
    const ignore = h("input", { type: "checkbox", "aria-label": `Ignore ${row.dest_field}` });
    ignore.addEventListener("change", () => { edits.ignore[ignore.checked ? "add" : "delete"](row.dest_field); });
    const accept = row.needs_review ? h("input", { type: "checkbox", class: "accept", value: row.dest_field, "aria-label": `Accept ${row.dest_field}` }) : null;
    return h("tr", { class: row.needs_review ? "warn" : null, "data-dest": row.dest_field },
      h("td", {}, input), h("td", { class: "mono" }, row.dest_field), h("td", {}, row.transform_type),
      h("td", {}, row.confidence.toFixed(2)), h("td", {}, row.reason),
      h("td", {}, row.needs_review ? h("label", { class: "inline" }, accept, "needs review") : "no"),
      h("td", {}, h("label", { class: "inline" }, ignore, "ignore")));
  });
  return h("div", { class: "scroll" }, h("table", { id: "review" },
    h("thead", {}, h("tr", {}, ["source", "destination", "type", "confidence", "reason", "needs review", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}

function extraEdits(edits, pending) {
  const tDest = h("input", { type: "text", class: "mono" });
  const tType = h("select", {}, TRANSFORMS.map((t) => h("option", { value: t }, t)));
  const tSource = h("input", { type: "text", class: "mono", placeholder: "field (collect: a, b)" });
  const tTemplate = h("input", { type: "text", class: "mono", placeholder: "custom only" });
  const cDest = h("input", { type: "text", class: "mono" });
  const cValue = h("input", { type: "text", class: "mono", placeholder: "JSON, or text" });
  const rSource = h("input", { type: "text", class: "mono" });
  const addTransform = () => {
    if (!tDest.value) return;
    const item = { dest_field: tDest.value, transform_type: tType.value };
    if (tType.value === "collect") item.source_fields = tSource.value.split(",").map((s) => s.trim()).filter(Boolean);
    else if (tSource.value) item.source_field = tSource.value;
    if (tTemplate.value) item.template = tTemplate.value;
    edits.transforms.push(item);
    pending();
  };
  const addConstant = () => {
    if (!cDest.value) return;
    let value = cValue.value;
    try { value = JSON.parse(value); } catch { /* text */ }
    edits.constants[cDest.value] = value;
    pending();
  };
  const removeHint = () => { if (rSource.value) { edits.remove_hints.add(rSource.value); pending(); } };
  return h("details", { class: "card" }, h("summary", {}, "Transforms, constants, removing a hint"),
    h("div", { class: "row" }, field("Transform: destination field", tDest), field("Transform type", tType), field("Transform: source", tSource),
      field("Template", tTemplate), h("button", { type: "button", class: "secondary", onclick: addTransform }, "Add transform")),
    h("div", { class: "row" }, field("Constant: destination field", cDest), field("Constant value", cValue),
      h("button", { type: "button", class: "secondary", onclick: addConstant }, "Add constant")),
    h("div", { class: "row" }, field("Remove the hint of source field", rSource),
      h("button", { type: "button", class: "secondary", onclick: removeHint }, "Remove hint")));
}

function editBody(edits) {
  const body = {};
  if (Object.keys(edits.hints).length) body.hints = edits.hints;
  if (edits.remove_hints.size) body.remove_hints = [...edits.remove_hints];
  if (edits.transforms.length) body.transforms = edits.transforms;
  if (Object.keys(edits.constants).length) body.constants = edits.constants;
  if (edits.ignore.size) body.ignore = [...edits.ignore];
  return body;
}

async function preview(slot) {
  await act(slot, "Previewing", () => call("POST", `${it()}/preview`, { count: 3, seed: 0 }), (body) => {
    add(slot, h("p", { class: "muted" }, `Sample records from ${typeof body.data.from === "string" ? body.data.from : JSON.stringify(body.data.from)}`),
      h("div", { class: "scroll" }, h("table", { id: "preview-table" },
        h("thead", {}, h("tr", {}, ["source", "output", "errors"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, body.data.records.map((record) => h("tr", {},
          h("td", {}, h("pre", {}, JSON.stringify(record.source, null, 2))),
          h("td", {}, h("pre", {}, JSON.stringify(record.output, null, 2))),
          h("td", {}, record.errors.length ? h("ul", {}, record.errors.map((e) => h("li", { class: "bad" }, `${e.field}: ${e.message} [${e.code}]`))) : h("span", { class: "ok" }, "none"))))))));
    slot.dataset.loaded = "true";
  });
}

function viewMap(view) {
  const source = h("input", { type: "text", id: "map-source", class: "mono", value: S.srcEp || S.map?.source_endpoint || "", placeholder: "proposed by the mapper" });
  const dest = h("input", { type: "text", id: "map-dest", class: "mono", value: S.dstEp || S.map?.dest_endpoint || "", placeholder: "proposed by the mapper" });
  const slot = h("div");
  const review = h("div", { id: "map-review" });
  const previewSlot = h("div", { id: "preview" });
  const manifest = h("div", { id: "map-manifest" });
  const notes = h("div", { id: "map-notes" });
  const runMap = () => {
    const body = {};
    if (source.value) body.source_endpoint = source.value;
    if (dest.value) body.dest_endpoint = dest.value;
    return act(slot, "Mapping", () => call("POST", `${it()}/map`, body), async (answer) => {
      S.map = answer.data;
      await refresh();
      showReview();
      preview(previewSlot);
    });
  };
  const showReview = () => {
    const map = S.map;
    review.dataset.runs = Number(review.dataset.runs || 0) + 1;
    const edits = { hints: {}, remove_hints: new Set(), transforms: [], constants: {}, ignore: new Set() };
    const pendingList = h("pre", { id: "pending-edits" }, "{}");
    const pending = () => { pendingList.textContent = JSON.stringify(editBody(edits), null, 2); };
    const saveSlot = h("div");
    const save = () => act(saveSlot, "Saving the mapping", () => call("POST", `${it()}/mapping`, editBody(edits)), async (answer) => {
      S.yaml = answer.data.yaml;
      fill(manifest, manifestView());
      await runMap();
    });
    const accept = () => {
      const fields = [...review.querySelectorAll("input.accept:checked")].map((box) => box.value);
      return act(saveSlot, "Accepting", () => call("POST", `${it()}/accept`, { fields: fields.length ? fields : null }), async (answer) => {
        S.yaml = answer.data.manifest.yaml;
        fill(manifest, manifestView());
        await runMap();
        fill(notes, h("p", { class: "ok", id: "accepted" }, `Accepted: ${answer.data.accepted.join(", ") || "nothing needed it"}`));
      });
    };
    fill(review, h("div", { class: "card" },
      h("h3", {}, `${map.source_endpoint} → ${map.dest_endpoint}: ${map.transformation_count} fields (complexity ${map.complexity_score})`),
      map.unmapped_required.length ? h("p", { class: "bad" }, `Unmapped required: ${map.unmapped_required.join(", ")}`) : null,
      map.needs_review.length ? h("p", { class: "warn" }, `Needs review: ${map.needs_review.join(", ")}`) : h("p", { class: "ok" }, "Nothing needs review."),
      h("p", { class: "muted" }, "Edit a source to set a hint; tick ignore to leave a field unset."),
      h("form", { id: "review-form", onsubmit: (event) => event.preventDefault(), onchange: pending }, reviewTable(map, edits)),
      map.near_misses?.length ? h("details", {}, h("summary", {}, `${map.near_misses.length} near misses`), describe(map.near_misses)) : null,
      extraEdits(edits, pending),
      h("h4", {}, "Pending edits"), pendingList,
      h("div", { class: "row" }, h("button", { type: "button", id: "save-mapping", onclick: save }, "Save edits and re-map"),
        h("button", { type: "button", id: "accept-mapping", class: "secondary", onclick: accept }, "Accept (ticked, or all needing review)"),
        h("button", { type: "button", id: "to-test", class: "secondary", onclick: () => go("test") }, "Next: test")),
      saveSlot));
  };
  const form = h("form", { class: "card" }, h("div", { class: "row" }, field("Source endpoint", source), field("Destination endpoint", dest),
    h("button", { type: "submit", id: "run-map" }, "Map fields")), slot);
  form.addEventListener("submit", (event) => { event.preventDefault(); runMap(); });
  add(view, h("h2", {}, "4 Map and review the fields"), form, notes, review,
    h("div", { class: "card" }, h("h3", {}, "Preview"), h("button", { type: "button", class: "secondary", onclick: () => preview(previewSlot) }, "Refresh preview"), previewSlot),
    manifest);
  if (S.map) { showReview(); preview(previewSlot); }
  if (S.yaml) fill(manifest, manifestView());
}

// -- 5 test --------------------------------------------------------------------------------------------------------

// A test artifact's failures: {field, problem, count, example, suggestion}; the most frequent is the worst.
const weight = (failure) => failure.count ?? 0;

function history(slot) {
  return act(slot, "Loading the test history", () => call("GET", `${it()}/tests`), (body) => {
    const runs = body.data || [];
    if (!runs.length) { add(slot, h("p", {}, "No test run yet.")); return; }
    const latest = runs[0];
    const failures = [...(latest.failures || [])].sort((a, b) => weight(b) - weight(a));
    add(slot, h("h3", {}, "Health score"), h("div", { id: "health" }, describe(latest.health_score)),
      h("h3", {}, "Failures, worst first"),
      failures.length ? h("ol", { id: "failures" }, failures.map((f) => h("li", {},
        h("strong", {}, `${f.count ?? 1}x ${f.field || "?"} [${f.problem || "?"}]`), f.example && h("p", {}, f.example),
        f.suggestion && h("p", {}, "Fix: ", f.suggestion),
        h("details", {}, h("summary", {}, "details"), describe(f))))) : h("p", { class: "ok" }, "No failures."),
      h("h3", {}, "History (newest first)"),
      h("div", { class: "scroll" }, h("table", { id: "test-history" },
        h("thead", {}, h("tr", {}, ["when", "version", "overall", "passed", "failures"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, runs.map((run) => h("tr", {}, h("td", {}, run.created_at || "—"), h("td", { class: "mono" }, run.version || "—"),
          h("td", {}, run.health_score?.overall ?? "—"), h("td", {}, String(run.passed)), h("td", {}, (run.failures || []).length)))))));
  });
}

function viewTest(view) {
  const size = h("input", { type: "number", id: "test-size", min: 1, max: 100, value: 5 });
  const skip = h("input", { type: "checkbox", id: "test-skip", checked: true });
  // Optional sandboxes (a Prism mock, say) for this run's shadow calls; not saved in the manifest
  const sandboxes = ["source", "dest"].map((side) => h("input", { type: "url", id: `sandbox-${side}`, placeholder: "http://127.0.0.1:4010" }));
  const slot = h("div");
  const past = h("div", { id: "tests" });
  const form = h("form", { class: "card" }, h("div", { class: "row" }, field("Sample size", size),
    h("div", {}, h("label", { class: "inline" }, skip, "Skip destructive calls"))),
  h("div", { class: "row" }, field("Source sandbox URL (optional)", sandboxes[0]), field("Destination sandbox URL (optional)", sandboxes[1])),
  h("p", {}, h("button", { type: "submit", id: "run-test" }, "Run tests")), slot);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { test_sample_size: Number(size.value), skip_destructive: skip.checked };
    if (sandboxes[0].value) body.source_sandbox_url = sandboxes[0].value;
    if (sandboxes[1].value) body.dest_sandbox_url = sandboxes[1].value;
    act(slot, "Testing", () => call("POST", `${it()}/test`, body), async (answer) => {
      add(slot, h("p", { class: "ok", id: "tested" }, `${answer.data.passed_tests} of ${answer.data.test_count} passed; health ${answer.data.health_score.overall}`),
        h("button", { type: "button", id: "to-deploy", onclick: () => go("deploy") }, "Next: deploy"));
    }).then(() => Promise.all([refresh(), history(past)]));
  });
  add(view, h("h2", {}, "5 Test on synthetic records"), form, h("div", { class: "card" }, past));
  history(past);
}

// -- 6 deploy ------------------------------------------------------------------------------------------------------

function manifestTarget() {
  const found = /^deploy:\s*\{[^}]*\btarget:\s*([\w-]+)/m.exec(S.yaml || "") || /^deploy:\s*\n(?:[ \t]+.*\n)*?[ \t]+target:\s*([\w-]+)/m.exec(S.yaml || "");
  return found ? found[1] : "process (default)";
}

function serviceView(url) {
  const info = S.info || {};
  const link = url || info.service_url;
  return h("div", { class: "card", id: "service" }, h("h3", {}, "Service"),
    h("dl", { class: "kv" }, h("dt", {}, "state"), h("dd", { id: "service-state" }, info.service || "—", info.service_detail ? ` (${info.service_detail})` : ""),
      h("dt", {}, "URL"), h("dd", {}, link ? h("a", { href: link, rel: "noopener noreferrer", target: "_blank", id: "service-url" }, link) : "—"),
      h("dt", {}, "health"), h("dd", {}, link ? h("a", { href: `${link.replace(/\/$/, "")}/health`, rel: "noopener noreferrer", target: "_blank", id: "service-health" }, "/health") : "—")),
    h("p", { class: "muted" }, "The service runs on its own origin: the page shows its state from the API and links to its /health."));
}

async function viewDeploy(view) {
  if (!S.yaml) await loadManifest();
  const replicas = h("input", { type: "number", id: "deploy-replicas", min: 1, max: 100, value: 1 });
  const memory = h("input", { type: "number", id: "deploy-memory", min: 64, max: 65536, value: 256 });
  const cpu = h("input", { type: "number", id: "deploy-cpu", min: 0.1, max: 64, step: 0.1, value: 0.5 });
  const scale = h("input", { type: "checkbox", id: "deploy-autoscale" });
  const target = h("input", { type: "text", id: "deploy-target", readonly: true, value: manifestTarget() });
  const slot = h("div");
  const service = h("div");
  const showService = (url) => fill(service, serviceView(url),
    h("button", { type: "button", id: "stop-service", class: "secondary", onclick: stop }, "Stop the service"));
  const stop = () => act(slot, "Stopping", () => call("POST", `${it()}/stop`, {}), async () => {
    await refresh();
    showService();
    add(slot, h("p", { id: "stopped" }, `Stopped: service ${S.info?.service}`));
  });
  const form = h("form", { class: "card" }, field("Target (from the manifest)", target),
    h("div", { class: "row" }, field("Replicas", replicas), field("Memory (MB)", memory), field("CPU cores", cpu),
      h("div", {}, h("label", { class: "inline" }, scale, "Auto-scale"))),
    h("p", {}, h("button", { type: "submit", id: "run-deploy" }, "Deploy")), slot);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { replicas: Number(replicas.value), memory_mb: Number(memory.value), cpu_cores: Number(cpu.value), auto_scale: scale.checked };
    act(slot, "Deploying", () => call("POST", `${it()}/deploy`, body), async (answer) => {
      await refresh();
      add(slot, h("p", { class: "ok", id: "deployed" }, `Deployed on ${answer.data.target} in ${answer.data.deployment_time_seconds.toFixed(1)} s`));
      showService(answer.data.service_url);
    });
  });
  add(view, h("h2", {}, "6 Deploy"), form, service);
  if (S.info && S.info.service !== "-") showService();
}

const VIEWS = { start: viewStart, discover: viewDiscover, create: viewCreate, ingest: viewIngest, map: viewMap, test: viewTest, deploy: viewDeploy };

function start() {
  takeToken();
  whenUnauthorized(() => {
    $("token-panel").hidden = false;
    $("view").hidden = true;
    $("token-input").focus();
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("token-input").value);
    $("token-input").value = "";
    $("token-panel").hidden = true;
    $("view").hidden = false;
    refresh();
    render();
  });
  $("home-link").addEventListener("click", (event) => { event.preventDefault(); reset(); go("start"); });
  render();
}

start();
