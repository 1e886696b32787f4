// The signals page. The server (convolab.signals) computes everything: the result of the
// kernel on the whole signal, the heartbeats, the step trace and the sounds. This file keeps
// the state in the URL, fetches, and draws.

import { getJSON, isAbort, latest, withLang } from "/static/common/api.js";
import { lang, t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";
import { drawBars, drawChart, PAD } from "./chart.js";

const $ = (id) => document.getElementById(id);
const CONFIG = JSON.parse($("sg-config").textContent);
const DEFAULTS = CONFIG.defaults;
const KERNELS = Object.fromEntries(CONFIG.kernels.map((k) => [k.id, k]));
const SIGNALS = Object.fromEntries(CONFIG.signals.map((s) => [s.id, s]));
const PARAM_NAMES = ["n", "size", "sigma", "m", "start", "length"];
const PRESETS = {
  ecg: { kernel: "moving-average", n: 9, causal: false, border: "zero" },
  audio: { kernel: "moving-average", n: 9, causal: false, border: "zero" },
  sensor: { kernel: "moving-average", n: 24, causal: false, border: "replicate" },
  price: { kernel: "moving-average", n: 12, causal: true, border: "replicate" },
};
const ICON_PLAY = "M4 2.5v11l9.5-5.5z";
const ICON_PAUSE = "M3.5 3h3v10h-3zM9.5 3h3v10h-3z";
const TAB_LIMIT = 15; // kernels up to this many taps are shown as a table of numbers

const state = readState(DEFAULTS);
let data = null; // the decoded answer of /api/signals/filter
let answer = null;
let view = null; // {v0, v1} in sample positions
let step = null; // the current explain step
let playing = false;
let timer = null;
let frame = 0;
let reloadTimer = 0;

const NF = new Intl.NumberFormat(lang(), { maximumSignificantDigits: 4 });
const NF1 = new Intl.NumberFormat(lang(), { maximumFractionDigits: 1 });
function num(v) {
  const s = NF.format(v);
  return /^-0([.,]0*)?$/.test(s) ? "0" : s;
}

function f32(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

// ---- state <-> form ------------------------------------------------------------------------

function query(extra = {}) {
  const q = new URLSearchParams();
  const k = state.kernel;
  q.set("signal", state.signal);
  q.set("kernel", k);
  if (k === "custom") q.set("taps", state.taps);
  const params = (KERNELS[k] && KERNELS[k].params.map((p) => p.name)) || [];
  for (const name of params) {
    let v = state[name];
    if ((name === "start" || name === "length") && v < 0) v = templateDefault()[name];
    q.set(name, String(v));
  }
  for (const name of ["mode", "padding", "border", "stride", "dilation"]) q.set(name, String(state[name]));
  if (state.causal) {
    // only the past: the window ends at each sample (the other options are fixed)
    q.set("causal", "true");
    q.set("mode", "correlate");
    q.set("padding", "same");
    q.set("stride", "1");
  }
  if (state.stage && SIGNALS[state.signal].kind === "ecg") q.set("stage", state.stage);
  for (const [key, v] of Object.entries(extra)) q.set(key, String(v));
  return q.toString();
}

function templateDefault() {
  return CONFIG.templates[state.signal] || { start: 0, length: 20 };
}

function stateToForm() {
  $("sg-signal").value = state.signal in SIGNALS ? state.signal : "ecg";
  $("sg-kernel").value = state.kernel in KERNELS || state.kernel === "custom" ? state.kernel : "moving-average";
  for (const name of PARAM_NAMES) {
    let v = state[name];
    if ((name === "start" || name === "length") && v < 0) v = templateDefault()[name];
    $(`sg-${name}`).value = String(v);
  }
  $("sg-taps").value = state.taps;
  $(`sg-mode-${state.mode === "convolve" ? "convolve" : "correlate"}`).checked = true;
  for (const name of ["padding", "border", "stride", "dilation", "scale", "stage"]) {
    $(`sg-${name}`).value = String(state[name]);
  }
  $("sg-causal").checked = Boolean(state.causal);
  showKernelFields();
}

function showKernelFields() {
  const k = state.kernel;
  const names = k === "custom" ? ["taps"] : (KERNELS[k] ? KERNELS[k].params.map((p) => p.name) : []);
  for (const el of document.querySelectorAll(".sg-param")) el.hidden = !names.includes(el.dataset.param);
  $("sg-template-here").hidden = k !== "template";
  const entry = KERNELS[k];
  $("sg-about").textContent = entry ? entry[lang() === "en" ? "about_en" : "about_nl"] : "";
  const kind = SIGNALS[state.signal].kind;
  $("sg-kind-text").textContent = t(`signals.kind_${kind}`);
  $("sg-beats").hidden = kind !== "ecg";
  $("sg-audio").hidden = kind !== "audio";
  const stageOn = kind === "ecg" && state.stage;
  $("sg-player").hidden = Boolean(stageOn);
  for (const id of ["sg-padding", "sg-stride", "sg-mode-correlate", "sg-mode-convolve"]) {
    $(id).disabled = Boolean(state.causal) || Boolean(stageOn);
  }
}

function formToState() {
  const prevSignal = state.signal;
  state.signal = $("sg-signal").value;
  state.kernel = $("sg-kernel").value;
  for (const name of PARAM_NAMES) {
    const v = Number($(`sg-${name}`).value);
    if ($(`sg-${name}`).value !== "" && Number.isFinite(v)) state[name] = v;
  }
  state.taps = $("sg-taps").value;
  state.mode = $("sg-mode-convolve").checked ? "convolve" : "correlate";
  state.padding = $("sg-padding").value;
  state.border = $("sg-border").value;
  state.stride = Number($("sg-stride").value) || 1;
  state.dilation = Number($("sg-dilation").value) || 1;
  state.causal = $("sg-causal").checked;
  state.scale = $("sg-scale").value;
  state.stage = $("sg-stage").value;
  if (state.signal !== prevSignal) {
    Object.assign(state, PRESETS[SIGNALS[state.signal].kind]);
    state.start = -1;
    state.length = -1;
    state.stage = "";
    state.from = -1;
    state.to = -1;
    state.at = -1;
    stateToForm();
  }
}

// ---- fetching ----------------------------------------------------------------------------

const fetchFilter = latest((signal, q) => getJSON(`/api/signals/filter?${q}`, { signal }));
const originals = new Map(); // signal id -> the answer of /api/signals/values

async function original(id) {
  if (!originals.has(id)) originals.set(id, await getJSON(`/api/signals/values?signal=${encodeURIComponent(id)}`));
  return originals.get(id);
}
const fetchExplain = latest((signal, q) => getJSON(`/api/signals/explain?${q}`, { signal }));

function showError(err) {
  $("sg-message").textContent = err ? err.message : "";
}

async function load() {
  showKernelFields();
  writeState(state, DEFAULTS);
  $("sg-chart").setAttribute("aria-busy", "true");
  let a;
  let o;
  try {
    [a, o] = await Promise.all([fetchFilter(query()), original(state.signal)]);
  } catch (err) {
    if (isAbort(err)) return;
    stop();
    showError(err);
    $("sg-chart").setAttribute("aria-busy", "false");
    return;
  }
  showError(null);
  answer = a;
  const s = a.signal;
  const res = a.result;
  if (!o.decoded) o.decoded = f32(o.values_f32);
  data = {
    orig: o.decoded,
    res: f32(res.values_f32),
    thr: res.threshold_f32 ? f32(res.threshold_f32) : null,
    resFirst: res.first,
    resStep: res.step,
    rate: s.rate,
    datesMs: o.dates_ms,
    beats: a.beats ? a.beats.peaks : null,
  };
  const n = data.orig.length;
  if (!view || view.n !== n || view.signal !== s.id) {
    // a 5-minute ECG is 500 beats: start with the first 10 seconds, so beats can be seen
    const first = s.kind === "ecg" ? Math.min(n - 1, Math.round(10 * s.rate)) : n - 1;
    const v0 = state.from >= 0 ? state.from : 0;
    const v1 = state.to > v0 ? Math.min(state.to, n - 1) : first;
    view = { v0, v1, n, signal: s.id };
  }
  $("sg-chart").setAttribute("aria-busy", "false");
  $("sg-chart").dataset.samples = String(n);
  $("sg-chart").dataset.resultLength = String(res.length);
  $("sg-legend-beat-key").hidden = $("sg-legend-beat").hidden = !data.beats;
  $("sg-legend-thr-key").hidden = $("sg-legend-thr").hidden = !data.thr;
  $("sg-legend-res").textContent = state.stage ? t(`signals.stage_${state.stage}`) : t("signals.result");
  showBeats();
  showLag();
  showAudio();
  const at = $("sg-at");
  at.max = String(res.length - 1);
  let pos = state.at;
  if (!(pos >= 0 && pos < res.length)) pos = outputAt((view.v0 + view.v1) / 2);
  at.value = String(pos);
  redraw();
  await explainAt(pos);
}

function outputAt(p) {
  const j = Math.round((p - data.resFirst) / data.resStep);
  return Math.max(0, Math.min(data.res.length - 1, j));
}

function scheduleLoad() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(load, 200);
}

// ---- the chart ---------------------------------------------------------------------------

function ownScale() {
  if (state.scale === "own") return true;
  if (state.scale === "same") return false;
  if (state.stage) return true;
  const sum = answer ? answer.kernel.sum : 1;
  return !(sum > 0.5 && sum < 2);
}

function redraw() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (!data) return;
    const opts = {
      ownScale: ownScale(),
      lang: lang(),
      unit: answer.signal.unit,
      fmt: num,
      band: step ? [Math.min(...step.positions), Math.max(...step.positions)] : null,
      // where this output is drawn on the time axis (the window's end for "only the past")
      anchor: step ? data.resFirst + step.at * data.resStep : null,
      anchorValue: step ? step.sum : null,
    };
    drawChart($("sg-chart"), data, view, opts);
    describeView();
  });
}

function describeView() {
  const n = data.orig.length;
  const i0 = Math.max(0, Math.ceil(view.v0));
  const i1 = Math.min(n - 1, Math.floor(view.v1));
  const count = Math.max(0, i1 - i0 + 1);
  let text;
  if (data.datesMs) {
    const df = new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeZone: "UTC" });
    text = t("signals.view_dates", { from: df.format(new Date(data.datesMs[i0])), to: df.format(new Date(data.datesMs[i1])), count, total: n });
  } else {
    const nf = new Intl.NumberFormat(lang(), { maximumFractionDigits: 2 });
    text = t("signals.view_seconds", { from: nf.format(i0 / data.rate), to: nf.format(i1 / data.rate), count, total: n });
  }
  $("sg-view").textContent = text;
  $("sg-chart").dataset.view = `${Math.round(view.v0)},${Math.round(view.v1)}`;
  if (data.beats) showBeatsInView(i0, i1);
}

function setView(v0, v1) {
  const n = data.orig.length;
  const minSpan = Math.min(n - 1, 20);
  let span = Math.max(minSpan, Math.min(n - 1, v1 - v0));
  v0 = Math.max(0, Math.min(v0, n - 1 - span));
  view.v0 = v0;
  view.v1 = v0 + span;
  state.from = Math.round(view.v0);
  state.to = Math.round(view.v1);
  if (state.from === 0 && state.to === defaultEnd()) { state.from = -1; state.to = -1; }
  writeState(state, DEFAULTS);
  redraw();
}

function defaultEnd() {
  const n = data.orig.length;
  return answer.signal.kind === "ecg" ? Math.min(n - 1, Math.round(10 * answer.signal.rate)) : n - 1;
}

function zoom(factor, centre = (view.v0 + view.v1) / 2) {
  const a = centre - (centre - view.v0) * factor;
  const b = centre + (view.v1 - centre) * factor;
  setView(a, b);
}

function pan(fraction) {
  const span = view.v1 - view.v0;
  setView(view.v0 + span * fraction, view.v1 + span * fraction);
}

function sampleAtX(clientX) {
  const c = $("sg-chart");
  const r = c.getBoundingClientRect();
  const w = r.width - PAD.left - PAD.right;
  const frac = (clientX - r.left - PAD.left) / w;
  return view.v0 + Math.max(0, Math.min(1, frac)) * (view.v1 - view.v0);
}

function wireChart() {
  const c = $("sg-chart");
  c.addEventListener("wheel", (e) => {
    if (!data) return;
    e.preventDefault();
    zoom(e.deltaY < 0 ? 0.8 : 1.25, sampleAtX(e.clientX));
  }, { passive: false });
  let drag = null;
  c.addEventListener("pointerdown", (e) => {
    if (!data) return;
    drag = { x: e.clientX, v0: view.v0, v1: view.v1, moved: false };
    c.setPointerCapture(e.pointerId);
  });
  c.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (!drag.moved) return;
    const w = c.getBoundingClientRect().width - PAD.left - PAD.right;
    const shift = (-dx / w) * (drag.v1 - drag.v0);
    setView(drag.v0 + shift, drag.v1 + shift);
  });
  c.addEventListener("pointerup", (e) => {
    if (drag && !drag.moved) goTo(outputAt(sampleAtX(e.clientX)));
    drag = null;
  });
  c.addEventListener("keydown", (e) => {
    if (!data) return;
    const keys = { "+": () => zoom(0.8), "=": () => zoom(0.8), "-": () => zoom(1.25), ArrowLeft: () => pan(-0.2), ArrowRight: () => pan(0.2), Home: () => setView(0, data.orig.length - 1) };
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });
  $("sg-zoom-in").addEventListener("click", () => data && zoom(0.8));
  $("sg-zoom-out").addEventListener("click", () => data && zoom(1.25));
  $("sg-pan-left").addEventListener("click", () => data && pan(-0.2));
  $("sg-pan-right").addEventListener("click", () => data && pan(0.2));
  $("sg-zoom-all").addEventListener("click", () => data && setView(0, data.orig.length - 1));
  window.addEventListener("resize", redraw);
}

// ---- ECG beats, lag, audio -------------------------------------------------------------

function showBeats() {
  if (!answer.beats) return;
  const b = answer.beats;
  $("sg-bpm").textContent = t("signals.bpm", { count: b.count, bpm: NF1.format(b.bpm) });
}

function showBeatsInView(i0, i1) {
  const times = answer.beats.peaks.filter((p) => p >= i0 && p <= i1);
  const el = $("sg-bpm-view");
  if (times.length < 2) { el.textContent = t("signals.bpm_view_none"); return; }
  const secs = (times[times.length - 1] - times[0]) / data.rate;
  el.textContent = t("signals.bpm_view", { bpm: NF1.format((60 * (times.length - 1)) / secs) });
}

function showLag() {
  const kind = answer.signal.kind;
  const smooth = answer.kernel.sum > 0.5 && answer.kernel.sum < 2;
  const show = (state.causal && answer.lag !== null) || (kind === "price" && smooth && !state.stage);
  $("sg-lag").hidden = !show;
  if (!show) return;
  if (state.causal && answer.lag !== null) {
    const unit = kind === "price" ? "unit_month" : kind === "sensor" ? "unit_hour" : "unit_sample";
    $("sg-lag-text").textContent = t("signals.lag_causal", {
      n: answer.kernel.span - 1,
      lag: NF1.format(answer.lag),
      unit: t(`signals.${unit}`),
    });
  } else {
    $("sg-lag-text").textContent = t("signals.lag_centred");
  }
}

function showAudio() {
  if (answer.signal.kind !== "audio") return;
  const orig = $("sg-audio-original");
  const filt = $("sg-audio-filtered");
  const o = withLang(`/api/signals/audio.wav?${query({ which: "original" })}`);
  const f = withLang(`/api/signals/audio.wav?${query({ which: "filtered" })}`);
  if (orig.getAttribute("src") !== o) orig.src = o;
  if (filt.getAttribute("src") !== f) { filt.pause(); filt.src = f; }
}

// ---- the step player ---------------------------------------------------------------------

async function explainAt(pos) {
  if (state.stage) { step = null; clearStrip(); redraw(); return; }
  let a;
  try {
    a = await fetchExplain(query({ at: pos, count: 1 }));
  } catch (err) {
    if (isAbort(err)) return;
    stop();
    showError(err);
    return;
  }
  step = a.steps[0];
  state.at = pos;
  writeState(state, DEFAULTS);
  $("sg-at").value = String(pos);
  drawStrip(a.out_len);
  // keep the kernel in view while playing
  const lo = Math.min(...step.positions);
  const hi = Math.max(...step.positions);
  if (playing && (hi > view.v1 || lo < view.v0)) {
    const span = view.v1 - view.v0;
    setView(lo - span * 0.1, lo + span * 0.9);
  }
  redraw();
}

function timeText(p) {
  if (data.datesMs) {
    const i = Math.max(0, Math.min(data.datesMs.length - 1, p));
    return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: data.rate ? "short" : undefined, timeZone: "UTC" }).format(new Date(data.datesMs[i]));
  }
  return `${new Intl.NumberFormat(lang(), { maximumFractionDigits: 3 }).format(p / data.rate)} s`;
}

function clearStrip() {
  $("sg-strip").replaceChildren();
  $("sg-bars").hidden = true;
  $("sg-sum-expr").textContent = "";
  $("sg-step-status").textContent = "";
}

function drawStrip(total) {
  const e = step;
  $("sg-step-status").textContent = t("signals.step_status", {
    at: e.at + 1, total, time: timeText(data.resFirst + e.at * data.resStep), sum: num(e.sum),
  });
  const table = $("sg-strip");
  const bars = $("sg-bars");
  const k = e.kernel.length;
  if (k <= TAB_LIMIT) {
    bars.hidden = true;
    table.hidden = false;
    const rows = [
      [t("signals.window"), e.window, true],
      [t("signals.kernel_row"), e.kernel, false],
      [t("signals.products"), e.products, true],
    ];
    table.replaceChildren(...rows.map(([label, vals, mark]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      tr.append(th);
      vals.forEach((v, i) => {
        const td = document.createElement("td");
        td.textContent = num(v);
        if (mark && e.padded[i]) {
          td.classList.add("sg-padded");
          const s = document.createElement("span");
          s.className = "visually-hidden";
          s.textContent = ` ${t("signals.padded_cell")}`;
          td.append(s);
        }
        tr.append(td);
      });
      return tr;
    }));
    const terms = e.products.map((v) => num(v));
    $("sg-sum-expr").textContent = `${terms.join(" + ").replace(/\+ -/g, "− ")} = ${num(e.sum)}`;
  } else {
    table.hidden = true;
    table.replaceChildren();
    bars.hidden = false;
    drawBars(bars, e, num, [t("signals.window"), t("signals.kernel_row"), t("signals.products")]);
    $("sg-sum-expr").textContent = t("signals.sum_short", { count: k, sum: num(e.sum) });
  }
}

function goTo(pos) {
  if (!data) return;
  pos = Math.max(0, Math.min(data.res.length - 1, pos));
  $("sg-at").value = String(pos);
  explainAt(pos);
}

function stepSize() {
  // about 150 steps across the visible part, so the window visibly slides
  const visibleOut = (view.v1 - view.v0) / data.resStep;
  return Math.max(1, Math.round(visibleOut / 150));
}

function play() {
  if (!data || state.stage) return;
  playing = true;
  $("sg-play").setAttribute("aria-pressed", "true");
  $("sg-play-icon").setAttribute("d", ICON_PAUSE);
  const tick = async () => {
    if (!playing) return;
    const next = Number($("sg-at").value) + stepSize();
    if (next >= data.res.length) { stop(); return; }
    await explainAt(next);
    if (playing) timer = setTimeout(tick, 120);
  };
  tick();
}

function stop() {
  playing = false;
  clearTimeout(timer);
  $("sg-play").setAttribute("aria-pressed", "false");
  $("sg-play-icon").setAttribute("d", ICON_PLAY);
}

function wirePlayer() {
  $("sg-play").addEventListener("click", () => (playing ? stop() : play()));
  $("sg-back").addEventListener("click", () => { stop(); goTo(Number($("sg-at").value) - stepSize()); });
  $("sg-forward").addEventListener("click", () => { stop(); goTo(Number($("sg-at").value) + stepSize()); });
  $("sg-at").addEventListener("input", () => { stop(); goTo(Number($("sg-at").value)); });
}

// ---- start -------------------------------------------------------------------------------

function wireForm() {
  const form = $("sg-form");
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("change", () => { stop(); formToState(); showKernelFields(); state.at = -1; load(); });
  form.addEventListener("input", (e) => {
    if (e.target.type === "number" || e.target.type === "text") { formToState(); state.at = -1; scheduleLoad(); }
  });
  $("sg-stage").addEventListener("change", () => { stop(); state.stage = $("sg-stage").value; showKernelFields(); load(); });
  $("sg-template-here").addEventListener("click", () => {
    const len = Number($("sg-length").value) || templateDefault().length;
    const start = Math.max(0, Math.round((view.v0 + view.v1) / 2 - len / 2));
    $("sg-start").value = String(start);
    formToState();
    load();
  });
}

stateToForm();
wireForm();
wireChart();
wirePlayer();
load();
