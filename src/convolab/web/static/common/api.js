// Fetch helpers for the JSON API. Errors are thrown as ApiError with the server's message
// (already in the page's language), so the page can show it as it is.
import { lang, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(message, status = 0, code = "network") {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** Add ?lang=<page language> to an API URL (error messages come back in that language). */
export function withLang(url) {
  const u = new URL(url, window.location.origin);
  if (!u.searchParams.has("lang")) u.searchParams.set("lang", lang());
  return u.pathname + u.search;
}

async function handle(response, binary = false) {
  const type = response.headers.get("content-type") || "";
  if (!response.ok) {
    let message = t("common.err_unexpected", { detail: response.status });
    let code = "http_error";
    if (type.includes("application/json")) {
      const body = await response.json().catch(() => null);
      if (body && body.error) { message = body.error; code = body.code || code; }
    }
    throw new ApiError(message, response.status, code);
  }
  if (binary) return { buffer: await response.arrayBuffer(), headers: response.headers };
  if (type.includes("application/json")) return response.json();
  return response.blob();
}

async function request(url, options, binary = false) {
  let response;
  try {
    response = await fetch(withLang(url), options);
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(t("common.err_network"));
  }
  return handle(response, binary);
}

/** GET JSON. options.signal: an AbortSignal. */
export function getJSON(url, { signal } = {}) {
  return request(url, { headers: { Accept: "application/json" }, signal });
}

/**
 * POST a JSON body, get JSON back. options.signal: an AbortSignal. With options.binary the
 * answer is not parsed: {buffer: ArrayBuffer, headers} (errors still throw ApiError).
 */
export function postJSON(url, body, { signal, binary = false } = {}) {
  return request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: binary ? "*/*" : "application/json" },
    body: JSON.stringify(body),
    signal,
  }, binary);
}

/** POST raw bytes (a Blob or File, sent as they are), get JSON back. */
export function postBytes(url, blob, { signal } = {}) {
  return request(url, {
    method: "POST",
    headers: { "Content-Type": blob.type || "application/octet-stream", Accept: "application/json" },
    body: blob,
    signal,
  });
}

/** True for the error a fetch throws when its AbortController was aborted. */
export function isAbort(err) {
  return Boolean(err) && err.name === "AbortError";
}

/**
 * Keep only the latest call: each call aborts the previous one that is still running.
 * `latest(fn)` returns a function (args...) => fn(signal, ...args).
 */
export function latest(fn) {
  let controller = null;
  return async (...args) => {
    if (controller) controller.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      return await fn(mine.signal, ...args);
    } finally {
      if (controller === mine) controller = null;
    }
  };
}
