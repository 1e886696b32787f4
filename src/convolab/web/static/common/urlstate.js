// Page state in the query string, so every view can be linked and opened directly.
// A state is described by its defaults: the type of each default decides how the value
// is read back (number, boolean, string). Values equal to the default are left out of the URL.
// Parameters the state does not know (such as embed=1) are kept as they are.

function parse(raw, def) {
  if (typeof def === "number") {
    const n = Number(raw);
    return raw !== "" && Number.isFinite(n) ? n : def;
  }
  if (typeof def === "boolean") return raw === "1" || raw === "true";
  return raw;
}

function format(value) {
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

/** Read the state from the URL: {key: value} for every key of `defaults`. */
export function readState(defaults, search = window.location.search) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const [key, def] of Object.entries(defaults)) {
    state[key] = params.has(key) ? parse(params.get(key), def) : def;
  }
  return state;
}

/** The query string (with "?", or "") for a state. */
export function stateQuery(state, defaults, search = window.location.search) {
  const params = new URLSearchParams(search);
  for (const [key, def] of Object.entries(defaults)) {
    const value = state[key];
    if (value === undefined || value === null || format(value) === format(def)) params.delete(key);
    else params.set(key, format(value));
  }
  const q = params.toString();
  return q ? `?${q}` : "";
}

/** Write the state into the URL without a new history entry (replaceState). */
export function writeState(state, defaults) {
  const q = stateQuery(state, defaults);
  const url = window.location.pathname + q + window.location.hash;
  if (url !== window.location.pathname + window.location.search + window.location.hash) {
    window.history.replaceState(null, "", url);
  }
  // Keep the language switch pointing at the same state.
  for (const a of document.querySelectorAll("a[data-lang-switch]")) {
    const target = new URL(a.href, window.location.origin);
    a.href = target.pathname + q;
  }
  const full = document.querySelector(".embed-open a");
  if (full) {
    const params = new URLSearchParams(q);
    params.delete("embed");
    const fq = params.toString();
    full.href = window.location.pathname + (fq ? `?${fq}` : "");
  }
}
