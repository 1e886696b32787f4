"""Emotions from the class's own drawings: draw faces, store them per class, train the small CNN.

Page: ``/convolutie/emoties`` (``/en/convolution/emotions``). State in the URL: ``klas`` (the
class code; none: the generated starter set), ``label`` (the label being drawn).

API (every error in the one JSON shape, message in the request's language):

- ``GET /api/emotions/starter``: the generated starter set (``generated: true``).
- ``POST /api/emotions/classes`` (teacher): open a class; ``{"extra_label": "boos"}`` optional.
- ``GET /api/emotions/classes/{code}``: the class, its labels and all its drawings (``mine``:
  added by this browser). ``POST .../labels`` (teacher): one more label.
- ``POST /api/emotions/classes/{code}/drawings``: ``{"label", "pixels": [784 grey values]}``;
  ``DELETE .../drawings/{id}`` (its maker or the teacher); ``DELETE .../drawings`` (teacher).
- ``GET .../export`` (teacher): zip with one PNG per drawing + ``labels.csv``;
  ``POST .../import`` (teacher): such a zip as the request body.
- ``GET /api/emotions/drawings/{ref}.png``: one drawing as a PNG (``ref``: ``CODE-id`` or
  ``starter-n``), e.g. for the explorer.
- ``POST /api/emotions/photo``: a photo of a paper drawing (``{"data": base64}``) -> the grid's
  pixels and ``cut``: ``grid`` (the printed paper grid was found) or ``ink`` (no paper grid:
  a square around the ink). Processed in memory, nothing is stored.
- ``POST /api/emotions/runs``: train on a class (``class_code``) or on the starter set; then
  ``/events``, ``/control``, ``/predict`` and ``DELETE`` as on the network page.

Drawings are only stored when a pupil adds one on purpose. A browser is recognised by a random
cookie (``convolab_owner``), nothing else: no names, no accounts.
"""

from __future__ import annotations

import base64
import binascii
import functools
import secrets
import threading
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

import convolab as cl
from convolab.classes import ClassStore, ClassStoreError, photo_cut, starter_set
from convolab.classes.store import DEFAULT_LABELS, GRID, check_pixels, encode_png, normalise_code

from ..errors import ApiError, core_call
from ..pages import page, render
from ..teacher import is_teacher, require_teacher
from .learn import ensure_session, event_stream, find_run, run_answer, start_run

router = APIRouter()

OWNER_COOKIE = "convolab_owner"
STARTER_PER_LABEL = 100
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_IMPORT_BYTES = 12 * 1024 * 1024
MAX_EPOCHS = 20
#: English names of the default labels (a label the teacher adds is shown as typed)
LABELS_EN = {"blij": "happy", "verrast": "surprised", "boos": "angry"}

_store_lock = threading.Lock()


# -- the store, off the event loop ------------------------------------------------------------
def _get_store(app) -> ClassStore:
    with _store_lock:
        store = getattr(app.state, "class_store", None)
        if store is None:
            store = ClassStore()
            app.state.class_store = store
        return store


async def store_call(request: Request, method: str, *args, **kwargs):
    """Call a :class:`ClassStore` method in the thread pool; its errors become ApiErrors."""
    store = getattr(request.app.state, "class_store", None)
    if store is None:
        store = await run_in_threadpool(_get_store, request.app)
    try:
        return await run_in_threadpool(functools.partial(getattr(store, method), *args, **kwargs))
    except ClassStoreError as exc:
        raise store_error(exc) from exc


def store_error(exc: ClassStoreError) -> ApiError:
    return ApiError.key(exc.status, exc.code, f"emotions.err_{exc.code}", **exc.params)


def code_or_error(code: str) -> str:
    try:
        return normalise_code(code)
    except ClassStoreError as exc:
        raise store_error(exc) from exc


def owner_token(request: Request) -> str | None:
    value = request.cookies.get(OWNER_COOKIE, "")
    return (
        value
        if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
        else None
    )


def ensure_owner(request: Request, response: Response) -> str:
    token = owner_token(request)
    if token is None:
        token = secrets.token_urlsafe(24)
        response.set_cookie(
            OWNER_COOKIE, token, max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/"
        )
    return token


def label_en(label: str) -> str:
    return LABELS_EN.get(label, label)


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


# -- the starter set --------------------------------------------------------------------------
@functools.cache
def starter() -> tuple[np.ndarray, np.ndarray]:
    return starter_set(DEFAULT_LABELS, per_label=STARTER_PER_LABEL, seed=0)


def _starter_answer() -> dict:
    x, y = starter()
    return {
        "ok": True,
        "generated": True,
        "labels": list(DEFAULT_LABELS),
        "labels_en": [label_en(lab) for lab in DEFAULT_LABELS],
        "grid": GRID,
        "drawings": [
            {
                "id": f"starter-{i + 1}",
                "label": DEFAULT_LABELS[int(y[i])],
                "mine": False,
                "data": _b64(x[i]),
            }
            for i in range(len(y))
        ],
    }


@router.get("/api/emotions/starter", tags=["emotions"])
async def api_starter():
    return await run_in_threadpool(_starter_answer)


# -- classes ----------------------------------------------------------------------------------
class NewClassIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    extra_label: str | None = Field(None, max_length=40)


class LabelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(max_length=40)


class DrawingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Any = None
    pixels: Any = None


def _class_answer(info, drawings, owner: str | None, teacher: bool) -> dict:
    return {
        "ok": True,
        "class": info.to_dict(),
        "labels_en": [label_en(lab) for lab in info.labels],
        "teacher": teacher,
        "grid": GRID,
        "drawings": [
            {
                "id": d.id,
                "label": d.label,
                "mine": bool(owner) and secrets.compare_digest(d.owner, owner),
                "data": _b64(d.pixels()),
            }
            for d in drawings
        ],
    }


@router.post("/api/emotions/classes", tags=["emotions"], status_code=201)
async def create_class(body: NewClassIn, request: Request):
    require_teacher(request)
    labels = list(DEFAULT_LABELS)
    if body.extra_label and body.extra_label.strip():
        labels.append(body.extra_label)
    info = await store_call(request, "create_class", labels)
    return {"ok": True, "class": info.to_dict(), "labels_en": [label_en(x) for x in info.labels]}


async def _read_class(request: Request, code: str, owner: str | None) -> dict:
    info = await store_call(request, "get_class", code)
    drawings = await store_call(request, "drawings", info.code)
    return await run_in_threadpool(_class_answer, info, drawings, owner, is_teacher(request))


@router.get("/api/emotions/classes/{code}", tags=["emotions"])
async def get_class(code: str, request: Request):
    return await _read_class(request, code_or_error(code), owner_token(request))


@router.post("/api/emotions/classes/{code}/labels", tags=["emotions"])
async def add_label(code: str, body: LabelIn, request: Request):
    code = code_or_error(code)
    require_teacher(request)
    info = await store_call(request, "add_label", code, body.label)
    return {"ok": True, "class": info.to_dict(), "labels_en": [label_en(x) for x in info.labels]}


@router.post("/api/emotions/classes/{code}/drawings", tags=["emotions"], status_code=201)
async def add_drawing(code: str, body: DrawingIn, request: Request, response: Response):
    code = code_or_error(code)
    if isinstance(body.pixels, list) and len(body.pixels) > GRID * GRID:
        raise ApiError.key(
            400,
            "bad_pixels",
            "emotions.err_too_many_pixels",
            n=len(body.pixels),
            grid=GRID,
            count=GRID * GRID,
        )
    owner = ensure_owner(request, response)
    drawing_id = await store_call(request, "add_drawing", code, body.label, body.pixels, owner)
    info = await store_call(request, "get_class", code)
    return {"ok": True, "id": drawing_id, "class": info.to_dict()}


def _drawing_id(drawing_id: str) -> int:
    if not drawing_id.isdigit() or len(drawing_id) > 12 or int(drawing_id) < 1:
        raise ApiError.key(400, "bad_id", "emotions.err_bad_id", id=drawing_id[:20])
    return int(drawing_id)


@router.delete("/api/emotions/classes/{code}/drawings/{drawing_id}", tags=["emotions"])
async def delete_drawing(code: str, drawing_id: str, request: Request):
    code = code_or_error(code)
    n = _drawing_id(drawing_id)
    await store_call(
        request, "delete_drawing", code, n, owner=owner_token(request), teacher=is_teacher(request)
    )
    info = await store_call(request, "get_class", code)
    return {"ok": True, "deleted": n, "class": info.to_dict()}


@router.delete("/api/emotions/classes/{code}/drawings", tags=["emotions"])
async def delete_all(code: str, request: Request):
    code = code_or_error(code)
    require_teacher(request)
    n = await store_call(request, "delete_all", code)
    return {"ok": True, "deleted": n}


@router.get("/api/emotions/classes/{code}/export", tags=["emotions"])
async def export_class(code: str, request: Request):
    code = code_or_error(code)
    require_teacher(request)
    data = await store_call(request, "export_zip", code)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="convolab-klas-{code}.zip"'},
    )


@router.post("/api/emotions/classes/{code}/import", tags=["emotions"])
async def import_class(code: str, request: Request, response: Response):
    code = code_or_error(code)
    require_teacher(request)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise ApiError.key(
                413, "zip_too_big", "emotions.err_import_too_big", mb=MAX_IMPORT_BYTES // 2**20
            )
        chunks.append(chunk)
    owner = ensure_owner(request, response)
    n = await store_call(request, "import_zip", code, b"".join(chunks), owner)
    info = await store_call(request, "get_class", code)
    return {"ok": True, "added": n, "class": info.to_dict()}


# -- one drawing as a PNG (for the explorer) --------------------------------------------------
@router.get("/api/emotions/drawings/{ref}.png", tags=["emotions"])
async def drawing_png(ref: str, request: Request):
    head, _, tail = ref.rpartition("-")
    if head == "starter":
        x, _ = starter()
        if not tail.isdigit() or not 1 <= int(tail) <= len(x):
            raise ApiError.key(404, "unknown_drawing", "emotions.err_unknown_drawing", id=ref[:30])
        png = await run_in_threadpool(encode_png, x[int(tail) - 1])
    else:
        code = code_or_error(head)
        drawing = await store_call(request, "drawing", code, _drawing_id(tail))
        png = drawing.png
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


# -- a photo of a paper drawing -> grid pixels (nothing stored) -------------------------------
class PhotoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: str = Field(description="the photo, base64 or a data: URL (PNG, JPEG, WebP, GIF)")


def _photo(data: str) -> dict:
    if data.startswith("data:"):
        data = data.partition(",")[2]
    if len(data) > MAX_PHOTO_BYTES * 4 // 3 + 8:
        raise ApiError.key(
            413, "photo_too_big", "emotions.err_photo_too_big", mb=MAX_PHOTO_BYTES // 2**20
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError.key(400, "not_image", "emotions.err_photo_not_image") from None
    try:
        img = cl.load_image(raw, colour="rgb")
    except (ValueError, TypeError):
        raise ApiError.key(400, "not_image", "emotions.err_photo_not_image") from None
    pixels, cut = photo_cut(img)
    return {"ok": True, "grid": GRID, "cut": cut, "pixels": pixels.ravel().tolist()}


@router.post("/api/emotions/photo", tags=["emotions"])
async def photo(body: PhotoIn):
    return await run_in_threadpool(_photo, body.data)


# -- training ---------------------------------------------------------------------------------
class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    class_code: str | None = Field(None, max_length=20)
    epochs: int = Field(10, ge=1, le=MAX_EPOCHS)
    lr: float = Field(0.003, gt=0, le=1)
    seed: int | None = Field(None, ge=0, le=2**31 - 1, description="none: a new random start")
    play: bool = True


class ControlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["play", "pause", "stop"]


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pixels: Any = None


def _job(x, y, ids, labels, source: str, body: RunIn):
    from convolab.learn.emotions import EmotionsJob

    try:
        return EmotionsJob(
            x, y, ids, tuple(labels), tuple(label_en(lab) for lab in labels),
            source=source, epochs=body.epochs, lr=body.lr,
            seed=body.seed if body.seed is not None else secrets.randbelow(2**31),
        )  # fmt: skip
    except ValueError as exc:
        if getattr(exc, "code", None) == "not_enough_drawings":
            raise ApiError.key(
                400, "not_enough_drawings", "emotions.err_not_enough_drawings", **exc.params
            ) from None
        raise


async def _find(request: Request, run_id: str):
    return await find_run(request, "emotions", run_id)


@router.post("/api/emotions/runs", tags=["emotions"], status_code=201)
async def create_run(body: RunIn, request: Request, response: Response):
    if body.class_code:
        code = code_or_error(body.class_code)
        x, y, ids, labels = await store_call(request, "dataset", code)
        source = "class"
    else:
        x, y = starter()
        ids, labels, source = (
            [f"starter-{i + 1}" for i in range(len(y))],
            DEFAULT_LABELS,
            "generated",
        )
    meta = body.model_dump(exclude={"play"})
    run = await start_run(
        request,
        response,
        "emotions",
        lambda: _job(x, y, ids, labels, source, body),
        body.play,
        meta,
    )
    return run_answer(run, "/api/emotions/runs")


@router.get("/api/emotions/runs/{run_id}/events", tags=["emotions"])
async def run_events(run_id: str, request: Request):
    return event_stream(request, await _find(request, run_id))


@router.post("/api/emotions/runs/{run_id}/control", tags=["emotions"])
async def control_run(run_id: str, body: ControlIn, request: Request):
    run = await _find(request, run_id)
    run.command(body.action)
    return {"ok": True, "run": run.info()}


@router.delete("/api/emotions/runs/{run_id}", tags=["emotions"])
async def stop_run(run_id: str, request: Request):
    run = await _find(request, run_id)
    run.stop("stopped")
    return {"ok": True, "run": run.info()}


def _guess(trainer, pixels: np.ndarray, lang: str) -> dict:
    return {
        "ok": True,
        "predictions": trainer.predict(pixels, lang=lang),
        "maps": trainer.feature_maps(pixels),
    }


@router.post("/api/emotions/runs/{run_id}/predict", tags=["emotions"])
async def predict(run_id: str, body: PredictIn, request: Request):
    run = await _find(request, run_id)
    trainer = getattr(run.job, "trainer", None)
    if trainer is None:
        raise ApiError.key(409, "not_ready", "network.err_not_ready")
    if isinstance(body.pixels, list) and len(body.pixels) > GRID * GRID:
        raise ApiError.key(
            400,
            "bad_pixels",
            "emotions.err_too_many_pixels",
            n=len(body.pixels),
            grid=GRID,
            count=GRID * GRID,
        )
    try:
        pixels = check_pixels(body.pixels)
    except ClassStoreError as exc:
        raise store_error(exc) from exc
    lang = "en" if request.query_params.get("lang") == "en" else "nl"
    return await core_call(_guess, trainer, pixels, lang)


# -- the page ---------------------------------------------------------------------------------
@page("emotions", nl="/convolutie/emoties", en="/en/convolution/emotions", nav=65)
def emotions_page(request: Request, lang: str):
    response = render(
        request,
        "emotions/index.html",
        lang=lang,
        page_id="emotions",
        grid=GRID,
        teacher=is_teacher(request),
        max_epochs=MAX_EPOCHS,
    )
    ensure_session(request, response)
    return response
