// The arithmetic explorer: draws what GET /api/arithmetic computes (output size, formula,
// receptive fields). Nothing here computes a size or a coordinate: the server (the core) does.

import { getJSON, isAbort, latest } from "/static/common/api.js";
import { t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";

const $ = (id) => document.getElementById(id);

const FIELDS = ["rows", "cols", "krows", "kcols", "stride", "dilation"];
const DEFAULTS = {
  rows: 5, cols: 5, krows: 3, kcols: 3, padding: "valid", stride: 1, dilation: 1, at: "0,0",
};

const state = readState(DEFAULTS);
let data = null; // last good answer
let selected = parseAt(state.at); // output cell whose receptive field is shown
let timer = null;
const fetchLatest = latest((signal, q) => getJSON(`/api/arithmetic?${q}`, { signal }));

function parseAt(text) {
  const at = String(text).split(",").map(Number);
  return at.length === 2 && at.every((v) => Number.isInteger(v) && v >= 0) ? at : [0, 0];
}

function saveState() {
  state.at = selected.join(",");
  writeState(state, DEFAULTS);
}

function formToState() {
  for (const k of FIELDS) {
    const v = $(`ar-${k}`).value.trim();
    state[k] = /^\d+$/.test(v) ? Number(v) : v;
  }
  const kind = $("ar-padding").value;
  state.padding = kind === "number" ? $("ar-padnum").value.trim() : kind;
}

function stateToForm() {
  for (const k of FIELDS) $(`ar-${k}`).value = state[k];
  const named = ["valid", "same", "full"].includes(state.padding);
  $("ar-padding").value = named ? state.padding : "number";
  if (!named) $("ar-padnum").value = state.padding;
  $("ar-padnum-wrap").hidden = named;
}

function query() {
  const q = new URLSearchParams();
  for (const k of [...FIELDS, "padding"]) q.set(k, String(state[k]));
  return q;
}

async function load() {
  $("ar-busy").hidden = false;
  saveState();
  try {
    data = await fetchLatest(query());
    showError(null);
    draw();
    $("ar-busy").hidden = true;
  } catch (err) {
    if (isAbort(err)) return; // a newer request won; it clears the busy note
    showError(err.message);
    $("ar-busy").hidden = true;
  }
}

function showError(message) {
  const box = $("ar-error");
  box.hidden = !message;
  $("ar-error-text").textContent = message || "";
  $("ar-result").classList.toggle("stale", Boolean(message));
}

function draw() {
  const d = data;
  const [oh, ow] = d.output;
  selected = [Math.min(selected[0], oh - 1), Math.min(selected[1], ow - 1)];
  $("ar-summary").textContent = t("arithmetic.result", {
    in_rows: d.input[0],
    in_cols: d.input[1],
    k_rows: d.kernel[0],
    k_cols: d.kernel[1],
    out_rows: oh,
    out_cols: ow,
  });
  for (const axis of ["rows", "cols"]) {
    const a = d.axes[axis];
    $(`ar-formula-${axis}`).textContent = a.formula;
    const note = $(`ar-note-${axis}`);
    if (a.exact) {
      note.textContent = t("arithmetic.exact_note", { num: a.numerator, s: a.stride });
    } else {
      const title = document.createElement("strong");
      title.textContent = `${t("arithmetic.floor_title")}: `;
      note.replaceChildren(
        title,
        t(`arithmetic.floor_note_${axis}`, {
          num: a.numerator, s: a.stride, rem: a.remainder, value: a.value,
        }),
      );
    }
    note.closest(".ar-axis").classList.toggle("floor", !a.exact);
    const eff = $(`ar-eff-${axis}`);
    eff.hidden = a.dilation === 1;
    eff.textContent = t("arithmetic.effective", { d: a.dilation, e: a.effective, k: a.k });
  }
  drawInput();
  drawOutput();
  showField();
  saveState();
}

function drawInput() {
  const d = data;
  const [R, C] = d.padded;
  const { top, left } = d.pads;
  const grid = $("ar-input");
  grid.style.setProperty("--cols", C);
  grid.style.setProperty("--cell", `${cellSize(C)}px`);
  const unreadR = new Set(d.unread.rows);
  const unreadC = new Set(d.unread.cols);
  const frag = document.createDocumentFragment();
  for (let pr = 0; pr < R; pr++) {
    for (let pc = 0; pc < C; pc++) {
      const r = pr - top;
      const c = pc - left;
      const cell = document.createElement("div");
      cell.className = "ar-cell";
      if (r < 0 || r >= d.input[0] || c < 0 || c >= d.input[1]) cell.classList.add("pad");
      if (unreadR.has(r) || unreadC.has(c)) cell.classList.add("unread");
      cell.dataset.r = r;
      cell.dataset.c = c;
      frag.append(cell);
    }
  }
  grid.replaceChildren(frag);
}

function cellSize(n) {
  const avail = Math.max(240, Math.min(560, document.documentElement.clientWidth - 48));
  return Math.max(8, Math.min(28, Math.floor(avail / n)));
}

function drawOutput() {
  const [oh, ow] = data.output;
  const grid = $("ar-output");
  grid.style.setProperty("--cols", ow);
  grid.style.setProperty("--cell", `${Math.max(cellSize(data.padded[1]), 14)}px`);
  const frag = document.createDocumentFragment();
  for (let r = 0; r < oh; r++) {
    for (let c = 0; c < ow; c++) {
      const f = data.fields[r][c];
      const b = document.createElement("button");
      b.type = "button";
      b.className = "ar-out";
      b.dataset.r = r;
      b.dataset.c = c;
      b.tabIndex = -1;
      b.setAttribute(
        "aria-label",
        t("arithmetic.output_cell", { row: r, col: c, rows: f.rows.join(", "), cols: f.cols.join(", ") }),
      );
      frag.append(b);
    }
  }
  grid.replaceChildren(frag);
}

function outButton(r, c) {
  return $("ar-output").querySelector(`.ar-out[data-r="${r}"][data-c="${c}"]`);
}

function showField() {
  if (!data) return;
  const [r, c] = selected;
  const f = data.fields[r][c];
  const rows = new Set(f.rows);
  const cols = new Set(f.cols);
  let pads = 0;
  for (const cell of $("ar-input").children) {
    const on = rows.has(Number(cell.dataset.r)) && cols.has(Number(cell.dataset.c));
    cell.classList.toggle("ar-on", on);
    if (on && cell.classList.contains("pad")) pads++;
  }
  for (const b of $("ar-output").children) {
    const on = Number(b.dataset.r) === r && Number(b.dataset.c) === c;
    b.classList.toggle("current", on);
    b.tabIndex = on ? 0 : -1;
    b.setAttribute("aria-pressed", on ? "true" : "false");
  }
  $("ar-field").textContent = t("arithmetic.field_status", {
    row: r,
    col: c,
    n: f.rows.length * f.cols.length,
    rows: f.rows.join(", "),
    cols: f.cols.join(", "),
    pads,
  });
}

function select(r, c, focus) {
  const [oh, ow] = data.output;
  selected = [Math.max(0, Math.min(oh - 1, r)), Math.max(0, Math.min(ow - 1, c))];
  showField();
  saveState();
  if (focus) outButton(...selected).focus();
}

function onOutputKey(e) {
  if (!data) return;
  const [r, c] = selected;
  const [oh, ow] = data.output;
  const moves = {
    ArrowLeft: [r, c - 1],
    ArrowRight: [r, c + 1],
    ArrowUp: [r - 1, c],
    ArrowDown: [r + 1, c],
    Home: [e.ctrlKey ? 0 : r, 0],
    End: [e.ctrlKey ? oh - 1 : r, ow - 1],
  };
  if (!(e.key in moves)) return;
  e.preventDefault();
  select(...moves[e.key], true);
}

function onOutputPointer(e) {
  const b = e.target.closest(".ar-out");
  if (b) select(Number(b.dataset.r), Number(b.dataset.c), e.type === "click");
}

function schedule() {
  formToState();
  $("ar-padnum-wrap").hidden = $("ar-padding").value !== "number";
  clearTimeout(timer);
  timer = setTimeout(load, 120);
}

function init() {
  stateToForm();
  $("ar-form").addEventListener("input", schedule);
  $("ar-form").addEventListener("change", schedule);
  $("ar-form").addEventListener("submit", (e) => {
    e.preventDefault();
    schedule();
  });
  const out = $("ar-output");
  out.addEventListener("keydown", onOutputKey);
  out.addEventListener("pointerover", onOutputPointer);
  out.addEventListener("click", onOutputPointer);
  out.addEventListener("focusin", onOutputPointer);
  window.addEventListener("resize", () => {
    if (data) {
      drawInput();
      drawOutput();
      showField();
    }
  });
  load();
}

init();
