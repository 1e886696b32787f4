"""Argument checks shared by every public function.

Each check raises ``ValueError`` or ``TypeError`` whose message names the
parameter, what was given and what is allowed, so that no bare traceback from
inside numpy or OpenCV ever reaches a user.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from numbers import Integral

import numpy as np

MAX_KERNEL_SIZE = 31


def suggest(name: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean 'x'?' for a close match, or ''."""
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def choice(param: str, value, choices: Iterable[str]) -> str:
    """Check that ``value`` is one of ``choices`` (strings)."""
    choices = list(choices)
    if not isinstance(value, str):
        raise TypeError(
            f"{param} must be a string, one of {', '.join(map(repr, choices))}; "
            f"got {type(value).__name__}"
        )
    if value not in choices:
        raise ValueError(
            f"unknown {param} {value!r}; allowed: {', '.join(map(repr, choices))}."
            + suggest(value, choices)
        )
    return value


def int_pair(param: str, value, *, minimum: int) -> tuple[int, int]:
    """An int or a (rows, cols) pair of ints, each >= minimum."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{param} must be an int or a (rows, cols) pair; got {len(value)} values"
            )
        pair = tuple(value)
    else:
        pair = (value, value)
    out = []
    for v in pair:
        if isinstance(v, bool) or not isinstance(v, Integral):
            raise TypeError(f"{param} must be a whole number (int) >= {minimum}; got {v!r}")
        if v < minimum:
            raise ValueError(f"{param} must be >= {minimum}; got {int(v)}")
        out.append(int(v))
    return out[0], out[1]


def positive_int(param: str, value, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{param} must be a whole number (int) >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{param} must be >= {minimum}; got {int(value)}")
    return int(value)


def finite_array(param: str, arr: np.ndarray) -> None:
    if arr.size and not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "inf"
        raise ValueError(f"{param} contains {bad}; all values must be finite numbers")


def as_image(image, param: str = "image") -> np.ndarray:
    """Check an image: 2-D greyscale or H x W x C colour (C = 3 or 4), real numbers.

    Returned as given (no copy) when it is already a numpy array of a
    supported dtype, so that the fast path can hand uint8 straight to OpenCV.
    """
    if isinstance(image, (str, bytes)):
        raise TypeError(
            f"{param} must be an array of pixels; got {type(image).__name__} "
            "(use convolab.load_image(path) or convolab.sample(name) first)"
        )
    try:
        arr = np.asarray(image)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(f"{param} could not be read as an array of numbers: {exc}") from None
    if arr.dtype == object:
        raise ValueError(f"{param} must be a rectangular array of numbers (rows of equal length)")
    if arr.dtype == bool or arr.dtype.kind not in "uif":
        raise TypeError(
            f"{param} must hold integers or floats (e.g. uint8 or float64); got dtype {arr.dtype}"
        )
    if arr.ndim == 3:
        if arr.shape[2] not in (3, 4):
            raise ValueError(
                f"{param} with 3 dimensions must be H x W x C with C = 3 (RGB) or 4 (RGBA); "
                f"got shape {arr.shape}"
            )
    elif arr.ndim != 2:
        raise ValueError(
            f"{param} must be 2-D (greyscale, H x W) or 3-D (colour, H x W x 3 or 4); "
            f"got {arr.ndim}-D shape {arr.shape}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{param} is empty (shape {arr.shape}); it needs at least 1 x 1 pixels")
    if arr.dtype.kind == "f":
        finite_array(param, arr)
    return arr
