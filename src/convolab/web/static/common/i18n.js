// Strings of the page's language, handed over by the server as
// <script type="application/json" id="i18n-<feature>"> blocks (see web/i18n.py).
const cache = new Map();

function catalog(feature) {
  if (!cache.has(feature)) {
    const el = document.getElementById(`i18n-${feature}`);
    cache.set(feature, el ? JSON.parse(el.textContent) : {});
  }
  return cache.get(feature);
}

/** Translate "feature.key", filling {name} placeholders from params. */
export function t(key, params = {}) {
  const dot = key.indexOf(".");
  const text = catalog(key.slice(0, dot))[key.slice(dot + 1)];
  if (text === undefined) return key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** The page's language ("nl" or "en"). */
export function lang() {
  return document.documentElement.lang || "nl";
}

/** A filter cell as text in the page's language: 0.002969 becomes 0,002969 on a Dutch page
 * (the decimal comma of every other number there); fractions and whole numbers stay. */
export function cellText(text) {
  const s = String(text);
  return lang() === "nl" ? s.replace(/(\d)\.(\d)/g, "$1,$2") : s;
}
