"""What fills the padding around an image: the border modes.

This module is the one place where convolab's border names are mapped to the
names numpy, scipy and OpenCV use. The libraries disagree with each other
(numpy ``reflect`` is scipy ``mirror`` is OpenCV ``BORDER_REFLECT_101``), so
every mapping here is pinned by a test in ``tests/test_borders.py``.

Each example pads the row ``1 2 3`` by two cells on each side::

    zero       0 0 | 1 2 3 | 0 0
    reflect    3 2 | 1 2 3 | 2 1   (mirror, edge cell not repeated)
    symmetric  2 1 | 1 2 3 | 3 2   (mirror, edge cell repeated)
    replicate  1 1 | 1 2 3 | 3 3   (copy the edge cell)
    wrap       2 3 | 1 2 3 | 1 2   (continue from the other side)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ._validate import choice
from .errors import InvalidValue


@dataclass(frozen=True)
class Border:
    name: str
    example: str
    numpy: str  # np.pad mode
    scipy: str  # scipy.ndimage mode
    opencv: int  # cv2.BORDER_* constant
    nl: str
    en: str


BORDERS: dict[str, Border] = {
    b.name: b
    for b in (
        Border(
            "zero",
            "0 0 | 1 2 3 | 0 0",
            "constant",
            "constant",
            cv2.BORDER_CONSTANT,
            "nullen rond de afbeelding (zwarte rand)",
            "zeros around the image (a black border)",
        ),
        Border(
            "reflect",
            "3 2 | 1 2 3 | 2 1",
            "reflect",
            "mirror",
            cv2.BORDER_REFLECT_101,
            "spiegelen, zonder de randpixel te herhalen",
            "mirror, without repeating the edge pixel",
        ),
        Border(
            "symmetric",
            "2 1 | 1 2 3 | 3 2",
            "symmetric",
            "reflect",
            cv2.BORDER_REFLECT,
            "spiegelen, met de randpixel herhaald",
            "mirror, repeating the edge pixel",
        ),
        Border(
            "replicate",
            "1 1 | 1 2 3 | 3 3",
            "edge",
            "nearest",
            cv2.BORDER_REPLICATE,
            "de randpixel kopiëren",
            "copy the edge pixel",
        ),
        Border(
            "wrap",
            "2 3 | 1 2 3 | 1 2",
            "wrap",
            "grid-wrap",
            cv2.BORDER_WRAP,
            "doorgaan aan de overkant (alsof de afbeelding een tegel is)",
            "continue from the opposite side (as if the image were a tile)",
        ),
    )
}


def check_border(border) -> str:
    return choice("border", border, BORDERS)


def border_index(idx: np.ndarray, n: int, border: str) -> np.ndarray:
    """Map (possibly out-of-range) indices into ``range(n)`` for a border mode.

    For ``"zero"`` the out-of-range indices are returned as -1 (the caller
    puts a zero there). Works for any distance outside the image, like np.pad.
    """
    idx = np.asarray(idx, dtype=np.int64)
    if border == "zero":
        return np.where((idx >= 0) & (idx < n), idx, -1)
    if border == "replicate":
        return np.clip(idx, 0, n - 1)
    if border == "wrap":
        return np.mod(idx, n)
    if border == "symmetric":
        period = 2 * n
        m = np.mod(idx, period)
        return np.where(m < n, m, period - 1 - m)
    if border == "reflect":
        if n == 1:
            return np.zeros_like(idx)
        period = 2 * (n - 1)
        m = np.mod(idx, period)
        return np.where(m < n, m, period - m)
    raise InvalidValue(
        "unknown_choice", param="border", value=border, choices=list(BORDERS)
    )  # pragma: no cover - check_border raises first


_CV_TYPES = {np.dtype(t) for t in (np.uint8, np.int16, np.float32, np.float64)}


def pad(image: np.ndarray, pads: tuple[int, int, int, int], border: str = "zero") -> np.ndarray:
    """Pad the first two axes of ``image`` by (top, bottom, left, right) cells.

    Pads narrower than the image go through OpenCV's ``copyMakeBorder``; wider ones
    through the reference gather with :func:`border_index` (:func:`gather_pad`), which
    works for any pad width (repeatedly mirrored or wrapped). Both give the same cells.
    """
    border = check_border(border)
    top, bottom, left, right = pads
    h, w = image.shape[:2]
    if (
        max(top, bottom) < h
        and max(left, right) < w
        and image.dtype in _CV_TYPES
        and (image.ndim == 2 or (image.ndim == 3 and 1 <= image.shape[2] <= 4))
    ):
        # Pads narrower than the image: OpenCV's copyMakeBorder picks the same cells
        # (tests/test_borders.py compares it with the gather below), many times quicker.
        src = image if image.flags.c_contiguous else np.ascontiguousarray(image)
        out = cv2.copyMakeBorder(src, top, bottom, left, right, BORDERS[border].opencv, value=0)
        return out.reshape(out.shape[:2] + image.shape[2:])
    return gather_pad(image, pads, border)


def gather_pad(image: np.ndarray, pads: tuple[int, int, int, int], border: str) -> np.ndarray:
    """The reference padding: every cell gathered through :func:`border_index`."""
    top, bottom, left, right = pads
    h, w = image.shape[:2]
    rows = border_index(np.arange(-top, h + bottom), h, border)
    cols = border_index(np.arange(-left, w + right), w, border)
    out = image[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))]
    if border == "zero":
        out = out.copy()
        out[rows < 0] = 0
        out[:, cols < 0] = 0
    return out
