"""A small CNN learns its own filters on photos of clothes (Fashion-MNIST), live.

Page: ``/convolutie/netwerk`` (``/en/convolution/network``). Query parameters preset the form
(state in the URL): ``dataset`` (``fashion-mnist`` | ``digits``), ``epochs``, ``lr``,
``optimizer``, ``batch``, ``train`` (use only the first so many training images).

API (runs belong to the browser session, see ``routes/learn.py``):

- ``POST /api/network/runs`` starts (and by default plays) a training; ``201``.
- ``GET /api/network/runs``: this session's newest training still kept (a page reattaches).
- ``GET /api/network/runs/{id}/events``: Server-Sent Events (``init``, ``status``,
  ``progress``, ``maps``, ``snapshot``, ``problem``, ``end``).
- ``POST /api/network/runs/{id}/control``: ``play`` | ``pause`` | ``stop`` | ``configure``
  (``example``: the test image whose feature maps are shown).
- ``POST /api/network/runs/{id}/predict``: ``{"pixels": [784 numbers 0..255]}`` (a 28 x 28
  drawing, light on dark, row by row) or ``{"test_index": i}`` -> predictions + feature maps.
- ``GET /api/network/runs/{id}/model``: the trained model as a zip (``model.pt`` +
  ``model.json``); ``DELETE /api/network/runs/{id}``.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ApiError, core_call
from ..i18n import LANGS, t
from ..pages import page, render
from .learn import (
    ensure_session,
    event_stream,
    find_run,
    latest_run_answer,
    run_answer,
    run_error,
    start_run,
)

router = APIRouter()

DATASETS = ("fashion-mnist", "digits")
OPTIMIZERS = ("adam", "sgd")
MAX_EPOCHS = 10
PIXELS = 28 * 28


class NetworkRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: Literal["fashion-mnist", "digits"] = "fashion-mnist"
    epochs: int = Field(2, ge=1, le=MAX_EPOCHS)
    lr: float = 0.002
    optimizer: Literal["adam", "sgd"] = "adam"
    batch_size: int = Field(64, ge=1, le=1024)
    train_limit: int | None = Field(None, ge=10, le=60000)
    example: int = Field(0, ge=0, le=9)
    play: bool = True


class NetworkControlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["play", "pause", "stop", "configure"]
    example: int | None = Field(None, ge=0)


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pixels: list[float] | None = Field(None, max_length=PIXELS)
    test_index: int | None = Field(None, ge=0)


def _network_job(body: NetworkRunIn):
    from convolab.learn.jobs import NetworkJob

    return NetworkJob(
        dataset=body.dataset,
        epochs=body.epochs,
        lr=body.lr,
        optimizer=body.optimizer,
        batch_size=body.batch_size,
        train_limit=body.train_limit,
        example=body.example,
    )


def _check_lr(lr: float) -> None:
    if not (lr > 0 and lr <= 10):  # also false for NaN
        raise ApiError.key(400, "invalid_lr", "network.err_lr", value=lr)


@router.post("/api/network/runs", tags=["network"], status_code=201)
async def create_network_run(body: NetworkRunIn, request: Request, response: Response):
    _check_lr(body.lr)
    meta = body.model_dump(exclude={"play"})
    run = await start_run(request, response, "network", lambda: _network_job(body), body.play, meta)
    return run_answer(run, "/api/network/runs")


@router.get("/api/network/runs", tags=["network"])
async def latest_network_run(request: Request):
    """This browser's newest training that the server still keeps (or ``"run": null``)."""
    return await latest_run_answer(request, "network", "/api/network/runs")


@router.get("/api/network/runs/{run_id}", tags=["network"])
async def get_network_run(run_id: str, request: Request):
    run = await find_run(request, "network", run_id)
    return {"ok": True, "run": run.info()}


@router.get("/api/network/runs/{run_id}/events", tags=["network"])
async def network_events(run_id: str, request: Request):
    return event_stream(request, await find_run(request, "network", run_id))


@router.post("/api/network/runs/{run_id}/control", tags=["network"])
async def control_network_run(run_id: str, body: NetworkControlIn, request: Request):
    run = await find_run(request, "network", run_id)
    if body.action == "configure":
        if body.example is None:
            raise ApiError.key(400, "missing_example", "network.err_example_missing")
        trainer = _trainer(run)
        n = max(1, len(trainer.examples))
        if body.example >= n:
            raise ApiError.key(400, "invalid_example", "network.err_example", max=n - 1)
        run.command("configure", example=body.example)
    else:
        run.command(body.action)
    return {"ok": True, "run": run.info()}


@router.delete("/api/network/runs/{run_id}", tags=["network"])
async def stop_network_run(run_id: str, request: Request):
    run = await find_run(request, "network", run_id)
    run.stop("stopped")
    return {"ok": True, "run": run.info()}


def _trainer(run):
    trainer = getattr(run.job, "trainer", None)
    if trainer is None:
        if run.closed and not run.error:
            raise ApiError.key(409, "run_ended", "network.err_run_ended")
        if run.error:
            raise ApiError(
                409,
                "run_failed",
                {
                    lang: t("network.err_run_failed", lang, error=run_error(run, lang))
                    for lang in LANGS
                },
            )
        raise ApiError.key(409, "not_ready", "network.err_not_ready")
    return trainer


def _analyse(trainer, image: np.ndarray, lang: str) -> dict:
    return {
        "ok": True,
        "predictions": trainer.predict(image, lang=lang),
        "maps": trainer.feature_maps(image),
    }


@router.post("/api/network/runs/{run_id}/predict", tags=["network"])
async def predict(run_id: str, body: PredictIn, request: Request):
    run = await find_run(request, "network", run_id)
    trainer = _trainer(run)
    lang = "en" if request.query_params.get("lang") == "en" else "nl"
    if (body.pixels is None) == (body.test_index is None):
        raise ApiError.key(400, "pixels_or_index", "network.err_pixels_or_index")
    if body.pixels is not None:
        pixels = np.asarray(body.pixels, dtype=np.float64)
        if pixels.size != PIXELS:
            raise ApiError.key(400, "invalid_pixels", "network.err_pixels", n=pixels.size)
        if not np.isfinite(pixels).all() or pixels.min() < 0 or pixels.max() > 255:
            raise ApiError.key(400, "invalid_pixels", "network.err_pixel_range")
        image = pixels.reshape(28, 28)
    else:
        n = len(trainer.data.y_test)
        if body.test_index >= n:
            raise ApiError.key(400, "invalid_example", "network.err_example", max=n - 1)
        image = trainer.data.x_test[body.test_index]
    return await core_call(_analyse, trainer, image, lang)


def _model_zip(trainer) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = trainer.save(Path(tmp) / "model")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name in ("model.pt", "model.json"):
                z.write(folder / name, name)
        return buf.getvalue()


@router.get("/api/network/runs/{run_id}/model", tags=["network"])
async def download_model(run_id: str, request: Request):
    run = await find_run(request, "network", run_id)
    trainer = _trainer(run)
    data = await core_call(_model_zip, trainer)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="convolab-cnn.zip"'},
    )


# -- the page --------------------------------------------------------------------------------------
@page("network", nl="/convolutie/netwerk", en="/en/convolution/network", nav=60)
def network_page(request: Request, lang: str):
    response = render(
        request,
        "network/index.html",
        lang=lang,
        page_id="network",
        datasets=DATASETS,
        optimizers=OPTIMIZERS,
        max_epochs=MAX_EPOCHS,
    )
    ensure_session(request, response)
    return response
