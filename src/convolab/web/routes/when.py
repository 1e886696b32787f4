"""When convolutions don't help: two experiments, each run on one click.

- ``POST /api/when/images``: small CNN vs dense network on images as they are and with
  shuffled pixels (``convolab.learn.when.images_experiment``).
- ``POST /api/when/table``: logistic regression, dense network and a 1-D convolution on the
  breast-cancer table, columns in order and shuffled (``table_experiment``).

Each request trains the models and answers with what it measured (fixed seeds, so the same
machine gives the same numbers). Experiments run one at a time: the machine has few cores.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

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


@router.post("/api/when/images", tags=["when"])
async def api_images(req: Annotated[ImagesRequest | None, Body()] = None) -> dict:
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
    result = await core_call(_run, images_experiment, **budget)
    return {"ok": True, **result}


@router.post("/api/when/table", tags=["when"])
async def api_table(req: Annotated[TableRequest | None, Body()] = None) -> dict:
    """Logistic regression, a dense network and a 1-D convolution on the breast-cancer table,
    with the columns in order and shuffled; answer with the measured accuracies."""
    from convolab.learn.when import table_experiment

    req = req or TableRequest()
    _check("folds", req.folds)
    _check("epochs", req.epochs, "table_epochs")
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
