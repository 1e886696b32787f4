// Drawing a long signal and its convolution result on a canvas, fast enough to redraw on
// every wheel step: per pixel column only the lowest and highest visible value is drawn
// (thinning for the eye; all maths was done on the full signal by the server).

const COLORS = {
  orig: "#3f6fb0",
  res: "#c75000",
  beat: "#a4161a",
  thr: "#1e6b34",
  band: "rgba(199, 80, 0, 0.13)",
  anchor: "#c75000",
  grid: "#d5dae1",
  axis: "#4a4f57",
};
const PAD = { left: 64, right: 64, top: 14, bottom: 34 };

/** Min and max of values[j] for the positions p = first + j * step inside [v0, v1]. */
function visibleRange(values, first, step, v0, v1) {
  const j0 = Math.max(0, Math.ceil((v0 - first) / step));
  const j1 = Math.min(values.length - 1, Math.floor((v1 - first) / step));
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = j0; j <= j1; j++) {
    const v = values[j];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return null;
  if (lo === hi) { lo -= 1; hi += 1; }
  const m = (hi - lo) * 0.06;
  return [lo - m, hi + m];
}

/** Draw one series: a line through the points, or a min-max bar per pixel column. */
function drawSeries(ctx, values, first, step, view, box, yOf, color, width = 1.25) {
  const { v0, v1 } = view;
  const j0 = Math.max(0, Math.floor((v0 - first) / step) - 1);
  const j1 = Math.min(values.length - 1, Math.ceil((v1 - first) / step) + 1);
  if (j1 < j0) return;
  const xOf = (p) => box.x + ((p - v0) / (v1 - v0)) * box.w;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  const count = j1 - j0 + 1;
  if (count <= box.w * 2) {
    for (let j = j0; j <= j1; j++) {
      const x = xOf(first + j * step);
      const y = yOf(values[j]);
      if (j === j0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
  } else {
    const perPx = (v1 - v0) / box.w; // samples per pixel column
    let col = -1;
    let lo = 0;
    let hi = 0;
    let started = false;
    const flush = () => {
      const x = box.x + col + 0.5;
      if (!started) { ctx.moveTo(x, yOf(hi)); started = true; } else ctx.lineTo(x, yOf(hi));
      ctx.lineTo(x, yOf(lo));
    };
    for (let j = j0; j <= j1; j++) {
      const c = Math.floor((first + j * step - v0) / perPx);
      const v = values[j];
      if (c !== col) {
        if (col >= 0 || started) flush();
        col = c; lo = v; hi = v;
      } else {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    flush();
  }
  ctx.stroke();
}

function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function yTicks(lo, hi, n = 5) {
  const step = niceStep(hi - lo, n);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Tick marks for the x axis: [{p (sample position), label}]. */
function xTicks(data, view, lang) {
  const { v0, v1 } = view;
  if (data.datesMs) return dateTicks(data.datesMs, v0, v1, lang);
  const secs = (v1 - v0) / data.rate;
  const step = niceStep(secs, 8);
  const nf = new Intl.NumberFormat(lang, { maximumFractionDigits: Math.max(0, -Math.floor(Math.log10(step)) + 1) });
  const out = [];
  for (let s = Math.ceil(v0 / data.rate / step) * step; s * data.rate <= v1; s += step) {
    out.push({ p: s * data.rate, label: `${nf.format(s)} s` });
  }
  return out;
}

function dateTicks(dates, v0, v1, lang) {
  const i0 = Math.max(0, Math.ceil(v0));
  const i1 = Math.min(dates.length - 1, Math.floor(v1));
  if (i1 <= i0) return [];
  const spanDays = (dates[i1] - dates[i0]) / 86400000;
  let key;
  let fmt;
  if (spanDays > 3 * 365) {
    key = (d) => d.getUTCFullYear();
    fmt = { year: "numeric" };
  } else if (spanDays > 60) {
    key = (d) => d.getUTCFullYear() * 12 + d.getUTCMonth();
    fmt = { month: "short", year: "numeric" };
  } else if (spanDays > 2) {
    key = (d) => Math.floor(d.getTime() / 86400000);
    fmt = { day: "numeric", month: "short" };
  } else {
    key = (d) => Math.floor(d.getTime() / 3600000);
    fmt = { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  }
  const df = new Intl.DateTimeFormat(lang, { ...fmt, timeZone: "UTC" });
  const ticks = [];
  let prev = key(new Date(dates[Math.max(0, i0 - 1)]));
  for (let i = i0; i <= i1; i++) {
    const d = new Date(dates[i]);
    const k = key(d);
    if (k !== prev || i === 0) ticks.push({ p: i, label: df.format(d) });
    prev = k;
  }
  const every = Math.ceil(ticks.length / 8);
  return ticks.filter((_, n) => n % every === 0);
}

/**
 * Draw everything. data: {orig, res (Float32Array), resFirst, resStep, rate, datesMs, thr,
 * beats (sample positions)}; view: {v0, v1}; opts: {ownScale, band: [p0, p1], anchor, lang,
 * unit, fmt (number formatter)}.
 */
export function drawChart(canvas, data, view, opts) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || canvas.width;
  const cssH = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(cssH * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const box = { x: PAD.left, y: PAD.top, w: cssW - PAD.left - PAD.right, h: cssH - PAD.top - PAD.bottom };
  if (box.w < 20 || !data) return box;

  const rOrig = visibleRange(data.orig, 0, 1, view.v0, view.v1) || [-1, 1];
  const rRes = visibleRange(data.res, data.resFirst, data.resStep, view.v0, view.v1) || rOrig;
  let left = rOrig;
  let right = rRes;
  if (!opts.ownScale) {
    left = [Math.min(rOrig[0], rRes[0]), Math.max(rOrig[1], rRes[1])];
    right = left;
  }
  const yL = (v) => box.y + box.h - ((v - left[0]) / (left[1] - left[0])) * box.h;
  const yR = (v) => box.y + box.h - ((v - right[0]) / (right[1] - right[0])) * box.h;
  const xOf = (p) => box.x + ((p - view.v0) / (view.v1 - view.v0)) * box.w;

  ctx.font = "12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.lineWidth = 1;
  // grid and axes
  ctx.fillStyle = COLORS.axis;
  ctx.textAlign = "right";
  for (const v of yTicks(left[0], left[1])) {
    const y = yL(v);
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(box.x, y); ctx.lineTo(box.x + box.w, y); ctx.stroke();
    ctx.fillText(opts.fmt(v), box.x - 6, y);
  }
  if (opts.ownScale) {
    ctx.textAlign = "left";
    ctx.fillStyle = COLORS.res;
    for (const v of yTicks(right[0], right[1])) ctx.fillText(opts.fmt(v), box.x + box.w + 6, yR(v));
  }
  ctx.fillStyle = COLORS.axis;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const tk of xTicks(data, view, opts.lang)) {
    const x = xOf(tk.p);
    if (x < box.x - 1 || x > box.x + box.w + 1) continue;
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(x, box.y); ctx.lineTo(x, box.y + box.h); ctx.stroke();
    ctx.fillText(tk.label, x, box.y + box.h + 6);
  }
  if (opts.unit) {
    ctx.save();
    ctx.translate(12, box.y + box.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(opts.unit, 0, 0);
    ctx.restore();
  }
  ctx.strokeStyle = COLORS.axis;
  ctx.strokeRect(box.x, box.y, box.w, box.h);

  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.w, box.h);
  ctx.clip();
  if (opts.band) {
    const x0 = xOf(opts.band[0] - 0.5);
    const x1 = xOf(opts.band[1] + 0.5);
    ctx.fillStyle = COLORS.band;
    ctx.fillRect(x0, box.y, Math.max(2, x1 - x0), box.h);
  }
  drawSeries(ctx, data.orig, 0, 1, view, box, yL, COLORS.orig, 1.1);
  if (data.thr) drawSeries(ctx, data.thr, 0, 1, view, box, yR, COLORS.thr, 1.5);
  drawSeries(ctx, data.res, data.resFirst, data.resStep, view, box, yR, COLORS.res, 1.6);
  if (opts.anchor !== null && opts.anchor !== undefined) {
    const x = xOf(opts.anchor);
    ctx.strokeStyle = COLORS.anchor;
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(x, box.y); ctx.lineTo(x, box.y + box.h); ctx.stroke();
    ctx.setLineDash([]);
    if (opts.anchorValue !== null && opts.anchorValue !== undefined) {
      ctx.fillStyle = COLORS.anchor;
      ctx.beginPath(); ctx.arc(x, yR(opts.anchorValue), 4.5, 0, 2 * Math.PI); ctx.fill();
    }
  }
  if (data.beats) {
    ctx.fillStyle = COLORS.beat;
    for (const p of data.beats) {
      if (p < view.v0 || p > view.v1) continue;
      const x = xOf(p);
      ctx.beginPath();
      ctx.moveTo(x - 5, box.y + 2); ctx.lineTo(x + 5, box.y + 2); ctx.lineTo(x, box.y + 11);
      ctx.closePath(); ctx.fill();
    }
  }
  ctx.restore();
  return box;
}

/** Small bar chart of the step: window, kernel and products, one column per tap. */
export function drawBars(canvas, step, fmt, labels) {
  const dpr = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || canvas.width;
  const cssH = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const rows = [
    [labels[0], step.window, COLORS.orig],
    [labels[1], step.kernel, "#4a4f57"],
    [labels[2], step.products, COLORS.res],
  ];
  const left = 110;
  const h = cssH / rows.length;
  const n = step.window.length;
  const w = (cssW - left - 8) / n;
  ctx.font = "12px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  rows.forEach(([label, vals, color], r) => {
    const top = r * h + 4;
    const mid = top + (h - 8) / 2;
    const m = Math.max(1e-12, ...vals.map((v) => Math.abs(v)));
    ctx.fillStyle = "#1a1a1a";
    ctx.textAlign = "left";
    ctx.fillText(label, 4, mid - 8);
    ctx.fillStyle = "#4a4f57";
    ctx.fillText(`|max| ${fmt(m)}`, 4, mid + 8);
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(left, mid); ctx.lineTo(cssW - 8, mid); ctx.stroke();
    for (let i = 0; i < n; i++) {
      const bh = (vals[i] / m) * ((h - 8) / 2);
      ctx.fillStyle = step.padded[i] ? "#9aa1ab" : color;
      ctx.fillRect(left + i * w + w * 0.1, Math.min(mid, mid - bh), Math.max(1, w * 0.8), Math.abs(bh));
    }
  });
}

export { PAD };
