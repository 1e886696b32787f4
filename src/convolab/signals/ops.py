"""1-D correlation and convolution, and the step trace, on the core 2-D engine.

A signal of N samples is a 1 x N image and a kernel of k taps a 1 x k kernel,
so the vocabulary is the image part's: padding, border, stride, dilation and
the flip of ``convolve``. There is one engine and one set of border rules
(:mod:`convolab.engine`, :mod:`convolab.borders`)::

    correlate:  out[n] = sum_j  k[j] * x[n*s + j*d - p]
    convolve:   the same with k reversed (numpy.convolve's convention)

Example: ``correlate1d([1, 2, 3, 4], [-1, 1])`` gives ``[1, 1, 1, 1]``
with zero padding: each sample minus the one before (0 before the start).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from .._validate import choice, finite_array, positive_int
from ..borders import check_border
from ..engine import run as _run2d
from ..errors import InvalidType, InvalidValue
from ..explain import trace as _trace2d
from ..geometry import PADDING_NAMES, make_plan
from ..geometry import explain_output_size as _explain_output_size
from .kernels import MAX_TAPS, as_kernel1d

MODES = ("correlate", "convolve")
ENGINES = ("auto", "opencv", "numpy")

# The core caps 2-D kernels at 31 x 31 (grids that pupils type); a signal
# kernel is one row of up to MAX_TAPS taps, passed to the same engine.
_ROW = (1, MAX_TAPS)


def as_signal(signal, param: str = "signal") -> np.ndarray:
    """Check a signal: a 1-D sequence of real, finite numbers, at least 1 sample.

    Returns float64 (no copy when it already is a float64 array). A
    :class:`convolab.signals.Signal` is accepted too (its values).
    """
    values = getattr(signal, "values", None)
    if values is not None and hasattr(signal, "rate"):
        signal = values
    if isinstance(signal, (str, bytes)):
        raise InvalidType("signal_not_sequence", param=param, type=type(signal).__name__)
    try:
        arr = np.asarray(signal)
    except Exception as exc:
        raise InvalidValue("signal_unreadable", param=param, detail=str(exc)) from None
    if arr.dtype == object:
        raise InvalidValue("signal_ragged", param=param)
    if arr.dtype == bool or arr.dtype.kind not in "uif":
        raise InvalidType("signal_dtype", param=param, dtype=str(arr.dtype))
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise InvalidValue("signal_ndim", param=param, shape=arr.shape)
    if arr.size == 0:
        raise InvalidValue("signal_empty", param=param)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        first = int(np.flatnonzero(~np.isfinite(arr))[0])
        finite_array(f"{param} (first at sample {first})", arr)
    return np.ascontiguousarray(arr, dtype=np.float64)


def _check_padding(padding):
    if isinstance(padding, str):
        return choice("padding", padding, PADDING_NAMES)
    if isinstance(padding, bool) or not isinstance(padding, Integral):
        raise InvalidType("signal_padding_type", value=padding)
    return positive_int("padding", padding, minimum=0)


def _resolve(signal, kernel, padding, border, stride, dilation):
    x = as_signal(signal)
    k = as_kernel1d(kernel)
    padding = _check_padding(padding)
    border = check_border(border)
    stride = positive_int("stride", stride)
    dilation = positive_int("dilation", dilation)
    try:
        size = _explain_output_size(
            x.size, k.size, padding=padding, stride=stride, dilation=dilation
        )
    except ValueError:
        span = (k.size - 1) * dilation + 1
        raise InvalidValue(
            "signal_kernel_too_long",
            taps=k.size,
            span=span,
            dilation=dilation,
            samples=x.size,
            padding=padding,
        ) from None
    return x, k, padding, border, stride, dilation, size


def _pad2(padding):
    return padding if isinstance(padding, str) else (0, padding)


def correlate1d(
    signal, kernel, *, padding="same", border="zero", stride=1, dilation=1, engine="auto"
) -> np.ndarray:
    """Slide the kernel along the signal as it is (not flipped); float64 result.

    Parameters
    ----------
    signal : 1-D array_like or Signal
    kernel : 1-D array_like, SignalKernel or catalogue name (see ``signal_kernels()``)
    padding : {"same", "valid", "full"} or int
        ``"same"`` keeps the length; with an even kernel the anchor is tap ``k // 2``.
    border : {"zero", "reflect", "symmetric", "replicate", "wrap"}
    stride, dilation : int >= 1

    >>> correlate1d([1, 2, 3, 4], [-1, 1])
    array([1., 1., 1., 1.])
    >>> correlate1d([1, 2, 3, 4], [1, 1, 1], padding="valid")
    array([6., 9.])
    """
    return _apply(signal, kernel, False, padding, border, stride, dilation, engine)


def convolve1d(
    signal, kernel, *, padding="same", border="zero", stride=1, dilation=1, engine="auto"
) -> np.ndarray:
    """Reverse the kernel, then correlate: ``numpy.convolve``'s convention.

    >>> convolve1d([1, 2, 3], [1, 10], padding="full")
    array([ 1., 12., 23., 30.])
    """
    return _apply(signal, kernel, True, padding, border, stride, dilation, engine)


def _apply(signal, kernel, flip, padding, border, stride, dilation, engine):
    choice("engine", engine, ENGINES)
    x, k, padding, border, stride, dilation, _ = _resolve(
        signal, kernel, padding, border, stride, dilation
    )
    # x and k are checked (finite float64, at most MAX_TAPS taps): straight to the engine,
    # without checking the million samples a second time as an image
    row = (k[::-1] if flip else k)[None, :].copy()
    plan = make_plan(
        (1, x.size), row.shape, padding=_pad2(padding), stride=(1, stride), dilation=(1, dilation)
    )
    return _run2d(x[None, :], row, border, plan, engine)[0]


def output_length(n: int, k: int, *, padding="same", stride=1, dilation=1) -> int:
    """How many samples the result has (the image part's formula, on one axis).

    >>> output_length(100, 5, padding="valid", stride=2)
    48
    """
    return _explain_output_size(
        n, k, padding=_check_padding(padding), stride=stride, dilation=dilation
    ).value


@dataclass(frozen=True)
class Explanation1D:
    """How one output sample is computed. Arrays have one entry per kernel tap."""

    at: int  # output position
    mode: str  # "correlate" or "convolve"
    border: str
    out_len: int
    positions: np.ndarray  # input sample under each tap (may lie outside the signal)
    sources: np.ndarray  # the sample each value was read from (-1: a zero)
    padded: np.ndarray  # bool: True where the tap lies outside the signal
    window: np.ndarray  # the input values under the kernel
    kernel: np.ndarray  # the kernel as applied (reversed for convolve)
    products: np.ndarray  # window * kernel
    sum: float  # the output value

    @property
    def anchor(self) -> int:
        """The input sample this output belongs to (the centre tap)."""
        return int(self.positions[self.kernel.size // 2])

    def to_dict(self) -> dict:
        return {
            "at": self.at,
            "mode": self.mode,
            "border": self.border,
            "out_len": self.out_len,
            "anchor": self.anchor,
            "positions": self.positions.tolist(),
            "sources": self.sources.tolist(),
            "padded": self.padded.tolist(),
            "window": self.window.tolist(),
            "kernel": self.kernel.tolist(),
            "products": self.products.tolist(),
            "sum": float(self.sum),
        }


class _Trace:
    """Arguments checked once, shared by every position of a trace."""

    def __init__(self, signal, kernel, mode, padding, border, stride, dilation):
        self.mode = choice("mode", mode, MODES)
        x, k, padding, border, stride, dilation, size = _resolve(
            signal, kernel, padding, border, stride, dilation
        )
        self.x, self.border, self.out_len = x, border, size.value
        self.ctx = _trace2d(
            x[None, :],
            k[None, :],
            mode=self.mode,
            padding=_pad2(padding),
            border=border,
            stride=(1, stride),
            dilation=(1, dilation),
            max_kernel=_ROW,
        )

    def at(self, i: int) -> Explanation1D:
        e = self.ctx.at(0, i)
        return Explanation1D(
            i,
            self.mode,
            self.border,
            self.out_len,
            e.cols,
            e.source_cols,
            e.padded[0],
            e.window[0],
            e.kernel[0],
            e.products[0],
            float(e.sum),
        )


def explain1d(
    signal,
    kernel,
    at: int,
    *,
    mode="correlate",
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
) -> Explanation1D:
    """Explain output sample ``at``: window, kernel as applied, products, sum.

    >>> e = explain1d([1, 2, 3, 4], [-1, 1], at=0)
    >>> e.window.tolist(), e.padded.tolist(), e.sum
    ([0.0, 1.0], [True, False], 1.0)
    """
    tr = _Trace(signal, kernel, mode, padding, border, stride, dilation)
    if isinstance(at, bool) or not isinstance(at, Integral):
        raise InvalidType("signal_at_type", last=tr.out_len - 1, value=at)
    if not 0 <= at < tr.out_len:
        raise InvalidValue("signal_at_outside", at=at, count=tr.out_len, last=tr.out_len - 1)
    return tr.at(int(at))


def steps1d(
    signal,
    kernel,
    *,
    mode="correlate",
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
    start: int = 0,
    stop: int | None = None,
) -> Iterator[Explanation1D]:
    """Output positions ``start .. stop - 1`` (default: all) from left to right."""
    tr = _Trace(signal, kernel, mode, padding, border, stride, dilation)
    start = positive_int("start", start, minimum=0)
    stop = tr.out_len if stop is None else min(positive_int("stop", stop, minimum=0), tr.out_len)
    for i in range(start, stop):
        yield tr.at(i)


def trailing1d(signal, kernel, *, border="replicate", dilation=1) -> np.ndarray:
    """Correlate so that each output only sees the present and the past (a causal filter).

    Output sample n uses input samples ``n - span + 1 .. n``, like a trader's
    moving average: it can be computed as the data come in, but it lags behind
    (see :func:`delay`). Same length as the signal; made with padding="full"
    on the core engine, keeping the first N outputs.

    >>> trailing1d([3, 6, 9, 12], [1/3, 1/3, 1/3], border="zero").round(6)
    array([1., 3., 6., 9.])
    """
    x = as_signal(signal)
    return correlate1d(x, kernel, padding="full", border=border, dilation=dilation)[: x.size]


def delay(kernel, *, dilation: int = 1) -> float:
    """How many samples a causal (trailing) filter lags behind: the kernel's centre of weight,
    counted back from its last tap. (n - 1) / 2 for a moving average of n.

    >>> delay([0.25, 0.25, 0.25, 0.25])
    1.5
    """
    k = as_kernel1d(kernel)
    dilation = positive_int("dilation", dilation)
    total = k.sum()
    if abs(total) < 1e-12 * np.abs(k).sum():
        raise InvalidValue("delay_sum_zero")
    back = (k.size - 1 - np.arange(k.size)) * dilation
    return float((k * back).sum() / total)
