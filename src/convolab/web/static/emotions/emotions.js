// Emotions from the class's own drawings: a drawing grid (mouse, touch, keyboard) or a photo,
// a class's drawings stored on the server, the small CNN trained on them through the run
// manager, its held-out results, its first-layer filters and the feature maps of any drawing.
// Every number shown comes from the server (convolab.classes, convolab.learn).

import { ApiError, getJSON, postJSON, withLang } from "/static/common/api.js";
import { lang, t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";
import { drawChart, drawGrid, fmt, fmtSig } from "/static/learn/grid.js";

const $ = (id) => document.getElementById(id);
const root = $("emotions");
const N = Number(root.dataset.grid);
const TEACHER = root.dataset.teacher === "1";
const DEFAULTS = { klas: "", label: "blij", epochs: 10 };
const LAYERS = ["input", "conv1", "pool1", "conv2", "pool2"];
const MAX_PHOTO_MB = 10;
const state = readState(DEFAULTS);

let set = null; // {generated, code, labels, labels_en, drawings: [{id, label, mine, data}], counts}
let run = null;
let source = null;
let generation = 0;
let runStatus = "none";
let progress = null;
let history = [];
let snapshot = null;
let evaluation = null;
let dataset = null;
let webcam = null;

const pct = (p) => `${fmt(100 * p, 0)}%`;

// -- helpers ------------------------------------------------------------------------------------
function decode(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function greyCanvas(bytes, h, w, offset = 0, label = "") {
  const c = document.createElement("canvas");
  c.width = w; c.height = h;
  const ctx = c.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = bytes[offset + i];
    img.data[4 * i] = v; img.data[4 * i + 1] = v; img.data[4 * i + 2] = v; img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  if (label) { c.setAttribute("role", "img"); c.setAttribute("aria-label", label); }
  return c;
}

function labelName(label) {
  const key = `emotions.label_${label}`;
  const text = t(key);
  return text === key ? label : text;
}

function show(el, text, kind = "info") {
  el.hidden = !text;
  el.textContent = text || "";
  el.className = `message ${kind}`;
}

function send(method, url, body) {
  return fetch(withLang(url), {
    method,
    headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => {
    const data = await r.json().catch(() => null);
    if (!r.ok) throw new ApiError((data && data.error) || t("common.err_unexpected", { detail: r.status }), r.status, data && data.code);
    return data;
  });
}

// -- the drawing grid ---------------------------------------------------------------------------
const gridCanvas = $("em-grid");
const pen = gridCanvas.getContext("2d");
let cells = new Uint8Array(N * N);
const cursor = { row: Math.floor(N / 2), col: Math.floor(N / 2) };
let painting = null; // 255 (colour in) or 0 (empty) while the pointer is down
let keyboard = false;

function drawCells() {
  const size = gridCanvas.width / N;
  pen.fillStyle = "#000";
  pen.fillRect(0, 0, gridCanvas.width, gridCanvas.height);
  for (let i = 0; i < N * N; i++) {
    const v = cells[i];
    if (!v) continue;
    pen.fillStyle = `rgb(${v},${v},${v})`;
    pen.fillRect((i % N) * size, Math.floor(i / N) * size, size, size);
  }
  pen.strokeStyle = "rgba(128,128,128,0.45)";
  pen.lineWidth = 1;
  pen.beginPath();
  for (let k = 0; k <= N; k++) {
    const p = Math.round(k * size) + 0.5;
    pen.moveTo(p, 0); pen.lineTo(p, gridCanvas.height);
    pen.moveTo(0, p); pen.lineTo(gridCanvas.width, p);
  }
  pen.stroke();
  if (keyboard) {
    pen.strokeStyle = "#f2b134";
    pen.lineWidth = 3;
    pen.strokeRect(cursor.col * size + 1.5, cursor.row * size + 1.5, size - 3, size - 3);
  }
  gridCanvas.dataset.filled = String(cells.reduce((n, v) => n + (v > 0 ? 1 : 0), 0));
}

function cellAt(e) {
  const r = gridCanvas.getBoundingClientRect();
  const col = Math.floor(((e.clientX - r.left) / r.width) * N);
  const row = Math.floor(((e.clientY - r.top) / r.height) * N);
  if (row < 0 || col < 0 || row >= N || col >= N) return null;
  return row * N + col;
}

function describeCursor() {
  const v = cells[cursor.row * N + cursor.col];
  $("em-cursor").textContent = t("emotions.cursor", {
    row: cursor.row + 1, col: cursor.col + 1, state: t(v ? "emotions.cell_on" : "emotions.cell_off"),
  });
}

function initGrid() {
  gridCanvas.addEventListener("pointerdown", (e) => {
    const i = cellAt(e);
    if (i === null) return;
    e.preventDefault();
    painting = cells[i] ? 0 : 255;
    cells[i] = painting;
    gridCanvas.setPointerCapture(e.pointerId);
    drawCells();
  });
  gridCanvas.addEventListener("pointermove", (e) => {
    if (painting === null) return;
    const i = cellAt(e);
    if (i !== null && cells[i] !== painting) { cells[i] = painting; drawCells(); }
  });
  const end = () => { painting = null; };
  gridCanvas.addEventListener("pointerup", end);
  gridCanvas.addEventListener("pointercancel", end);
  gridCanvas.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (e.key in moves) {
      cursor.row = Math.max(0, Math.min(N - 1, cursor.row + moves[e.key][0]));
      cursor.col = Math.max(0, Math.min(N - 1, cursor.col + moves[e.key][1]));
    } else if (e.key === " " || e.key === "Enter") {
      const i = cursor.row * N + cursor.col;
      cells[i] = cells[i] ? 0 : 255;
    } else if (e.key === "Delete" || e.key === "Backspace") {
      cells.fill(0);
    } else return;
    e.preventDefault();
    keyboard = true;
    drawCells();
    describeCursor();
  });
  gridCanvas.addEventListener("blur", () => { keyboard = false; drawCells(); });
  $("em-clear").addEventListener("click", () => { cells.fill(0); drawCells(); });
  drawCells();
}

// -- the set of drawings: a class, or the generated starter set ----------------------------------
async function loadSet({ error = "" } = {}) {
  show($("em-class-error"), error, "error");
  try {
    if (state.klas) {
      const d = await getJSON(`/api/emotions/classes/${encodeURIComponent(state.klas)}`);
      set = { generated: false, code: d.class.code, labels: d.class.labels, counts: d.class.counts, drawings: d.drawings, teacher: d.teacher };
      state.klas = d.class.code;
    } else {
      const d = await getJSON("/api/emotions/starter");
      set = { generated: true, code: null, labels: d.labels, counts: null, drawings: d.drawings, teacher: false };
    }
  } catch (err) {
    show($("em-class-error"), err.message, "error");
    if (state.klas) { state.klas = ""; writeState(state, DEFAULTS); return loadSet({ error: err.message }); }
    return;
  }
  if (!set.labels.includes(state.label)) state.label = set.labels[0];
  writeState(state, DEFAULTS);
  renderSet();
}

function renderSet() {
  root.dataset.klas = set.code || "";
  $("em-code").value = set.code || "";
  $("em-leave").hidden = !set.code;
  if (set.generated) {
    show($("em-source"), t("emotions.starter_notice", { n: set.drawings.length }));
  } else {
    const counts = set.labels.map((l) => `${labelName(l)} ${set.counts[l] || 0}`).join(", ");
    show($("em-source"), `${t("emotions.in_class", { code: set.code, count: set.drawings.length, counts })} ${t("emotions.class_drawn")}`);
  }
  if (TEACHER) {
    $("em-teacher-tools").hidden = !set.code;
    if (set.code) $("em-export").href = withLang(`/api/emotions/classes/${set.code}/export`);
  }
  const box = $("em-labels");
  box.querySelectorAll("label").forEach((l) => l.remove());
  for (const l of set.labels) {
    const lab = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio"; input.name = "em-label"; input.value = l; input.checked = l === state.label;
    input.addEventListener("change", () => { state.label = l; writeState(state, DEFAULTS); });
    lab.append(input, ` ${labelName(l)}`);
    box.append(lab);
  }
  $("em-add").disabled = !set.code;
  $("em-add").title = set.code ? "" : t("emotions.add_needs_class");
  renderDrawings();
}

function explorerLink(id) {
  return `${root.dataset.explorer}?drawing=${encodeURIComponent(String(id).match(/^starter-/) ? id : `${set.code}-${id}`)}`;
}

function thumb(d, n) {
  const fig = document.createElement("figure");
  fig.className = "em-item";
  fig.dataset.id = String(d.id);
  const c = greyCanvas(decode(d.data), N, N, 0, t("emotions.drawing_label", { n, label: labelName(d.label) }));
  c.className = "em-thumb";
  const cap = document.createElement("figcaption");
  const a = document.createElement("a");
  a.href = explorerLink(d.id);
  a.textContent = t("emotions.open_explorer");
  a.className = "em-explore";
  const maps = document.createElement("button");
  maps.type = "button";
  maps.className = "em-maps-button linklike";
  maps.textContent = t("emotions.show_maps");
  maps.addEventListener("click", () => guess(decode(d.data), t("emotions.maps_of_drawing", { n })));
  cap.append(a, " · ", maps);
  if (d.mine) {
    const mine = document.createElement("span");
    mine.className = "em-mine";
    mine.textContent = ` · ${t("emotions.mine")}`;
    cap.append(mine);
  }
  if (set.code && (d.mine || set.teacher)) {
    const del = document.createElement("button");
    del.type = "button";
    del.className = "em-delete linklike";
    del.textContent = t("emotions.delete");
    del.setAttribute("aria-label", `${t("emotions.delete")}: ${t("emotions.drawing_label", { n, label: labelName(d.label) })}`);
    del.addEventListener("click", () => deleteDrawing(d.id));
    cap.append(" · ", del);
  }
  fig.append(c, cap);
  return fig;
}

function renderDrawings() {
  const box = $("em-drawings");
  box.replaceChildren();
  let n = 0;
  const numbers = new Map(set.drawings.map((d) => [d.id, ++n]));
  for (const l of set.labels) {
    const group = document.createElement("section");
    group.className = "em-group";
    group.dataset.label = l;
    const h = document.createElement("h3");
    const mine = set.drawings.filter((d) => d.label === l);
    h.textContent = `${labelName(l)} (${mine.length})${set.generated ? ` · ${t("emotions.generated_badge")}` : ""}`;
    const row = document.createElement("div");
    row.className = "em-drawings-row";
    if (!mine.length) {
      const p = document.createElement("p");
      p.className = "hint";
      p.textContent = t("emotions.drawings_none");
      row.append(p);
    }
    for (const d of mine) row.append(thumb(d, numbers.get(d.id)));
    group.append(h, row);
    box.append(group);
  }
}

async function addDrawing() {
  if (!set || !set.code) { show($("em-draw-message"), t("emotions.add_needs_class"), "error"); return; }
  if (!cells.some((v) => v > 0)) { show($("em-draw-message"), t("emotions.empty_drawing"), "error"); return; }
  try {
    await postJSON(`/api/emotions/classes/${set.code}/drawings`, { label: state.label, pixels: Array.from(cells) });
    show($("em-draw-message"), t("emotions.added", { code: set.code, label: labelName(state.label) }));
    cells.fill(0);
    drawCells();
    await loadSet();
  } catch (err) {
    show($("em-draw-message"), err.message, "error");
  }
}

async function deleteDrawing(id) {
  try {
    await send("DELETE", `/api/emotions/classes/${set.code}/drawings/${id}`);
    await loadSet();
  } catch (err) {
    show($("em-class-error"), err.message, "error");
  }
}

// -- teacher ------------------------------------------------------------------------------------
function initTeacher() {
  if (!TEACHER) return;
  const msg = $("em-teacher-message");
  $("em-open").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const extra = $("em-extra").value.trim();
      const d = await postJSON("/api/emotions/classes", extra ? { extra_label: extra } : {});
      state.klas = d.class.code;
      await loadSet();
      show(msg, t("emotions.opened", { code: d.class.code }));
      msg.dataset.code = d.class.code;
    } catch (err) { show(msg, err.message, "error"); }
  });
  $("em-label-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await postJSON(`/api/emotions/classes/${set.code}/labels`, { label: $("em-new-label").value });
      $("em-new-label").value = "";
      await loadSet();
      show(msg, "");
    } catch (err) { show(msg, err.message, "error"); }
  });
  $("em-import").addEventListener("change", async () => {
    const file = $("em-import").files[0];
    $("em-import").value = "";
    if (!file) return;
    try {
      const r = await fetch(withLang(`/api/emotions/classes/${set.code}/import`), {
        method: "POST", headers: { "Content-Type": "application/zip", Accept: "application/json" }, body: file,
      });
      const d = await r.json();
      if (!r.ok) throw new ApiError(d.error, r.status, d.code);
      show(msg, t("emotions.imported", { n: d.added }));
      await loadSet();
    } catch (err) { show(msg, err.message, "error"); }
  });
  $("em-delete-all").addEventListener("click", async () => {
    if (!window.confirm(t("emotions.delete_all_confirm", { n: set.drawings.length, code: set.code }))) return;
    try {
      const d = await send("DELETE", `/api/emotions/classes/${set.code}/drawings`);
      show(msg, t("emotions.deleted_all", { n: d.deleted }));
      await loadSet();
    } catch (err) { show(msg, err.message, "error"); }
  });
}

// -- photo and webcam ---------------------------------------------------------------------------
async function usePhoto(dataUrl) {
  try {
    const d = await postJSON("/api/emotions/photo", { data: dataUrl });
    cells = Uint8Array.from(d.pixels);
    drawCells();
    show($("em-draw-message"), t(d.cut === "grid" ? "emotions.photo_done_grid" : "emotions.photo_done_ink"));
  } catch (err) {
    show($("em-draw-message"), err.message, "error");
  }
}

function initPhoto() {
  $("em-photo").addEventListener("change", () => {
    const file = $("em-photo").files[0];
    $("em-photo").value = "";
    if (!file) return;
    if (file.size > MAX_PHOTO_MB * 1024 * 1024) {
      show($("em-draw-message"), t("emotions.photo_too_big_client", { mb: MAX_PHOTO_MB }), "error");
      return;
    }
    const reader = new FileReader();
    reader.onload = () => usePhoto(reader.result);
    reader.readAsDataURL(file);
  });
  $("em-webcam").addEventListener("click", async () => {
    const video = $("em-video");
    if (webcam) { stopWebcam(); return; }
    try {
      webcam = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      video.srcObject = webcam;
      video.hidden = false;
      $("em-snap").hidden = false;
      $("em-webcam").textContent = t("emotions.webcam_stop");
    } catch (err) {
      const denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
      show($("em-draw-message"), t(denied ? "emotions.webcam_denied" : "emotions.webcam_absent"), "error");
    }
  });
  $("em-snap").addEventListener("click", () => {
    const video = $("em-video");
    const c = document.createElement("canvas");
    c.width = video.videoWidth || 640; c.height = video.videoHeight || 480;
    c.getContext("2d").drawImage(video, 0, 0, c.width, c.height);
    usePhoto(c.toDataURL("image/png"));
  });
}

function stopWebcam() {
  if (webcam) for (const track of webcam.getTracks()) track.stop();
  webcam = null;
  $("em-video").hidden = true;
  $("em-snap").hidden = true;
  $("em-webcam").textContent = t("emotions.webcam_start");
}

// -- training -----------------------------------------------------------------------------------
function stopRun() {
  if (source) source.close();
  source = null;
  if (run) fetch(withLang(`/api/emotions/runs/${run.id}`), { method: "DELETE", keepalive: true }).catch(() => {});
  run = null;
}

async function startTraining() {
  const mine = ++generation;
  stopRun();
  progress = null; history = []; snapshot = null; evaluation = null; dataset = null;
  runStatus = "starting";
  show($("em-error"), "");
  setStatus(t("emotions.status_loading"));
  render();
  try {
    const body = { epochs: Number(state.epochs) };
    if (set && set.code) body.class_code = set.code;
    const answer = await postJSON("/api/emotions/runs", body);
    if (mine !== generation) return;
    run = { id: answer.run.id };
    root.dataset.runId = run.id;
    source = new EventSource(withLang(answer.events));
    source.onmessage = (e) => { if (mine === generation) handle(JSON.parse(e.data)); };
    source.onerror = () => {
      if (mine !== generation || !source) return;
      if (source.readyState === EventSource.CLOSED) { runStatus = "stopped"; render(); }
    };
  } catch (err) {
    if (mine !== generation) return;
    runStatus = "none";
    show($("em-error"), err.message, "error");
    setStatus(t("emotions.status_idle"));
    render();
  }
}

function handle(ev) {
  switch (ev.type) {
    case "init":
    case "snapshot":
      if (ev.loading) break;
      dataset = ev.dataset;
      history = ev.history.slice();
      progress = ev.progress;
      if (ev.snapshot) snapshot = ev.snapshot;
      if (ev.evaluation) evaluation = ev.evaluation;
      if (ev.status) runStatus = ev.status;
      break;
    case "progress":
      progress = ev;
      if (ev.loss !== null && ev.kind !== "diverged") history.push({ step: ev.step, loss: ev.loss });
      if (ev.snapshot) snapshot = ev.snapshot;
      break;
    case "evaluation":
      evaluation = ev.evaluation;
      break;
    case "status":
      runStatus = ev.status;
      if (ev.status === "queued") setStatus(t("emotions.status_queued", { running: ev.running, position: ev.position }));
      if (ev.status === "error") show($("em-error"), t("emotions.status_error", { error: ev.message || ev.error || "" }), "error");
      break;
    case "problem":
      show($("em-error"), ev.message || ev.error, "error");
      break;
    case "end":
      if (source) source.close();
      source = null;
      if (runStatus !== "finished") runStatus = "stopped";
      break;
    default:
      return;
  }
  render();
}

function setStatus(text) { $("em-status").textContent = text; }

function render() {
  root.dataset.run = runStatus;
  let text = null;
  if (progress && progress.kind === "diverged") text = t("emotions.status_diverged");
  else if (runStatus === "running") text = t("emotions.status_running");
  else if (runStatus === "paused") text = t("emotions.status_paused");
  else if (runStatus === "finished" && evaluation) text = t("emotions.status_finished", { epochs: progress ? progress.epoch : "", acc: pct(evaluation.accuracy ?? 0) });
  else if (runStatus === "stopped") text = t("emotions.status_stopped");
  if (text) setStatus(text);
  const active = run && ["running", "queued", "paused", "idle"].includes(runStatus);
  $("em-start").textContent = run ? t("emotions.restart") : t("emotions.start");
  $("em-pause").disabled = !active || runStatus === "idle";
  $("em-pause").textContent = runStatus === "paused" ? t("emotions.continue") : t("emotions.pause");
  if (progress) {
    $("em-progress").max = progress.steps_total || 1;
    $("em-progress").value = progress.step;
    $("em-progress-text").textContent = t("emotions.progress", {
      epoch: progress.epoch, epochs: progress.epochs, step: progress.step, total: progress.steps_total, seconds: fmt(progress.elapsed, 1),
    });
  }
  if (dataset) {
    $("em-trained-on").textContent = t("emotions.trained_on", {
      train: dataset.train, test: dataset.test, source: t(dataset.source === "class" ? "emotions.source_class" : "emotions.source_generated"),
    });
  }
  const loss = history.filter((h) => h.loss !== null).map((h) => [h.step, h.loss]);
  drawChart($("em-loss"), [{ points: loss, colour: "#1d4e89" }], { xLabel: t("emotions.axis_step") });
  if (loss.length) $("em-loss").setAttribute("aria-label", t("emotions.loss_label", { loss: fmtSig(loss[loss.length - 1][1]) }));
  renderFilters();
  renderEvaluation();
}

function kernelText(k, sep) {
  return k.map((row) => row.map((v) => String(Math.round(v * 100) / 100)).join(" ")).join(sep);
}

function renderFilters() {
  $("em-filters-panel").hidden = !snapshot;
  if (!snapshot) return;
  const box = $("em-filters");
  const filters = snapshot.filters;
  const scale = Math.max(1e-9, ...filters.flat(2).map(Math.abs));
  box.replaceChildren(...filters.map((k, n) => {
    const fig = document.createElement("figure");
    fig.className = "lf-fig em-filter";
    const cap = document.createElement("figcaption");
    cap.textContent = t("emotions.filter_caption", { n: n + 1 });
    const grid = document.createElement("div");
    drawGrid(grid, k, { scale, caption: t("emotions.filter_caption", { n: n + 1 }) });
    const links = document.createElement("p");
    const ex = document.createElement("a");
    ex.className = "em-filter-explorer";
    const q = new URLSearchParams({ k: kernelText(k, ";") });
    ex.href = `${root.dataset.explorer}?${q}`;
    ex.textContent = t("emotions.open_explorer");
    const pl = document.createElement("a");
    pl.className = "em-filter-player";
    pl.href = `${root.dataset.player}?${new URLSearchParams({ filter: "custom", kernel: kernelText(k, "; ") })}`;
    pl.textContent = t("emotions.open_player");
    links.append(ex, " · ", pl);
    fig.append(cap, grid, links);
    return fig;
  }));
}

function renderEvaluation() {
  $("em-result").hidden = !evaluation;
  if (!evaluation) return;
  const labels = dataset ? dataset.labels_nl : set.labels;
  $("em-per-label").replaceChildren(...evaluation.per_label.map((p) => {
    const li = document.createElement("li");
    li.textContent = t("emotions.per_label_row", { label: labelName(p.label), correct: p.correct, total: p.total, acc: p.accuracy === null ? "–" : pct(p.accuracy) });
    return li;
  }));
  const table = $("em-confusion");
  const head = document.createElement("tr");
  const corner = document.createElement("th");
  corner.scope = "col";
  corner.textContent = t("emotions.confusion_corner");
  head.append(corner, ...labels.map((l) => { const th = document.createElement("th"); th.scope = "col"; th.textContent = labelName(l); return th; }));
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...evaluation.confusion.map((row, i) => {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = labelName(labels[i]);
    tr.append(th, ...row.map((v, j) => { const td = document.createElement("td"); td.textContent = String(v); if (i === j) td.className = "em-diag"; return td; }));
    return tr;
  }));
  const box = $("em-mistakes");
  if (!evaluation.mistakes.length) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = t("emotions.mistakes_none");
    box.replaceChildren(p);
    return;
  }
  box.replaceChildren(...evaluation.mistakes.map((m) => {
    const fig = document.createElement("figure");
    fig.className = "em-item em-mistake";
    const text = t("emotions.mistake", { truth: labelName(labels[m.truth]), guess: labelName(labels[m.guess]), p: pct(m.p) });
    const c = greyCanvas(decode(m.data), N, N, 0, text);
    c.className = "em-thumb";
    const cap = document.createElement("figcaption");
    cap.textContent = text;
    const a = document.createElement("a");
    a.href = explorerLink(m.id);
    a.textContent = ` · ${t("emotions.open_explorer")}`;
    cap.append(a);
    fig.append(c, cap);
    return fig;
  }));
}

// -- guessing and feature maps ------------------------------------------------------------------
async function guess(pixels, title) {
  if (!run || !dataset) { $("em-guess-result").textContent = t("emotions.guess_needs_training"); $("em-guess-title").scrollIntoView({ block: "nearest" }); return; }
  try {
    const d = await postJSON(`/api/emotions/runs/${run.id}/predict`, { pixels: Array.from(pixels) });
    const top = d.predictions[0];
    $("em-guess-result").textContent = t("emotions.guess_result", { label: labelName(dataset.labels_nl[top.index]), p: pct(top.p) });
    $("em-guess-result").dataset.label = dataset.labels_nl[top.index];
    $("em-probs").replaceChildren(...d.predictions.map((p) => {
      const li = document.createElement("li");
      const bar = document.createElement("span");
      bar.className = "nw-bar";
      bar.style.width = `${Math.max(1, Math.round(100 * p.p))}%`;
      const label = document.createElement("span");
      label.textContent = t("emotions.prob_label", { label: labelName(dataset.labels_nl[p.index]), p: pct(p.p) });
      li.append(label, bar);
      return li;
    }));
    $("em-maps-title").textContent = title;
    drawMaps($("em-maps"), d.maps);
  } catch (err) {
    $("em-guess-result").textContent = err.message;
  }
}

function drawMaps(box, maps) {
  box.replaceChildren();
  for (const layer of LAYERS) {
    const m = maps[layer];
    if (!m) continue;
    const [ch, h, w] = m.shape;
    const bytes = decode(m.data);
    const fig = document.createElement("figure");
    fig.className = "lf-fig nw-layer";
    fig.dataset.layer = layer;
    const cap = document.createElement("figcaption");
    cap.textContent = t(`emotions.layer_${layer}`);
    const row = document.createElement("div");
    row.className = "nw-maprow";
    const size = Math.max(40, Math.min(84, w * 3));
    for (let c = 0; c < ch; c++) {
      const canvas = greyCanvas(bytes, h, w, c * h * w, t("emotions.map_label", { layer: t(`emotions.layer_${layer}`), n: c + 1 }));
      canvas.style.width = `${size}px`;
      canvas.style.height = `${size}px`;
      row.append(canvas);
    }
    fig.append(cap, row);
    box.append(fig);
  }
}

// -- start --------------------------------------------------------------------------------------
function init() {
  initGrid();
  initTeacher();
  initPhoto();
  $("em-join").addEventListener("submit", (e) => {
    e.preventDefault();
    state.klas = $("em-code").value.trim();
    loadSet();
  });
  $("em-leave").addEventListener("click", () => { state.klas = ""; loadSet(); });
  $("em-add").addEventListener("click", addDrawing);
  $("em-guess").addEventListener("click", () => {
    if (!cells.some((v) => v > 0)) { show($("em-draw-message"), t("emotions.empty_drawing"), "error"); return; }
    guess(cells, t("emotions.maps_of_grid"));
  });
  const epochs = $("em-epochs");
  if ([...epochs.options].some((o) => o.value === String(state.epochs))) epochs.value = String(state.epochs);
  epochs.addEventListener("change", () => { state.epochs = Number(epochs.value); writeState(state, DEFAULTS); });
  $("em-start").addEventListener("click", startTraining);
  $("em-pause").addEventListener("click", () => {
    if (run) postJSON(`/api/emotions/runs/${run.id}/control`, { action: runStatus === "paused" ? "play" : "pause" }).catch((err) => show($("em-error"), err.message, "error"));
  });
  window.addEventListener("pagehide", () => { generation++; stopRun(); stopWebcam(); });
  window.addEventListener("pageshow", (e) => { if (e.persisted) window.location.reload(); });
  loadSet();
}

init();
