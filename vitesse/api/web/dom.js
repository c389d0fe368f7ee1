// Small DOM helpers: elements from text only (never innerHTML), the error envelope with Retry, generic views.

export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "class") element.className = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child != null && child !== false) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// append / replaceChildren that skip null, undefined and false (`cond && element` arguments)
const kept = (children) => children.flat(Infinity).filter((child) => child != null && child !== false);
export const add = (element, ...children) => element.append(...kept(children));
export const fill = (element, ...children) => element.replaceChildren(...kept(children));

let counter = 0;
export const uid = (stem) => `${stem}-${++counter}`;

// A labelled control: field("Name", h("input", {...})) -> <div><label for=id>Name</label><input id=id></div>.
export function field(label, control) {
  if (!control.id) control.id = uid("f");
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

export function failure(result, retry) {
  const { status, error, http_status } = result.body || {};
  return h("div", { class: "error", role: "alert" },
    h("strong", {}, `Failed (HTTP ${result.status})`),
    h("pre", { class: "envelope" }, JSON.stringify({ status, error, http_status }, null, 2)),
    retry && h("button", { type: "button", class: "secondary retry", onclick: retry }, "Retry"));
}

// Run `request` with a busy line in `slot`; a failure shows the envelope and a Retry button that runs it again.
export async function act(slot, label, request, done) {
  const attempt = async () => {
    fill(slot, h("p", { class: "busy" }, `${label}…`));
    const result = await request();
    if (!result.ok) {
      fill(slot, failure(result, attempt));
      return false;
    }
    fill(slot, );
    await done(result.body, slot);
    return true;
  };
  return attempt();
}

export function debounce(callback, ms = 250) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => callback(...args), ms);
  };
}

// Any JSON value, readably: scalars as text, objects as <dl>, lists of objects as a table.
export function describe(value) {
  if (value == null) return h("span", { class: "muted" }, "—");
  if (Array.isArray(value)) {
    if (!value.length) return h("span", { class: "muted" }, "none");
    if (value.every((item) => item && typeof item === "object" && !Array.isArray(item))) {
      const keys = [...new Set(value.flatMap(Object.keys))];
      return h("div", { class: "scroll" }, h("table", {},
        h("thead", {}, h("tr", {}, keys.map((key) => h("th", { scope: "col" }, key)))),
        h("tbody", {}, value.map((item) => h("tr", {}, keys.map((key) => h("td", {}, scalar(item[key]))))))));
    }
    return h("span", {}, value.map(scalar).join(", "));
  }
  if (typeof value === "object") {
    return h("dl", { class: "kv" }, Object.entries(value).flatMap(([key, item]) => [h("dt", {}, key), h("dd", {}, describe(item))]));
  }
  return h("span", {}, String(value));
}

function scalar(value) {
  if (value == null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
