// Kernel grids (numbers on a diverging colour scale) and a small line chart on a canvas.
// Shared by the learn-a-filter page and the network page. Drawing only: the numbers come
// from the server.
import { lang } from "/static/common/i18n.js";

const formats = new Map();

/** A number in the page's language (decimal comma in Dutch), `digits` after the point. */
export function fmt(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const key = `${lang()}:${digits}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.NumberFormat(lang() === "en" ? "en-GB" : "nl-NL", {
      minimumFractionDigits: digits, maximumFractionDigits: digits,
    }));
  }
  const text = formats.get(key).format(value);
  return text === "-0,00" || text === "-0.00" ? text.slice(1) : text;
}

/** A number with `sig` significant digits, for losses that span many powers of ten. */
export function fmtSig(value, sig = 3) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value === 0) return "0";
  const digits = Math.max(0, sig - 1 - Math.floor(Math.log10(Math.abs(value))));
  if (digits > 8) return value.toExponential(sig - 1).replace(".", lang() === "en" ? "." : ",");
  return fmt(value, digits);
}

/** Background colour for v on a scale where |v| = scale is the strongest colour.
 * Blue for negative, white for 0, orange for positive; light enough for dark text (AA). */
export function cellColour(v, scale) {
  if (!Number.isFinite(v) || !(scale > 0)) return "#ffffff";
  const s = Math.max(-1, Math.min(1, v / scale));
  const light = 97 - 37 * Math.abs(s);
  return s < 0 ? `hsl(210 75% ${light}%)` : `hsl(30 95% ${light}%)`;
}

/** Draw (or update in place) a kernel as a table of numbers with coloured cells. */
export function drawGrid(container, values, { scale = null, digits = 2, caption = "" } = {}) {
  if (!values) {
    container.replaceChildren();
    return;
  }
  const rows = values.length;
  const cols = values[0].length;
  let table = container.querySelector("table");
  if (!table || table.dataset.shape !== `${rows}x${cols}`) {
    table = document.createElement("table");
    table.className = "kgrid";
    table.dataset.shape = `${rows}x${cols}`;
    const cap = document.createElement("caption");
    cap.className = "visually-hidden";
    table.append(cap);
    const body = document.createElement("tbody");
    for (let r = 0; r < rows; r++) {
      const tr = document.createElement("tr");
      for (let c = 0; c < cols; c++) tr.append(document.createElement("td"));
      body.append(tr);
    }
    table.append(body);
    container.replaceChildren(table);
  }
  table.caption.textContent = caption;
  const m = scale ?? Math.max(1e-12, ...values.flat().map((v) => Math.abs(v ?? 0)));
  const cells = table.tBodies[0].rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const td = cells[r].cells[c];
      const v = values[r][c];
      const text = fmt(v, digits);
      if (td.textContent !== text) td.textContent = text;
      td.style.background = cellColour(v, m);
    }
  }
}

/**
 * A line chart. series: [{points: [[x, y], ...], colour, dash, width}]. log: log10 y axis.
 * yRange: [lo, hi] for a fixed y axis (linear charts), else from the data.
 */
/** 10 to the power e written as a pupil writes it: 100, 10, 1, 0,1, 0,01 (0.01 in English). */
export function powerOfTen(e) {
  if (e >= 0) return String(10 ** e);
  return `0${lang() === "en" ? "." : ","}${"0".repeat(-e - 1)}1`;
}

export function drawChart(canvas, series, { log = false, yRange = null, xLabel = "", yFormat = null } = {}) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const pad = { l: 56, r: 12, t: 10, b: 28 };
  const f = (y) => (log ? Math.log10(Math.max(y, 1e-30)) : y);
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[1]) && (!log || p[1] > 0));
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = "#4a4f57";
  ctx.strokeStyle = "#c4cad3";
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
  if (!all.length) return;
  let x0 = Math.min(...all.map((p) => p[0]));
  let x1 = Math.max(...all.map((p) => p[0]));
  if (x1 <= x0) x1 = x0 + 1;
  let y0;
  let y1;
  if (yRange) [y0, y1] = yRange.map(f);
  else {
    y0 = Math.min(...all.map((p) => f(p[1])));
    y1 = Math.max(...all.map((p) => f(p[1])));
    if (log) { y0 = Math.floor(y0); y1 = Math.ceil(y1); }
    if (y1 <= y0) y1 = y0 + 1;
  }
  const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const Y = (y) => pad.t + (1 - (f(y) - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  // grid lines and labels
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const ticks = [];
  if (log) {
    const step = Math.max(1, Math.ceil((y1 - y0) / 6));
    for (let e = Math.ceil(y0); e <= y1; e += step) ticks.push(10 ** e);
  } else {
    for (let i = 0; i <= 4; i++) ticks.push(yRange ? yRange[0] + ((yRange[1] - yRange[0]) * i) / 4 : y0 + ((y1 - y0) * i) / 4);
  }
  for (const v of ticks) {
    const y = Y(v);
    ctx.strokeStyle = "#e3e6ea";
    ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(w - pad.r, y); ctx.stroke();
    const label = yFormat ? yFormat(v) : log ? powerOfTen(Math.round(Math.log10(v))) : fmt(v, 2);
    ctx.fillText(label, pad.l - 4, y);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(`${Math.round(x0)}`, X(x0), h - pad.b + 6);
  ctx.fillText(`${Math.round(x1)}`, X(x1), h - pad.b + 6);
  if (xLabel) ctx.fillText(xLabel, (pad.l + w - pad.r) / 2, h - pad.b + 6);
  for (const s of series) {
    const pts = s.points.filter((p) => Number.isFinite(p[1]) && (!log || p[1] > 0));
    if (!pts.length) continue;
    ctx.strokeStyle = s.colour || "#1d4e89";
    ctx.lineWidth = s.width || 2;
    ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), Y(p[1])) : ctx.moveTo(X(p[0]), Y(p[1]))));
    if (pts.length === 1) ctx.arc(X(pts[0][0]), Y(pts[0][1]), 2, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}
