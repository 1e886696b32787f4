// Learn a filter: start a run on the server, follow it with Server-Sent Events and draw it.
// The server (convolab.learn) does all the learning; this page only sends commands and draws
// the kernel grids, the loss curve and the pictures it receives.

import { getJSON, postJSON, withLang } from "/static/common/api.js";
import { t } from "/static/common/i18n.js";
import { readState, writeState } from "/static/common/urlstate.js";
import { drawChart, drawGrid, fmt, fmtSig } from "/static/learn/grid.js";

const $ = (id) => document.getElementById(id);
const DEFAULTS = {
  target: "sharpen", kernel: "", image: "grass", lr: 0.1, optimizer: "adam", init: "random",
  speed: "normal",
};
const state = readState(DEFAULTS);
const root = $("learn");

let run = null; // {id, events}
let source = null;
let info = null; // the latest init/snapshot/reset event
let history = []; // [[step, loss], ...]
let runStatus = "idle"; // idle | queued | running | paused | finished | stopped | error
let learner = null; // the latest learner state (step, loss, kernel, status, ...)
let generation = 0; // increases with every new run, so late events of an old one are ignored
let drawPending = false;

// -- talking to the server ----------------------------------------------------------------------
function runBody() {
  const body = {
    target: state.target, image: state.image, lr: Number(state.lr), optimizer: state.optimizer,
    init: state.init, speed: state.speed,
  };
  if (state.target === "custom") body.kernel = state.kernel || $("lf-kernel").value;
  return body;
}

/** End the current run: the pupil asked for a new one (another target, photo, filter). */
function stopRun() {
  if (source) source.close();
  source = null;
  if (run) {
    fetch(withLang(`/api/learn/runs/${run.id}`), { method: "DELETE", keepalive: true }).catch(() => {});
  }
  run = null;
}

/** Leaving the page: only stop reading. The server pauses a run nobody watches and keeps
 * it (15 minutes) so that coming back finds it as it was. */
function leave() {
  generation++;
  if (source) source.close();
  source = null;
}

// the settings that make a run (the others change while it runs and come with its snapshot)
const RUN_KEYS = ["target", "image", "kernel"];

/** Coming back: follow this browser's run if the server still keeps it (and the link did not
 * ask for another target or photo). True when reattached. */
async function reattach() {
  let answer;
  try {
    answer = await getJSON("/api/learn/runs");
  } catch {
    return false;
  }
  const found = answer.run;
  if (!found || ["stopped", "error"].includes(found.status)) return false;
  const made = found.settings || {};
  const asked = new URLSearchParams(window.location.search);
  const differs = RUN_KEYS.some((k) => asked.has(k) && String(made[k] ?? "") !== String(state[k]));
  if (differs) return false;
  for (const k of Object.keys(DEFAULTS)) {
    if (made[k] !== undefined && made[k] !== null) state[k] = made[k];
  }
  stateToForm();
  save();
  const mine = ++generation;
  run = { id: found.id, events: answer.events };
  root.dataset.runId = run.id;
  runStatus = found.status;
  setStatus(t("learn.starting"));
  connect(mine);
  return true;
}

async function newRun() {
  const mine = ++generation;
  stopRun();
  info = null; learner = null; history = []; runStatus = "idle";
  setStatus(t("learn.starting"));
  showError(null);
  updateButtons();
  try {
    const answer = await postJSON("/api/learn/runs", runBody());
    if (mine !== generation) return;
    run = { id: answer.run.id, events: answer.events };
    root.dataset.runId = run.id;
    connect(mine);
  } catch (err) {
    if (mine !== generation) return;
    showError(err.message);
    setStatus("");
  }
}

function connect(mine) {
  source = new EventSource(withLang(run.events));
  source.onmessage = (e) => {
    if (mine !== generation) return;
    handle(JSON.parse(e.data));
  };
  source.onerror = () => {
    if (mine !== generation || !source) return;
    if (source.readyState === EventSource.CLOSED) {
      setStatus(t("learn.status_stopped"));
      runStatus = "stopped";
      updateButtons();
    } else {
      setStatus(t("learn.connection_lost"));
    }
  };
}

async function control(action, extra = {}) {
  if (!run) return;
  showError(null);
  try {
    await postJSON(`/api/learn/runs/${run.id}/control`, { action, ...extra });
  } catch (err) {
    showError(err.message);
  }
}

// -- events -------------------------------------------------------------------------------------
function handle(ev) {
  switch (ev.type) {
    case "init":
    case "snapshot":
    case "reset":
      info = ev;
      history = ev.history.slice();
      learner = ev.state;
      if (ev.status) runStatus = ev.status;
      if (ev.settings) syncSettings(ev.settings);
      drawAll();
      break;
    case "frame":
      learner = ev.state;
      for (const p of ev.losses) history.push(p);
      if (info) info.images.output = ev.output;
      scheduleDraw();
      break;
    case "status":
      runStatus = ev.status;
      if (ev.status === "queued") {
        setStatus(t("learn.status_queued", { running: ev.running, position: ev.position }));
      }
      if (ev.status === "error") showError(t("learn.status_error", { error: ev.message || ev.error || "" }));
      describe();
      updateButtons();
      break;
    case "settings":
      if (info) info.settings = ev.settings;
      syncSettings(ev.settings);
      break;
    case "problem":
      showError(t("learn.problem", { error: ev.message || ev.error }));
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
  requestAnimationFrame(() => {
    drawPending = false;
    drawLive();
  });
}

function kernelScale() {
  const vals = [...(learner?.kernel || []).flat(), ...(learner?.target_kernel || info?.best_kernel || []).flat()];
  return Math.max(1e-9, ...vals.filter(Number.isFinite).map(Math.abs));
}

function drawAll() {
  if (!info) return;
  const shape = `${info.kernel_shape[0]}×${info.kernel_shape[1]}`;
  const target = learner?.target_kernel;
  const scale = kernelScale();
  if (target) {
    drawGrid($("lf-target-grid"), target, { scale, caption: t("learn.grid_caption_target") });
  } else {
    $("lf-target-grid").replaceChildren(Object.assign(document.createElement("p"), {
      className: "lf-nokernel", textContent: t("learn.no_kernel"),
    }));
  }
  const honest = $("lf-honest");
  if (!info.achievable) {
    honest.hidden = false;
    honest.className = "message lf-honest impossible";
    honest.textContent = t("learn.impossible", {
      k: shape, pct: `${fmt(100 * Math.max(0, info.explained), 0)}%`, floor: fmtSig(info.floor_loss),
    });
    $("lf-best-fig").hidden = false;
    drawGrid($("lf-best-grid"), info.best_kernel, { scale, caption: t("learn.grid_caption_best") });
  } else {
    honest.hidden = true;
    $("lf-best-fig").hidden = true;
  }
  $("lf-img-input").src = info.images.input;
  $("lf-img-target").src = info.images.target;
  drawLive();
}

function drawLive() {
  if (!info || !learner) return;
  drawGrid($("lf-learned-grid"), learner.kernel, {
    scale: kernelScale(), caption: t("learn.grid_caption_learned", { step: learner.step }),
  });
  $("lf-learned-caption").textContent = t("learn.grid_caption_learned", { step: learner.step });
  if (learner.gradient) {
    drawGrid($("lf-gradient-grid"), learner.gradient, { digits: 3, caption: t("learn.gradient_caption") });
  }
  $("lf-img-output").src = info.images.output;
  const series = [{ points: history, colour: "#1d4e89" }];
  if (!info.achievable && history.length) {
    const x1 = history[history.length - 1][0];
    series.push({ points: [[1, info.floor_loss], [Math.max(2, x1), info.floor_loss]], colour: "#a4161a", dash: [6, 4], width: 1.5 });
  }
  drawChart($("lf-loss"), series, { log: true, xLabel: t("learn.loss_axis_step") });
  $("lf-loss").setAttribute("aria-label", history.length
    ? t("learn.loss_label", { n: history.length, loss: fmtSig(learner.loss) })
    : t("learn.loss_empty"));
  const parts = [t("learn.stats", { step: learner.step, loss: fmtSig(learner.loss) })];
  if (learner.max_abs_error !== null && learner.max_abs_error !== undefined) {
    parts.push(t("learn.stats_error", { err: fmt(learner.max_abs_error, 3) }));
  } else if (!info.achievable) {
    parts.push(t("learn.stats_floor", { floor: fmtSig(info.floor_loss) }));
  }
  $("lf-stats").textContent = parts.join(" · ");
  describe();
  updateButtons();
}

/** The status line: what is happening, in words. */
function describe() {
  if (!learner) return;
  const s = learner.status;
  root.dataset.status = s;
  root.dataset.run = runStatus;
  if (runStatus === "queued") return; // the queue message stays
  let text;
  if (s === "diverged") text = t("learn.status_diverged", { lr: learner.lr, suggestion: learner.suggestion });
  else if (s === "converged") text = t("learn.status_converged", { step: learner.step, tol: fmt(0.01, 2) });
  else if (s === "at_floor") text = t("learn.status_at_floor");
  else if (runStatus === "stopped" || runStatus === "error") text = t("learn.status_stopped");
  else if (runStatus === "running") text = t("learn.status_learning");
  else if (runStatus === "finished") text = t("learn.status_finished_steps", { step: learner.step });
  else if (runStatus === "paused") text = t("learn.status_paused");
  else text = t("learn.status_ready");
  setStatus(text);
  $("lf-status").className = `message ${s === "diverged" ? "error" : "info"}`;
}

function updateButtons() {
  const alive = Boolean(run) && !["stopped", "error"].includes(runStatus) && Boolean(learner);
  const busy = runStatus === "running" || runStatus === "queued";
  const diverged = learner?.status === "diverged";
  $("lf-play").disabled = !alive || busy || diverged;
  $("lf-play").textContent = learner && learner.step > 0 ? t("learn.continue") : t("learn.play");
  $("lf-pause").disabled = !alive || !busy;
  $("lf-step").disabled = !alive || diverged;
  $("lf-reset").disabled = !alive;
}

function setStatus(text) {
  $("lf-status").textContent = text;
}

function showError(message) {
  const box = $("lf-error");
  box.hidden = !message;
  box.textContent = message || "";
}

// -- the form -----------------------------------------------------------------------------------
/** The run's own settings (it may have been changed in an earlier visit) into the form. */
function syncSettings(settings) {
  let changed = false;
  for (const k of ["lr", "optimizer", "init", "speed"]) {
    if (settings[k] !== undefined && String(settings[k]) !== String(state[k])) {
      state[k] = settings[k];
      changed = true;
    }
  }
  if (changed) {
    stateToForm();
    save();
  }
}

function stateToForm() {
  for (const k of ["target", "image", "optimizer", "init", "speed"]) {
    const el = $(`lf-${k}`);
    if ([...el.options].some((o) => o.value === String(state[k]))) el.value = state[k];
    else state[k] = el.value;
  }
  $("lf-lr").value = state.lr;
  if (state.kernel) $("lf-kernel").value = state.kernel;
  $("lf-custom-wrap").hidden = state.target !== "custom";
}

function save() {
  writeState(state, DEFAULTS);
}

function onRunSetting(e) {
  const k = e.target.name;
  state[k] = e.target.value;
  $("lf-custom-wrap").hidden = state.target !== "custom";
  save();
  newRun();
}

function onLiveSetting(e) {
  const k = e.target.name;
  const value = k === "lr" ? Number(e.target.value) : e.target.value;
  if (k === "lr" && !(value > 0)) {
    showError(t("learn.err_lr", { value: e.target.value }));
    return;
  }
  state[k] = value;
  save();
  if (k === "init") return; // applies at the next reset
  control("configure", { [k]: value });
}

let kernelTimer = null;
function onKernelInput() {
  clearTimeout(kernelTimer);
  kernelTimer = setTimeout(() => {
    state.kernel = $("lf-kernel").value.trim();
    save();
    newRun();
  }, 700);
}

function init() {
  stateToForm();
  $("lf-target").addEventListener("change", onRunSetting);
  $("lf-image").addEventListener("change", onRunSetting);
  for (const id of ["lf-lr", "lf-optimizer", "lf-init", "lf-speed"]) $(id).addEventListener("change", onLiveSetting);
  $("lf-kernel").addEventListener("input", onKernelInput);
  $("lf-form").addEventListener("submit", (e) => e.preventDefault());
  $("lf-play").addEventListener("click", () => control("play"));
  $("lf-pause").addEventListener("click", () => control("pause"));
  $("lf-step").addEventListener("click", () => control("step"));
  $("lf-reset").addEventListener("click", () => {
    history = [];
    control("reset", { lr: Number(state.lr), optimizer: state.optimizer, init: state.init });
  });
  window.addEventListener("pagehide", leave);
  // back from the browser's page cache: the stream was closed when the page was hidden
  window.addEventListener("pageshow", (e) => { if (e.persisted) window.location.reload(); });
  window.addEventListener("resize", () => scheduleDraw());
  reattach().then((found) => { if (!found) newRun(); });
}

init();
