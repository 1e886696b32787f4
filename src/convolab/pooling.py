"""What comes after a convolutional layer in a small network: ReLU and max pooling.

- :func:`relu` keeps positive values and makes negative ones 0 (``max(0, x)``).
- :func:`max_pool` slides a ``size`` x ``size`` window over a feature map with a stride
  (default: the window size, so the windows do not overlap) and keeps the largest value
  of each window; windows that would stick out past the edge are left out (as PyTorch's
  ``max_pool2d`` does without padding).
- :func:`pool_steps` is the same, one window at a time: where the window is, the values
  it covers and which one is the largest (for a step-by-step view).
- :func:`example` makes a small feature map the way a network's first layer does (a built-in
  photo, shrunk to a few pixels, with a filter) and runs ReLU and max pooling on it.

>>> import numpy as np
>>> fmap = np.array([[1, -2, 3, 0], [-4, 5, -6, 7], [8, -9, 2, 1], [0, 3, -1, -5]])
>>> relu(fmap).tolist()[1]
[0.0, 5.0, 0.0, 7.0]
>>> max_pool(relu(fmap)).tolist()
[[5.0, 7.0], [8.0, 2.0]]
>>> step = pool_steps(relu(fmap))[1]
>>> (step.out_row, step.out_col, step.rows, step.cols, step.maximum)
(0, 1, (0, 2), (2, 4), 7.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import finite_array, positive_int
from .errors import InvalidType, InvalidValue

#: the largest feature map the step view accepts (rows or columns)
MAX_SIDE = 256


def _feature_map(x, param: str = "feature_map") -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidType("pool_not_numbers", param=param) from None
    if arr.ndim != 2 or 0 in arr.shape:
        raise InvalidValue("pool_ndim", param=param, ndim=arr.ndim, shape=tuple(arr.shape))
    finite_array(param, arr)
    return arr


def relu(x) -> np.ndarray:
    """``max(0, x)`` for every value (float64, same shape)."""
    arr = np.asarray(x, dtype=np.float64)
    finite_array("feature_map", arr)
    return np.maximum(arr, 0.0)


def _window(arr: np.ndarray, size, stride) -> tuple[int, int, int, int]:
    size = positive_int("size", size)
    stride = size if stride is None else positive_int("stride", stride)
    rows, cols = arr.shape
    if size > rows or size > cols:
        raise InvalidValue("pool_too_large", param="size", size=size, rows=rows, cols=cols)
    return size, stride, (rows - size) // stride + 1, (cols - size) // stride + 1


def max_pool(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """The largest value of each ``size`` x ``size`` window, windows ``stride`` apart."""
    arr = _feature_map(x)
    size, stride, out_rows, out_cols = _window(arr, size, stride)
    out = np.empty((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            r, c = i * stride, j * stride
            out[i, j] = arr[r : r + size, c : c + size].max()
    return out


@dataclass(frozen=True)
class PoolStep:
    """One window of max pooling: output cell, the input rows/cols it covers (end not
    included), its values, the largest one and where it is (in the input)."""

    out_row: int
    out_col: int
    rows: tuple[int, int]
    cols: tuple[int, int]
    values: list[list[float]]
    maximum: float
    at: tuple[int, int]

    def to_dict(self) -> dict:
        return {
            "out": [self.out_row, self.out_col],
            "rows": list(self.rows),
            "cols": list(self.cols),
            "values": self.values,
            "max": self.maximum,
            "at": list(self.at),
        }


def pool_steps(x, size: int = 2, stride: int | None = None) -> list[PoolStep]:
    """Max pooling one window at a time, row by row (the same numbers as :func:`max_pool`;
    of equal values the first in reading order is the one marked)."""
    arr = _feature_map(x)
    if max(arr.shape) > MAX_SIDE:
        rows, cols = arr.shape
        raise InvalidValue(
            "pool_map_too_large", param="feature_map", rows=rows, cols=cols, limit=MAX_SIDE
        )
    size, stride, out_rows, out_cols = _window(arr, size, stride)
    steps = []
    for i in range(out_rows):
        for j in range(out_cols):
            r, c = i * stride, j * stride
            win = arr[r : r + size, c : c + size]
            k = int(np.argmax(win))
            steps.append(
                PoolStep(
                    out_row=i,
                    out_col=j,
                    rows=(r, r + size),
                    cols=(c, c + size),
                    values=win.tolist(),
                    maximum=float(win.max()),
                    at=(r + k // size, c + k % size),
                )
            )
    return steps


#: sides of the example feature map the step view offers
EXAMPLE_SIDES = (4, 6, 8, 10, 12)


def example(sample: str = "camera", filter: str = "sobel-x", side: int = 8, size: int = 2):
    """A ``side`` x ``side`` feature map: the photo ``sample`` shrunk (mean of blocks,
    rounded half up to grey values) to ``side + k - 1`` pixels and correlated with the
    filter (no padding), then ReLU and max pooling with a ``size`` x ``size`` window.

    Returns a dict: ``input`` (grey values), ``kernel``, ``feature_map``, ``relu``,
    ``pooled`` and ``steps`` (:meth:`PoolStep.to_dict`).
    """
    from .errors import unknown
    from .kernels import kernel as get_kernel
    from .samples import sample as get_sample

    side = positive_int("side", side)
    if side not in EXAMPLE_SIDES:
        raise unknown("side", side, [str(s) for s in EXAMPLE_SIDES])
    k = get_kernel(filter)
    kr, kc = k.values.shape
    if max(kr, kc) > 5:
        raise InvalidValue(
            "kernel_too_large", param="filter", rows=kr, cols=kc, max_rows=5, max_cols=5
        )
    img = get_sample(sample, grey=True).astype(np.float64)
    rows, cols = side + kr - 1, side + kc - 1
    block = min(img.shape[0] // rows, img.shape[1] // cols)
    top = (img.shape[0] - block * rows) // 2
    left = (img.shape[1] - block * cols) // 2
    crop = img[top : top + block * rows, left : left + block * cols]
    small = np.floor(crop.reshape(rows, block, cols, block).mean(axis=(1, 3)) + 0.5)
    from .engine import correlate

    fmap = correlate(small, k.values, padding="valid")
    fmap = np.round(fmap, 6)
    positive = relu(fmap)
    return {
        "sample": sample,
        "filter": k.id,
        "input": small.astype(int).tolist(),
        "kernel": k.values.tolist(),
        "feature_map": fmap.tolist(),
        "relu": positive.tolist(),
        "pooled": max_pool(positive, size).tolist(),
        "size": int(size),
        "steps": [s.to_dict() for s in pool_steps(positive, size)],
    }
