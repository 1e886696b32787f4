// The step-by-step player. One POST /api/steps returns the whole trace, computed by the core
// (convolab.steps): windows, products, sums, displayed values. This file only draws it.

import { isAbort, latest, postJSON } from "/static/common/api.js";
import { cellText, lang, t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";

const $ = (id) => document.getElementById(id);
const SERVER_DEFAULTS = JSON.parse($("pl-defaults").textContent);
const CATALOGUE = JSON.parse($("pl-catalogue").textContent);
const DEFAULTS = { ...SERVER_DEFAULTS, speed: 2, step: -1, ch: 0 };
const CHANNELS = ["red", "green", "blue"];
const SPEEDS = [0.5, 1, 2, 4, 8];
const ICON_PLAY = "M4 2.5v11l9.5-5.5z";
const ICON_PAUSE = "M3.5 3h3v10h-3zM9.5 3h3v10h-3z";

const state = readState(DEFAULTS);
let trace = null; // the last answer of /api/steps
// -1: the step of the asked pixel (row, col), as the explorer's link opens it
let step = Number.isInteger(state.step) && state.step >= 0 ? state.step : -1;
let playing = false;
let timer = null;
let reloadTimer = null;
let lit = []; // input cells highlighted for the current step
let stepOf = new Map(); // "row,col" of an output cell -> step index
let lastChannel = -1; // the channel whose numbers the input cells show

const WIDE_KERNEL_PX = 224; // 14 rem: beside it there is no room for the products and the sum
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
  $("pl-colour").checked = Boolean(state.colour);
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
    $("pl-row").max = String(Number(opt.dataset.height) - 1);
    $("pl-col").max = String(Number(opt.dataset.width) - 1);
    $("pl-colour-field").hidden = opt.dataset.colour !== "1" && !state.image_id;
    $("pl-upload-note").hidden = !state.image_id;
    $("pl-sample").disabled = Boolean(state.image_id);
  }
}

function onFormChange(e) {
  const el = e.target;
  if (el.name === "source" || el.name === "mode") state[el.name] = el.value;
  else if (el.id === "pl-own-photo") {
    state.image_id = "";
    step = -1;
  }
  else if (el.id === "pl-filter") {
    state.filter = el.value;
    if (el.value !== "custom") $("pl-kernel").value = kernelText(el.value);
    if (el.value !== "custom" && state.mapping) state.mapping = "";
    state.kernel = el.value === "custom" ? $("pl-kernel").value : "";
  } else if (el.id === "pl-kernel") {
    // Editing the numbers makes it an own filter.
    state.filter = "custom";
    state.kernel = el.value;
    $("pl-filter").value = "custom";
  } else if (el.id === "pl-colour") {
    state.colour = el.checked;
  } else if (["pl-row", "pl-col", "pl-size", "pl-stride", "pl-dilation"].includes(el.id)) {
    const v = el.value.trim();
    state[el.name] = /^-?\d+$/.test(v) ? Number(v) : v;
    if (el.id !== "pl-stride" && el.id !== "pl-dilation") step = -1; // open on the asked pixel
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
  else {
    Object.assign(b, {
      sample: state.sample, colour: Boolean(state.colour), row: state.row, col: state.col, size: state.size,
    });
    if (state.image_id) b.image_id = state.image_id; // an upload of the filter explorer
  }
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
    lastChannel = -1;
    build();
    goTo(step < 0 ? trace.start : Math.min(step, trace.steps.length - 1));
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
  // the asked pixel's step needs no "step" in the URL (row and col say it)
  state.step = trace && step === trace.start ? -1 : step;
  writeState(state, DEFAULTS);
}

// ---- building the grids (once per trace) ----------------------------------------------------

/** Relative luminance of an sRGB colour (WCAG 2). */
function luminance([r, g, b]) {
  const lin = (v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Paint a cell in its grey value or colour, with the text colour of the higher contrast
 * (pure black or white, see player.css: at least 4.58:1 on any background). */
function paint(el, v) {
  const rgb = Array.isArray(v) ? v : [v, v, v];
  el.style.backgroundColor = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
  const lum = luminance(rgb);
  el.classList.toggle("light", (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05));
  el.classList.add("painted");
}

function unpaint(el) {
  el.style.backgroundColor = "";
  el.classList.remove("light", "painted");
}

const colour = () => trace && trace.channels === 3;
const channel = () => (colour() ? Math.max(0, Math.min(2, state.ch | 0)) : 0);
/** One channel of a value that is a number (grey) or [r, g, b] (colour). */
const pick = (v) => (Array.isArray(v) ? v[channel()] : v);

/** Cell size so that a grid fits the width of its panel (between 30 and 46 px: numbers of
 * at least 12 px). */
function fitCells(grid, columns) {
  const room = grid.closest(".pl-panel").clientWidth - 10;
  // in a frame the grids stay small enough for the calculation to fit below them
  const most = document.body.classList.contains("embed") ? 30 : 46;
  const size = Math.max(30, Math.min(most, Math.floor(room / Math.max(columns, 1))));
  grid.style.setProperty("--cell", `${size}px`);
  grid.classList.toggle("roomy", size >= 44);
}

function fitAll() {
  if (!trace) return;
  fitCells($("pl-input"), trace.padded_input[0].length);
  fitCells($("pl-output"), trace.out_shape[1]);
}

function build() {
  const d = trace;
  const [or, oc] = d.origin;
  const [h, w] = d.image_shape;
  const photo = d.source === "sample";
  const input = $("pl-input");
  const rows = d.padded_input.length;
  const cols = d.padded_input[0].length;
  input.style.setProperty("--cols", cols);
  const frag = document.createDocumentFragment();
  for (let gr = 0; gr < rows; gr++) {
    for (let gc = 0; gc < cols; gc++) {
      const r = gr + or;
      const c = gc + oc;
      const v = d.padded_input[gr][gc];
      const cell = document.createElement("div");
      cell.className = "pl-cell";
      cell.style.gridArea = `${gr + 1} / ${gc + 1}`;
      if (r < 0 || r >= h || c < 0 || c >= w) cell.classList.add("pad");
      if (photo) paint(cell, v);
      const val = document.createElement("span");
      val.className = "v";
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
  // the coordinates of the part shown, so that a pupil can find it in the explorer
  $("pl-input-where").textContent = photo
    ? t("player.input_where", { r0: Math.max(or, 0), r1: Math.min(or + rows, h) - 1,
      c0: Math.max(oc, 0), c1: Math.min(oc + cols, w) - 1, height: h, width: w })
    : "";

  drawKernel($("pl-kernel-given"), d.kernel, d.kernel_cells);
  $("pl-applied-fig").hidden = d.mode !== "convolve";
  drawKernel($("pl-kernel-applied"), d.applied, d.applied_cells);
  // a filter wider than 14 rem (long numbers) puts the products under it (player.css)
  const wide = ["pl-kernel-given", "pl-kernel-applied"].some((id) => $(id).offsetWidth > WIDE_KERNEL_PX);
  document.querySelector(".pl-calc-body").classList.toggle("wide-kernel", wide);
  $("pl-turned").hidden = d.mode !== "convolve";
  $("pl-turned").textContent = d.mode === "convolve" ? turnedText(d) : "";

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
  const [r0, c0] = d.out_origin;
  const out = $("pl-output");
  out.style.setProperty("--cols", ow);
  stepOf = new Map(d.steps.map((s, i) => [s.at.join(","), i]));
  const ofrag = document.createDocumentFragment();
  for (let r = 0; r < oh; r++) {
    for (let c = 0; c < ow; c++) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "pl-out";
      b.dataset.r = r + r0;
      b.dataset.c = c + c0;
      b.tabIndex = -1;
      ofrag.append(b);
    }
  }
  out.replaceChildren(ofrag);
  fitAll();
  $("pl-scrub").max = String(d.steps.length - 1);
  $("pl-channels").hidden = !colour();
  for (const [i, name] of CHANNELS.entries()) $(`pl-ch-${name}`).checked = i === channel();
  $("pl-mapping-note").textContent = t(`player.mapping_note_${d.mapping}`);
}

function turnedText(d) {
  const turned = d.turned_filter;
  if (turned && turned.same) return t("player.turned_same");
  if (turned && turned.id && CATALOGUE[turned.id]) {
    return t("player.turned_is", { name: CATALOGUE[turned.id].name, about: CATALOGUE[turned.id].about });
  }
  return t("player.turned_other");
}

function drawKernel(el, values, cells) {
  el.style.setProperty("--cols", values[0].length);
  // cells as wide as the longest number (1/25, a Gaussian's 0.002969), never narrower than
  // usual (a filter that becomes wide puts the products under it: build)
  const texts = values.flatMap((row, i) => row.map((v, j) => (cells ? cellText(cells[i][j]) : num(v))));
  const longest = Math.max(0, ...texts.map((text) => String(text).length));
  el.classList.toggle("pl-kgrid-wide", longest > 3);
  el.style.setProperty("--kch", longest);
  el.replaceChildren(
    ...values.flatMap((row, i) =>
      row.map((v, j) => {
        const cell = document.createElement("div");
        cell.className = "pl-cell";
        cell.textContent = cells ? cellText(cells[i][j]) : num(v);
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

/** The sum -> grey value step in words, with the core's numbers (the rounding rule too). */
function mappingText(d, s) {
  const [lo, hi] = d.value_range;
  const params = {
    sum: num(pick(s.sum), NF3),
    scaled: num(pick(s.scaled), NF3),
    value: pick(s.value),
    lo: num(lo, NF3),
    hi: num(hi, NF3),
    m: num(d.offset_max, NF3),
  };
  return `${t(`player.explain_${d.mapping}`, params)} ${t("player.explain_round", params)}`;
}

function show() {
  const d = trace;
  const s = d.steps[step];
  const [or, oc] = d.origin;
  const cols = d.padded_input[0].length;
  const input = $("pl-input").children;
  const photo = d.source === "sample";

  // the numbers of the shown channel in every input cell (the colour stays the real one)
  if (lastChannel !== channel()) {
    for (let gr = 0; gr < d.padded_input.length; gr++) {
      for (let gc = 0; gc < cols; gc++) {
        input[gr * cols + gc].querySelector(".v").textContent = num(pick(d.padded_input[gr][gc]));
      }
    }
    lastChannel = channel();
  }

  for (const el of lit) {
    el.classList.remove("win");
    el.querySelector(".kw").textContent = "";
  }
  lit = [];
  s.rows.forEach((r, i) => {
    s.cols.forEach((c, j) => {
      const el = input[(r - or) * cols + (c - oc)];
      el.classList.add("win");
      el.querySelector(".kw").textContent = `×${d.applied_cells ? cellText(d.applied_cells[i][j]) : num(d.applied[i][j])}`;
      lit.push(el);
    });
  });
  const box = $("pl-window");
  box.style.gridArea = `${s.rows[0] - or + 1} / ${s.cols[0] - oc + 1} / ${
    s.rows[s.rows.length - 1] - or + 2} / ${s.cols[s.cols.length - 1] - oc + 2}`;

  const table = $("pl-products");
  const terms = [];
  s.products.forEach((row, i) => {
    row.forEach((p, j) => {
      const td = table.rows[i].cells[j];
      td.classList.toggle("pad", s.padded[i][j]);
      td.querySelector(".w").textContent = num(pick(s.window[i][j]));
      td.querySelector(".k").textContent = d.applied_cells ? cellText(d.applied_cells[i][j]) : num(d.applied[i][j]);
      td.querySelector(".p").textContent = `= ${num(pick(p))}`;
      const v = pick(p);
      terms.push(v < 0 ? `(${num(v)})` : num(v));
    });
  });
  $("pl-sum-expr").textContent = terms.length <= 9 ? `${terms.join(" + ")} =` : "";
  const sum = $("pl-sum");
  sum.textContent = num(pick(s.sum), NF3);
  sum.dataset.value = String(pick(s.sum));
  const result = $("pl-result");
  result.dataset.sum = JSON.stringify(s.sum);
  result.dataset.value = JSON.stringify(s.value);
  const [r, c] = s.at;
  $("pl-at").textContent = `(${t("player.row")} ${r}, ${t("player.col")} ${c})`;
  $("pl-value").textContent = String(pick(s.value));
  paint($("pl-value-swatch"), s.value);
  $("pl-colour-line").hidden = !colour();
  if (colour()) {
    $("pl-rgb").textContent = s.value.join(", ");
    $("pl-rgb-sums").textContent = s.sum.map((v) => num(v, NF3)).join("; ");
  }
  $("pl-mapping-explain").textContent = mappingText(d, s);

  for (const b of $("pl-output").children) {
    const i = stepOf.get(`${b.dataset.r},${b.dataset.c}`);
    const done = i <= step;
    const e = d.steps[i];
    b.textContent = done ? String(pick(e.value)) : "";
    b.classList.toggle("done", done);
    b.classList.toggle("current", i === step);
    b.tabIndex = i === step ? 0 : -1;
    b.setAttribute("aria-current", i === step ? "step" : "false");
    if (photo && done) paint(b, e.value);
    else unpaint(b);
    b.setAttribute(
      "aria-label",
      `${t("player.output_cell", { row: b.dataset.r, col: b.dataset.c })}: ${
        done ? t("player.output_cell_value", { sum: num(pick(e.sum), NF3), value: pick(e.value) })
          : t("player.not_yet")}`,
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
    sum: num(pick(s.sum), NF3),
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
  // The settings start folded, so that the grids and the calculation are the first thing
  // seen; own numbers are typed there, so then they start open.
  $("pl-options").open = state.source === "grid";
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
  out.addEventListener("click", onOutputPointer);
  for (const [i, name] of CHANNELS.entries()) {
    $(`pl-ch-${name}`).addEventListener("change", () => {
      state.ch = i;
      saveState();
      if (trace) show();
    });
  }
  document.addEventListener("keydown", onKey);
  window.addEventListener("resize", fitAll);
  load();
}

init();
