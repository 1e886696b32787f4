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
from convolab.display import scaled_values
from convolab.explain import trace as core_trace

from .. import images
from ..errors import core_call
from ..pages import page, render
from .arithmetic import Translated, error

router = APIRouter()

MAX_GRID = 12  # rows and columns of the input grid (every cell is drawn with its number)
MIN_CROP = 3
MAX_KERNEL = 7
MAX_PADDED = 24  # rows and columns of the input drawn on the page
MAX_PAD = 4
MAX_STRIDE = 4
MAX_DILATION = 3

DEFAULT_GRID = "1 2 0 3 1\n0 1 2 1 0\n3 1 0 2 2\n2 0 1 1 3\n1 3 2 0 1"
# A gentle first look: a blur (every weight the same, a sum that visibly becomes a grey
# value) on the camera man's coat and the sky, well inside the photo, with the clip mapping.
DEFAULTS = {
    "source": "sample",
    "sample": "camera",
    "image_id": "",
    "colour": False,
    "row": 150,
    "col": 178,
    "size": 8,
    "grid": DEFAULT_GRID,
    "filter": "blur",
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
    source: Literal["sample", "grid"] = Field("sample", description="a photo or own numbers")
    sample: str = Field(DEFAULTS["sample"], description="sample photo id (source 'sample')")
    image_id: str | None = Field(
        None,
        max_length=64,
        description="an uploaded image's id from POST /api/image (instead of 'sample')",
    )
    colour: bool = Field(
        False, description="the photo in colour (R, G, B each filtered), as the explorer shows it"
    )
    row: int = Field(DEFAULTS["row"], description="output row of the pixel to explain")
    col: int = Field(DEFAULTS["col"], description="output column of the pixel to explain")
    size: int = Field(
        DEFAULTS["size"],
        description=f"side of the part of the output shown around that pixel, {MIN_CROP}..{MAX_GRID}",
    )
    grid: Grid = Field(
        None, description=f"own numbers (source 'grid'), up to {MAX_GRID}x{MAX_GRID}"
    )
    filter: str | None = Field(
        DEFAULTS["filter"], description="catalogue filter id; empty or 'custom': use 'kernel'"
    )
    kernel: Grid = Field(None, description=f"own kernel, up to {MAX_KERNEL}x{MAX_KERNEL}")
    mode: str = Field("correlate", description="'correlate' or 'convolve' (turns the kernel)")
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
    """Text or nested lists -> a 2-D float array (the core parses and checks it).

    For a kernel the core's own error (which names the cell and what is allowed) is the
    answer; an own grid is not a filter, so its errors get the player's wording."""
    if what == "kernel" and value is not None:
        return cl.parse_kernel(value) if isinstance(value, str) else cl.as_kernel(value, what)
    key = "player.bad_grid" if what == "grid" else "player.bad_kernel"
    try:
        if isinstance(value, str):
            return cl.parse_kernel(value)
        return cl.as_kernel(value, what)
    except (ValueError, TypeError) as exc:
        raise error(400, f"invalid_{what}", key) from exc


def _input(req: StepsRequest) -> np.ndarray:
    """The whole image: the own grid, or the whole photo exactly as the explorer uses it."""
    if req.source == "grid":
        grid = _numbers(req.grid if req.grid is not None else DEFAULT_GRID, "grid")
        rows, cols = grid.shape
        if rows > MAX_GRID or cols > MAX_GRID:
            raise error(
                400, "grid_too_big", "player.grid_too_big", max=MAX_GRID, rows=rows, cols=cols
            )
        return grid
    if req.image_id:  # the explorer's own upload, from the in-memory working copies
        working = images.STORE.get(req.image_id)
        image = working.rgb if req.colour else working.grey
    else:
        image = cl.sample(req.sample, grey=not req.colour)  # the core names an unknown photo
    _check("player.crop_size", req.size, MIN_CROP, MAX_GRID)
    return image


def _kernel(req: StepsRequest) -> tuple[np.ndarray, cl.Kernel | None]:
    if req.filter and req.filter != "custom":
        named = cl.kernel(req.filter)  # the core names an unknown filter and a close one
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


def _region(req: StepsRequest, out_shape) -> tuple[int, int, int, int]:
    """(first row, first col, rows, cols) of the output part shown: the whole output of an
    own grid; for a photo ``size x size`` output pixels around the asked pixel (moved inward
    at the edges, so the asked pixel is always inside)."""
    oh, ow = out_shape
    if req.source == "grid":
        return 0, 0, oh, ow
    if not (0 <= req.row < oh and 0 <= req.col < ow):
        raise error(
            400,
            "pixel_outside",
            "player.pixel_outside",
            height=oh,
            width=ow,
            max_row=oh - 1,
            max_col=ow - 1,
        )
    sr, sc = min(req.size, oh), min(req.size, ow)
    r0 = min(max(req.row - sr // 2, 0), oh - sr)
    c0 = min(max(req.col - sc // 2, 0), ow - sc)
    return r0, c0, sr, sc


def _plain(a: np.ndarray, as_int: bool):
    return (a.astype(int) if as_int else a).tolist()


def trace(req: StepsRequest) -> dict:
    """Everything the player draws, computed by the core (``convolab.trace``).

    For a photo the trace runs on the whole photo, so a window holds the real neighbours
    (opvulling only where the photo really ends), and ``offset``/``rescale`` use the range of
    the whole output: every number equals the explorer's for the same photo and settings.
    """
    image = _input(req)
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
        image.shape[:2], k.shape, **{o: opts[o] for o in ("padding", "stride", "dilation")}
    )
    r0, c0, sr, sc = _region(req, plan.out_shape)
    (sy, sx), (dy, dx) = plan.stride, plan.dilation
    top, _, left, _ = plan.pads
    g0 = (r0 * sy - top, c0 * sx - left)  # image coordinates of the drawn grid's first cell
    g1 = (
        (r0 + sr - 1) * sy - top + (k.shape[0] - 1) * dy,
        (c0 + sc - 1) * sx - left + (k.shape[1] - 1) * dx,
    )
    rows, cols = g1[0] - g0[0] + 1, g1[1] - g0[1] + 1
    if max(rows, cols) > MAX_PADDED:
        raise error(
            400, "padded_too_big", "player.padded_too_big", rows=rows, cols=cols, max=MAX_PADDED
        )
    value_range = None
    if mapping in ("offset", "rescale"):
        fn = cl.convolve if req.mode == "convolve" else cl.correlate
        value_range = cl.value_range(fn(image, k, **opts))
    ctx = core_trace(image, k, mode=req.mode, mapping=mapping, value_range=value_range, **opts)
    steps = [ctx.at(r, c) for r in range(r0, r0 + sr) for c in range(c0, c0 + sc)]
    first = steps[0]
    h, w = image.shape[:2]
    as_int = image.dtype == np.uint8
    shown = borders.pad(image, plan.pads, first.border)[
        g0[0] + top : g1[0] + top + 1, g0[1] + left : g1[1] + left + 1
    ]
    lo, hi = ctx.lo, ctx.hi
    start = 0 if req.source == "grid" else (req.row - r0) * sc + (req.col - c0)
    return {
        "ok": True,
        "source": req.source,
        "sample": req.sample if req.source == "sample" and not req.image_id else None,
        "image_id": req.image_id if req.source == "sample" else None,
        "channels": 3 if image.ndim == 3 else 1,
        "image_shape": [h, w],
        "origin": list(g0),
        "padded_input": _plain(shown, as_int),
        "integers": bool(as_int or np.all(image == np.round(image))),
        "pads": list(plan.pads),
        "kernel": k.tolist(),
        "kernel_cells": named.cells() if named else None,
        "applied": first.kernel.tolist(),
        # the catalogue's cell texts (1/9) as applied: turned with the numbers for convolve
        "applied_cells": _applied_cells(named, first.mode),
        "filter": named.id if named else None,
        "turned_filter": turned_filter(named, first.kernel) if req.mode == "convolve" else None,
        "mode": first.mode,
        "padding": padding,
        "border": first.border,
        "stride": list(plan.stride),
        "dilation": list(plan.dilation),
        "mapping": first.mapping,
        "value_range": [lo, hi],
        "offset_max": max(abs(lo), abs(hi)),  # offset: the largest size in the whole output
        "full_out_shape": list(plan.out_shape),
        "out_origin": [r0, c0],
        "out_shape": [sr, sc],
        "start": start,
        "steps": [
            {
                "at": list(e.at),
                "rows": e.rows.tolist(),
                "cols": e.cols.tolist(),
                "padded": e.padded.tolist(),
                "window": _plain(e.window, as_int),
                "products": e.products.tolist(),
                "sum": np.asarray(e.sum).tolist(),
                "scaled": scaled_values(e.sum, first.mapping, lo, hi).tolist(),
                "value": np.asarray(e.value).tolist(),
                # the value to round was exactly x.5: show player.rounding_half
                "rounded_half": np.asarray(e.rounded_half).tolist(),
            }
            for e in steps
        ],
    }


def _applied_cells(named: cl.Kernel | None, mode: str):
    if named is None:
        return None
    cells = named.cells()
    return [row[::-1] for row in cells[::-1]] if mode == "convolve" else cells


def turned_filter(named: cl.Kernel | None, applied: np.ndarray) -> dict:
    """What the pupil reads about the filter as applied in convolution mode (rotated by
    180 degrees by the core): ``same`` when turning changes nothing, and the id of the
    catalogue filter with exactly the applied numbers, if there is one."""
    turned = np.asarray(applied)
    if named is not None and np.array_equal(turned, named.values):
        return {"id": named.id, "same": True}
    for other in cl.kernels():
        if other.values.shape == turned.shape and np.array_equal(other.values, turned):
            return {"id": other.id, "same": False}
    return {"id": None, "same": False}


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
        k.id: {
            "cells": k.cells(),
            "display": k.display,
            "name": k.name(lang),
            "about": k.about(lang),
        }
        for k in cl.kernels()
    }
    return render(
        request,
        "player/index.html",
        lang=lang,
        page_id="player",
        filters=[(k.id, k.name(lang)) for k in filters],
        samples=[
            (s.id, s.name_nl if lang == "nl" else s.name_en, *sample_shape(s.id), s.colour)
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
