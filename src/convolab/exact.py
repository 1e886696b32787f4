"""Exact sums: kernels that are integers over a divisor, and the bounds that keep them exact.

Most filters a pupil meets are whole numbers over one divisor: ``1/9`` for the box blur,
``1 2 1 / 2 4 2 / 1 2 1`` over 16, Sobel over 1, whatever is typed as ``0,5`` or ``1/16``.
For such a kernel ``K = N / D`` (``N`` whole numbers, ``D >= 1``) and an image of whole
numbers (uint8 photos), every output value is

    out = S / D,    S = sum_ij N[i, j] * P[...]      (a whole number)

computed exactly and divided once. Then every engine, the step trace
(:mod:`convolab.explain`) and the explorer's code twin give the same float64, bit for bit,
and a sum that is exactly 28.5 is 28.5 (shown as 29: see :func:`convolab.display.round_half_up`).

Why floats can add whole numbers exactly (the bounds used by :mod:`convolab.engine`):
a binary floating-point format with a ``p``-bit significand represents every integer
``n`` with ``|n| <= 2**p`` exactly (float32: p = 24, float64: p = 53). Let ``M`` be the
largest ``|pixel|`` and ``B = sum_ij |N[i, j]| * M``. Every product ``N[i, j] * pixel`` and
every partial sum of such products, in whatever order an implementation adds them
(OpenCV's SIMD lanes, a separable filter's row pass followed by its column pass), is an
integer of magnitude at most ``B``. If ``B <= 2**p``, each of these values is representable,
so each multiplication and each addition returns its exact result (IEEE 754 rounds only
results that are not representable), and the final sum is ``S`` exactly. For a separable
kernel ``N = outer(c, r)`` the row pass gives integers of magnitude ``<= sum|r| * M`` and
the column pass partial sums ``<= sum|c| * sum|r| * M = B``: the same bound covers both.
Hence ``B <= 2**24`` allows float32 (half the memory traffic, twice the SIMD width) and
``B <= 2**53`` allows float64. For uint8 photos with ``B <= 2**15 - 1`` OpenCV may even
write int16: its 8-bit to 16-bit filters add in float32 (or in wider integers) and convert
the result to int16, saturating outside -32768..32767; every partial sum is a whole number
of size at most ``B < 2**24`` (exact in float32) and the final sum fits int16, so converting
it changes nothing. ``tests/test_exact.py`` checks each bound at its edge.

A sum computed through a DFT (OpenCV's filter2D for kernels of 50 cells or more) is not
exact, but its error is far below 0.5 while ``B <= 2**DFT_BITS``: rounding it to the
nearest integer gives ``S`` exactly (float64 DFT error is a few units of 1e-16 times
``B`` times a small multiple of log2 of the size, under 1e-5 at this bound; tested).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

INT16_EXACT = 2**15 - 1  # the largest sum an int16 holds
FLOAT32_EXACT = 2**24  # every integer of at most this magnitude is a float32
FLOAT64_EXACT = 2**53  # ... a float64
DFT_BITS = 36  # float64 DFT sums of at most 2**36 are recovered exactly by rounding
MAX_CELL_DENOMINATOR = 10_000  # a cell is read as p/q with q at most this (1/9, 1/273, 0.0625)
MAX_DIVISOR = 2**40  # the common divisor of all cells (binomial 31 x 31: 4**30)


@dataclass(frozen=True)
class IntegerForm:
    """A kernel as whole numbers over one divisor: ``values == numerators / divisor``."""

    numerators: np.ndarray  # int64, the kernel's shape
    divisor: int  # >= 1
    column: np.ndarray | None  # int64 (kh,): numerators == outer(column, row) when separable
    row: np.ndarray | None  # int64 (kw,)

    weight: int = 0  # sum |numerators|: a sum is at most ``weight * max|pixel|`` in size
    _derived: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "weight", int(np.abs(self.numerators).sum()))

    def derived(self, key, make):
        """``make()``, remembered under ``key`` with this form (the engine's filter arrays
        for a dilation and a float type: the form itself is remembered per kernel)."""
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = make()
            return value

    @property
    def separable(self) -> bool:
        return self.column is not None


_CACHE: dict[bytes, IntegerForm | None] = {}
_CACHE_SIZE = 256
_CACHE_LOCK = threading.Lock()  # taken for nothing else


def integer_form(k: np.ndarray) -> IntegerForm | None:
    """``k`` as whole numbers over one divisor, or None (see :func:`_integer_form`); the
    answer for the last few hundred kernels is remembered (the web app reuses a handful)."""
    k = np.asarray(k, dtype=np.float64)
    key = k.shape[0].to_bytes(2, "little") + k.tobytes()
    try:
        return _CACHE[key]
    except KeyError:
        pass
    form = _integer_form(k)
    with _CACHE_LOCK:  # threads of a server add at once: one evicts, the other waits
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = form
    return form


def _integer_form(k: np.ndarray) -> IntegerForm | None:
    """``k`` as whole numbers over one divisor, or None when a cell has no such form.

    A cell ``v`` is read as the fraction ``p/q`` (``q <= 10,000``) when ``v`` is the float
    nearest to ``p/q``: what ``1/9``, ``0.1`` or ``-1/16`` typed by a pupil becomes.
    Otherwise its own binary value is used when that is ``p / 2**e`` with ``2**e <= 2**40``
    (a binomial blur over ``4**14``).
    """
    k = np.asarray(k, dtype=np.float64)
    fracs = {}
    for v in np.unique(k):
        v = float(v)
        if v.is_integer():
            f = Fraction(int(v))
        else:
            f = Fraction(v).limit_denominator(MAX_CELL_DENOMINATOR)
            if f.numerator / f.denominator != v:  # not that fraction's nearest float
                f = Fraction(v)  # the float's own value: a power of two below
                if f.denominator > MAX_DIVISOR:
                    return None
        fracs[v] = f
    d = 1
    for f in fracs.values():
        d = d * f.denominator // math.gcd(d, f.denominator)
        if d > MAX_DIVISOR:
            return None
    nums = {v: f.numerator * (d // f.denominator) for v, f in fracs.items()}
    if max(abs(n) for n in nums.values()) * k.size > FLOAT64_EXACT // 256:
        return None  # whole numbers this large leave no room for the pixels
    n = np.vectorize(nums.__getitem__, otypes=[np.int64])(k)
    column, row = _integer_factors(n)
    for a in (n, column, row):
        if a is not None:
            a.flags.writeable = False  # shared through the cache
    return IntegerForm(n, d, column, row)


def _integer_factors(n: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(column, row) of whole numbers with ``outer(column, row) == n``, or (None, None)."""
    if n.shape[0] == 1 or n.shape[1] == 1 or not n.any():
        # one row or column: a 1-D filter is its own row pass; nothing to gain
        return None, None
    nz = np.flatnonzero(np.abs(n).sum(axis=1))
    first = n[nz[0]]
    g = math.gcd(*(int(v) for v in first))
    row = first // g
    rr = int(row @ row)
    dots = n @ row
    if np.any(dots % rr):
        return None, None
    column = dots // rr
    if not np.array_equal(np.outer(column, row), n):
        return None, None
    return column.astype(np.int64), row.astype(np.int64)


def integer_image_bound(img: np.ndarray) -> int | None:
    """The largest |pixel| when every pixel is a whole number, else None.

    uint8 and int8 need no scan; wider integer types and floats are checked.
    """
    if img.dtype == np.uint8:
        return 255
    if img.dtype == np.int8:
        return 128
    if img.dtype.kind in "ui":
        m = int(np.abs(img.astype(np.int64)).max()) if img.size else 0
        return m if m <= FLOAT64_EXACT else None
    if img.dtype.kind == "f":
        head = img.reshape(-1)[:4096] if img.flags.c_contiguous else img[:8].reshape(-1)
        if not np.array_equal(head, np.floor(head)):
            return None  # fractions already in the first pixels: no full scan
        lo, hi = float(img.min()), float(img.max())
        m = max(abs(lo), abs(hi))
        if m > FLOAT64_EXACT or not np.array_equal(img, np.floor(img)):
            return None
        return int(m)
    return None


@dataclass(frozen=True)
class ExactPlan:
    """How one (image, kernel) pair is summed exactly."""

    form: IntegerForm
    bound: int  # B = weight * max|pixel|: no partial sum is larger


def exact_plan(img: np.ndarray, k: np.ndarray, form: IntegerForm | None = None) -> ExactPlan | None:
    """The exact plan for ``img`` and the kernel as applied ``k``, or None (a float sum then).

    ``form`` may be given when it is already known for ``k``.
    """
    form = integer_form(k) if form is None else form
    if form is None:
        return None
    m = integer_image_bound(img)
    if m is None:
        return None
    bound = form.weight * max(m, 1)
    if bound > FLOAT64_EXACT:
        return None
    return ExactPlan(form, bound)


def integer_sum(window: np.ndarray, numerators: np.ndarray) -> np.ndarray:
    """The exact sum of ``window * numerators`` over the kernel's cells (per channel).

    ``window`` holds whole numbers (float64 or integer), (kh, kw) or (kh, kw, C); the
    result is int64 (exact: its size is at most the plan's bound, <= 2**53).
    """
    w = np.asarray(window).astype(np.int64)
    n = numerators if w.ndim == 2 else numerators[:, :, None]
    return (w * n).sum(axis=(0, 1))


def sequential_sum(window: np.ndarray, kernel: np.ndarray) -> np.ndarray | float:
    """The float sum for kernels with no exact form: ``0 + k[0,0]*w[0,0] + k[0,1]*w[0,1] + ...``
    in raster order, one rounding per product and per addition. The numpy engine, the
    engine's tie check and the code twin add in this same order, so they agree bit for bit."""
    acc = np.zeros(window.shape[2:])
    kh, kw = kernel.shape
    for i in range(kh):
        for j in range(kw):
            acc += kernel[i, j] * window[i, j]
    return acc
