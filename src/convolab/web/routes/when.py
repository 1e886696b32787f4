"""When convolutions don't help: two experiments, each run on one click.

- ``POST /api/when/images``: small CNN vs dense network on images as they are and with
  shuffled pixels (``convolab.learn.when.images_experiment``).
- ``POST /api/when/table``: logistic regression, dense network and a 1-D convolution on the
  breast-cancer table, columns in order and shuffled (``table_experiment``).

Each request trains the models and answers with what it measured (fixed seeds, so the same
machine gives the same numbers). Experiments run one at a time: the machine has few cores.

Only a JSON ``POST`` starts one (``Content-Type: application/json``, else 415
``unsupported_media_type``): a form on another site cannot send that without the browser
asking first. The queue is bounded: one experiment per client waits or runs at a time
(else 429 ``experiment_queued``), and at most ``CONVOLAB_WHEN_QUEUE`` (default 4) wait behind
the one that runs (else 503 ``experiments_busy``), so queued experiments never hold more
than a few worker threads and pages and ``/api/apply`` stay fast.
"""

from __future__ import annotations

import os
import threading
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, Field

from ..clients import client_id
from ..errors import ApiError, core_call
from ..i18n import LANGS, t
from ..pages import page, render

router = APIRouter()

_RUN_LOCK = threading.Lock()
LIMITS = {
    "folds": (2, 10),
    "table_epochs": (10, 400),
}


def _err(status: int, code: str, key: str, **params) -> ApiError:
    return ApiError(status, code, {lang: t(f"when.{key}", lang, **params) for lang in LANGS})


def _check(name: str, value: int, limit: str | None = None, limits=None) -> None:
    lo, hi = (limits or LIMITS)[limit or name]
    if not lo <= value <= hi:
        raise _err(400, "out_of_range", "err_range", name=name, min=lo, max=hi, value=value)


class ImagesRequest(BaseModel):
    train: int | None = Field(
        None, description="training images (500..20000, at most what the dataset has)"
    )
    test: int | None = Field(
        None, description="test images (200..10000, at most what the dataset has)"
    )
    epochs: int | None = Field(None, description="passes over the training images (1..5)")


def _images_settings() -> dict:
    from convolab.learn.when import image_settings

    return image_settings()


class TableRequest(BaseModel):
    folds: int = Field(5, description="cross-validation folds (2..10)")
    epochs: int = Field(100, description="full-batch training steps (10..400)")


def _run(fn, **kwargs) -> dict:
    with _RUN_LOCK:
        return fn(**kwargs).to_dict()


QUEUE = 4  # experiments that may wait behind the one that runs (CONVOLAB_WHEN_QUEUE)
_queue_lock = threading.Lock()  # a leaf lock: guards the two counters below, nothing nested
_pending: dict[str, int] = {}  # client -> experiments waiting or running


def _queue_limit() -> int:
    raw = os.environ.get("CONVOLAB_WHEN_QUEUE", "")
    try:
        value = int(raw) if raw else QUEUE
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"CONVOLAB_WHEN_QUEUE must be a whole number >= 0; got {raw!r}")
    return value


def _json_only(request: Request) -> None:
    """Experiments start only from a JSON body (no form or empty POST from elsewhere)."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise _err(415, "unsupported_media_type", "err_json_only", got=media or "-")


class _Place:
    """A place in the experiment queue, given back when the request ends."""

    def __init__(self, client: str):
        self.client = client

    def __enter__(self):
        limit = _queue_limit()
        with _queue_lock:
            if _pending.get(self.client, 0) >= 1:
                raise _err(429, "experiment_queued", "err_one_at_a_time")
            if sum(_pending.values()) >= 1 + limit:
                raise _err(503, "experiments_busy", "err_queue_full", n=limit)
            _pending[self.client] = _pending.get(self.client, 0) + 1
        return self

    def __exit__(self, *exc):
        with _queue_lock:
            n = _pending.get(self.client, 0) - 1
            if n > 0:
                _pending[self.client] = n
            else:
                _pending.pop(self.client, None)


def queued() -> int:
    """Experiments waiting or running now."""
    with _queue_lock:
        return sum(_pending.values())


@router.post("/api/when/images", tags=["when"], dependencies=[Depends(_json_only)])
async def api_images(request: Request, req: Annotated[ImagesRequest | None, Body()] = None) -> dict:
    """Train the small CNN and a dense network of about the same size on images as they are
    and with shuffled pixels; answer with the measured test accuracies."""
    from convolab.learn.when import images_experiment

    req = req or ImagesRequest()
    settings = await core_call(_images_settings)
    budget = {}
    for name in ("train", "test", "epochs"):
        value = getattr(req, name)
        if value is None:
            value = settings["defaults"][name]
        _check(name, value, limits=settings["limits"])
        budget[name] = value
    with _Place(client_id(request)):
        result = await core_call(_run, images_experiment, **budget)
    return {"ok": True, **result}


@router.post("/api/when/table", tags=["when"], dependencies=[Depends(_json_only)])
async def api_table(request: Request, req: Annotated[TableRequest | None, Body()] = None) -> dict:
    """Logistic regression, a dense network and a 1-D convolution on the breast-cancer table,
    with the columns in order and shuffled; answer with the measured accuracies."""
    from convolab.learn.when import table_experiment

    req = req or TableRequest()
    _check("folds", req.folds)
    _check("epochs", req.epochs, "table_epochs")
    with _Place(client_id(request)):
        result = await core_call(_run, table_experiment, folds=req.folds, epochs=req.epochs)
    return {"ok": True, **result}


@router.get("/api/when/images/settings", tags=["when"])
async def api_images_settings() -> dict:
    """The dataset the images experiment uses on this machine, its default budget and the
    allowed ranges (they follow the dataset: the digits fallback has fewer images)."""
    return {"ok": True, **(await core_call(_images_settings))}


@page("when", nl="/convolutie/wanneer", en="/en/convolution/when", nav=80)
def when_page(request: Request, lang: str):
    settings = _images_settings()
    return render(request, "when/index.html", lang=lang, page_id="when", images_settings=settings)
