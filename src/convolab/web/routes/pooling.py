"""ReLU and max pooling, one window at a time: what a small network does after a
convolutional layer.

Page: ``/convolutie/pooling`` (``/en/convolution/pooling``); state in the URL: ``sample``,
``filter``, ``side`` (the feature map's size), ``size`` (the pooling window) and ``step``.

``GET /api/pooling?sample=&filter=&side=&size=`` answers the core's
``convolab.pooling.example``: the shrunk photo (grey values), the filter, the feature map, the
map after ReLU, the map after max pooling and every window step. The page only draws them.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

import convolab as cl
from convolab import pooling

from ..errors import ApiError, core_call
from ..pages import page, render

router = APIRouter()

MAX_FILTER = 5
SIZES = (2, 3)


def _filters(lang: str) -> list[dict]:
    return [
        {"id": k.id, "name": k.name(lang)}
        for k in cl.kernels()
        if max(k.shape) <= MAX_FILTER and k.values.size > 1
    ]


def _samples(lang: str) -> list[dict]:
    return [{"id": s.id, "name": s.name_en if lang == "en" else s.name_nl} for s in cl.samples()]


@router.get("/api/pooling", tags=["pooling"])
async def api_pooling(
    sample: str = Query("camera", max_length=40),
    filter: str = Query("sobel-x", max_length=40),
    side: int = Query(8),
    size: int = Query(2),
) -> dict:
    """A feature map made like a first layer makes it, then ReLU and max pooling."""
    if size not in SIZES:
        raise ApiError.key(400, "invalid_value", "pooling.err_size", value=size)
    return {"ok": True, **(await core_call(pooling.example, sample, filter, side, size))}


@page("pooling", nl="/convolutie/pooling", en="/en/convolution/pooling")
def pooling_page(request: Request, lang: str):
    return render(
        request,
        "pooling/index.html",
        lang=lang,
        page_id="pooling",
        filters=_filters(lang),
        samples=_samples(lang),
        sides=pooling.EXAMPLE_SIDES,
        sizes=SIZES,
    )
