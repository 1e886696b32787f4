// The small CNN page: start a training on the server, follow it with Server-Sent Events, draw
// loss and accuracy, the first layer's filters, the feature maps of a test photo and the
// guesses; a canvas to draw on. All numbers come from the server (convolab.learn).

import { getJSON, postJSON, withLang } from "/static/common/api.js";
import { lang, t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";
import { drawChart, drawGrid, fmt, fmtSig } from "/static/learn/grid.js";

const $ = (id) => document.getElementById(id);
const DEFAULTS = { dataset: "fashion-mnist", epochs: 2, lr: 0.002, optimizer: "adam", batch: 64, train: 0 };
const LAYERS = ["input", "conv1", "pool1", "conv2", "pool2"];
const state = readState(DEFAULTS);
const root = $("network");

let run = null;
let source = null;
let generation = 0;
let runStatus = "none";
let dataset = null; // dataset info (classes, notice, ...)
let examples = []; // [{index, label, data}]
let example = 0;
let history = [];
let progress = null;
let snapshot = null;
let drawPending = false;

const pct = (p) => `${fmt(100 * p, 1)}%`;
const classes = () => (dataset ? (lang() === "en" ? dataset.classes_en : dataset.classes_nl) : []);

// -- server -------------------------------------------------------------------------------------
function stopRun() {
  if (source) source.close();
  source = null;
  if (run) fetch(withLang(`/api/network/runs/${run.id}`), { method: "DELETE", keepalive: true }).catch(() => {});
  run = null;
}

/** Leaving the page: only stop reading. The server pauses a training nobody watches and keeps
 * it (15 minutes) so that coming back finds it as it was. */
function leave() {
  generation++;
  if (source) source.close();
  source = null;
}

function follow(mine, events) {
  source = new EventSource(withLang(events));
  source.onmessage = (e) => { if (mine === generation) handle(JSON.parse(e.data)); };
  source.onerror = () => {
    if (mine !== generation || !source) return;
    if (source.readyState === EventSource.CLOSED) { runStatus = "stopped"; describe(); updateButtons(); }
    else setStatus(t("network.connection_lost"));
  };
}

// the run's settings as the form and the URL name them
const FROM_RUN = { dataset: "dataset", epochs: "epochs", lr: "lr", optimizer: "optimizer", batch: "batch_size", train: "train_limit" };

/** Coming back: follow this browser's training if the server still keeps it. */
async function reattach() {
  let answer;
  try {
    answer = await getJSON("/api/network/runs");
  } catch {
    return;
  }
  const found = answer.run;
  if (!found || ["stopped", "error"].includes(found.status) || run) return;
  const made = found.settings || {};
  for (const [k, from] of Object.entries(FROM_RUN)) state[k] = made[from] ?? DEFAULTS[k];
  stateToForm();
  writeState(state, DEFAULTS);
  const mine = ++generation;
  run = { id: found.id, events: answer.events };
  root.dataset.runId = run.id;
  runStatus = found.status;
  example = made.example ?? 0;
  setStatus(t("network.status_loading"));
  updateButtons();
  follow(mine, answer.events);
}

async function start() {
  const mine = ++generation;
  stopRun();
  history = []; progress = null; snapshot = null; dataset = null; examples = [];
  runStatus = "starting";
  showError(null);
  setStatus(t("network.status_loading"));
  updateButtons();
  const body = {
    dataset: state.dataset, epochs: Number(state.epochs), lr: Number(state.lr),
    optimizer: state.optimizer, batch_size: Number(state.batch), example,
  };
  if (Number(state.train) > 0) body.train_limit = Number(state.train);
  try {
    const answer = await postJSON("/api/network/runs", body);
    if (mine !== generation) return;
    run = { id: answer.run.id, events: answer.events };
    root.dataset.runId = run.id;
    follow(mine, answer.events);
  } catch (err) {
    if (mine !== generation) return;
    runStatus = "none";
    showError(err.message);
    setStatus(t("network.status_idle"));
    updateButtons();
  }
}

async function control(action, extra = {}) {
  if (!run) return;
  try {
    await postJSON(`/api/network/runs/${run.id}/control`, { action, ...extra });
  } catch (err) {
    showError(err.message);
  }
}

// -- events -------------------------------------------------------------------------------------
function handle(ev) {
  switch (ev.type) {
    case "init":
    case "snapshot":
      if (ev.loading) break;
      dataset = ev.dataset;
      examples = ev.examples;
      example = ev.example;
      history = ev.history.slice();
      progress = ev.progress;
      if (ev.snapshot) snapshot = ev.snapshot;
      if (ev.status) runStatus = ev.status;
      drawStatic();
      scheduleDraw();
      break;
    case "progress":
      progress = ev;
      if (ev.loss !== null && ev.kind !== "diverged") {
        history.push({ step: ev.step, epoch: ev.epoch, loss: ev.loss, train_accuracy: ev.train_accuracy,
          test_accuracy: ev.kind === "epoch" ? ev.test_accuracy : null });
      }
      if (ev.snapshot) snapshot = ev.snapshot;
      scheduleDraw();
      break;
    case "maps":
      snapshot = ev.snapshot;
      scheduleDraw();
      break;
    case "status":
      runStatus = ev.status;
      if (ev.status === "queued") setStatus(t("network.status_queued", { running: ev.running, position: ev.position }));
      if (ev.status === "error") showError(t("network.status_error", { error: ev.message || ev.error || "" }));
      describe();
      updateButtons();  // "Pauze" becomes "Verder" as soon as the run says it paused
      break;
    case "problem":
      showError(t("network.problem", { error: ev.message || ev.error }));
      break;
    case "end":
      if (source) source.close();
      runStatus = "stopped";
      describe();
      updateButtons();
      break;
    default:
      break;
  }
}

// -- drawing ------------------------------------------------------------------------------------
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawLive(); });
}

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

function drawStatic() {
  if (!dataset) return;
  const notice = lang() === "en" ? dataset.notice_en : dataset.notice_nl;
  $("nw-notice").hidden = !notice;
  $("nw-notice").textContent = notice ? `${t("network.notice")}: ${notice}` : "";
  $("nw-dataset-info").textContent = t("network.dataset_info", {
    name: t(`network.ds_${dataset.name}`), train: dataset.train, test: dataset.test,
    source: dataset.source, licence: dataset.licence,
  });
  const box = $("nw-examples");
  box.replaceChildren();
  examples.forEach((ex, n) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "nw-example";
    b.dataset.index = String(n);
    b.setAttribute("aria-pressed", String(n === example));
    const c = greyCanvas(decode(ex.data), 28, 28);
    c.className = "nw-thumb";
    const truth = document.createElement("span");
    truth.textContent = t("network.truth", { label: classes()[ex.label] });
    const guess = document.createElement("span");
    guess.className = "nw-guess";
    guess.textContent = t("network.no_guess");
    // the button's name is its visible text with the photo's number in front (not an
    // aria-label that leaves the guess out)
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = `${t("network.example_name", { n: n + 1 })}: `;
    b.append(name, c, truth, guess);
    b.addEventListener("click", () => {
      example = n;
      for (const o of box.querySelectorAll("button")) o.setAttribute("aria-pressed", String(o === b));
      control("configure", { example: n });
    });
    box.append(b);
  });
}

function drawLive() {
  describe();
  updateButtons();
  if (progress) {
    $("nw-progress").max = progress.steps_total || 1;
    $("nw-progress").value = progress.step;
    $("nw-progress-text").textContent = t("network.progress", {
      epoch: progress.epoch, epochs: progress.epochs, step: progress.step, total: progress.steps_total,
      seconds: fmt(progress.elapsed, 1),
    });
  }
  const loss = history.filter((h) => h.loss !== null).map((h) => [h.step, h.loss]);
  drawChart($("nw-loss"), [{ points: loss, colour: "#1d4e89" }], { xLabel: t("network.axis_step") });
  if (loss.length) $("nw-loss").setAttribute("aria-label", t("network.loss_label", { loss: fmtSig(loss[loss.length - 1][1]) }));
  const train = history.filter((h) => h.train_accuracy !== null).map((h) => [h.step, h.train_accuracy]);
  const test = history.filter((h) => h.test_accuracy !== null).map((h) => [h.step, h.test_accuracy]);
  drawChart($("nw-acc"), [
    { points: train, colour: "#1d4e89" },
    { points: test, colour: "#1e6b34", width: 3 },
  ], { yRange: [0, 1], yFormat: (v) => `${Math.round(100 * v)}%`, xLabel: t("network.axis_step") });
  if (train.length) {
    $("nw-acc").setAttribute("aria-label", t("network.acc_label", {
      train: pct(train[train.length - 1][1]), test: test.length ? pct(test[test.length - 1][1]) : "–",
    }));
  }
  if (snapshot) drawSnapshot();
}

function drawSnapshot() {
  const box = $("nw-filters");
  const filters = snapshot.filters;
  const scale = Math.max(1e-9, ...filters.flat(2).map(Math.abs));
  if (box.children.length !== filters.length) {
    box.replaceChildren(...filters.map((_, n) => {
      const fig = document.createElement("figure");
      fig.className = "lf-fig";
      const cap = document.createElement("figcaption");
      cap.textContent = t("network.filter_caption", { n: n + 1 });
      const grid = document.createElement("div");
      fig.append(cap, grid);
      return fig;
    }));
  }
  filters.forEach((k, n) => {
    drawGrid(box.children[n].querySelector("div"), k, { scale, caption: t("network.filter_caption", { n: n + 1 }) });
  });
  drawMaps($("nw-maps"), snapshot.maps);
  const names = classes();
  const buttons = $("nw-examples").querySelectorAll("button");
  for (const p of snapshot.predictions) {
    const n = examples.findIndex((e) => e.index === p.index);
    const b = buttons[n];
    if (!b) continue;
    const best = p.probs.indexOf(Math.max(...p.probs));
    const ok = best === p.label;
    const guess = b.querySelector(".nw-guess");
    guess.textContent = `${t("network.guess", { label: names[best], p: pct(p.probs[best]) })} · ${t(ok ? "network.correct" : "network.wrong")}`;
    b.classList.toggle("right", ok);
    b.classList.toggle("wrong", !ok);
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
    const cap = document.createElement("figcaption");
    cap.textContent = t(`network.layer_${layer}`);
    const row = document.createElement("div");
    row.className = "nw-maprow";
    const size = Math.max(40, Math.min(84, w * 3));
    for (let c = 0; c < ch; c++) {
      const canvas = greyCanvas(bytes, h, w, c * h * w, t("network.map_label", { layer: t(`network.layer_${layer}`), n: c + 1 }));
      canvas.style.width = `${size}px`;
      canvas.style.height = `${size}px`;
      row.append(canvas);
    }
    fig.append(cap, row);
    box.append(fig);
  }
}

function describe() {
  root.dataset.run = runStatus;
  if (progress) root.dataset.kind = progress.kind;
  let text = null;
  if (progress && progress.kind === "diverged") {
    text = t("network.status_diverged", { lr: state.lr, suggestion: progress.suggestion });
  } else if (runStatus === "running") text = t("network.status_running");
  else if (runStatus === "paused") text = t("network.status_paused");
  else if (runStatus === "finished" && progress) {
    text = t("network.status_finished", { epochs: progress.epoch, acc: pct(progress.test_accuracy ?? 0) });
  } else if (runStatus === "stopped") text = t("network.status_stopped");
  else if (runStatus === "idle" && dataset) text = t("network.status_loading");
  if (text) setStatus(text);
  $("nw-status").className = `message ${progress && progress.kind === "diverged" ? "error" : "info"}`;
}

function updateButtons() {
  const active = run && ["running", "queued", "paused", "idle", "starting"].includes(runStatus);
  $("nw-start").textContent = run ? t("network.restart") : t("network.start");
  const pause = $("nw-pause");
  pause.disabled = !active || runStatus === "starting" || runStatus === "idle";
  pause.textContent = runStatus === "paused" ? t("network.continue") : t("network.pause");
  const dl = $("nw-download");
  dl.hidden = !(run && runStatus === "finished");
  if (run) dl.href = withLang(`/api/network/runs/${run.id}/model`);
}

function setStatus(text) { $("nw-status").textContent = text; }

function showError(message) {
  $("nw-error").hidden = !message;
  $("nw-error").textContent = message || "";
}

// -- drawing on a canvas ------------------------------------------------------------------------
const pad = $("nw-canvas");
const pen = pad.getContext("2d");
const cursor = { x: 14, y: 14, down: false };
let drawing = false;
let last = null;
let predictTimer = null;

function clearPad() {
  pen.fillStyle = "#000";
  pen.fillRect(0, 0, pad.width, pad.height);
  $("nw-draw-result").textContent = t("network.draw_empty");
  $("nw-draw-probs").replaceChildren();
}

function stroke(from, to) {
  pen.strokeStyle = "#fff";
  pen.lineWidth = 22;
  pen.lineCap = "round";
  pen.beginPath();
  pen.moveTo(from.x, from.y);
  pen.lineTo(to.x, to.y);
  pen.stroke();
}

function padPoint(e) {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) / r.width) * pad.width, y: ((e.clientY - r.top) / r.height) * pad.height };
}

function pixels() {
  const small = document.createElement("canvas");
  small.width = 28; small.height = 28;
  const ctx = small.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(pad, 0, 0, 28, 28);
  const data = ctx.getImageData(0, 0, 28, 28).data;
  const out = [];
  for (let i = 0; i < 28 * 28; i++) out.push(data[4 * i]);
  return out;
}

function schedulePredict() {
  clearTimeout(predictTimer);
  predictTimer = setTimeout(predictDrawing, 150);
}

async function predictDrawing() {
  const px = pixels();
  if (!px.some((v) => v > 0)) { $("nw-draw-result").textContent = t("network.draw_empty"); return; }
  if (!run || !dataset) { $("nw-draw-result").textContent = t("network.draw_wait"); return; }
  try {
    const answer = await postJSON(`/api/network/runs/${run.id}/predict`, { pixels: px });
    const top = answer.predictions[0];
    $("nw-draw-result").textContent = t("network.draw_result", { label: top.label, p: pct(top.p) });
    $("nw-draw-probs").replaceChildren(...answer.predictions.slice(0, 5).map((p) => {
      const li = document.createElement("li");
      const bar = document.createElement("span");
      bar.className = "nw-bar";
      bar.style.width = `${Math.max(1, Math.round(100 * p.p))}%`;
      const label = document.createElement("span");
      label.textContent = t("network.prob_label", { label: p.label, p: pct(p.p) });
      li.append(label, bar);
      return li;
    }));
  } catch (err) {
    showError(err.message);
  }
}

function keyDraw(e) {
  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (e.key in moves) {
    e.preventDefault();
    const from = { x: cursor.x * 10 + 5, y: cursor.y * 10 + 5 };
    cursor.x = Math.max(0, Math.min(27, cursor.x + moves[e.key][0]));
    cursor.y = Math.max(0, Math.min(27, cursor.y + moves[e.key][1]));
    if (cursor.down) { stroke(from, { x: cursor.x * 10 + 5, y: cursor.y * 10 + 5 }); schedulePredict(); }
  } else if (e.key === " " || e.key === "Enter") {
    e.preventDefault();
    cursor.down = !cursor.down;
    if (cursor.down) { const p = { x: cursor.x * 10 + 5, y: cursor.y * 10 + 5 }; stroke(p, p); schedulePredict(); }
  } else if (e.key === "Delete" || e.key === "Backspace") {
    e.preventDefault();
    clearPad();
  } else return;
  placeCursor();
}

function placeCursor() {
  pad.parentElement.style.setProperty("--cx", `${(cursor.x / 28) * 100}%`);
  pad.parentElement.style.setProperty("--cy", `${(cursor.y / 28) * 100}%`);
  pad.parentElement.classList.toggle("pen-down", cursor.down);
}

function initPad() {
  clearPad();
  pad.addEventListener("pointerdown", (e) => {
    drawing = true; last = padPoint(e); stroke(last, last);
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const p = padPoint(e); stroke(last, p); last = p;
  });
  const end = () => { if (drawing) { drawing = false; schedulePredict(); } };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  pad.addEventListener("keydown", keyDraw);
  pad.addEventListener("keydown", () => pad.parentElement.classList.add("keyboard"), { once: true });
  pad.addEventListener("blur", () => pad.parentElement.classList.remove("keyboard"));
  $("nw-clear").addEventListener("click", clearPad);
  placeCursor();
}

// -- the form -----------------------------------------------------------------------------------
function stateToForm() {
  for (const k of ["dataset", "epochs", "optimizer"]) {
    const el = $(`nw-${k}`);
    if ([...el.options].some((o) => o.value === String(state[k]))) el.value = String(state[k]);
    else state[k] = DEFAULTS[k];
  }
  $("nw-lr").value = state.lr;
}

function init() {
  stateToForm();
  for (const k of ["dataset", "epochs", "optimizer"]) {
    const el = $(`nw-${k}`);
    el.addEventListener("change", () => { state[k] = k === "epochs" ? Number(el.value) : el.value; writeState(state, DEFAULTS); });
  }
  $("nw-lr").addEventListener("change", () => { state.lr = Number($("nw-lr").value); writeState(state, DEFAULTS); });
  $("nw-start").addEventListener("click", start);
  $("nw-pause").addEventListener("click", () => control(runStatus === "paused" ? "play" : "pause"));
  window.addEventListener("pagehide", leave);
  // back from the browser's page cache: the stream was closed when the page was hidden
  window.addEventListener("pageshow", (e) => { if (e.persisted) window.location.reload(); });
  window.addEventListener("resize", scheduleDraw);
  initPad();
  updateButtons();
  reattach();
}

init();
