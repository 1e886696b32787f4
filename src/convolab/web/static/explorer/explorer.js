// The filter explorer page. The server computes (POST /api/apply calls convolab's core);
// this module only keeps the state (in the URL), sends requests and draws what comes back.
import { getJSON, isAbort, latest, postBytes, postJSON, withLang } from "../common/api.js";
import { cellText, lang, t } from "../common/i18n.js";
import { readState, writeState } from "../common/urlstate.js";
import { KernelGrid, cellsToText, textToCells } from "./kernelgrid.js";

const root = document.getElementById("explorer");
const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 150;
const MAX_KERNEL = Number(root.dataset.maxKernel);
const MAX_UPLOAD_BYTES = Number(root.dataset.maxUploadMb) * 1024 * 1024;
const UPLOAD_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];
const WEBCAM_SIDE = 640;

const DEFAULTS = {
  sample: root.dataset.defaultSample,
  filter: root.dataset.defaultFilter,
  k: "",
  mode: "correlate",
  border: "zero",
  mapping: "",
  colour: true,
  view: "side",
};

const state = readState(DEFAULTS);
const catalogue = new Map(); // filter id -> kernel dict from /api/kernels
const samples = new Map(); // sample id -> sample dict from /api/samples
let source = { kind: "sample", name: state.sample }; // or {kind: "upload"|"webcam", ...}
let outputUrl = null;
let seq = 0;
let webcamStream = null;
let pixel = null; // [row, col] of the output pixel to explain step by step
const number = new Intl.NumberFormat(lang(), { maximumFractionDigits: 2 });

const grid = new KernelGrid($("kernel-grid"), {
  max: MAX_KERNEL,
  cellLabel: (row, col) => t("explorer.kernel_cell", { row, col }),
  onInput: () => { syncKernel(); scheduleApply(); },
});

// --- helpers ------------------------------------------------------------------------------

async function drawBlob(canvas, blob) {
  // No colour management and no premultiplication: the canvas holds the PNG's exact pixels.
  const bmp = await createImageBitmap(blob, {
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  canvas.width = bmp.width;
  canvas.height = bmp.height;
  canvas.getContext("2d").drawImage(bmp, 0, 0);
  bmp.close();
}

function drawPixels(canvas, result) {
  // /api/apply sends the exact uint8 pixels (height x width x channels, row by row); they go
  // into the canvas as they are: grey is repeated into R, G and B, alpha is opaque.
  const { width, height, channels } = result;
  const src = result.pixels;
  if (src.length !== width * height * channels) throw new Error(t("common.err_unexpected", { detail: "pixels" }));
  const rgba = new Uint8ClampedArray(width * height * 4);
  if (channels === 1) {
    const out = new Uint32Array(rgba.buffer);
    const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    for (let i = 0; i < src.length; i += 1) {
      const v = src[i];
      out[i] = little
        ? (0xff000000 | (v << 16) | (v << 8) | v) >>> 0
        : ((v << 24) | (v << 16) | (v << 8) | 0xff) >>> 0;
    }
  } else {
    for (let i = 0, j = 0; i < src.length; i += channels, j += 4) {
      rgba[j] = src[i];
      rgba[j + 1] = src[i + 1];
      rgba[j + 2] = src[i + 2];
      rgba[j + 3] = channels === 4 ? src[i + 3] : 255;
    }
  }
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").putImageData(new ImageData(rgba, width, height), 0, 0);
}

// --- network calls ----------------------------------------------------------------------------

/** Upload a file once (its bytes as the body); the server keeps the working copy. */
function uploadImage(blob, filename) {
  return postBytes(`/api/image?filename=${encodeURIComponent(filename)}`, blob);
}

/**
 * The working copy the server keeps of an upload, as raw pixels (the JSON part of
 * X-Meta-Length bytes, then height x width x channels bytes), ready for drawPixels.
 */
async function fetchWorkingCopy(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const buffer = await response.arrayBuffer();
  const n = Number(response.headers.get("x-meta-length"));
  const result = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 0, n)));
  result.pixels = new Uint8Array(buffer, n);
  return result;
}

/**
 * POST /api/apply. The answer is binary: a JSON part of X-Meta-Length bytes, then the raw
 * uint8 pixels (height x width x channels). Returns the JSON part with `pixels` added.
 */
async function postApply(body, signal) {
  const { buffer, headers } = await postJSON("/api/apply", body, { signal, binary: true });
  const n = Number(headers.get("x-meta-length"));
  const result = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 0, n)));
  result.pixels = new Uint8Array(buffer, n);
  return result;
}

function showMessage(el, text, kind = "error") {
  el.textContent = text || "";
  el.className = `message ${text ? kind : ""}`;
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// --- state <-> controls ---------------------------------------------------------------------

function currentKernel() {
  return catalogue.get(state.filter);
}

function saveState() {
  if (source.kind === "sample") state.sample = source.name;
  writeState(state, DEFAULTS);
}

function syncKernel() {
  const problems = grid.problems();
  const custom = grid.isCustom();
  $("kernel-reset").hidden = !custom;
  const k = currentKernel();
  const option = $("filter").selectedOptions[0];
  if (k && option) option.textContent = custom ? `${k.name} (${t("explorer.custom_filter")})` : k.name;
  $("filter-about").textContent = k ? (custom ? t("explorer.custom_about") : k.about) : "";
  $("rows").value = String(grid.rows);
  $("cols").value = String(grid.cols);
  if (problems.length) {
    const p = problems[0];
    const key = {
      empty: "explorer.cell_empty",
      zero: "explorer.cell_zero_division",
    }[p.reason] || "explorer.cell_invalid";
    showMessage($("kernel-error"), `${t(key, p)} ${t("explorer.cells_not_sent")}`);
    return false;
  }
  showMessage($("kernel-error"), "");
  state.k = custom ? cellsToText(grid.cells()) : "";
  saveState();
  showTurned();
  return true;
}

/** Convolution mode: the grid as applied (rotated by 180°) and what that filter does. */
function showTurned() {
  const on = state.mode === "convolve";
  $("turned").hidden = !on;
  if (!on) return;
  const cells = grid.cells();
  const turned = cells.slice().reverse().map((row) => row.slice().reverse());
  const table = $("turned-grid");
  table.replaceChildren();
  for (const row of turned) {
    const tr = table.insertRow();
    for (const c of row) tr.insertCell().textContent = cellText(c);
  }
  const text = cellsToText(turned);
  let about;
  if (text === cellsToText(cells)) about = t("explorer.turned_same");
  else {
    const match = [...catalogue.values()].find((k) => cellsToText(k.cells) === text);
    about = match ? t("explorer.turned_is", { name: match.name, about: match.about }) : t("explorer.turned_other");
  }
  $("turned-about").textContent = about;
}

function effectiveMapping() {
  const k = currentKernel();
  return state.mapping || (k ? k.display : "clip");
}

function renderMappingOptions() {
  const k = currentKernel();
  for (const option of $("mapping").options) {
    const name = t(`explorer.mapping_${option.value}`);
    option.textContent = k && option.value === k.display
      ? t("explorer.mapping_default", { name }) : name;
  }
  $("mapping").value = effectiveMapping();
}

function selectFilter(id, { keepCells = false } = {}) {
  if (!catalogue.has(id)) id = DEFAULTS.filter;
  state.filter = id;
  const k = catalogue.get(id);
  $("filter").value = id;
  for (const option of $("filter").options) option.textContent = catalogue.get(option.value).name;
  grid.setBase(k.cells);
  if (keepCells) {
    const cells = textToCells(state.k);
    if (cells && cells.length <= MAX_KERNEL && cells[0].length <= MAX_KERNEL) grid.setValues(cells);
  }
  renderMappingOptions();
  syncKernel();
}

function showBorderExample() {
  const option = $("border").selectedOptions[0];
  $("border-example").textContent = option
    ? t("explorer.border_example", { example: option.dataset.example, about: option.dataset.about })
    : "";
}

function setView(view) {
  state.view = view === "slider" ? "slider" : "side";
  const sliding = state.view === "slider";
  $("compare").classList.toggle("sliding", sliding);
  $("before-canvas").hidden = !sliding;
  $("slider-field").hidden = !sliding;
  for (const r of document.querySelectorAll('input[name="view"]')) r.checked = r.value === state.view;
  saveState();
}

function setSplit() {
  $("compare").style.setProperty("--split", `${$("slider").value}%`);
}

// --- input image ----------------------------------------------------------------------------

function isGreySource() {
  return source.kind === "sample" && samples.has(source.name) && !samples.get(source.name).colour;
}

async function drawInput() {
  const canvas = $("input-canvas");
  const grey = !state.colour;
  if (source.kind === "sample") {
    const response = await fetch(`/api/samples/${encodeURIComponent(source.name)}.png?grey=${grey ? 1 : 0}`);
    if (!response.ok) throw new Error(`sample ${source.name}: ${response.status}`);
    await drawBlob(canvas, await response.blob());
  } else {
    drawPixels(canvas, await fetchWorkingCopy(grey ? source.pixelsGrey : source.pixels));
  }
  const before = $("before-canvas");
  before.width = canvas.width;
  before.height = canvas.height;
  before.getContext("2d").drawImage(canvas, 0, 0);
  describeInput(canvas.width, canvas.height);
  const save = $("save-input");
  save.hidden = source.kind === "sample";
  if (source.kind !== "sample") {
    save.href = source.url; // the colour working copy as PNG, made when it is asked for
    save.download = source.filename.replace(/\.[^.]*$/, "") + ".png";
  }
}

function describeInput(width, height) {
  let text;
  if (source.kind === "sample") {
    const s = samples.get(source.name);
    text = t("explorer.source_sample", { ...s, width, height });
  } else if (source.kind === "upload") {
    text = t("explorer.source_upload", { name: source.filename, width, height });
  } else {
    text = t("explorer.source_webcam", { width, height });
  }
  if (source.resized) {
    text += " " + t("explorer.source_resized", {
      ow: source.original[1], oh: source.original[0], width, height,
    });
  }
  $("input-info").textContent = text;
  const grey = isGreySource();
  $("colour").disabled = grey;
  $("colour-hint").hidden = !grey;
}

function markGallery() {
  for (const b of $("gallery").querySelectorAll("button")) {
    b.setAttribute("aria-pressed", String(source.kind === "sample" && b.dataset.sample === source.name));
  }
}

async function useSample(name) {
  source = { kind: "sample", name };
  markGallery();
  saveState();
  await refreshInput();
}

async function refreshInput() {
  try {
    await drawInput();
  } catch (err) {
    showMessage($("input-message"), t("common.err_unexpected", { detail: err.message }));
    return;
  }
  apply();
}

async function useUpload(blob, filename, kind) {
  showMessage($("input-message"), t("common.loading"), "info");
  try {
    const r = await uploadImage(blob, filename);
    const original = [r.original_height, r.original_width];
    source = {
      kind, filename, blob, imageId: r.image_id, url: r.url, pixels: r.pixels, pixelsGrey: r.pixels_grey,
      original, resized: r.resized,
    };
    showMessage($("input-message"), "");
    markGallery();
    await refreshInput();
  } catch (err) {
    showMessage($("input-message"), err.message);
  }
}

async function onFile(file) {
  if (!file) return;
  if (file.type && !UPLOAD_TYPES.includes(file.type)) {
    showMessage($("input-message"), t("explorer.err_upload_type"));
    return;
  }
  if (file.size > MAX_UPLOAD_BYTES) {
    showMessage($("input-message"), t("explorer.err_upload_too_large", { mb: root.dataset.maxUploadMb }));
    return;
  }
  await useUpload(file, file.name, "upload");
}

// --- webcam ---------------------------------------------------------------------------------

function webcamMessage(err) {
  const name = err && err.name;
  if (name === "NotAllowedError" || name === "SecurityError") return t("explorer.webcam_denied");
  if (name === "NotFoundError" || name === "OverconstrainedError") return t("explorer.webcam_absent");
  if (name === "NotReadableError" || name === "AbortError") return t("explorer.webcam_busy");
  return t("explorer.webcam_error", { detail: (err && err.message) || String(err) });
}

async function startWebcam() {
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showMessage($("input-message"), t("explorer.webcam_insecure"));
    return;
  }
  showMessage($("input-message"), t("explorer.webcam_starting"), "info");
  try {
    webcamStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch (err) {
    showMessage($("input-message"), webcamMessage(err));
    return;
  }
  const video = $("webcam-video");
  video.srcObject = webcamStream;
  $("webcam").hidden = false;
  showMessage($("input-message"), "");
  try {
    await video.play();
  } catch (err) {
    showMessage($("input-message"), webcamMessage(err));
    stopWebcam();
    return;
  }
  $("webcam-take").focus();
}

function stopWebcam() {
  if (webcamStream) for (const track of webcamStream.getTracks()) track.stop();
  webcamStream = null;
  $("webcam-video").srcObject = null;
  $("webcam").hidden = true;
}

async function takePhoto() {
  const video = $("webcam-video");
  const scale = Math.min(1, WEBCAM_SIDE / Math.max(video.videoWidth, video.videoHeight));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(video.videoWidth * scale));
  canvas.height = Math.max(1, Math.round(video.videoHeight * scale));
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  stopWebcam();
  $("webcam-start").focus();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  await useUpload(blob, "webcam.png", "webcam");
}

// --- output ---------------------------------------------------------------------------------

function requestBody() {
  const body = {
    filter: state.filter,
    mode: state.mode,
    border: state.border,
    colour: state.colour,
  };
  if (state.mapping) body.mapping = state.mapping;
  if (grid.isCustom()) body.kernel = grid.cells();
  if (source.kind === "sample") {
    body.sample = source.name;
  } else {
    body.image_id = source.imageId;
  }
  return body;
}

function drawLegend(result) {
  const { legend } = result;
  const canvas = $("legend-canvas");
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(legend.values.length, 1);
  legend.values.forEach((v, i) => {
    img.data.set([v, v, v, 255], i * 4);
  });
  canvas.width = legend.values.length;
  ctx.putImageData(img, 0, 0);
  const [a, b] = legend.domain;
  const left = ((result.min - a) / (b - a)) * 100;
  const width = ((result.max - result.min) / (b - a)) * 100;
  const range = $("legend-range");
  range.style.left = `${left}%`;
  range.style.width = `max(4px, ${width}%)`;
  $("legend-lo").textContent = number.format(a);
  $("legend-hi").textContent = number.format(b);
  $("legend-text").textContent = t(`explorer.legend_${result.mapping}`, {
    lo: number.format(result.min), hi: number.format(result.max),
  });
}

async function showResult(result, mine) {
  const canvas = $("output-canvas");
  drawPixels(canvas, result);
  // The download is the canvas as a (lossless) PNG, encoded here rather than on the server.
  const blob = await new Promise((resolve) => { canvas.toBlob(resolve, "image/png"); });
  if (mine !== seq) return; // a newer result came in while this one was being encoded
  if (!blob) throw new Error(t("common.err_unexpected", { detail: "PNG" }));
  if (outputUrl) URL.revokeObjectURL(outputUrl);
  outputUrl = URL.createObjectURL(blob);
  const download = $("download");
  download.href = outputUrl;
  download.download = `convolab-${state.filter}${grid.isCustom() ? "-custom" : ""}.png`;
  download.removeAttribute("aria-disabled");
  const k = currentKernel();
  $("output-canvas").setAttribute("aria-label", t("explorer.output_canvas", { filter: k ? k.name : "" }));
  drawLegend(result);
  $("stats").textContent = t("explorer.stats", {
    lo: number.format(result.min),
    hi: number.format(result.max),
    neg: number.format(result.negative_fraction * 100),
  });
  $("code-convolab").textContent = result.code.convolab;
  $("code-numpy").textContent = result.code.numpy;
  $("status").textContent = t("explorer.status_done", { ms: number.format(result.ms) });
  updateStepsLink();
  root.dataset.renders = String(Number(root.dataset.renders || 0) + 1);
  root.dataset.state = "done";
}

// The server holds at most two applies per computer and lets a newer one supersede the older
// waiting one (409 "superseded"): the answer to an older request of this page is ignored.
// When another page on the same computer superseded this page's newest request, ask again
// (a few times, a moment later).
async function applyNewest(signal, mine) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await postApply(requestBody(), signal);
    } catch (err) {
      if (err.code !== "superseded" || mine !== seq || attempt >= 3) throw err;
      await new Promise((resolve) => { setTimeout(resolve, 100 * (attempt + 1)); });
      if (signal.aborted || mine !== seq) throw err;
    }
  }
}

const run = latest(async (signal) => {
  const mine = ++seq;
  root.dataset.state = "working";
  $("status").textContent = t("explorer.status_working");
  try {
    let result;
    try {
      result = await applyNewest(signal, mine);
    } catch (err) {
      // the server's memory let the working copy go: upload the same file once more
      if (err.code !== "image_expired" || source.kind === "sample") throw err;
      const r = await uploadImage(source.blob, source.filename);
      source = { ...source, imageId: r.image_id, url: r.url, pixels: r.pixels, pixelsGrey: r.pixels_grey };
      result = await postApply(requestBody(), signal);
    }
    if (mine !== seq) return;
    await showResult(result, mine);
    showMessage($("error"), "");
  } catch (err) {
    if (isAbort(err) || mine !== seq) return;
    showMessage($("error"), err.message);
    $("status").textContent = "";
    root.dataset.state = "error";
  }
});

function apply() {
  if (!syncKernel()) {
    root.dataset.state = "invalid";
    return;
  }
  run().catch((err) => showMessage($("error"), err.message));
}

const scheduleApply = debounce(apply, DEBOUNCE_MS);

// --- link to the step-by-step player ---------------------------------------------------------

function updateStepsLink() {
  const url = root.dataset.stepsUrl;
  const canvas = $("output-canvas");
  const small = grid.rows <= Number(root.dataset.stepsMaxKernel)
    && grid.cols <= Number(root.dataset.stepsMaxKernel);
  const photo = source.kind === "sample" || Boolean(source.imageId); // uploads by their id
  const show = Boolean(url) && photo && small && canvas.width > 1;
  $("steps").hidden = !show;
  if (!show) return;
  if (!pixel || pixel[0] >= canvas.height || pixel[1] >= canvas.width) {
    pixel = [Math.floor(canvas.height / 2), Math.floor(canvas.width / 2)];
  }
  // The player works on the whole photo (the real neighbours of the pixel) with the same
  // colour, border, mode and mapping, and opens on this pixel's step.
  const params = new URLSearchParams({
    row: String(pixel[0]),
    col: String(pixel[1]),
    mode: state.mode,
    border: state.border,
    mapping: effectiveMapping(),
  });
  if (source.kind === "sample") params.set("sample", source.name);
  else params.set("image_id", source.imageId);
  if (state.colour && !isGreySource()) params.set("colour", "1");
  if (grid.isCustom()) {
    params.set("filter", "custom");
    params.set("kernel", grid.cells().map((row) => row.join(" ")).join("; "));
  } else {
    params.set("filter", state.filter);
  }
  if (document.body.classList.contains("embed")) params.set("embed", "1"); // stay in the frame
  const link = $("steps-link");
  link.href = `${url}?${params}`;
  link.textContent = t("explorer.steps_link", { row: pixel[0], col: pixel[1] });
  showPixel();
}

/** The chosen output pixel: a marker on the canvas and a sentence for screen readers. */
function showPixel() {
  const canvas = $("output-canvas");
  const marker = $("pixel-marker");
  if (!pixel || canvas.width <= 1) {
    marker.hidden = true;
    return;
  }
  marker.hidden = false;
  marker.style.left = `${((pixel[1] + 0.5) / canvas.width) * 100}%`;
  marker.style.top = `${((pixel[0] + 0.5) / canvas.height) * 100}%`;
  $("pixel-status").textContent = t("explorer.pixel_chosen", { row: pixel[0], col: pixel[1] });
}

function pickPixel(e) {
  const canvas = $("output-canvas");
  const box = canvas.getBoundingClientRect();
  const col = Math.floor(((e.clientX - box.left) / box.width) * canvas.width);
  const row = Math.floor(((e.clientY - box.top) / box.height) * canvas.height);
  pixel = [Math.max(0, Math.min(row, canvas.height - 1)), Math.max(0, Math.min(col, canvas.width - 1))];
  updateStepsLink();
}

/** Arrow keys move the chosen pixel (Shift: 10 pixels at a time), Enter opens the player. */
function pixelKey(e) {
  const canvas = $("output-canvas");
  if (canvas.width <= 1) return;
  const n = e.shiftKey ? 10 : 1;
  const moves = { ArrowUp: [-n, 0], ArrowDown: [n, 0], ArrowLeft: [0, -n], ArrowRight: [0, n] };
  if (e.key === "Enter" && !$("steps").hidden) {
    e.preventDefault();
    $("steps-link").click();
    return;
  }
  if (!(e.key in moves)) return;
  e.preventDefault();
  if (!pixel) pixel = [Math.floor(canvas.height / 2), Math.floor(canvas.width / 2)];
  const [dr, dc] = moves[e.key];
  pixel = [
    Math.max(0, Math.min(pixel[0] + dr, canvas.height - 1)),
    Math.max(0, Math.min(pixel[1] + dc, canvas.width - 1)),
  ];
  if ($("steps").hidden) showPixel();
  else updateStepsLink();
}

// --- code panel -------------------------------------------------------------------------------

function selectTab(which) {
  for (const name of ["convolab", "numpy"]) {
    const on = name === which;
    const tab = $(`tab-${name}`);
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`panel-${name}`).hidden = !on;
  }
}

async function copyCode() {
  const which = $("tab-numpy").getAttribute("aria-selected") === "true" ? "numpy" : "convolab";
  const text = $(`code-${which}`).textContent;
  try {
    await navigator.clipboard.writeText(text);
    $("copy-status").textContent = t("explorer.copied");
  } catch {
    const range = document.createRange();
    range.selectNodeContents($(`code-${which}`));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    $("copy-status").textContent = t("explorer.copy_failed");
  }
}

// --- wiring -----------------------------------------------------------------------------------

function wire() {
  $("filter").addEventListener("change", () => {
    state.mapping = "";
    selectFilter($("filter").value);
    apply();
  });
  $("kernel-reset").addEventListener("click", () => {
    selectFilter(state.filter);
    apply();
  });
  for (const id of ["rows", "cols"]) {
    $(id).addEventListener("change", () => {
      const rows = Number($("rows").value);
      const cols = Number($("cols").value);
      if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1
        && rows <= MAX_KERNEL && cols <= MAX_KERNEL)) {
        showMessage($("kernel-error"), t("explorer.size_invalid", { max: MAX_KERNEL }));
        return;
      }
      grid.resize(rows, cols);
      apply();
    });
  }
  for (const r of document.querySelectorAll('input[name="mode"]')) {
    r.addEventListener("change", () => { state.mode = r.value; saveState(); showTurned(); apply(); });
  }
  $("border").addEventListener("change", () => {
    state.border = $("border").value;
    showBorderExample();
    saveState();
    apply();
  });
  $("mapping").addEventListener("change", () => {
    const k = currentKernel();
    state.mapping = k && $("mapping").value === k.display ? "" : $("mapping").value;
    saveState();
    apply();
  });
  $("colour").addEventListener("change", () => {
    state.colour = $("colour").checked;
    saveState();
    refreshInput();
  });
  for (const r of document.querySelectorAll('input[name="view"]')) {
    r.addEventListener("change", () => setView(r.value));
  }
  $("slider").addEventListener("input", setSplit);
  $("output-canvas").addEventListener("click", pickPixel);
  $("output-canvas").addEventListener("keydown", pixelKey);
  $("upload-button").addEventListener("click", () => $("upload").click());
  $("upload").addEventListener("change", () => {
    const file = $("upload").files[0];
    $("upload").value = "";
    onFile(file);
  });
  const dropZone = document.querySelector(".ex-input");
  dropZone.addEventListener("dragover", (e) => {
    if (![...e.dataTransfer.types].includes("Files")) return;
    e.preventDefault();
    dropZone.classList.add("dropping");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dropping"));
  dropZone.addEventListener("drop", (e) => {
    dropZone.classList.remove("dropping");
    if (!e.dataTransfer.files.length) return;
    e.preventDefault();
    onFile(e.dataTransfer.files[0]);
  });
  $("webcam-start").addEventListener("click", () => { startWebcam(); });
  $("webcam-stop").addEventListener("click", () => { stopWebcam(); $("webcam-start").focus(); });
  $("webcam-take").addEventListener("click", () => { takePhoto(); });
  $("download").addEventListener("click", (e) => {
    if ($("download").getAttribute("aria-disabled") === "true") e.preventDefault();
  });
  $("tab-convolab").addEventListener("click", () => selectTab("convolab"));
  $("tab-numpy").addEventListener("click", () => selectTab("numpy"));
  document.querySelector('[role="tablist"]').addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    const next = $("tab-numpy").getAttribute("aria-selected") === "true" ? "convolab" : "numpy";
    selectTab(next);
    $(`tab-${next}`).focus();
    e.preventDefault();
  });
  $("copy-code").addEventListener("click", () => { copyCode(); });
}

function buildGallery() {
  const gallery = $("gallery");
  for (const s of samples.values()) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.sample = s.id;
    button.title = s.name;
    const img = document.createElement("img");
    img.src = s.thumb;
    img.alt = s.name;
    img.width = 56;
    img.height = 56;
    button.append(img);
    button.addEventListener("click", () => { useSample(s.id); });
    gallery.append(button);
  }
  markGallery();
}

function buildFilterSelect(kernels) {
  const select = $("filter");
  for (const k of kernels) {
    catalogue.set(k.id, k);
    const option = document.createElement("option");
    option.value = k.id;
    option.textContent = k.name;
    select.append(option);
  }
}

async function init() {
  wire();
  $("border").value = state.border;
  showBorderExample();
  for (const r of document.querySelectorAll('input[name="mode"]')) r.checked = r.value === state.mode;
  $("colour").checked = state.colour;
  setView(state.view);
  setSplit();
  try {
    const [kernels, sampleList] = await Promise.all([getJSON("/api/kernels"), getJSON("/api/samples")]);
    buildFilterSelect(kernels.kernels);
    for (const s of sampleList.samples) samples.set(s.id, s);
  } catch (err) {
    showMessage($("error"), err.message);
    return;
  }
  if (!samples.has(source.name)) source = { kind: "sample", name: DEFAULTS.sample };
  buildGallery();
  selectFilter(state.filter, { keepCells: Boolean(state.k) });
  const drawing = new URLSearchParams(window.location.search).get("drawing");
  if (drawing && (await openDrawing(drawing))) return;
  await refreshInput();
}

// A drawing of the emotions page (?drawing=CODE-id or starter-n) opened as an upload.
async function openDrawing(ref) {
  try {
    const response = await fetch(withLang(`/api/emotions/drawings/${encodeURIComponent(ref)}.png`));
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      showMessage($("input-message"), (body && body.error) || String(response.status));
      return false;
    }
    await useUpload(await response.blob(), `${ref}.png`, "upload");
    return true;
  } catch (err) {
    showMessage($("input-message"), t("common.err_unexpected", { detail: err.message }));
    return false;
  }
}

init();
