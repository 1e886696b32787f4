"""The arithmetic explorer: output size, padding, stride, dilation and receptive fields.

``GET /api/arithmetic`` answers, for an input size, a kernel size, padding, stride and
dilation: the output size per axis with the formula filled in (the core's
``explain_output_size``), the padding the core uses (``geometry.make_plan``), and for every
output cell the input rows and columns it reads (the core's ``steps`` on an all-zero image:
the same windows the convolution uses). The browser only draws this data.
"""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter, Query, Request

import convolab as cl
from convolab import geometry

from ..errors import ApiError, core_call
from ..i18n import LANGS, t
from ..pages import page, render

router = APIRouter()

# Limits keep the page readable (every cell is drawn) and the answer small.
MAX_INPUT = 16
MAX_KERNEL = 7
MAX_PAD = 6
MAX_STRIDE = 6
MAX_DILATION = 4
PADDING_NAMES = ("valid", "same", "full")


class Translated(str):
    """A parameter of an error message that is itself translated (e.g. the axis name)."""


def error(status: int, code: str, key: str, **params) -> ApiError:
    """An ApiError with the message in both languages; ``Translated`` params are translated too."""
    message = {
        lang: t(
            key,
            lang,
            **{n: t(v, lang) if isinstance(v, Translated) else v for n, v in params.items()},
        )
        for lang in LANGS
    }
    return ApiError(status, code, message)


def parse_padding(value: str | int):
    """'valid' | 'same' | 'full' | a whole number 0..MAX_PAD (as text or int)."""
    text = str(value).strip().lower()
    if text in PADDING_NAMES:
        return text
    if text.isdigit() and int(text) <= MAX_PAD:
        return int(text)
    raise error(400, "invalid_padding", "arithmetic.bad_padding", max=MAX_PAD, value=value)


def check_range(name: str, value: int, lo: int, hi: int) -> int:
    if not lo <= value <= hi:
        raise error(
            400,
            "out_of_range",
            "arithmetic.out_of_range",
            name=Translated(f"arithmetic.name_{name}"),
            min=lo,
            max=hi,
            value=value,
        )
    return value


def arithmetic(in_rows, in_cols, k_rows, k_cols, padding, stride, dilation) -> dict:
    """All numbers the arithmetic page draws; every one comes from the core."""
    # the core checks that the kernel fits and names the axis that does not
    plan = geometry.make_plan(
        (in_rows, in_cols), (k_rows, k_cols), padding=padding, stride=stride, dilation=dilation
    )
    per_axis = {
        axis: cl.explain_output_size(i, k, padding=padding, stride=stride, dilation=dilation)
        for axis, i, k in (("rows", in_rows, k_rows), ("cols", in_cols, k_cols))
    }
    zeros = np.zeros((in_rows, in_cols))
    ones = np.ones((k_rows, k_cols))
    oh, ow = plan.out_shape
    fields = [[None] * ow for _ in range(oh)]
    for ex in cl.steps(zeros, ones, padding=padding, stride=stride, dilation=dilation):
        r, c = ex.at
        fields[r][c] = {"rows": ex.rows.tolist(), "cols": ex.cols.tolist()}
    read_rows = {v for row in fields for v in row[0]["rows"]}
    read_cols = {v for cell in fields[0] for v in cell["cols"]}
    top, bottom, left, right = plan.pads
    return {
        "ok": True,
        "input": [in_rows, in_cols],
        "kernel": [k_rows, k_cols],
        "padding": padding,
        "stride": stride,
        "dilation": dilation,
        "pads": {"top": top, "bottom": bottom, "left": left, "right": right},
        "padded": [in_rows + top + bottom, in_cols + left + right],
        "effective": list(plan.effective),
        "output": [oh, ow],
        "axes": {name: ex.to_dict() for name, ex in per_axis.items()},
        "fields": fields,
        "unread": {
            "rows": [v for v in range(-top, in_rows + bottom) if v not in read_rows],
            "cols": [v for v in range(-left, in_cols + right) if v not in read_cols],
        },
    }


# (query name, i18n label key, lowest, highest)
INPUTS = (
    ("rows", "in_rows", 1, MAX_INPUT),
    ("cols", "in_cols", 1, MAX_INPUT),
    ("krows", "k_rows", 1, MAX_KERNEL),
    ("kcols", "k_cols", 1, MAX_KERNEL),
    ("stride", "stride", 1, MAX_STRIDE),
    ("dilation", "dilation", 1, MAX_DILATION),
)
DEFAULTS = {"rows": 5, "cols": 5, "krows": 3, "kcols": 3, "stride": 1, "dilation": 1}


@router.get("/api/arithmetic", tags=["arithmetic"])
async def api_arithmetic(
    rows: int = Query(5, description=f"input rows, 1..{MAX_INPUT}"),
    cols: int = Query(5, description=f"input columns, 1..{MAX_INPUT}"),
    krows: int = Query(3, description=f"kernel rows, 1..{MAX_KERNEL}"),
    kcols: int = Query(3, description=f"kernel columns, 1..{MAX_KERNEL}"),
    padding: str = Query("valid", description=f"'valid', 'same', 'full' or 0..{MAX_PAD}"),
    stride: int = Query(1, description=f"1..{MAX_STRIDE}"),
    dilation: int = Query(1, description=f"1..{MAX_DILATION}"),
) -> dict:
    """Output size with the formula filled in, the padding, and per output cell the input
    rows and columns it reads (``fields[r][c] = {"rows": [...], "cols": [...]}``; coordinates
    outside ``0..rows-1`` / ``0..cols-1`` are padding cells).
    ``unread`` lists the input rows/columns (padding included) that no output cell reads."""
    given = dict(rows=rows, cols=cols, krows=krows, kcols=kcols, stride=stride, dilation=dilation)
    for name, label, lo, hi in INPUTS:
        check_range(label, given[name], lo, hi)
    pad = parse_padding(padding)
    return await core_call(arithmetic, rows, cols, krows, kcols, pad, stride, dilation)


@page("arithmetic", nl="/convolutie/rekenen", en="/en/convolution/arithmetic", nav=40)
def arithmetic_page(request: Request, lang: str):
    values = dict(DEFAULTS)
    for name, _label, lo, hi in INPUTS:
        raw = request.query_params.get(name, "")
        if raw.isdigit() and lo <= int(raw) <= hi:
            values[name] = int(raw)
    return render(
        request,
        "arithmetic/index.html",
        lang=lang,
        page_id="arithmetic",
        fields=[(name, lo, hi) for name, _label, lo, hi in INPUTS],
        labels={name: label for name, label, _lo, _hi in INPUTS},
        values=values,
        max_pad=MAX_PAD,
    )
