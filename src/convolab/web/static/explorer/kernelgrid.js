// The editable kernel grid: 1 x 1 up to 15 x 15 text cells.
// A cell accepts what convolab.parse_kernel accepts for one cell: 2, -0.5, .25, 1e-3, 1/9,
// and the Dutch decimal comma 0,5 (sent and shown in the code as 0.5).
// Invalid cells are marked (aria-invalid) and reported; the page does not send them.

import { cellText } from "../common/i18n.js";

const MAX_CELL_CHARS = 40; // convolab.kernels.MAX_CELL_CHARS
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A cell as typed, trimmed, with Dutch decimal commas (0,5 or ,5) written as points. */
export function normalise(text) {
  return String(text).trim().replace(/(^|[+\-/]|\d),(?=\d)/g, "$1.");
}

/**
 * Check one cell as a pupil typed it.
 * Returns {ok: true, value} or {ok: false, reason: "empty"|"invalid"|"zero"}.
 */
export function checkCell(text) {
  const s = normalise(text);
  if (s === "") return { ok: false, reason: "empty" };
  if (s.length > MAX_CELL_CHARS) return { ok: false, reason: "invalid" };
  const slash = s.indexOf("/");
  if (slash >= 0) {
    if (s.indexOf("/", slash + 1) >= 0) return { ok: false, reason: "invalid" }; // one "/" at most
    const a = checkCell(s.slice(0, slash));
    const b = checkCell(s.slice(slash + 1));
    if (!a.ok || !b.ok) {
      const bad = !a.ok ? a : b;
      return bad.reason === "zero" ? bad : { ok: false, reason: "invalid" };
    }
    if (b.value === 0) return { ok: false, reason: "zero" };
    return { ok: true, value: a.value / b.value };
  }
  if (!NUMBER.test(s)) return { ok: false, reason: "invalid" };
  const value = Number(s);
  if (!Number.isFinite(value)) return { ok: false, reason: "invalid" };
  return { ok: true, value };
}

export class KernelGrid {
  /**
   * @param {HTMLElement} container  the element that holds the inputs
   * @param {object} options  {max, cellLabel(row, col), onInput(), onChange()}
   */
  constructor(container, { max, cellLabel, onInput }) {
    this.container = container;
    this.max = max;
    this.cellLabel = cellLabel;
    this.onInput = onInput;
    this.base = [["0"]];
    this.values = [["0"]];
    container.addEventListener("input", (e) => this.handleInput(e));
    container.addEventListener("keydown", (e) => this.handleKey(e));
  }

  get rows() { return this.values.length; }
  get cols() { return this.values[0].length; }

  /** Show a filter's cells (with a decimal comma on a Dutch page); they also become the
   * "unchanged" reference. */
  setBase(cells) {
    this.base = cells.map((row) => row.map(String));
    this.values = this.base.map((row) => row.map(cellText));
    this.render();
  }

  /** Show cells typed earlier (e.g. from the URL), keeping the base for comparison. */
  setValues(cells) {
    this.values = cells.map((row) => row.map(String));
    this.render();
  }

  /** Change the size, keeping the values that still fit (top-left), new cells 0. */
  resize(rows, cols) {
    const r = Math.min(Math.max(1, rows), this.max);
    const c = Math.min(Math.max(1, cols), this.max);
    const next = [];
    for (let i = 0; i < r; i += 1) {
      next.push([]);
      for (let j = 0; j < c; j += 1) {
        next[i].push(i < this.rows && j < this.cols ? this.values[i][j] : "0");
      }
    }
    this.values = next;
    this.render();
  }

  /** True when the cells differ from the base filter. */
  isCustom() {
    if (this.rows !== this.base.length || this.cols !== this.base[0].length) return true;
    return this.values.some((row, i) => row.some((v, j) => normalise(v) !== this.base[i][j]));
  }

  /** The cells to send: trimmed, decimal commas written as points. */
  cells() {
    return this.values.map((row) => row.map(normalise));
  }

  /** All problems, in reading order: [{row, col, text, reason}] (1-based). */
  problems() {
    const out = [];
    this.values.forEach((row, i) => row.forEach((text, j) => {
      const r = checkCell(text);
      if (!r.ok) out.push({ row: i + 1, col: j + 1, text: text.trim(), reason: r.reason });
    }));
    return out;
  }

  render() {
    const grid = this.container;
    grid.replaceChildren();
    grid.style.gridTemplateColumns = `repeat(${this.cols}, auto)`;
    grid.classList.toggle("dense", this.cols > 7);
    // the compact layout of a frame shrinks the cells of larger filters (see explorer.css)
    const side = Math.max(this.rows, this.cols);
    grid.classList.toggle("k-mid", side >= 5 && side <= 7);
    grid.classList.toggle("k-big", side > 7);
    // a cell is at least as wide as the longest number in the grid (0.002969 of a Gaussian
    // would show as "0.0" in the small cells of a large filter); a grid wider than its
    // column scrolls sideways inside it
    const longest = Math.max(0, ...this.values.flat().map((text) => String(text).trim().length));
    this.values.forEach((row, i) => row.forEach((text, j) => {
      const input = document.createElement("input");
      if (longest > 3) input.style.minWidth = `calc(${longest}ch + .5rem)`;
      input.type = "text";
      input.autocomplete = "off";
      input.spellcheck = false;
      input.value = text;
      input.dataset.row = String(i);
      input.dataset.col = String(j);
      input.setAttribute("aria-label", this.cellLabel(i + 1, j + 1));
      grid.append(input);
    }));
    this.mark();
  }

  mark() {
    for (const input of this.container.querySelectorAll("input")) {
      const i = Number(input.dataset.row);
      const j = Number(input.dataset.col);
      const ok = checkCell(input.value).ok;
      input.setAttribute("aria-invalid", ok ? "false" : "true");
      const base = this.base[i] && this.base[i][j];
      input.classList.toggle("changed", ok && base !== undefined && normalise(input.value) !== base);
    }
  }

  cell(i, j) {
    return this.container.querySelector(`input[data-row="${i}"][data-col="${j}"]`);
  }

  handleInput(e) {
    const input = e.target;
    if (!(input instanceof HTMLInputElement)) return;
    this.values[Number(input.dataset.row)][Number(input.dataset.col)] = input.value;
    this.mark();
    this.onInput();
  }

  handleKey(e) {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || e.altKey || e.ctrlKey || e.metaKey) return;
    const i = Number(input.dataset.row);
    const j = Number(input.dataset.col);
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    let target = null;
    if (e.key === "ArrowUp") target = this.cell(i - 1, j);
    else if (e.key === "ArrowDown" || e.key === "Enter") target = this.cell(i + 1, j);
    else if (e.key === "ArrowLeft" && atStart) target = this.cell(i, j - 1);
    else if (e.key === "ArrowRight" && atEnd) target = this.cell(i, j + 1);
    if (target) {
      e.preventDefault();
      target.focus();
      target.select();
    }
  }
}

/** Cells <-> URL text, as parse_kernel reads it: cells separated by spaces, rows by ";". */
export function cellsToText(cells) {
  return cells.map((row) => row.join(" ")).join(";");
}

export function textToCells(text) {
  const rows = text.split(";").map((row) => row.trim().split(/\s+/));
  if (!rows.length || rows.some((row) => row.length !== rows[0].length)) return null;
  return rows;
}
