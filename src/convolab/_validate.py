"""Argument checks shared by every public function.

Each check raises ``InvalidValue`` or ``InvalidType`` (``convolab.errors``: a code and
parameters, also ``ValueError``/``TypeError``) whose message names the
parameter, what was given and what is allowed, so that no bare traceback from
inside numpy or OpenCV ever reaches a user.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral

import numpy as np

from .errors import InvalidType, InvalidValue, suggestion, unknown

MAX_KERNEL_SIZE = 31


def suggest(name: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean 'x'?' for a close match, or ''."""
    close = suggestion(name, choices)
    return f" Did you mean {close!r}?" if close else ""


def choice(param: str, value, choices: Iterable[str]) -> str:
    """Check that ``value`` is one of ``choices`` (strings)."""
    choices = list(choices)
    if not isinstance(value, str):
        raise InvalidType(
            "choice_not_string", param=param, choices=choices, type=type(value).__name__
        )
    if value not in choices:
        raise unknown(param, value, choices)
    return value


def int_pair(param: str, value, *, minimum: int) -> tuple[int, int]:
    """An int or a (rows, cols) pair of ints, each >= minimum."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise InvalidValue("pair_length", param=param, count=len(value))
        pair = tuple(value)
    else:
        pair = (value, value)
    out = []
    for v in pair:
        out.append(positive_int(param, v, minimum=minimum))
    return out[0], out[1]


def positive_int(param: str, value, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidType("not_whole_number", param=param, minimum=minimum, value=value)
    if value < minimum:
        raise InvalidValue("must_be_at_least", param=param, minimum=minimum, value=int(value))
    return int(value)


def finite_array(param: str, arr: np.ndarray) -> None:
    if arr.size and not np.isfinite(arr).all():
        bad = "NaN" if np.isnan(arr).any() else "inf"
        raise InvalidValue("not_finite", param=param, bad=bad)


def as_image(image, param: str = "image") -> np.ndarray:
    """Check an image: 2-D greyscale or H x W x C colour (C = 3 or 4), real numbers.

    Returned as given (no copy) when it is already a numpy array of a
    supported dtype, so that the fast path can hand uint8 straight to OpenCV.
    """
    if isinstance(image, (str, bytes)):
        raise InvalidType("image_not_array", param=param, type=type(image).__name__)
    try:
        arr = np.asarray(image)
    except Exception as exc:  # ragged nested lists and the like
        raise InvalidValue("image_unreadable", param=param, detail=str(exc)) from None
    if arr.dtype == object:
        raise InvalidValue("image_ragged", param=param)
    if arr.dtype == bool or arr.dtype.kind not in "uif":
        raise InvalidType("image_dtype", param=param, dtype=str(arr.dtype))
    if arr.ndim == 3:
        if arr.shape[2] not in (3, 4):
            raise InvalidValue("image_channels", param=param, shape=arr.shape)
    elif arr.ndim != 2:
        raise InvalidValue("image_ndim", param=param, ndim=arr.ndim, shape=arr.shape)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidValue("image_empty", param=param, shape=arr.shape)
    if arr.dtype.kind == "f":
        finite_array(param, arr)
    return arr
