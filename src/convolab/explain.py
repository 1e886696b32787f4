"""The step trace: one output position worked out, as plain data.

``explain`` answers "how did this output pixel get its value?": the window of
input values under the kernel (with the padded cells marked and where each
value was copied from), the kernel as applied (flipped for ``convolve``), the
element-wise products, their sum and the displayed pixel.

The sum is the engine's own, bit for bit: for a kernel of whole numbers over a
divisor (``1/9``, ``1 2 1 / 16``, Sobel, ``0,5``) on a photo it is the exact whole
number sum divided once (``whole_sum / divisor``); for any other kernel the products
added in raster order (:func:`convolab.exact.sequential_sum`). The displayed pixel
rounds it half up: 28.5 becomes 29 (``rounded_half`` says when that rule decided). ``steps`` yields the
same for every output position in raster order (left to right, top to
bottom): the animation of the seed's missing video. The notebook, the CLI and
the browser only draw this data; none of them recomputes it.

One position costs O(k²): only the window's cells are read, whatever the image size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._validate import choice, int_pair
from .borders import border_index
from .display import check_value_range, display_values, half_ties, value_range
from .engine import apply, prepare
from .errors import InvalidValue
from .exact import exact_plan, integer_sum, sequential_sum
from .geometry import Plan
from .kernels import MAPPINGS

MODES = ("correlate", "convolve")


@dataclass(frozen=True)
class Explanation:
    """How one output value is computed. Arrays are (kh, kw) or (kh, kw, C)."""

    at: tuple[int, int]  # output position (row, col)
    mode: str  # "correlate" or "convolve"
    border: str
    out_shape: tuple[int, int]
    rows: np.ndarray  # input row of each kernel row (may lie outside the image)
    cols: np.ndarray  # input column of each kernel column
    source_rows: np.ndarray  # the image row each value was read from (-1: a zero)
    source_cols: np.ndarray
    padded: np.ndarray  # bool (kh, kw): True where the cell lies outside the image
    window: np.ndarray  # the input values under the kernel
    kernel: np.ndarray  # the kernel as applied (flipped for convolve)
    products: np.ndarray  # window * kernel
    sum: np.ndarray | float  # per channel for colour
    mapping: str
    value: np.ndarray | int  # the displayed pixel (uint8) for this mapping
    divisor: int | None = None  # the kernel is whole_kernel / divisor (None: no exact form)
    whole_sum: np.ndarray | int | None = None  # sum of window x whole numbers (exact)
    # True (per channel) where the value to round was exactly x.5 and went up (28.5 -> 29)
    rounded_half: np.ndarray | bool = False

    @property
    def anchor(self) -> tuple[int, int]:
        """Input position the output pixel belongs to (the centre tap for odd kernels)."""
        kh, kw = self.kernel.shape
        return int(self.rows[kh // 2]), int(self.cols[kw // 2])

    def to_dict(self) -> dict:
        return {
            "at": list(self.at),
            "mode": self.mode,
            "border": self.border,
            "out_shape": list(self.out_shape),
            "rows": self.rows.tolist(),
            "cols": self.cols.tolist(),
            "source_rows": self.source_rows.tolist(),
            "source_cols": self.source_cols.tolist(),
            "padded": self.padded.tolist(),
            "window": self.window.tolist(),
            "kernel": self.kernel.tolist(),
            "products": self.products.tolist(),
            "sum": np.asarray(self.sum).tolist(),
            "mapping": self.mapping,
            "value": np.asarray(self.value).tolist(),
            "divisor": self.divisor,
            "whole_sum": None if self.whole_sum is None else np.asarray(self.whole_sum).tolist(),
            "rounded_half": np.asarray(self.rounded_half).tolist(),
        }

    def table(self, decimals: int = 3) -> str:
        """A small text table: window, kernel, products and the sum (greyscale or per channel)."""

        def fmt(a):
            return [[_fmt(v, decimals) for v in row] for row in a]

        channels = [None] if self.window.ndim == 2 else range(self.window.shape[2])
        blocks = []
        for c in channels:
            win = self.window if c is None else self.window[..., c]
            prod = self.products if c is None else self.products[..., c]
            cells = [fmt(win), fmt(self.kernel), fmt(prod)]
            width = max(len(v) for block in cells for row in block for v in row)
            head = "" if c is None else f"channel {'RGB'[c]}\n"
            lines = [
                "  ".join(" ".join(v.rjust(width) for v in block[r]) for block in cells)
                for r in range(self.kernel.shape[0])
            ]
            total = self.sum if c is None else self.sum[c]
            val = self.value if c is None else self.value[c]
            half = bool(np.asarray(self.rounded_half).reshape(-1)[0 if c is None else c])
            rule = "  (at .5 round up)" if half else ""
            blocks.append(
                head
                + "\n".join(lines)
                + f"\nsum = {_fmt(total, decimals)}  →  pixel {int(val)}{rule}"
            )
        title = "window (input)   ×   kernel   =   products"
        return title + "\n" + "\n\n".join(blocks)


def _fmt(v, decimals):
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:.{decimals}f}".rstrip("0").rstrip(".")


def explain(
    image,
    kernel,
    at,
    *,
    mode="correlate",
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
    mapping="clip",
    value_range=None,
) -> Explanation:
    """Explain the output value at position ``at = (row, col)``.

    ``mapping`` says how the sum becomes the shown pixel. For ``"offset"``
    and ``"rescale"`` that needs the range of the whole result: pass
    ``value_range=(lo, hi)``, or it is computed here (a full correlation).
    """
    ctx = _Context(image, kernel, mode, padding, border, stride, dilation, mapping, value_range)
    return ctx.checked_at(at)


def steps(
    image,
    kernel,
    *,
    mode="correlate",
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
    mapping="clip",
    value_range=None,
) -> Iterator[Explanation]:
    """Every output position in raster order: left to right, top to bottom."""
    ctx = _Context(image, kernel, mode, padding, border, stride, dilation, mapping, value_range)
    oh, ow = ctx.plan.out_shape
    for r in range(oh):
        for c in range(ow):
            yield ctx.at(r, c)


def trace(
    image,
    kernel,
    *,
    mode="correlate",
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
    mapping="clip",
    value_range=None,
    max_kernel=None,
):
    """The checked context behind :func:`explain` and :func:`steps`: ``.at(row, col)``
    gives one position's :class:`Explanation`, ``.plan`` the geometry. For callers
    (the 1-D module) that need another kernel-size limit than 31 x 31."""
    return _Context(
        image, kernel, mode, padding, border, stride, dilation, mapping, value_range, max_kernel
    )


class _Context:
    """Arguments checked once, shared by every position of a trace."""

    def __init__(
        self,
        image,
        kernel,
        mode,
        padding,
        border,
        stride,
        dilation,
        mapping,
        vrange,
        max_kernel=None,
    ):
        self.mode = choice("mode", mode, MODES)
        self.mapping = choice("mapping", mapping, MAPPINGS)
        img, k, self.border, self.plan = prepare(
            image,
            kernel,
            flip=self.mode == "convolve",
            padding=padding,
            border=border,
            stride=stride,
            dilation=dilation,
            max_kernel=max_kernel,
        )
        if img.ndim == 3:
            img = img[..., :3]  # alpha is carried, not filtered
        self.img, self.k = img, k
        self.exact = exact_plan(img, k)  # the same decision as the engine's
        if vrange is None and self.mapping in ("offset", "rescale"):
            raw = apply(
                img,
                k,
                padding=padding,
                border=border,
                stride=stride,
                dilation=dilation,
                max_kernel=max_kernel,
            )
            vrange = value_range(raw)
        self.lo, self.hi = check_value_range(vrange) if vrange is not None else (0.0, 0.0)

    def checked_at(self, at) -> Explanation:
        """:meth:`at` for a user-given ``(row, col)``, checked against the output size."""
        row, col = int_pair("at", at, minimum=0)
        oh, ow = self.plan.out_shape
        if row >= oh or col >= ow:
            raise InvalidValue(
                "at_outside_output",
                at=(row, col),
                rows=oh,
                cols=ow,
                last_row=oh - 1,
                last_col=ow - 1,
            )
        return self.at(row, col)

    def at(self, row: int, col: int) -> Explanation:
        p: Plan = self.plan
        kh, kw = self.k.shape
        h, w = self.img.shape[:2]
        rows = row * p.stride[0] - p.pads[0] + np.arange(kh) * p.dilation[0]
        cols = col * p.stride[1] - p.pads[2] + np.arange(kw) * p.dilation[1]
        src_r = border_index(rows, h, self.border)
        src_c = border_index(cols, w, self.border)
        padded = ((rows < 0) | (rows >= h))[:, None] | ((cols < 0) | (cols >= w))[None, :]
        window = self.img[np.ix_(np.maximum(src_r, 0), np.maximum(src_c, 0))].astype(np.float64)
        zero = (src_r < 0)[:, None] | (src_c < 0)[None, :]
        window[zero] = 0.0
        kernel = self.k if window.ndim == 2 else self.k[:, :, None]
        products = window * kernel
        divisor = whole = None
        if self.exact is not None:
            divisor = self.exact.form.divisor
            whole = integer_sum(window, self.exact.form.numerators)
            total = whole / divisor  # exact whole number, divided once (as the engine)
        else:
            total = sequential_sum(window, self.k)
        value = display_values(total, self.mapping, self.lo, self.hi)
        half = half_ties(total, self.mapping, self.lo, self.hi)
        if window.ndim == 2:
            total, value, half = float(total), int(value), bool(half)
            whole = None if whole is None else int(whole)
        return Explanation(
            at=(row, col),
            mode=self.mode,
            border=self.border,
            out_shape=p.out_shape,
            rows=rows,
            cols=cols,
            source_rows=src_r,
            source_cols=src_c,
            padded=padded,
            window=window,
            kernel=self.k,
            products=products,
            sum=total,
            mapping=self.mapping,
            value=value,
            divisor=divisor,
            whole_sum=whole,
            rounded_half=half,
        )
