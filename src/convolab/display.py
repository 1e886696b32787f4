"""From raw results (float64, negatives kept) to pixels you can show (uint8).

Mappings:

- ``"clip"``: round, then cut to 0..255 (what the Dwengo demo does). Negative
  responses become black.
- ``"abs"``: the size of the response, whatever its sign: |x| cut to 0..255.
- ``"offset"``: zero at mid-grey (128); positive responses lighter, negative
  darker, scaled so the largest |x| reaches 1 or 255.
- ``"rescale"``: the smallest value becomes 0, the largest 255.

Every mapping rounds the way pupils learn it, half up (:func:`round_half_up`):
28.5 becomes 29, 28.49 becomes 28, -0.5 becomes 0. (numpy's ``np.rint`` rounds half to
even, 28.5 to 28; it is not used where a sum becomes a grey value.)

``offset`` and ``rescale`` depend on the range of the whole result, given as
``value_range=(lo, hi)`` (computed from ``raw`` when not given). An alpha
channel (the 4th of H x W x 4) is only cut to 0..255.
"""

from __future__ import annotations

import numpy as np

from ._validate import choice, finite_array
from .errors import InvalidType, InvalidValue
from .kernels import MAPPINGS

try:  # the same two loops compiled (src/convolab/_display.c, built by setup.py): one pass each
    from . import _display as _compiled
except ImportError:  # pragma: no cover - installed without a C compiler: numpy, same values
    _compiled = None

_COMPILED_MIN = 4096  # below this many values numpy is as quick (the step trace's single sums)


def round_half_up(x, out=None) -> np.ndarray:
    """Round to the nearest whole number, x.5 always up: 28.5 -> 29, 2.5 -> 3, -0.5 -> 0.

    Computed as ``f = floor(x)``, plus 1 where ``x - f >= 0.5``: ``x - f`` is exact for
    every float64 (unlike ``floor(x + 0.5)``, which turns 0.49999999999999994 into 1).

    >>> round_half_up([28.5, 28.49, 2.5, -0.5, -1.5, -2.51]).tolist()
    [29.0, 28.0, 3.0, 0.0, -1.0, -3.0]
    """
    x = np.asarray(x, dtype=np.float64)
    f = np.floor(x)
    with np.errstate(invalid="ignore"):  # inf - inf: not up, inf stays inf
        up = np.subtract(x, f)
    np.greater_equal(up, 0.5, out=up)
    return np.add(f, up, out=out)


def value_range(raw: np.ndarray) -> tuple[float, float]:
    """(min, max) of the colour channels of a raw result (alpha excluded)."""
    lo, hi, _ = value_stats(raw)
    return lo, hi


def value_stats(raw: np.ndarray) -> tuple[float, float, int]:
    """(min, max, how many values are below 0) of the colour channels of a raw result
    (alpha excluded), in one pass: blocks that stay in the cache while all three are read
    (three passes over a colour photo's 19 MB result cost the web app about 1.5 ms)."""
    a = np.asarray(raw)
    if a.ndim == 3 and a.shape[2] == 4:
        a = a[..., :3]
    if a.size == 0:
        raise InvalidValue("raw_shape", shape=a.shape)
    if not a.flags.c_contiguous:
        return float(a.min()), float(a.max()), int(np.count_nonzero(a < 0))
    flat = a.reshape(-1)
    if _compiled is not None and flat.dtype == np.float64 and flat.size >= _COMPILED_MIN:
        lo, hi, neg, nan = _compiled.stats_f64(flat)
        if not nan:  # (NaN: numpy's answer below, which says NaN)
            return lo + 0.0, hi + 0.0, neg  # + 0.0: a -0.0 becomes 0.0 in both ways
    los, his, neg = [], [], 0
    below = np.empty(min(flat.size, _BLOCK), dtype=bool)
    for start in range(0, flat.size, _BLOCK):
        part = flat[start : start + _BLOCK]
        lo = part.min()
        los.append(lo)
        his.append(part.max())
        if lo < 0:
            neg += int(np.count_nonzero(np.less(part, 0, out=below[: part.size])))
    return float(np.min(los)) + 0.0, float(np.max(his)) + 0.0, neg


def display_values(x, mapping: str, lo: float, hi: float, out=None) -> np.ndarray:
    """The displayed value(s) for raw value(s) ``x`` given the result's range.

    The single formula behind :func:`to_display` and the step trace, so the
    number a pupil reads in a step is the pixel they see: the mapped value ``y``
    (:func:`scaled_values`), rounded half up (:func:`round_half_up`) and cut to 0..255.
    Computed in blocks that stay in the cache (:func:`_cut_and_truncate` says how the
    rounding takes three passes). ``out``: a C-contiguous uint8 array of ``x``'s shape to
    write into (the web app writes straight into its answer).
    """
    x = np.asarray(x, dtype=np.float64)
    shape = x.shape
    flat = x.reshape(-1)
    if out is None:
        out = np.empty(shape, dtype=np.uint8)
    elif out.shape != shape or out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise InvalidValue("raw_shape", shape=out.shape)  # pragma: no cover - a caller's slip
    dest = out.reshape(-1)
    if _compiled is not None and flat.size >= _COMPILED_MIN:
        how = _compiled_mapping(mapping, lo, hi)
        if how is not None:
            _compiled.pixels_f64(flat, dest, *how)
            return out
    buf = np.empty(min(flat.size, _BLOCK))
    for start in range(0, flat.size, _BLOCK):
        part = flat[start : start + _BLOCK]
        y = buf[: part.size]
        if mapping == "clip":  # the mapped value is x itself: add the half at once
            np.add(part, _HALF_BELOW, out=y)
        else:
            _map_into(part, mapping, lo, hi, y)
            np.add(y, _HALF_BELOW, out=y)
        _cut_and_truncate(y, dest[start : start + part.size])
    return out


_BLOCK = 131072  # 1 MB of float64: one block stays in the (per-core) L2 cache through every step
_HALF_BELOW = 0.5 - 2.0**-54  # the float just below 0.5


def _cut_and_truncate(w: np.ndarray, out: np.ndarray) -> None:
    """Cut ``w = fl(y + c)`` to 0..255 in place and truncate it into the uint8 ``out``.

    With ``c = 1/2 - 2**-54`` (``_HALF_BELOW``, added by :func:`display_values`) this is
    ``clip(round_half_up(y), 0, 255)`` in three passes instead of six (add, cut, cast).
    That ``floor(fl(y + c)) == round_half_up(y)`` on 0..255 (and <= 0 below, >= 255 above) holds for every float64 ``y``:

    - ``y >= 1/2`` in a binade of spacing ``u >= 2**-53``: ``y + 1/2`` is a multiple of
      ``u``. If it is a whole number ``N`` (``y = N - 1/2``, a tie), ``y + c = N - 2**-54``
      lies within half a spacing of ``N`` and rounds to ``N`` (for ``N = 1`` exactly
      half way, and ties go to the even ``1.0``). Otherwise ``N = floor(y + 1/2)`` and
      ``N + u/2 <= y + c <= N + 1 - u - 2**-54``, which round to at least ``N`` and below
      ``N + 1``.
    - ``0 <= y < 1/2``: ``y <= 1/2 - 2**-54``, so ``y + c <= 1 - 2**-53``, a float below 1.
    - ``y < 0``: ``y + c < 1/2`` and the answer is 0 after the cut.

    (``floor(y + 1/2)`` would fail at ``y = 0.49999999999999994``: ``y + 1/2`` rounds
    to 1.) ``tests/test_display.py`` checks this against :func:`round_half_up`.
    """
    np.clip(w, 0.0, 255.0, out=w)
    np.copyto(out, w, casting="unsafe")  # truncation: floor, the values are >= 0


def _compiled_mapping(mapping: str, lo: float, hi: float) -> tuple[int, float, float] | None:
    """``(code, a, b)`` of :func:`_map_into`'s formula for ``_display.pixels_f64`` (0: x,
    1: |x|, 2: x * a + b, 3: (x - a) * b), or None for a constant result (numpy fills it)."""
    if mapping == "clip":
        return 0, 0.0, 0.0
    if mapping == "abs":
        return 1, 0.0, 0.0
    if mapping == "offset":
        m = max(abs(lo), abs(hi))
        return (2, 127.0 / m, 128.0) if m > 0 else None
    return (3, lo, 255.0 / (hi - lo)) if hi > lo else None


def _map_into(x: np.ndarray, mapping: str, lo: float, hi: float, y: np.ndarray) -> None:
    """The mapped values of 1-D ``x`` before rounding, into ``y``: the one formula of every
    mapping (``offset``: ``x * (127 / m) + 128``; ``rescale``: ``(x - lo) * (255 / (hi - lo))``)."""
    if mapping == "clip":
        np.copyto(y, x)
    elif mapping == "abs":
        np.abs(x, out=y)
    elif mapping == "offset":
        m = max(abs(lo), abs(hi))
        if m > 0:
            np.multiply(x, 127.0 / m, out=y)
            y += 128.0
        else:
            y.fill(128.0)
    else:  # rescale
        if hi > lo:
            np.subtract(x, lo, out=y)
            y *= 255.0 / (hi - lo)
        else:
            y.fill(0.0)


def half_ties(x, mapping: str, lo: float, hi: float) -> np.ndarray:
    """True where the value to round is exactly x.5 within the shown range (-0.5..254.5):
    there the rule "at ,5 round up" decides the pixel (28.5 -> 29)."""
    y, shape = _mapped(x, mapping, lo, hi)
    tie = (y - np.floor(y) == 0.5) & (y >= -0.5) & (y <= 254.5)
    return tie.reshape(shape)


def _mapped(x, mapping: str, lo: float, hi: float) -> tuple[np.ndarray, tuple]:
    """(the mapped values before rounding, as a fresh 1-D buffer; the shape of ``x``)."""
    x = np.asarray(x, dtype=np.float64)
    shape = x.shape
    x = x.reshape(-1)  # 0-d sums too: numpy gives scalars, not arrays, for 0-d arithmetic
    y = np.empty_like(x)
    _map_into(x, mapping, lo, hi, y)  # the one formula, shared with display_values
    return y, shape


def to_display(raw, mapping: str = "clip", *, value_range=None) -> np.ndarray:
    """Turn a raw result into a uint8 image.

    >>> import numpy as np
    >>> to_display(np.array([[-300.0, -10.0, 0.0, 10.0, 300.0]]), "clip")
    array([[  0,   0,   0,  10, 255]], dtype=uint8)
    >>> to_display(np.array([[-300.0, -10.0, 0.0, 10.0, 300.0]]), "offset")
    array([[  1, 124, 128, 132, 255]], dtype=uint8)
    """
    choice("mapping", mapping, MAPPINGS)
    a = np.asarray(raw)
    if a.dtype.kind not in "uif" or a.dtype == bool:
        raise InvalidType("raw_dtype", dtype=str(a.dtype))
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)) or a.size == 0:
        raise InvalidValue("raw_shape", shape=a.shape)
    finite_array("raw", a)
    lo, hi = (
        check_value_range(value_range) if value_range is not None else globals()["value_range"](a)
    )
    if a.ndim == 3 and a.shape[2] == 4:
        rgb = display_values(a[..., :3], mapping, lo, hi)
        alpha = np.clip(round_half_up(a[..., 3:]), 0, 255).astype(np.uint8)
        return np.concatenate([rgb, alpha], axis=2)
    return display_values(a, mapping, lo, hi)


def check_value_range(r) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in r)
    except (TypeError, ValueError):
        raise InvalidType("value_range_type") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo > hi:
        raise InvalidValue("value_range_order", lo=float(lo), hi=float(hi))
    return lo, hi


def scaled_values(x, mapping: str, lo: float, hi: float) -> np.ndarray:
    """The value(s) of :func:`display_values` just before rounding and cutting to 0..255.

    With it a page can spell out the step "sum -> grey value" (scale, round, cut) with the
    core's own numbers: ``display_values(x, m, lo, hi)`` equals
    ``display_values(scaled_values(x, m, lo, hi), "clip", 0, 0)``.
    """
    choice("mapping", mapping, MAPPINGS)
    y, shape = _mapped(x, mapping, lo, hi)  # the one formula, shared with display_values
    return y.reshape(shape)
