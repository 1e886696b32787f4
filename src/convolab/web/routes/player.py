"""The step-by-step player: the filter sliding over a small grid, one output pixel per step.

``POST /api/steps`` returns the whole trace of the core's ``convolab.steps`` as JSON (the
window, padded cells, the kernel as applied, the products, their sum and the displayed value
of every output position, in raster order). The browser only draws it.
"""

from __future__ import annotations

import functools
import json
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

import convolab as cl
from convolab import borders, geometry

from ..errors import core_call
from ..pages import page, render
from .arithmetic import Translated, error

router = APIRouter()

MAX_GRID = 12  # rows and columns of the input grid (every cell is drawn with its number)
MIN_CROP = 3
MAX_KERNEL = 7
MAX_PADDED = 24  # rows and columns of the padded input drawn on the page
MAX_PAD = 4
MAX_STRIDE = 4
MAX_DILATION = 3

DEFAULT_GRID = "1 2 0 3 1\n0 1 2 1 0\n3 1 0 2 2\n2 0 1 1 3\n1 3 2 0 1"
DEFAULTS = {
    "source": "sample",
    "sample": "camera",
    "row": 152,
    "col": 160,
    "size": 8,
    "grid": DEFAULT_GRID,
    "filter": "sobel-x",
    "kernel": "",
    "mode": "correlate",
    "padding": "same",
    "border": "zero",
    "stride": 1,
    "dilation": 1,
    "mapping": "",
}

Grid = Annotated[
    str | list[list[float]] | None,
    Field(description="rows of numbers: text ('1 2; 3 4', '1/9' allowed) or a nested list"),
]


class StepsRequest(BaseModel):
    source: Literal["sample", "grid"] = Field("sample", description="a photo crop or own numbers")
    sample: str = Field(DEFAULTS["sample"], description="sample photo id (source 'sample')")
    row: int = Field(DEFAULTS["row"], description="top row of the crop")
    col: int = Field(DEFAULTS["col"], description="left column of the crop")
    size: int = Field(DEFAULTS["size"], description=f"crop size, {MIN_CROP}..{MAX_GRID}")
    grid: Grid = Field(
        None, description=f"own numbers (source 'grid'), up to {MAX_GRID}x{MAX_GRID}"
    )
    filter: str | None = Field(
        DEFAULTS["filter"], description="catalogue filter id; empty or 'custom': use 'kernel'"
    )
    kernel: Grid = Field(None, description=f"own kernel, up to {MAX_KERNEL}x{MAX_KERNEL}")
    mode: str = Field("correlate", description="'correlate' or 'convolve' (flips the kernel)")
    padding: str | int = Field("same", description="'valid', 'same', 'full' or 0..4")
    border: str = Field("zero", description="zero, reflect, symmetric, replicate, wrap")
    stride: int = Field(1, description=f"1..{MAX_STRIDE}")
    dilation: int = Field(1, description=f"1..{MAX_DILATION}")
    mapping: str | None = Field(
        None, description="clip, abs, offset, rescale; empty: the filter's default"
    )


def _check(name_key: str, value: int, lo: int, hi: int) -> None:
    if not lo <= value <= hi:
        raise error(
            400,
            "out_of_range",
            "player.out_of_range",
            name=Translated(name_key),
            min=lo,
            max=hi,
            value=value,
        )


def _numbers(value, what: str) -> np.ndarray:
    """Text or nested lists -> a 2-D float array (the core parses and checks it)."""
    key = "player.bad_grid" if what == "grid" else "player.bad_kernel"
    try:
        if isinstance(value, str):
            return cl.parse_kernel(value)
        return cl.as_kernel(value, what)
    except (ValueError, TypeError) as exc:
        raise error(400, f"invalid_{what}", key) from exc


def _input(req: StepsRequest) -> tuple[np.ndarray, dict | None]:
    if req.source == "grid":
        grid = _numbers(req.grid if req.grid is not None else DEFAULT_GRID, "grid")
        rows, cols = grid.shape
        if rows > MAX_GRID or cols > MAX_GRID:
            raise error(
                400, "grid_too_big", "player.grid_too_big", max=MAX_GRID, rows=rows, cols=cols
            )
        return grid, None
    ids = [s.id for s in cl.samples()]
    if req.sample not in ids:
        raise error(
            400, "unknown_sample", "player.unknown_sample", name=req.sample, allowed=", ".join(ids)
        )
    _check("player.crop_size", req.size, MIN_CROP, MAX_GRID)
    photo = cl.sample(req.sample, grey=True)
    h, w = photo.shape
    max_row, max_col = h - req.size, w - req.size
    if not (0 <= req.row <= max_row and 0 <= req.col <= max_col):
        raise error(
            400,
            "crop_outside",
            "player.crop_outside",
            height=h,
            width=w,
            max_row=max_row,
            max_col=max_col,
        )
    crop = photo[req.row : req.row + req.size, req.col : req.col + req.size]
    return crop, {"row": req.row, "col": req.col, "size": req.size, "height": h, "width": w}


def _kernel(req: StepsRequest) -> tuple[np.ndarray, cl.Kernel | None]:
    if req.filter and req.filter != "custom":
        try:
            named = cl.kernel(req.filter)
        except (ValueError, TypeError) as exc:
            raise error(400, "unknown_filter", "player.unknown_filter", name=req.filter) from exc
        k = named.values
    else:
        named = None
        k = _numbers(req.kernel, "kernel")
    rows, cols = k.shape
    if rows > MAX_KERNEL or cols > MAX_KERNEL:
        raise error(
            400, "kernel_too_big", "player.kernel_too_big", max=MAX_KERNEL, rows=rows, cols=cols
        )
    return k, named


def trace(req: StepsRequest) -> dict:
    """Everything the player draws, computed by the core."""
    image, crop = _input(req)
    k, named = _kernel(req)
    padding = req.padding
    if isinstance(padding, str) and padding.strip().isdigit():
        padding = int(padding)
    if isinstance(padding, int):
        _check("player.padding", padding, 0, MAX_PAD)
    _check("player.stride", req.stride, 1, MAX_STRIDE)
    _check("player.dilation", req.dilation, 1, MAX_DILATION)
    mapping = req.mapping or (named.display if named else "clip")
    opts = dict(padding=padding, border=req.border, stride=req.stride, dilation=req.dilation)
    # The plan (pads, output size) before any work: refuse grids too large to draw
    # (this also bounds the trace: at most 18 x 18 positions of a 7 x 7 kernel).
    plan = geometry.make_plan(
        image.shape, k.shape, **{o: opts[o] for o in ("padding", "stride", "dilation")}
    )
    oh, ow = plan.out_shape
    top, bottom, left, right = plan.pads
    rows, cols = image.shape[0] + top + bottom, image.shape[1] + left + right
    if max(rows, cols) > MAX_PADDED:
        raise error(
            400, "padded_too_big", "player.padded_too_big", rows=rows, cols=cols, max=MAX_PADDED
        )
    steps = list(cl.steps(image, k, mode=req.mode, mapping=mapping, **opts))
    first = steps[0]
    as_int = image.dtype == np.uint8
    padded = borders.pad(image, plan.pads, first.border)
    return {
        "ok": True,
        "source": req.source,
        "sample": req.sample if crop else None,
        "crop": crop,
        "input": (image.astype(int) if as_int else image).tolist(),
        "padded_input": (padded.astype(int) if as_int else padded).tolist(),
        "integers": bool(as_int or np.all(image == np.round(image))),
        "pads": list(plan.pads),
        "kernel": k.tolist(),
        "kernel_cells": named.cells() if named else None,
        "applied": first.kernel.tolist(),
        "filter": named.id if named else None,
        "mode": first.mode,
        "padding": padding,
        "border": first.border,
        "stride": list(plan.stride),
        "dilation": list(plan.dilation),
        "mapping": first.mapping,
        "out_shape": [oh, ow],
        "steps": [
            {
                "at": list(e.at),
                "rows": e.rows.tolist(),
                "cols": e.cols.tolist(),
                "padded": e.padded.tolist(),
                "window": e.window.tolist(),
                "products": e.products.tolist(),
                "sum": float(e.sum),
                "value": int(e.value),
            }
            for e in steps
        ],
    }


@router.post("/api/steps", tags=["player"])
async def api_steps(req: Annotated[StepsRequest, Body()]) -> dict:
    """The whole step trace for the player (one entry per output position, raster order)."""
    return await core_call(trace, req)


@functools.cache
def sample_shape(name: str) -> tuple[int, int]:
    """(height, width) of a sample photo: the crop fields' limits."""
    return cl.sample(name, grey=True).shape[:2]


def player_kernels() -> list[cl.Kernel]:
    """Catalogue filters small enough for the player."""
    return [k for k in cl.kernels() if max(k.shape) <= MAX_KERNEL]


@page("player", nl="/convolutie/stappen", en="/en/convolution/steps", nav=30)
def player_page(request: Request, lang: str):
    filters = player_kernels()
    catalogue = {
        k.id: {"cells": k.cells(), "display": k.display, "about": k.about(lang)} for k in filters
    }
    return render(
        request,
        "player/index.html",
        lang=lang,
        page_id="player",
        filters=[(k.id, k.name(lang)) for k in filters],
        samples=[
            (s.id, s.name_nl if lang == "nl" else s.name_en, *sample_shape(s.id))
            for s in cl.samples()
        ],
        borders=list(cl.BORDERS),
        mappings=list(cl.MAPPINGS),
        limits={
            "grid": MAX_GRID,
            "min_crop": MIN_CROP,
            "kernel": MAX_KERNEL,
            "pad": MAX_PAD,
            "stride": MAX_STRIDE,
            "dilation": MAX_DILATION,
        },
        defaults_json=json.dumps(DEFAULTS),
        catalogue_json=json.dumps(catalogue, ensure_ascii=False),
    )
