"""The one 2-D engine: correlation and convolution with explicit options.

``correlate`` slides the kernel as it is (what ``cv2.filter2D``, the Dwengo
demo, Setosa and every deep-learning framework call "convolution");
``convolve`` first rotates the kernel by 180° (the mathematical convolution of
``scipy.signal.convolve2d``)::

    out[r, c] = sum_ij  K[i, j] * P[r*s + i*d, c*s + j*d]        (correlate)

where P is the image padded as ``padding`` and ``border`` say, s the stride
and d the dilation. ``convolve`` is ``correlate`` with ``K[::-1, ::-1]``.

Anchors of even kernels (``padding="same"``): the output pixel (r, c) belongs
to kernel cell ``(kh // 2, kw // 2)`` (of the dilated kernel), so the padding is
``k // 2`` cells before and ``k - 1 - k // 2`` after: a 2 x 2 kernel reads rows
r-1..r and columns c-1..c. For ``correlate`` this is the anchor of
``scipy.ndimage.correlate`` and of ``cv2.filter2D`` (default anchor), but not of
``scipy.signal.correlate2d(..., "same")``, which reads r..r+1. For ``convolve``
(the turned kernel on the same cells) it is ``scipy.signal.convolve2d(..., "same")``,
and not ``scipy.ndimage.convolve``, which for even kernels needs ``origin=-1`` to
read the same cells. ``tests/test_engine.py::test_even_kernel_anchors_are_pinned``
pins each of these.

Exact sums (see :mod:`convolab.exact`): a kernel of whole numbers over a divisor
(``1/9``, ``1 2 1 / 16``, Sobel, ``0,5``) on an image of whole numbers is summed
exactly and divided once, with OpenCV in float32 when the proven bound allows it and
in two 1-D passes when the kernel is separable; every other kernel is a float sum (two
1-D passes too when it is one column times one row, as a Gaussian), whose pixels within
rounding distance of an x.5 tie are recomputed with the step trace's own sum. Either way
the shown pixel equals the step trace's (:mod:`convolab.explain`) everywhere. Two
implementations compute it: ``"opencv"`` (fast) and ``"numpy"`` (the readable reference,
one slice per kernel tap). The tests check both against scipy, OpenCV and PyTorch.

``"auto"`` takes a third where it is built (``src/convolab/_sums.c``, compiled by
``setup.py``), for uint8 images: a kernel of whole numbers over a divisor up to 15 x 15
(every such filter of the catalogue and of the explorer) is summed exactly and divided in a
single pass of compiled code (a column pass and a row pass for a separable kernel); a float
kernel up to 11 x 11 is summed in the step trace's own order, so that no tie needs settling.
It gives the numpy engine's values bit for bit (``tests/test_sums.py``) and is quicker than
OpenCV's float64 filter, whose exact paths need a second pass over the image to turn int16
or float32 sums into divided float64 values. Without a C compiler at install time, "auto"
uses OpenCV's passes: the same shown pixels (and for whole-number kernels the same values).

OpenCV's filters have no wrap border: for it the image is filtered as it is and the frame
of the output is refiltered from small wrapped pieces (:func:`_wrapped_by_strips`).
"""

from __future__ import annotations

import math
import sys
import threading

import cv2
import numpy as np

from ._validate import choice
from .borders import BORDERS, border_index, check_border, pad
from .exact import DFT_BITS, FLOAT32_EXACT, INT16_EXACT, ExactPlan, exact_plan, sequential_sum
from .geometry import Plan, make_plan
from .kernels import as_kernel

try:  # the compiled exact sums (src/convolab/_sums.c, built by setup.py where a C compiler is)
    from . import _sums
except ImportError:  # pragma: no cover - installed without it: OpenCV's passes, same values
    _sums = None

ENGINES = ("auto", "opencv", "numpy")

# cv2.filter2D switches to a DFT for kernels with this many cells or more; for
# uint8 input that DFT runs in float32, which is not exact enough, so we feed
# it float64 instead (see tests/test_engine.py::test_large_kernel_uint8_exact).
_DFT_CELLS = 50


def correlate(image, kernel, *, padding="same", border="zero", stride=1, dilation=1, engine="auto"):
    """Cross-correlate an image with a kernel (the kernel is not rotated).

    Parameters
    ----------
    image : array_like
        2-D greyscale (H x W) or colour (H x W x 3, or x 4 with alpha), uint8
        or float, in 0..255 units. Colour channels are filtered separately;
        an alpha channel is passed through untouched.
    kernel : array_like or str
        2-D grid of numbers (1 x 1 up to 31 x 31, rectangular allowed) or the
        name of a catalogue filter (see :func:`convolab.kernels`).
    padding : {"same", "valid", "full"} or int or (int, int)
        See :mod:`convolab.geometry`.
    border : {"zero", "reflect", "symmetric", "replicate", "wrap"}
        What fills the padding; see :mod:`convolab.borders`.
    stride, dilation : int or (int, int)
        Step between output positions; spacing between kernel taps. Both >= 1.
    engine : {"auto", "opencv", "numpy"}

    Returns
    -------
    numpy.ndarray
        float64, negatives kept, of shape ``(oh, ow)`` or ``(oh, ow, C)``.

    For an even kernel with ``padding="same"`` the output pixel belongs to kernel
    cell ``(kh // 2, kw // 2)``, as in ``scipy.ndimage.correlate`` and ``cv2.filter2D``
    (``scipy.signal.correlate2d(..., "same")`` anchors one cell earlier).

    Examples
    --------
    >>> import numpy as np
    >>> img = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.uint8)
    >>> correlate(img, [[0, 0, 0], [0, 0, 1], [0, 0, 0]], padding="valid")
    array([[6.]])
    >>> convolve(img, [[0, 0, 0], [0, 0, 1], [0, 0, 0]], padding="valid")
    array([[4.]])
    """
    return apply(
        image,
        kernel,
        flip=False,
        padding=padding,
        border=border,
        stride=stride,
        dilation=dilation,
        engine=engine,
    )


def convolve(image, kernel, *, padding="same", border="zero", stride=1, dilation=1, engine="auto"):
    """Convolve an image with a kernel: the kernel is rotated by 180°, then correlated.

    Same parameters as :func:`correlate`. For a symmetric kernel (blur,
    Laplacian) both give the same result; for Sobel or emboss they differ.
    ``padding="same"`` equals ``scipy.signal.convolve2d(..., mode="same")`` also for
    even kernels (the turned kernel on the cells :func:`correlate` reads); it is not
    ``scipy.ndimage.convolve``, which anchors an even kernel one cell later
    (``origin=-1`` makes it agree).
    """
    return apply(
        image,
        kernel,
        flip=True,
        padding=padding,
        border=border,
        stride=stride,
        dilation=dilation,
        engine=engine,
    )


def prepare(
    image,
    kernel,
    *,
    flip=False,
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
    max_kernel=None,
):
    """Check and resolve all arguments: (image array, kernel as applied, border, plan).

    ``max_kernel`` (rows, cols): the largest kernel accepted, 31 x 31 unless
    given (:mod:`convolab.signals` allows one long row).
    """
    from ._validate import as_image

    img = as_image(image)
    k = _kernel_as_applied(kernel, flip, max_kernel)
    border = check_border(border)
    key = _plan_key(img.shape, k.shape, padding, stride, dilation)
    plan = _PLANS.get(key) if key is not None else None
    if plan is None:
        plan = make_plan(img.shape, k.shape, padding=padding, stride=stride, dilation=dilation)
        if key is not None:
            _remember(_PLANS, key, plan)
    return img, k, border, plan


# The web app and a notebook apply a handful of kernels and shapes again and again; checking
# them again costs more than a small image's filter (Python code gone cold behind the filter's
# memory traffic). Only successful checks are remembered; a kernel is remembered read-only.
_KERNELS: dict = {}
_PLANS: dict = {}
_REMEMBER = 256
_REMEMBER_LOCK = threading.Lock()  # taken for nothing else


def _remember(cache: dict, key, value) -> None:
    with _REMEMBER_LOCK:  # threads of a server add at once: one evicts, the other waits
        if len(cache) >= _REMEMBER:
            cache.pop(next(iter(cache)))
        cache[key] = value


def _kernel_as_applied(kernel, flip: bool, max_kernel) -> np.ndarray:
    """:func:`as_kernel`, turned when ``flip``; read-only (possibly shared)."""
    key = None
    if type(kernel) is np.ndarray and kernel.dtype == np.float64 and kernel.ndim == 2:
        try:
            key = (kernel.shape, kernel.tobytes(), bool(flip), _plain(max_kernel))
        except TypeError:
            key = None
        k = _KERNELS.get(key) if key is not None else None
        if k is not None:
            return k
    k = as_kernel(kernel, max_shape=max_kernel)
    if flip:
        k = k[::-1, ::-1].copy()
    k.flags.writeable = False
    if key is not None:
        _remember(_KERNELS, key, k)
    return k


def _plan_key(in_shape, k_shape, padding, stride, dilation):
    """A hashable key for :func:`make_plan`'s arguments, or None (then it is not cached)."""

    try:
        return (tuple(in_shape[:2]), tuple(k_shape), _plain(padding), _plain(stride),
                _plain(dilation))  # fmt: skip
    except TypeError:
        return None


def _plain(v):
    """``v`` as a hashable key when it is made of ints and strings (lists become tuples)."""
    if v is None or type(v) in (int, str):
        return v
    if isinstance(v, (list, tuple)):
        return tuple(_plain(x) for x in v)
    raise TypeError  # bools, numpy integers, anything else: checked afresh


def apply(
    image,
    kernel,
    *,
    flip=False,
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
    engine="auto",
    max_kernel=None,
):
    """:func:`correlate` (``flip=False``) or :func:`convolve` (``flip=True``), with
    the kernel-size limit as a parameter: the one entry to both engines."""
    choice("engine", engine, ENGINES)
    img, k, border, plan = prepare(
        image,
        kernel,
        flip=flip,
        padding=padding,
        border=border,
        stride=stride,
        dilation=dilation,
        max_kernel=max_kernel,
    )
    alpha = None
    if img.ndim == 3 and img.shape[2] == 4:
        img, alpha = img[..., :3], img[..., 3]
    out = run(img, k, border, plan, engine)
    if alpha is not None:
        out = np.concatenate([out, _carry_alpha(alpha, plan)[..., None]], axis=2)
    return out


def run(img: np.ndarray, k: np.ndarray, border: str, plan: Plan, engine: str = "auto"):
    """The engines behind :func:`apply`, on checked arguments (no alpha channel).

    Every engine gives the same float64 values, bit for bit, as the step trace:

    - an integer image with a kernel of whole numbers over a divisor
      (:func:`convolab.exact.integer_form`) is summed exactly and divided once;
    - any other pair is a float sum; the OpenCV path then recomputes the few
      pixels within rounding distance of an x.5 tie with the trace's own sum
      (:func:`convolab.exact.sequential_sum`), which the numpy engine uses everywhere
      (and the compiled sums, for uint8 images and kernels up to 11 x 11).
    """
    ep = exact_plan(img, k)
    sparse = k.size < _DFT_CELLS <= plan.effective[0] * plan.effective[1]
    if ep is not None:
        if engine == "auto" and _sums is not None and img.dtype == np.uint8:
            how = _compiled_way(ep)
            if how == "direct":
                return _compiled_integer(img, ep, border, plan)
            if how == "separable":
                return _compiled_separable(img, ep, border, plan)
        dft_too_big = (
            not ep.form.separable
            and plan.effective[0] * plan.effective[1] >= _DFT_CELLS
            and ep.bound > 2**DFT_BITS
        )
        if engine == "numpy" or (engine == "auto" and sparse) or dft_too_big:
            s = _numpy_integer(img, ep.form.numerators, border, plan)
            return _divide(s, ep.form.divisor, in_place=True)
        s, fresh = _opencv_integer(img, ep, border, plan)
        return _divide(s, ep.form.divisor, in_place=fresh)
    if engine == "auto" and _sums is not None and img.dtype == np.uint8:
        if k.size <= _SEQUENTIAL_CELLS and not (
            k.size > _SEQUENTIAL_SEPARABLE and _float_factors(k) is not None
        ):
            return _compiled_sequential(img, k, border, plan)
    if engine == "numpy" or (engine == "auto" and sparse):
        return _numpy_engine(img, k, border, plan)
    factors = _float_factors(k)
    if factors is not None:  # a float kernel that is one column times one row: two passes
        out, frac = _opencv_separable(img, k, factors, border, plan)
        _settle_ties(out, img, k, border, plan, frac=frac)
        return out
    out = _opencv_engine(img, k, border, plan)
    _settle_ties(out, img, k, border, plan)
    return out


# A float kernel is taken as column x row when the two factors reproduce it within this
# fraction of sum |k| (Gaussians built from exp values: about 1e-17); otherwise the tie
# window would grow and more pixels be recomputed.
_SEPARABLE_FLOAT = 2.0**-36
_FACTORS: dict = {}
_U = 2.0**-53  # the unit roundoff of float64


def _gamma(n: int) -> float:
    """gamma_n = n u / (1 - n u): the relative error bound of a float sum of n products."""
    return n * _U / (1.0 - n * _U)


def _float_factors(k: np.ndarray):
    """``(column, row, E)`` when the kernel is, up to ``E``, one column times one row, else
    None. ``E >= sum_ij |k[i, j] - column[i] * row[j]|`` (real products): an upper bound.

    The row is the kernel's row through its largest cell (so that row is exact), the column
    that cell's column divided by it. Kernels of one row or one column gain nothing."""
    if k.ndim != 2 or min(k.shape) < 2:
        return None
    key = (k.shape, k.tobytes())
    hit = _FACTORS.get(key)
    if hit is not None:
        return hit or None
    i0, j0 = np.unravel_index(int(np.argmax(np.abs(k))), k.shape)
    pivot = float(k[i0, j0])
    found = False
    if pivot != 0.0:
        row = k[i0].astype(np.float64)
        col = k[:, j0] / pivot
        col[i0] = 1.0
        outer = np.outer(col, row)  # each product within u of the real one
        # |k - c r| <= |fl(k - fl(c r))| (1 + u) + u |c r| (1 + u); the sums round upwards
        # by far less than the factor 1 + 2**-40 allows for
        e = (float(np.abs(k - outer).sum()) + 2 * _U * float(np.abs(outer).sum())) * (1 + 2.0**-40)
        if e <= _SEPARABLE_FLOAT * float(np.abs(k).sum()):
            col.flags.writeable = row.flags.writeable = False
            found = (col, row, e)
    _remember(_FACTORS, key, found)
    return found or None


def _opencv_separable(img: np.ndarray, k: np.ndarray, factors, border: str, plan: Plan):
    """The float sum of a column x row kernel in two OpenCV passes (float64), and how far
    it may lie from the step trace's sum, as a fraction of ``sum |k| * max |pixel|``.

    With pixels ``|p| <= m``, ``K = sum |k|``, ``C = sum |c|``, ``R = sum |r|`` and the
    kernel ``n = kh * kw`` taps (dilated lengths ``kh'``, ``kw'``):

    - the trace's sequential sum T is within ``gamma_n K m`` of the real ``sum k p``;
    - the real ``sum_i c_i sum_j r_j p`` is within ``E m`` of it (:func:`_float_factors`);
    - each row pass sum is within ``gamma_kw' R m`` of its real value and the column pass
      adds ``gamma_kh' C (1 + gamma_kw') R m`` (Higham, 3.1, any order of additions), so
      OpenCV's result S is within ``(gamma_kw' + gamma_kh' (1 + gamma_kw')) C R m`` of
      the real separable sum.

    The fraction returned is twice the sum of the three (the bounds themselves are
    computed in float). ``tests/test_exact.py`` checks S against T on photos."""
    col, row, e = factors
    dh, dw = plan.dilation
    c = _dilated(col[:, None], (dh, 1))[:, 0]
    r = _dilated(row[None, :], (1, dw))[0]
    src = img if img.dtype in (np.uint8, np.float64) else img.astype(np.float64)

    def filt(a, anchor, border_type):
        return cv2.sepFilter2D(a, cv2.CV_64F, r, c, anchor=anchor, borderType=border_type)

    out = _opencv_geometry(src, (c.size, r.size), border, plan, filt)
    k_sum = float(np.abs(k).sum())  # K (> 0: the pivot is not 0)
    c_r = float(np.abs(col).sum()) * float(np.abs(row).sum())  # C R
    g_r, g_c = _gamma(r.size + 1), _gamma(c.size + 1)  # one more: the bounds stay bounds
    spread = _gamma(k.size + 1) * k_sum + e + (g_r + g_c * (1 + g_r)) * c_r
    return out, 2.0 * spread / k_sum


def _dilated(k: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """The kernel with (d - 1) zeros between taps."""
    if dilation == (1, 1):
        return k
    kh, kw = k.shape
    out = np.zeros(((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1), dtype=k.dtype)
    out[:: dilation[0], :: dilation[1]] = k
    return out


def _numpy_engine(img: np.ndarray, k: np.ndarray, border: str, plan: Plan) -> np.ndarray:
    """Reference: pad, then add up one shifted, strided slice per kernel tap, in raster
    order (the order of :func:`convolab.exact.sequential_sum`)."""
    p = pad(img.astype(np.float64), plan.pads, border)
    (oh, ow), (sh, sw), (dh, dw) = plan.out_shape, plan.stride, plan.dilation
    out = np.zeros((oh, ow) + img.shape[2:])
    for i in range(k.shape[0]):
        for j in range(k.shape[1]):
            r, c = i * dh, j * dw
            out += k[i, j] * p[r : r + (oh - 1) * sh + 1 : sh, c : c + (ow - 1) * sw + 1 : sw]
    return out


def _numpy_integer(img: np.ndarray, n: np.ndarray, border: str, plan: Plan) -> np.ndarray:
    """The exact sum S with one slice per non-zero tap: whole numbers in float64, every
    partial sum within the plan's bound (<= 2**53), so no addition rounds."""
    p = pad(img.astype(np.float64), plan.pads, border)
    (oh, ow), (sh, sw), (dh, dw) = plan.out_shape, plan.stride, plan.dilation
    out = np.zeros((oh, ow) + img.shape[2:])
    for i, j in zip(*np.nonzero(n), strict=True):
        r, c = i * dh, j * dw
        out += float(n[i, j]) * p[r : r + (oh - 1) * sh + 1 : sh, c : c + (ow - 1) * sw + 1 : sw]
    return out


# The compiled sums beat OpenCV's passes (int16, float32, DFT) for every kernel up to 15 x 15
# (bench/bench_core.py; random whole 15 x 15: 0.44-0.59 x); a separable kernel with more taps
# than a 3 x 3 takes two passes instead.
_COMPILED_TAPS = 225
_COMPILED_DIRECT = 9
# The compiled sums split an output in two halves, one per thread, when it has 2 M values or
# more (a 1024 x 1024 colour photo: two cores write memory faster than one) or this much work
# (output values x taps, a float tap counted twice: a grey photo of that size with a float
# filter or one larger than 3 x 3). Below both the second thread costs more than it saves
# (measured with bench/bench_core.py).
_COMPILED_SPLIT = 1 << 24
_COMPILED_WEIGHT = (2**31 - 1) // 255  # sum |N| * 255 fits the compiled sums' int32


def _compiled_way(ep: ExactPlan) -> str | None:
    """How the compiled sums take a kernel of whole numbers on a uint8 image: "separable" (a
    column pass, then a row pass: box, binomial and Sobel filters beyond 3 x 3), "direct"
    (every non-zero tap, up to 15 x 15: the explorer's largest), or None (OpenCV's passes,
    for larger kernels, where its DFT is quicker)."""
    form = ep.form

    def way():
        taps = int(np.count_nonzero(form.numerators))
        if (
            form.separable
            and taps > _COMPILED_DIRECT
            and int(np.abs(form.column).sum()) <= _COMPILED_WEIGHT
        ):
            return "separable"  # column sums fit int32; the row pass is exact in float64
        if taps <= _COMPILED_TAPS and form.weight <= _COMPILED_WEIGHT:
            return "direct"
        return None

    return form.derived("compiled", way)


def _compiled(img: np.ndarray, border: str, plan: Plan, call, work: int) -> np.ndarray:
    """The frame of every compiled call: a new float64 output, the image padded as the plan
    says (uint8, C order), then ``call(p, out, channels, geometry)`` with ``geometry`` the
    arguments the ``_sums`` functions share (values per padded row, output rows, columns,
    channels, the two strides); ``work`` is the cost of one output value, in taps."""
    (oh, ow), (sh, sw) = plan.out_shape, plan.stride
    out = np.empty((oh, ow) + img.shape[2:])
    if out.size == 0:
        return out
    p = pad(img, plan.pads, border)
    if not p.flags.c_contiguous:
        p = np.ascontiguousarray(p)
    channels = 1 if p.ndim == 2 else p.shape[2]
    row = p.shape[1] * channels
    if (out.size < _SPLIT_CELLS and out.size * work < _COMPILED_SPLIT) or oh < 2:
        call(p, out, channels, (row, oh, ow, channels, sh, sw))
        return out
    # a large output: its top and bottom halves at once, as OpenCV's filters use two threads
    h = oh // 2
    _in_two(
        lambda: call(p, out[:h], channels, (row, h, ow, channels, sh, sw)),
        lambda: call(p[h * sh :], out[h:], channels, (row, oh - h, ow, channels, sh, sw)),
    )
    return out


def _compiled_integer(img: np.ndarray, ep: ExactPlan, border: str, plan: Plan) -> np.ndarray:
    """S / D in one pass of compiled code (``_sums.c``): the image padded as the plan says,
    then for every output value the exact whole-number sum over the kernel's non-zero taps
    (int16 or int32, by the proven bound) and one IEEE division by D (an exact
    multiplication when D is a power of two): the values of :func:`_numpy_integer` and
    :func:`_divide`, bit for bit (``tests/test_sums.py`` compares them)."""
    n = ep.form.numerators
    if not n.any():
        return np.zeros(plan.out_shape + img.shape[2:])
    ii, jj = np.nonzero(n)
    dh, dw = plan.dilation

    def call(p, out, channels, geometry):
        offsets = ((ii * dh * p.shape[1] + jj * dw) * channels).astype(np.int64)
        weights = n[ii, jj].astype(np.int32)
        _sums.correlate_u8(p, out, offsets, weights, *geometry, float(ep.form.divisor))

    return _compiled(img, border, plan, call, ii.size)


def _compiled_separable(img: np.ndarray, ep: ExactPlan, border: str, plan: Plan) -> np.ndarray:
    """S / D for a kernel ``outer(column, row)`` of whole numbers, in compiled code: per
    output row the column taps over the padded rows (exact int32 sums), then the row taps
    over that row in float64 (whole numbers of at most the plan's bound <= 2**53: exact), and
    one division. The same values as :func:`_compiled_integer`, with kh + kw taps per value
    instead of kh * kw."""
    col, row = ep.form.column, ep.form.row
    ci, rj = np.flatnonzero(col), np.flatnonzero(row)
    dh, dw = plan.dilation

    def call(p, out, channels, geometry):
        column_taps = ((ci * dh).astype(np.int64), col[ci].astype(np.int32))
        row_taps = ((rj * dw * channels).astype(np.int64), row[rj].astype(np.float64))
        _sums.separable_u8(p, out, *column_taps, *row_taps, *geometry, float(ep.form.divisor))

    return _compiled(img, border, plan, call, ci.size + rj.size)


# Float kernels on uint8 photos: the compiled sequential sums beat OpenCV's float64 filter
# plus the tie check up to 11 x 11 (bench/bench_core.py --float); a float kernel that is one
# column times one row and larger than 5 x 5 (a Gaussian) is quicker in two OpenCV passes.
_SEQUENTIAL_CELLS = 121
_SEQUENTIAL_SEPARABLE = 25


def _compiled_sequential(img: np.ndarray, k: np.ndarray, border: str, plan: Plan) -> np.ndarray:
    """A float kernel (no exact form) on a uint8 image in compiled code, in the step trace's
    own order: ``0 + k[0,0] * p + k[0,1] * p + ...`` over every cell in raster order, each
    product and sum rounded once (:func:`convolab.exact.sequential_sum`). The values are the
    numpy engine's and the trace's bit for bit, so no pixel needs its tie settled."""
    ii, jj = np.indices(k.shape).reshape(2, -1)
    dh, dw = plan.dilation
    weights = np.ascontiguousarray(k, dtype=np.float64).reshape(-1)

    def call(p, out, channels, geometry):
        rows, cols = (ii * dh).astype(np.int64), (jj * dw * channels).astype(np.int64)
        _sums.sequential_u8(p, out, rows, cols, weights, *geometry)

    return _compiled(img, border, plan, call, 2 * k.size)


def _divide(s: np.ndarray, divisor: int, *, in_place: bool = False) -> np.ndarray:
    """S / D in float64: one correctly rounded division per pixel (S is exact).

    ``in_place``: ``s`` is a float64 array of the caller's own that may take the result
    (divided in place). Otherwise ``s`` (int16 or float32 sums in a scratch buffer,
    ``|S| <= 2**24``) becomes a new float64 array:

    - ``D`` a power of two (1 included): OpenCV converts and scales in one pass. Whether it
      multiplies in float32 or float64, ``S * 2**-e`` is exact (``S`` is a whole number of at
      most 2**24 and ``e <= 40``: no rounding, no underflow).
    - any other ``D``: OpenCV converts (exact), then divides the float64 values in place;
      from 2 M values numpy casts and divides in one pass, the two halves at once
      (:func:`_elementwise`). OpenCV's own division of int16 by a number would run in
      float32, which is not exact.

    OpenCV's ``divide`` of a float64 array by a number is one IEEE division per value, and
    its scaling is exact as above: ``tests/test_engine.py`` checks both against numpy. Small
    arrays go through numpy (as quick there, and OpenCV reads up to four values as a number).
    """
    d = float(divisor)
    pow2 = divisor & (divisor - 1) == 0
    # a one-channel view for OpenCV (it would scale only the first of several channels)
    big = s.flags.c_contiguous and s.size >= _CV_MIN
    flat = s.reshape(s.shape[0], -1) if big else None
    if in_place and s.dtype == np.float64 and s.flags.c_contiguous:
        if divisor == 1:
            return s
        if flat is None:
            np.divide(s, d, out=s)
        elif pow2:
            cv2.multiply(flat, 1.0 / d, dst=flat)
        else:
            cv2.divide(flat, d, dst=flat)
        return s
    if flat is not None and s.dtype in (np.int16, np.float32):
        if pow2 and (divisor != 1 or s.size >= _CV_CONVERT):
            return cv2.multiply(flat, 1.0 / d, dtype=cv2.CV_64F).reshape(s.shape)
        if not pow2 and s.size < _SPLIT_CELLS:
            out = cv2.multiply(flat, 1.0, dtype=cv2.CV_64F)
            cv2.divide(out, d, dst=out)
            return out.reshape(s.shape)
    out = np.empty(s.shape)
    if divisor == 1:
        _elementwise(np.copyto, out, s)
    else:
        # dtype: float32 sums are divided in float64 (numpy's own choice would be float32)
        _elementwise(lambda o, a: np.divide(a, d, out=o, dtype=np.float64), out, s)
    return out


_CV_MIN = 1 << 14  # OpenCV for the division from this many values (measured)
_CV_CONVERT = 1 << 20  # from here OpenCV's conversion (two threads) beats numpy's copy
_SPLIT_CELLS = 1 << 21  # below this one thread is quicker than handing half to another
_helper_lock = threading.Lock()
_helper = None


def _elementwise(fn, out: np.ndarray, a: np.ndarray, split: int = _SPLIT_CELLS) -> None:
    """``fn(out, a)`` for an elementwise ``fn``, the two halves (by rows) at once when the
    array is large: numpy lets go of the GIL in such loops (:func:`_in_two`)."""
    if out.size < split or out.shape[0] < 2:
        fn(out, a)
        return
    h = out.shape[0] // 2
    if out is a:  # in place: each half is one view, given twice
        top, bottom = (out[:h],) * 2, (out[h:],) * 2
    else:
        top, bottom = (out[:h], a[:h]), (out[h:], a[h:])
    _in_two(lambda: fn(*top), lambda: fn(*bottom))


def _in_two(first, second) -> None:
    """``first()`` in this thread and ``second()`` in the engine's helper thread at once (both
    let go of the GIL). When the helper thread is busy (another image in a server), this
    thread does ``second()`` itself after ``first()`` instead of waiting."""
    global _helper
    if _helper is None:
        with _helper_lock:
            if _helper is None:
                from concurrent.futures import ThreadPoolExecutor

                _helper = ThreadPoolExecutor(1, thread_name_prefix="convolab-engine")
    job = _helper.submit(second)
    first()
    if job.cancel():  # not started yet: quicker to do it here than to wait
        second()
    else:
        job.result()


def _opencv_integer(img: np.ndarray, ep: ExactPlan, border: str, plan: Plan):
    """The exact sum S with OpenCV: int16 or float32 when the bound allows it (module
    :mod:`convolab.exact` proves why that is exact), two 1-D passes for a separable kernel,
    and the nearest integer of a float64 DFT for large non-separable kernels.

    Returns ``(S, fresh)``: ``fresh`` when S is a float64 array of its own that the
    division may overwrite; otherwise S lies in this thread's scratch buffers (int16 or
    float32 sums, and every intermediate pass), which saves mapping new memory per call."""
    form = ep.form
    f32 = ep.bound <= FLOAT32_EXACT
    ftype, ddepth = (np.float32, cv2.CV_32F) if f32 else (np.float64, cv2.CV_64F)
    if img.dtype == np.uint8 and ep.bound <= INT16_EXACT:
        ddepth = cv2.CV_16S  # photos with small filters: int16 out, the fastest (exact.py)
    nd, taps = form.derived(
        ("grid", ftype, plan.dilation),
        lambda: (
            _dilated(form.numerators.astype(ftype), plan.dilation),
            int(np.count_nonzero(form.numerators)),
        ),
    )
    # No division follows: OpenCV's float64 sum saves the conversion pass, for a
    # non-separable kernel beyond int16, or for few taps on a large photo (where it costs
    # less than int16 sums plus their conversion: sharpen has 5 taps, Sobel 6)
    direct = (
        form.divisor == 1
        and img.dtype == np.uint8
        and nd.size < _DFT_CELLS
        and (
            (ddepth != cv2.CV_16S and not form.separable)
            or (ddepth == cv2.CV_16S and taps <= _DIRECT_TAPS and img.size >= _CV_CONVERT)
        )
    )
    if form.separable and not direct:
        dh, dw = plan.dilation
        col, row = form.derived(
            ("passes", dh, dw),
            lambda: (
                _dilated(form.column[:, None].astype(np.float64), (dh, 1))[:, 0],
                _dilated(form.row[None, :].astype(np.float64), (1, dw))[0],
            ),
        )
        m = ep.bound // form.weight  # the largest |pixel|
        one = np.ones(1)
        if f32:
            passes = [(row, col, ddepth)]
        elif int(np.abs(form.row).sum()) * m <= FLOAT32_EXACT:
            # the row pass fits float32; the column pass adds its whole numbers in float64
            passes = [(row, one, cv2.CV_32F), (one, col, cv2.CV_64F)]
        elif int(np.abs(form.column).sum()) * m <= FLOAT32_EXACT:
            passes = [(one, col, cv2.CV_32F), (row, one, cv2.CV_64F)]
        else:
            passes = [(row, col, cv2.CV_64F)]
        src = img if img.dtype == np.uint8 else img.astype(np.float32 if m <= FLOAT32_EXACT
                                                           else np.float64)  # fmt: skip

        def filt(a, anchor, border_type):
            # Row and column passes with the same border rule: extending the row-filtered
            # image by that rule is row-filtering the extended image (the rule picks rows).
            for n, (kx, ky, depth) in enumerate(passes):
                kx = kx.astype(np.float64 if depth == cv2.CV_64F else np.float32)
                ky = ky.astype(kx.dtype)
                ax = anchor[0] if kx.size > 1 else 0
                ay = anchor[1] if ky.size > 1 else 0
                dst = _pass_buffer(a.shape, depth, last=n == len(passes) - 1, slot=n)
                a = cv2.sepFilter2D(
                    a, depth, kx, ky, dst=dst, anchor=(ax, ay), borderType=border_type
                )
            return a

        out = _opencv_geometry(src, (col.size, row.size), border, plan, filt)
        return out, _owned(out)
    dft = nd.size >= _DFT_CELLS
    if dft:  # OpenCV may take a DFT: float64, then the nearest integer
        nd = nd.astype(np.float64)
        src = _float64_scratch(img)
        ddepth = cv2.CV_64F
    elif direct:
        nd = nd.astype(np.float64)
        src, ddepth = img, cv2.CV_64F
    else:
        src = img if img.dtype == np.uint8 else img.astype(ftype)

    def filt(a, anchor, border_type):
        dst = _pass_buffer(a.shape, ddepth, last=True, slot=0)
        return cv2.filter2D(a, ddepth, nd, dst=dst, anchor=anchor, borderType=border_type)

    out = _opencv_geometry(src, nd.shape, border, plan, filt)
    if dft:
        np.rint(out, out=out)  # the exact whole number: the DFT's error is far below 0.5
    return out, _owned(out)


_DIRECT_TAPS = 6  # up to this many non-zero taps, float64 sums beat int16 sums + conversion

_DEPTH_TYPES = {cv2.CV_16S: np.int16, cv2.CV_32F: np.float32, cv2.CV_64F: np.float64}


def _pass_buffer(shape: tuple, depth: int, *, last: bool, slot: int) -> np.ndarray | None:
    """Where an OpenCV pass writes: the last float64 pass into a new array (it becomes the
    result), every other pass into a scratch buffer of this thread (``slot`` 0 or 1)."""
    if last and depth == cv2.CV_64F:
        return None
    return _scratch(f"pass{slot}", shape, _DEPTH_TYPES[depth])


def _owned(out: np.ndarray) -> bool:
    """True when ``out`` is float64 and shares no memory with this thread's scratch."""
    if out.dtype != np.float64:
        return False
    bufs = getattr(_local, "scratch", {})
    return not any(np.may_share_memory(out, b) for b in bufs.values())


def _opencv_engine(img: np.ndarray, k: np.ndarray, border: str, plan: Plan) -> np.ndarray:
    kd = _dilated(k, plan.dilation)
    src = img
    if (
        not (src.dtype == np.float64 or (src.dtype == np.uint8 and kd.size < _DFT_CELLS))
        or not src.flags.c_contiguous
    ):
        src = _float64_scratch(src)

    def filt(a, anchor, border_type):
        return cv2.filter2D(a, cv2.CV_64F, kd, anchor=anchor, borderType=border_type)

    return _opencv_geometry(src, kd.shape, border, plan, filt)


def _opencv_geometry(src, k_shape, border: str, plan: Plan, filt) -> np.ndarray:
    """Padding, border and stride around one OpenCV filter call ``filt(src, anchor,
    border_type)`` with a kernel of (dilated) shape ``k_shape``."""
    keh, kew = k_shape
    if not src.flags.c_contiguous:
        src = np.ascontiguousarray(src)
    h, w = src.shape[:2]
    top, bottom, left, right = plan.pads
    direct = (
        border != "wrap"
        and top < keh
        and left < kew
        and top + bottom <= keh - 1
        and left + right <= kew - 1
        and max(top, bottom) < h
        and max(left, right) < w
    )
    if direct:
        # Let OpenCV extrapolate the border itself: with the anchor at (top,
        # left), its output row y reads padded rows y .. y + keh - 1, which
        # is our output row y; the rows past our output size are dropped.
        full = filt(src, (left, top), BORDERS[border].opencv)
        rows = h + top + bottom - keh + 1
        cols = w + left + right - kew + 1
    elif (
        border == "wrap"
        and top + bottom == keh - 1
        and left + right == kew - 1
        and keh <= h
        and kew <= w
    ):
        full = _wrapped_by_strips(src, (keh, kew), plan.pads, filt)
        rows, cols = h, w
    else:
        padded = pad(src, plan.pads, border)
        full = filt(padded, (0, 0), cv2.BORDER_CONSTANT)
        rows = padded.shape[0] - keh + 1
        cols = padded.shape[1] - kew + 1
    sh, sw = plan.stride
    out = full[:rows:sh, :cols:sw]
    if out.shape[:2] != full.shape[:2]:
        out = np.ascontiguousarray(out)
    return out


def _wrapped_by_strips(src, k_shape, pads, filt) -> np.ndarray:
    """The output of the "wrap" border at the input's size, without padding the image.

    OpenCV's filters have no wrap border. Padding the whole image and filtering it gives an
    output larger than the image, and cutting it to size copies the whole float64 result
    (19 MB for a colour photo: more than the filter). Instead the image is filtered as it is
    (any border: only the outer frame of the output reads it), and each side of that frame
    (``top`` rows, ``bottom`` rows, ``left`` and ``right`` columns, corners included) is
    filtered again from a small piece of the wrapped image that holds every value its
    pixels read, at the same places relative to them: the same sums, value for value."""
    keh, kew = k_shape
    top, bottom, left, right = pads
    h, w = src.shape[:2]
    sides = []  # (rows, cols) of the output: the piece of the wrapped image they read
    if top:
        sides.append((slice(0, top), slice(0, w)))
    if bottom:
        sides.append((slice(h - bottom, h), slice(0, w)))
    if left:
        sides.append((slice(0, h), slice(0, left)))
    if right:
        sides.append((slice(0, h), slice(w - right, w)))
    pieces = []
    for rs, cs in sides:  # first: filt may write into the scratch buffer the image's uses
        rows = (rs.start - top + np.arange(rs.stop - rs.start + keh - 1)) % h
        cols = (cs.start - left + np.arange(cs.stop - cs.start + kew - 1)) % w
        piece = filt(src[np.ix_(rows, cols)], (0, 0), cv2.BORDER_CONSTANT)
        pieces.append(np.array(piece[: rs.stop - rs.start, : cs.stop - cs.start]))
    full = filt(src, (left, top), cv2.BORDER_CONSTANT)
    for (rs, cs), piece in zip(sides, pieces, strict=True):
        full[rs, cs] = piece
    return full


# How far a float sum from OpenCV may lie from the sequential sum, as a fraction of
# B = sum |k| * max |pixel|. A direct sum of n products, added in any order (SIMD lanes,
# fused multiply-adds), is within gamma_n * B of the exact sum (gamma_n = n u / (1 - n u),
# u = 2**-53; Higham, Accuracy and Stability of Numerical Algorithms, 3.1); two such sums,
# OpenCV's and the trace's, lie within 2 gamma_n * B of each other: _direct_tolerance takes
# twice that. The float64 DFT (50 cells or more) is off by about 1e-13 * B: 2**-30 there.
_DFT_TOLERANCE = 2.0**-30
_TIE_BLOCK = 65536  # 512 kB of float64: a block stays in the cache between passes


def _direct_tolerance(taps: int) -> float:
    n = taps + 1  # one more rounding than needed: the bound stays an upper bound
    return 4.0 * n * 2.0**-53 / (1.0 - n * 2.0**-53)


def _settle_ties(
    out: np.ndarray, img, k: np.ndarray, border: str, plan: Plan, *, frac: float | None = None
) -> None:
    """Recompute, in place, the pixels within rounding distance of an x.5 tie with the
    sequential sum of the step trace, so that rounding (half up) cannot tip them apart.

    A pixel farther from every x.5 than OpenCV's possible distance to the trace's sum
    rounds the same in both: only the others are recomputed."""
    m = 255.0 if img.dtype == np.uint8 else _largest_magnitude(img)
    bound = float(np.abs(k).sum()) * m
    cells = plan.effective[0] * plan.effective[1]  # the dilated kernel OpenCV was given
    if frac is None:  # the distance to the trace's sum allowed for, as a fraction of bound
        frac = _DFT_TOLERANCE if cells >= _DFT_CELLS else _direct_tolerance(cells)
    found = _near_ties(out.reshape(-1), frac * bound + 1e-300, bound)
    if not found.size:
        return
    near = np.unravel_index(found, out.shape)
    r, c = near[0], near[1]
    h, w = img.shape[:2]
    kh, kw = k.shape
    rows = border_index(
        r[None, :] * plan.stride[0] - plan.pads[0] + np.arange(kh)[:, None] * plan.dilation[0],
        h,
        border,
    )  # (kh, n)
    cols = border_index(
        c[None, :] * plan.stride[1] - plan.pads[2] + np.arange(kw)[:, None] * plan.dilation[1],
        w,
        border,
    )  # (kw, n)
    at = (np.maximum(rows, 0)[:, None, :], np.maximum(cols, 0)[None, :, :])
    window = img[at + tuple(ch[None, None, :] for ch in near[2:])].astype(np.float64)
    window[(rows < 0)[:, None, :] | (cols < 0)[None, :, :]] = 0.0  # the zero border
    out[near] = sequential_sum(window, k)  # (kh, kw, n): the trace's own order


def _largest_magnitude(img: np.ndarray) -> float:
    """max |pixel| in one pass (OpenCV's minMaxLoc on a float image, numpy otherwise)."""
    if img.dtype == np.float64 and img.flags.c_contiguous:
        lo, hi, _, _ = cv2.minMaxLoc(img.reshape(img.shape[0], -1))
    else:
        lo, hi = float(img.min()), float(img.max())
    return max(-lo, hi, 0.0)


def _near_ties(flat: np.ndarray, tol: float, bound: float) -> np.ndarray:
    """Indices of the values within ``tol`` of an x.5 (``bound``: no value is larger).

    One addition and one bit mask per value, in blocks that stay in the cache: with
    ``A = 1.5 * 2**(52 - s) + 0.5 + g * 2**-s`` every ``y = x + A`` lies where the float64
    spacing is ``2**-s``, so ``y`` is ``x + A`` rounded by at most ``2**-(s+1)`` and the low
    ``s`` bits of its significand are ``frac(x + 0.5 + g * 2**-s) * 2**s``, a whole number.
    A value within ``tol`` of an x.5 has that fraction in ``[g * 2**-s - tol - 2**-(s+1),
    g * 2**-s + tol + 2**-(s+1)]``, inside ``[0, 2g * 2**-s)`` for ``g = ceil(tol * 2**s) + 1``;
    so the bits of every near tie are below ``2g``. With ``s = 32`` (sums below ``2**18 - 2``)
    those bits are read through a uint32 view, without a masking pass. The few values that
    pass this screen are measured exactly (``|x - floor(x) - 0.5| <= tol``; the fraction is exact).
    """
    buf = _tie_scratch(min(flat.size, _TIE_BLOCK))
    found = []
    s = 50 - math.ceil(math.log2(bound + 2.0))  # |x + A - 1.5 * 2**(52-s)| < 2**(51-s)
    if s >= 32 and math.ceil(tol * 2.0**32) + 1 <= 2**26:
        s = 32  # the low 32 bits are a uint32 view: one addition and one read per value
    g = math.ceil(tol * 2.0**s) + 1 if s >= 6 else 0
    if 1 <= g <= 2.0 ** (s - 6):  # at most 1 value in 32 passes the screen by chance
        add = 1.5 * 2.0 ** (52 - s) + 0.5 + g * 2.0**-s  # on the 2**-s grid: exact
        mask, below = np.uint64(2**s - 1), np.uint64(2 * g)
        low32 = 0 if sys.byteorder == "little" else 1
        for start in range(0, flat.size, _TIE_BLOCK):
            x = flat[start : start + _TIE_BLOCK]
            e = buf[: x.size]
            np.add(x, add, out=e)
            if s == 32:
                # every y lies in (2**20, 2**21): its high word holds the exponent, far above
                # ``below`` (<= 2**27), so the smallest of all words (read contiguously, twice
                # as fast as every other one) is below it only when a low word is
                words = e.view(np.uint32)
                if words.min() >= below:
                    continue
                bits = words[low32::2]
            else:
                bits = e.view(np.uint64)
                np.bitwise_and(bits, mask, out=bits)
            if bits.min() < below:
                cand = np.flatnonzero(bits < below)
                xc = x[cand]
                d = np.abs(xc - np.floor(xc) - 0.5)
                found.append(start + cand[d <= tol])
    else:  # huge sums or tolerances: the distance to the nearest x.5 directly
        for start in range(0, flat.size, _TIE_BLOCK):
            x = flat[start : start + _TIE_BLOCK]
            d = buf[: x.size]
            np.floor(x, out=d)
            np.subtract(x, d, out=d)  # the fraction, exact
            d -= 0.5
            np.abs(d, out=d)
            if d.min() <= tol:
                found.append(start + np.flatnonzero(d <= tol))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def _tie_scratch(n: int) -> np.ndarray:
    """A float64 block of ``n`` cells this thread reuses for the tie screen."""
    buf = getattr(_local, "tie", None)
    if buf is None or buf.size < n:
        buf = _local.tie = np.empty(max(n, 1024))
    return buf[:n]


_local = threading.local()
_SCRATCH_MAX_CELLS = 8_000_000  # 64 MB of float64 per thread at most


def _float64_scratch(src: np.ndarray) -> np.ndarray:
    """``src`` as contiguous float64, in a buffer this thread reuses.

    A fresh multi-megabyte array for every call costs more than the filter
    itself on small images (the kernel maps new pages on first touch); the
    converted image lives only during one engine call, so one buffer per
    thread is enough.
    """
    n = src.size
    if n > _SCRATCH_MAX_CELLS:
        return np.ascontiguousarray(src, dtype=np.float64)
    buf = getattr(_local, "buf", None)
    if buf is None or buf.size < n:
        buf = _local.buf = np.empty(n)
    out = buf[:n].reshape(src.shape)
    np.copyto(out, src)
    return out


def _scratch(slot: str, shape: tuple, dtype) -> np.ndarray | None:
    """A contiguous array of ``shape`` and ``dtype`` in a buffer this thread reuses for
    ``slot``; None for arrays above the scratch limit (the caller then gets a new one)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > _SCRATCH_MAX_CELLS * 8:
        return None
    bufs = getattr(_local, "scratch", None)
    if bufs is None:
        bufs = _local.scratch = {}
    buf = bufs.get(slot)
    if buf is None or buf.size < nbytes:
        buf = bufs[slot] = np.empty(max(nbytes, 1 << 16), dtype=np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)


def _carry_alpha(alpha: np.ndarray, plan: Plan) -> np.ndarray:
    """Alpha is not filtered: each output pixel takes the alpha of the input
    pixel under the kernel's anchor (the edge pixel where that lies in the
    padding). With padding="same" and stride 1 this is the input alpha."""
    (oh, ow), (sh, sw) = plan.out_shape, plan.stride
    keh, kew = plan.effective
    top, _, left, _ = plan.pads
    rows = np.clip(np.arange(oh) * sh - top + keh // 2, 0, alpha.shape[0] - 1)
    cols = np.clip(np.arange(ow) * sw - left + kew // 2, 0, alpha.shape[1] - 1)
    return alpha[np.ix_(rows, cols)].astype(np.float64)
