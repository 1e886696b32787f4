// The step-by-step player. One POST /api/steps returns the whole trace, computed by the core
// (convolab.steps): windows, products, sums, displayed values. This file only draws it.

import { isAbort, latest, postJSON } from "/static/common/api.js";
import { lang, t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";

const $ = (id) => document.getElementById(id);
const SERVER_DEFAULTS = JSON.parse($("pl-defaults").textContent);
const CATALOGUE = JSON.parse($("pl-catalogue").textContent);
const DEFAULTS = { ...SERVER_DEFAULTS, speed: 2, step: 0 };
const SPEEDS = [0.5, 1, 2, 4, 8];
const ICON_PLAY = "M4 2.5v11l9.5-5.5z";
const ICON_PAUSE = "M3.5 3h3v10h-3zM9.5 3h3v10h-3z";

const state = readState(DEFAULTS);
let trace = null; // the last answer of /api/steps
let step = Number.isInteger(state.step) && state.step > 0 ? state.step : 0;
let playing = false;
let timer = null;
let reloadTimer = null;
let lit = []; // input cells highlighted for the current step
let stepOf = new Map(); // "row,col" of an output cell -> step index

const NF2 = new Intl.NumberFormat(lang(), { maximumFractionDigits: 2, useGrouping: false });
const NF3 = new Intl.NumberFormat(lang(), { maximumFractionDigits: 3, useGrouping: false });
const NF1 = new Intl.NumberFormat(lang(), { maximumFractionDigits: 1, useGrouping: false });

/** A number as pupils read it (decimal comma in Dutch); never "-0". */
function num(v, nf = NF2) {
  const s = nf.format(v);
  return /^-0([.,]0*)?$/.test(s) ? "0" : s;
}

const fetchTrace = latest((signal, body) => postJSON("/api/steps", body, { signal }));

// ---- form <-> state -------------------------------------------------------------------------

function kernelText(id) {
  const entry = CATALOGUE[id];
  return entry ? entry.cells.map((row) => row.join(" ")).join("\n") : "";
}

function stateToForm() {
  $(`pl-source-${state.source === "grid" ? "grid" : "sample"}`).checked = true;
  $(`pl-mode-${state.mode === "convolve" ? "convolve" : "correlate"}`).checked = true;
  for (const k of ["sample", "row", "col", "size", "padding", "border", "stride", "dilation"]) {
    $(`pl-${k}`).value = String(state[k]);
  }
  $("pl-mapping").value = state.mapping || "";
  $("pl-grid").value = state.grid;
  const custom = state.filter === "custom" || !(state.filter in CATALOGUE);
  $("pl-filter").value = custom ? "custom" : state.filter;
  $("pl-kernel").value = custom ? state.kernel : kernelText(state.filter);
  $("pl-speed").value = String(SPEEDS.includes(state.speed) ? state.speed : 2);
  showSourceFields();
}

function showSourceFields() {
  const grid = state.source === "grid";
  $("pl-sample-fields").hidden = grid;
  $("pl-grid-fields").hidden = !grid;
  const entry = CATALOGUE[state.filter];
  $("pl-about").textContent = entry ? entry.about : "";
  const opt = $("pl-sample").selectedOptions[0];
  if (opt) {
    const size = Number($("pl-size").value);
    $("pl-row").max = String(Number(opt.dataset.height) - size);
    $("pl-col").max = String(Number(opt.dataset.width) - size);
  }
}

function onFormChange(e) {
  const el = e.target;
  if (el.name === "source" || el.name === "mode") state[el.name] = el.value;
  else if (el.id === "pl-filter") {
    state.filter = el.value;
    if (el.value !== "custom") $("pl-kernel").value = kernelText(el.value);
    state.kernel = el.value === "custom" ? $("pl-kernel").value : "";
  } else if (el.id === "pl-kernel") {
    // Editing the numbers makes it an own filter.
    state.filter = "custom";
    state.kernel = el.value;
    $("pl-filter").value = "custom";
  } else if (["pl-row", "pl-col", "pl-size", "pl-stride", "pl-dilation"].includes(el.id)) {
    const v = el.value.trim();
    state[el.name] = /^-?\d+$/.test(v) ? Number(v) : v;
  } else if (el.name in DEFAULTS) {
    state[el.name] = el.value;
  } else {
    return;
  }
  showSourceFields();
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(load, el.tagName === "TEXTAREA" ? 400 : 150);
}

function requestBody() {
  const b = {
    source: state.source,
    mode: state.mode,
    padding: state.padding,
    border: state.border,
    stride: state.stride,
    dilation: state.dilation,
    mapping: state.mapping || null,
  };
  if (state.source === "grid") b.grid = state.grid;
  else Object.assign(b, { sample: state.sample, row: state.row, col: state.col, size: state.size });
  if (state.filter === "custom") {
    b.filter = "custom";
    b.kernel = state.kernel;
  } else {
    b.filter = state.filter; // the server checks the name (and says so if it does not fit)
  }
  return b;
}

// ---- loading --------------------------------------------------------------------------------

async function load() {
  state.grid = $("pl-grid").value;
  $("pl-stage").setAttribute("aria-busy", "true");
  saveState();
  try {
    const data = await fetchTrace(requestBody());
    showError("");
    trace = data;
    build();
    goTo(Math.min(step, trace.steps.length - 1));
  } catch (err) {
    if (isAbort(err)) return; // a newer request is on its way
    pause();
    showError(err.message);
  }
  $("pl-stage").setAttribute("aria-busy", "false");
}

function showError(message) {
  $("pl-error").textContent = message;
  $("pl-stage").classList.toggle("stale", Boolean(message));
}

function saveState() {
  state.step = step;
  writeState(state, DEFAULTS);
}

// ---- building the grids (once per trace) ----------------------------------------------------

function grey(el, v) {
  el.style.backgroundColor = `rgb(${v},${v},${v})`;
  el.classList.toggle("light", v >= 118); // dark text on light cells: both ≥ 4.5:1 contrast
}

/** Cell size so that a grid fits the width of its panel (between 22 and 46 px). */
function fitCells(grid, columns) {
  const room = grid.closest(".pl-panel").clientWidth - 10;
  const size = Math.max(22, Math.min(46, Math.floor(room / Math.max(columns, 1))));
  grid.style.setProperty("--cell", `${size}px`);
}

function fitAll() {
  if (!trace) return;
  fitCells($("pl-input"), trace.padded_input[0].length);
  fitCells($("pl-output"), trace.out_shape[1]);
}

function build() {
  const d = trace;
  const [pt, , pl] = d.pads;
  const photo = d.source === "sample";
  const h = d.input.length;
  const w = d.input[0].length;
  const input = $("pl-input");
  const rows = d.padded_input.length;
  const cols = d.padded_input[0].length;
  input.style.setProperty("--cols", cols);
  const frag = document.createDocumentFragment();
  for (let pr = 0; pr < rows; pr++) {
    for (let pc = 0; pc < cols; pc++) {
      const r = pr - pt;
      const c = pc - pl;
      const v = d.padded_input[pr][pc];
      const cell = document.createElement("div");
      cell.className = "pl-cell";
      cell.style.gridArea = `${pr + 1} / ${pc + 1}`;
      if (r < 0 || r >= h || c < 0 || c >= w) cell.classList.add("pad");
      if (photo) grey(cell, v);
      const val = document.createElement("span");
      val.className = "v";
      val.textContent = num(v);
      const kw = document.createElement("span");
      kw.className = "kw";
      cell.append(val, kw);
      frag.append(cell);
    }
  }
  const box = document.createElement("div");
  box.className = "pl-window";
  box.id = "pl-window";
  frag.append(box);
  input.replaceChildren(frag);

  drawKernel($("pl-kernel-given"), d.kernel, d.kernel_cells);
  $("pl-applied-fig").hidden = d.mode !== "convolve";
  drawKernel($("pl-kernel-applied"), d.applied, null);

  const table = $("pl-products");
  table.replaceChildren();
  for (let i = 0; i < d.applied.length; i++) {
    const tr = table.insertRow();
    for (let j = 0; j < d.applied[0].length; j++) {
      const td = tr.insertCell();
      td.innerHTML = '<span class="w"></span> × <span class="k"></span><br><span class="p"></span>';
    }
  }

  const [oh, ow] = d.out_shape;
  const out = $("pl-output");
  out.style.setProperty("--cols", ow);
  stepOf = new Map(d.steps.map((s, i) => [s.at.join(","), i]));
  const ofrag = document.createDocumentFragment();
  for (let r = 0; r < oh; r++) {
    for (let c = 0; c < ow; c++) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "pl-out";
      b.dataset.r = r;
      b.dataset.c = c;
      b.tabIndex = -1;
      ofrag.append(b);
    }
  }
  out.replaceChildren(ofrag);
  fitAll();
  $("pl-scrub").max = String(d.steps.length - 1);
  $("pl-mapping-note").textContent = t(`player.mapping_note_${d.mapping}`);
}

function drawKernel(el, values, cells) {
  el.style.setProperty("--cols", values[0].length);
  el.replaceChildren(
    ...values.flatMap((row, i) =>
      row.map((v, j) => {
        const cell = document.createElement("div");
        cell.className = "pl-cell";
        cell.textContent = cells ? cells[i][j] : num(v);
        return cell;
      }),
    ),
  );
}

// ---- showing one step -------------------------------------------------------------------------

function goTo(i, { focus = false } = {}) {
  if (!trace) return;
  step = Math.max(0, Math.min(trace.steps.length - 1, i));
  show();
  if (focus) currentButton()?.focus();
  saveState();
}

function currentButton() {
  const [r, c] = trace.steps[step].at;
  return $("pl-output").querySelector(`.pl-out[data-r="${r}"][data-c="${c}"]`);
}

function show() {
  const d = trace;
  const s = d.steps[step];
  const [pt, , pl] = d.pads;
  const cols = d.padded_input[0].length;
  const input = $("pl-input").children;

  for (const el of lit) {
    el.classList.remove("win");
    el.querySelector(".kw").textContent = "";
  }
  lit = [];
  s.rows.forEach((r, i) => {
    s.cols.forEach((c, j) => {
      const el = input[(r + pt) * cols + (c + pl)];
      el.classList.add("win");
      el.querySelector(".kw").textContent = `×${num(d.applied[i][j])}`;
      lit.push(el);
    });
  });
  const box = $("pl-window");
  box.style.gridArea = `${s.rows[0] + pt + 1} / ${s.cols[0] + pl + 1} / ${
    s.rows[s.rows.length - 1] + pt + 2} / ${s.cols[s.cols.length - 1] + pl + 2}`;

  const table = $("pl-products");
  const terms = [];
  s.products.forEach((row, i) => {
    row.forEach((p, j) => {
      const td = table.rows[i].cells[j];
      td.classList.toggle("pad", s.padded[i][j]);
      td.querySelector(".w").textContent = num(s.window[i][j]);
      td.querySelector(".k").textContent = num(d.applied[i][j]);
      td.querySelector(".p").textContent = `= ${num(p)}`;
      terms.push(p < 0 ? `(${num(p)})` : num(p));
    });
  });
  $("pl-sum-expr").textContent = terms.length <= 9 ? `${terms.join(" + ")} =` : "";
  const sum = $("pl-sum");
  sum.textContent = num(s.sum, NF3);
  sum.dataset.value = String(s.sum);
  const [r, c] = s.at;
  $("pl-at").textContent = `(${t("player.row")} ${r}, ${t("player.col")} ${c})`;
  $("pl-value").textContent = String(s.value);
  grey($("pl-value-swatch"), s.value);

  const photo = d.source === "sample";
  for (const b of $("pl-output").children) {
    const i = stepOf.get(`${b.dataset.r},${b.dataset.c}`);
    const done = i <= step;
    const e = d.steps[i];
    b.textContent = done ? num(e.sum, NF1) : "";
    b.classList.toggle("done", done);
    b.classList.toggle("current", i === step);
    b.tabIndex = i === step ? 0 : -1;
    b.setAttribute("aria-current", i === step ? "step" : "false");
    if (photo && done) grey(b, e.value);
    else {
      b.style.backgroundColor = "";
      b.classList.remove("light");
    }
    b.setAttribute(
      "aria-label",
      `${t("player.output_cell", { row: b.dataset.r, col: b.dataset.c })}: ${
        done ? num(e.sum, NF3) : t("player.not_yet")}`,
    );
  }

  const total = d.steps.length;
  $("pl-scrub").value = String(step);
  $("pl-scrub").setAttribute("aria-valuetext", `${step + 1} / ${total}`);
  $("pl-step-out").textContent = `${step + 1} / ${total}`;
  $("pl-status").textContent = t("player.step_status", {
    step: step + 1,
    total,
    row: r,
    col: c,
    sum: num(s.sum, NF3),
  });
  $("pl-back").disabled = step === 0;
  $("pl-first").disabled = step === 0;
  $("pl-forward").disabled = step === total - 1;
  $("pl-last").disabled = step === total - 1;
}

// ---- playing ----------------------------------------------------------------------------------

function play() {
  if (!trace) return;
  if (step >= trace.steps.length - 1) goTo(0);
  playing = true;
  // While playing, the live region would flood a screen reader: it speaks again on pause.
  $("pl-status").setAttribute("aria-live", "off");
  $("pl-play-icon").setAttribute("d", ICON_PAUSE);
  $("pl-play").setAttribute("aria-label", t("player.pause"));
  clearInterval(timer);
  timer = setInterval(tick, 1000 / state.speed);
}

function pause() {
  playing = false;
  clearInterval(timer);
  $("pl-status").setAttribute("aria-live", "polite");
  $("pl-play-icon").setAttribute("d", ICON_PLAY);
  $("pl-play").setAttribute("aria-label", t("player.play"));
}

function tick() {
  if (step >= trace.steps.length - 1) {
    pause();
    show(); // announce the last step
    return;
  }
  goTo(step + 1);
}

function toggle() {
  if (playing) {
    pause();
    show();
  } else {
    play();
  }
}

function manual(i, opts) {
  pause();
  goTo(i, opts);
}

// ---- keyboard and pointer ---------------------------------------------------------------------

function onKey(e) {
  if (!trace || e.altKey || e.metaKey || e.ctrlKey) return;
  const el = e.target;
  const typing = el.closest("textarea, select, summary, input:not([type=range])");
  if (typing) return;
  const inOutput = Boolean(el.closest("#pl-output"));
  const ow = trace.out_shape[1];
  const moves = {
    ArrowRight: step + 1,
    ArrowLeft: step - 1,
    ArrowDown: step + ow,
    ArrowUp: step - ow,
    Home: 0,
    End: trace.steps.length - 1,
  };
  if (e.key === " " && !el.closest("button")) {
    e.preventDefault();
    toggle();
  } else if (e.key in moves) {
    e.preventDefault();
    manual(moves[e.key], { focus: inOutput });
  }
}

function onOutputPointer(e) {
  const b = e.target.closest(".pl-out");
  if (!b || !trace) return;
  const i = stepOf.get(`${b.dataset.r},${b.dataset.c}`);
  if (i !== undefined && (i !== step || playing)) manual(i);
}

function init() {
  stateToForm();
  // On a phone the settings would push the player off the screen: start with them folded.
  if (window.matchMedia("(max-width: 600px)").matches) $("pl-options").open = false;
  $("pl-form").addEventListener("input", onFormChange);
  $("pl-form").addEventListener("change", onFormChange);
  $("pl-form").addEventListener("submit", (e) => e.preventDefault());
  $("pl-play").addEventListener("click", toggle);
  $("pl-first").addEventListener("click", () => manual(0));
  $("pl-back").addEventListener("click", () => manual(step - 1));
  $("pl-forward").addEventListener("click", () => manual(step + 1));
  $("pl-last").addEventListener("click", () => manual(trace.steps.length - 1));
  $("pl-scrub").addEventListener("input", (e) => manual(Number(e.target.value)));
  $("pl-speed").addEventListener("change", (e) => {
    state.speed = Number(e.target.value);
    saveState();
    if (playing) play();
  });
  const out = $("pl-output");
  out.addEventListener("pointerover", onOutputPointer);
  out.addEventListener("click", onOutputPointer);
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", fitAll);
  load();
}

init();
