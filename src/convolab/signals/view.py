"""Make a long signal drawable: keep each pixel column's lowest and highest value.

A 5-minute ECG has 108,000 samples; a chart 1,000 pixels wide can show at most
about 2,000 of them. :func:`envelope` cuts the visible stretch into ``bins``
equal pieces and keeps the minimum and the maximum of each (drawn as a
vertical line per column, this looks exactly like drawing every sample). The
maths is always done on the full signal; only the drawing is thinned out.
"""

from __future__ import annotations

import numpy as np

from .._validate import positive_int
from ..errors import InvalidValue
from .ops import as_signal


def envelope(values, start: int = 0, stop: int | None = None, bins: int = 1000) -> dict:
    """The samples ``start .. stop - 1`` reduced to at most ``bins`` (min, max) pairs.

    Returns ``{"start", "stop", "step", "index", "lo", "hi"}``: ``index[i]``
    is the first sample of piece i, ``lo[i]``/``hi[i]`` its extremes. When
    the stretch has no more than ``2 * bins`` samples, every sample is kept
    (``step`` 1 and ``lo == hi``).

    >>> e = envelope([0, 5, 1, 1, 9, 2], bins=2)
    >>> e["index"], e["lo"], e["hi"]
    ([0, 3], [0.0, 1.0], [5.0, 9.0])
    """
    x = as_signal(values, "values")
    n = x.size
    start = positive_int("start", start, minimum=0)
    stop = n if stop is None else positive_int("stop", stop, minimum=1)
    bins = positive_int("bins", bins, minimum=1)
    if bins > 20000:
        raise InvalidValue("must_be_between", param="bins", low=1, high=20000, value=bins)
    stop = min(stop, n)
    if start >= stop:
        raise InvalidValue("view_start_stop", start=start, stop=stop, length=n)
    part = x[start:stop]
    m = part.size
    if m <= 2 * bins:
        idx = np.arange(start, stop)
        return {
            "start": start,
            "stop": stop,
            "step": 1,
            "index": idx.tolist(),
            "lo": part.tolist(),
            "hi": part.tolist(),
        }
    step = -(-m // bins)  # ceil: every piece has `step` samples, the last may be shorter
    full = (m // step) * step
    lo = part[:full].reshape(-1, step).min(axis=1)
    hi = part[:full].reshape(-1, step).max(axis=1)
    if full < m:
        lo = np.append(lo, part[full:].min())
        hi = np.append(hi, part[full:].max())
    idx = start + np.arange(lo.size) * step
    return {
        "start": start,
        "stop": stop,
        "step": int(step),
        "index": idx.tolist(),
        "lo": lo.tolist(),
        "hi": hi.tolist(),
    }
