// "When do convolutions help?": each button trains the models on the server
// (convolab.learn.when) and this file draws what was measured: a bar chart, a table of
// numbers and a conclusion written from those numbers.

import { postJSON } from "/static/common/api.js";
import { lang, t } from "/static/common/i18n.js";

const $ = (id) => document.getElementById(id);
const PCT = new Intl.NumberFormat(lang(), { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const PP = new Intl.NumberFormat(lang(), { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "always" });
const SVG = "http://www.w3.org/2000/svg";
const COLORS = { cnn: "#c75000", conv1d: "#c75000", dense: "#3f6fb0", logistic: "#4a4f57" };

function el(name, attrs = {}, text = "") {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text) e.textContent = text;
  return e;
}

/** Grouped bars: one group per order (as is / shuffled), one bar per model. */
function drawBars(svg, result, models) {
  const orders = ["ordered", "shuffled"];
  // bars start at 0 %: a bar's length is its share of right answers, so lengths compare fairly
  const lo = 0;
  const W = 760;
  const H = 300;
  const pad = { l: 56, r: 12, t: 16, b: 56 };
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const defs = el("defs");
  const pat = el("pattern", { id: `${svg.id}-hatch`, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pat.append(el("rect", { width: 6, height: 6, fill: "#fff", opacity: 0.0 }), el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#fff", "stroke-width": 2.5 }));
  defs.append(pat);
  svg.append(defs);
  const y = (v) => pad.t + (1 - (v - lo) / (1 - lo)) * (H - pad.t - pad.b);
  for (let v = lo; v <= 1.0001; v += 0.1) {
    svg.append(el("line", { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: "wh-grid" }));
    svg.append(el("text", { x: pad.l - 6, y: y(v) + 4, "text-anchor": "end" }, PCT.format(v).replace(/[.,]0\s?%/, "%")));
  }
  const groupW = (W - pad.l - pad.r) / orders.length;
  const barW = Math.min(70, (groupW - 40) / models.length);
  orders.forEach((o, g) => {
    const x0 = pad.l + g * groupW + (groupW - barW * models.length) / 2;
    svg.append(el("text", { x: pad.l + (g + 0.5) * groupW, y: H - 14, "text-anchor": "middle", "font-weight": "600" }, t(`when.order_${o}`)));
    models.forEach((m, i) => {
      const v = result.accuracy[m][o];
      const x = x0 + i * barW;
      const rect = el("rect", { x: x + 4, y: y(v), width: barW - 8, height: y(lo) - y(v), fill: COLORS[m] });
      svg.append(rect);
      if (o === "shuffled") svg.append(el("rect", { x: x + 4, y: y(v), width: barW - 8, height: y(lo) - y(v), fill: `url(#${svg.id}-hatch)` }));
      svg.append(el("text", { x: x + barW / 2, y: y(v) - 5, "text-anchor": "middle" }, PCT.format(v)));
      svg.append(el("text", { x: x + barW / 2, y: H - pad.b + 16, "text-anchor": "middle" }, t(`when.model_short_${m}`)));
    });
  });
  svg.append(el("line", { x1: pad.l, x2: W - pad.r, y1: y(lo), y2: y(lo), class: "wh-axis" }));
}

function fillTable(table, result, models) {
  const head = document.createElement("tr");
  for (const text of [t("when.col_model"), t("when.col_params"), t("when.order_ordered"), t("when.order_shuffled")]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    head.append(th);
  }
  const rows = models.map((m) => {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = t(`when.model_${m}`);
    tr.append(th);
    const cells = [String(result.params[m])];
    for (const o of ["ordered", "shuffled"]) {
      let text = PCT.format(result.accuracy[m][o]);
      if (result.spread && result.spread[m]) text += ` ± ${PCT.format(result.spread[m][o])}`;
      cells.push(text);
    }
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

function pp(x) {
  return PP.format(100 * x);
}

function showExamples(box, ex) {
  box.replaceChildren();
  if (!ex || !ex.ordered) return;
  const labels = lang() === "en" ? ex.labels_en : ex.labels_nl;
  ex.ordered.forEach((img, i) => {
    for (const which of ["ordered", "shuffled"]) {
      const fig = document.createElement("figure");
      const c = document.createElement("canvas");
      const src = which === "ordered" ? img : ex.shuffled[i];
      c.width = src[0].length;
      c.height = src.length;
      c.setAttribute("role", "img");
      c.setAttribute("aria-label", `${labels[i]}: ${t(`when.order_${which}`)}`);
      const ctx = c.getContext("2d");
      const data = ctx.createImageData(c.width, c.height);
      src.flat().forEach((v, k) => { data.data.set([v, v, v, 255], 4 * k); });
      ctx.putImageData(data, 0, 0);
      const cap = document.createElement("figcaption");
      cap.textContent = `${labels[i]} · ${t(`when.order_${which}`)}`;
      fig.append(c, cap);
      box.append(fig);
    }
  });
}

function conclusionImages(r) {
  const a = r.accuracy;
  const gapO = a.cnn.ordered - a.dense.ordered;
  const gapS = a.cnn.shuffled - a.dense.shuffled;
  let text = t("when.images_result", {
    cnn_o: PCT.format(a.cnn.ordered), dense_o: PCT.format(a.dense.ordered), gap_o: pp(gapO),
    cnn_s: PCT.format(a.cnn.shuffled), dense_s: PCT.format(a.dense.shuffled), gap_s: pp(gapS),
  });
  text += " " + t(gapS < gapO - 0.01 ? "when.images_ok" : "when.images_unclear");
  return text;
}

function conclusionTable(r) {
  const a = r.accuracy;
  const best = (o) => Math.max(a.dense[o], a.logistic[o]);
  const diff = Math.max(a.conv1d.ordered - best("ordered"), a.conv1d.shuffled - best("shuffled"));
  const patients = Math.round(diff * r.settings.rows);
  let text = t("when.table_result", {
    conv_o: PCT.format(a.conv1d.ordered), conv_s: PCT.format(a.conv1d.shuffled),
    dense: PCT.format(a.dense.ordered), logistic: PCT.format(a.logistic.ordered),
  });
  text += " " + (diff <= 0.01 ? t("when.table_ok", { patients: Math.max(0, patients) }) : t("when.table_unclear"));
  return text;
}

/** The budget may be set in the URL (?train=3000&epochs=1, ?folds=3&table_epochs=50). */
function budget(name) {
  const q = new URLSearchParams(window.location.search);
  const keys = name === "images" ? { train: "train", test: "test", epochs: "epochs" } : { folds: "folds", epochs: "table_epochs" };
  const body = {};
  for (const [field, param] of Object.entries(keys)) {
    const v = Number(q.get(param));
    if (q.has(param) && Number.isInteger(v)) body[field] = v;
  }
  return body;
}

function wire(name, models, conclude, extra) {
  const button = $(`wh-${name}-run`);
  const status = $(`wh-${name}-status`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    $(`wh-${name}-error`).textContent = "";
    const start = performance.now();
    status.textContent = t("when.running", { s: 0 });
    const tick = setInterval(() => {
      status.textContent = t("when.running", { s: Math.round((performance.now() - start) / 1000) });
    }, 1000);
    try {
      const r = await postJSON(`/api/when/${name}`, budget(name));
      drawBars($(`wh-${name}-chart`), r, models);
      fillTable($(`wh-${name}-table`), r, models);
      $(`wh-${name}-caption`).textContent = t(`when.${name}_caption`, { dataset: t(`when.dataset_${r.dataset}`) });
      $(`wh-${name}-conclusion`).textContent = conclude(r);
      extra(r);
      $(`wh-${name}-result`).hidden = false;
      status.textContent = t("when.done", { s: new Intl.NumberFormat(lang(), { maximumFractionDigits: 1 }).format(r.seconds) });
      $(`wh-${name}`).dataset.measured = "1";
    } catch (err) {
      status.textContent = "";
      $(`wh-${name}-error`).textContent = err.message;
    } finally {
      clearInterval(tick);
      button.disabled = false;
    }
  });
}

wire("images", ["cnn", "dense"], conclusionImages, (r) => {
  showExamples($("wh-images-examples"), r.examples);
  $("wh-images-notice").textContent = (lang() === "en" ? r.notice_en : r.notice_nl) || "";
});
wire("table", ["conv1d", "dense", "logistic"], conclusionTable, (r) => {
  $("wh-table-columns").textContent = t("when.columns", {
    first: [1, 2, 3, 4].join(", "),
    shuffled: r.settings.shuffled_order.slice(0, 4).map((i) => i + 1).join(", "),
  });
});
