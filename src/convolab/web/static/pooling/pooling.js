// ReLU and max pooling, one window at a time. The server (convolab.pooling) computes every
// number; this page draws the three grids and moves the window. State in the URL.

import { getJSON, isAbort, latest } from "/static/common/api.js";
import { t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";

const $ = (id) => document.getElementById(id);
const DEFAULTS = { sample: "camera", filter: "sobel-x", side: 8, size: 2, step: 1 };
const state = readState(DEFAULTS);
const root = $("pooling");
let data = null;
const fetchLatest = latest((signal, url) => getJSON(url, { signal }));

const number = (v) => (Object.is(v, -0) ? 0 : v).toLocaleString(document.documentElement.lang || "nl", { useGrouping: false });

function table(container, values, decorate) {
  const tbl = document.createElement("table");
  const body = document.createElement("tbody");
  values.forEach((row, r) => {
    const tr = document.createElement("tr");
    row.forEach((v, c) => {
      const td = document.createElement("td");
      td.textContent = number(v);
      td.dataset.r = String(r);
      td.dataset.c = String(c);
      decorate(td, v, r, c);
      tr.append(td);
    });
    body.append(tr);
  });
  tbl.append(body);
  container.replaceChildren(tbl);
}

function draw() {
  if (!data) return;
  const n = data.steps.length;
  state.step = Math.min(Math.max(0, Number(state.step) || 0), n);
  writeState(state, DEFAULTS);
  const current = state.step > 0 ? data.steps[state.step - 1] : null;
  const inWin = (r, c) => current && r >= current.rows[0] && r < current.rows[1] && c >= current.cols[0] && c < current.cols[1];
  table($("pl-map"), data.feature_map, (td, v) => { if (v < 0) td.classList.add("pl-neg"); });
  table($("pl-relu"), data.relu, (td, v, r, c) => {
    if (inWin(r, c)) td.classList.add("pl-win");
    if (current && r === current.at[0] && c === current.at[1]) td.classList.add("pl-max");
  });
  const done = new Set(data.steps.slice(0, state.step).map((s) => `${s.out[0]},${s.out[1]}`));
  table($("pl-pooled"), data.pooled, (td, v, r, c) => {
    if (!done.has(`${r},${c}`)) td.classList.add("pl-todo");
    if (current && r === current.out[0] && c === current.out[1]) td.classList.add("pl-now");
  });
  root.dataset.step = String(state.step);
  root.dataset.steps = String(n);
  $("pl-step").textContent = current
    ? t("pooling.step_text", {
      step: state.step, n, values: current.values.flat().map(number).join(", "), max: number(current.max),
      row: current.out[0] + 1, col: current.out[1] + 1,
    })
    : t("pooling.step_zero", { n });
  $("pl-first").disabled = $("pl-prev").disabled = state.step === 0;
  $("pl-last").disabled = $("pl-next").disabled = state.step === n;
}

async function load() {
  const q = new URLSearchParams({ sample: state.sample, filter: state.filter, side: state.side, size: state.size });
  try {
    data = await fetchLatest(`/api/pooling?${q}&lang=${document.documentElement.lang || "nl"}`);
    $("pl-error").hidden = true;
    root.dataset.ready = "1";
    draw();
  } catch (err) {
    if (isAbort(err)) return;
    $("pl-error").hidden = false;
    $("pl-error").textContent = err.message;
  }
}

function init() {
  for (const k of ["sample", "filter", "side", "size"]) {
    const el = $(`pl-${k}`);
    if ([...el.options].some((o) => o.value === String(state[k]))) el.value = String(state[k]);
    else state[k] = DEFAULTS[k];
    el.addEventListener("change", () => {
      state[k] = typeof DEFAULTS[k] === "number" ? Number(el.value) : el.value;
      state.step = 1;
      load();
    });
  }
  const go = (to) => { state.step = to(); draw(); };
  $("pl-first").addEventListener("click", () => go(() => 0));
  $("pl-prev").addEventListener("click", () => go(() => state.step - 1));
  $("pl-next").addEventListener("click", () => go(() => state.step + 1));
  $("pl-last").addEventListener("click", () => go(() => data.steps.length));
  load();
}

init();
