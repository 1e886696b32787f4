"""Find heartbeats in an ECG with convolutions (after Pan and Tompkins, 1985).

Four steps, three of them convolutions with catalogue kernels::

    1. difference   correlate with step(m)              steep flanks of the QRS spike
    2. square       d * d                               all positive, big slopes count most
    3. window       moving average over 150 ms          one hill per heartbeat
    4. threshold    hill > 1.5 x (moving average over 2 s)   the threshold follows the signal

Each hill above the threshold is one beat; two hills closer than 250 ms count
as one. The R peak is then the sample in the hill's window that lies furthest
from the window's median (so downward spikes of abnormal beats count too).

>>> from convolab.signals import signal
>>> b = detect_beats(signal("ecg"))
>>> 90 < b.bpm < 110
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidType, InvalidValue
from .kernels import moving_average, step
from .ops import as_signal, correlate1d

WINDOW_S = 0.150  # moving-window integration (Pan-Tompkins: 150 ms)
LOCAL_S = 2.0  # the threshold's own moving average
FACTOR = 1.5  # threshold = FACTOR x local mean of the window signal
REFRACTORY_S = 0.250  # no two beats closer than this (at most 240 beats per minute)
FLANK_S = 0.017  # half width of the step kernel used as difference


@dataclass(frozen=True)
class Beats:
    """The result of :func:`detect_beats`: beats plus every intermediate signal."""

    rate: float
    peaks: np.ndarray  # sample index of each R peak
    difference: np.ndarray  # step 1
    squared: np.ndarray  # step 2
    window: np.ndarray  # step 3
    threshold: np.ndarray  # step 4
    kernels: dict  # the kernels used, by step

    @property
    def times(self) -> np.ndarray:
        """Time of each beat in seconds."""
        return self.peaks / self.rate

    @property
    def intervals(self) -> np.ndarray:
        """Seconds between consecutive beats (RR intervals)."""
        return np.diff(self.peaks) / self.rate

    @property
    def bpm(self) -> float:
        """Mean heart rate in beats per minute: 60 / mean RR interval (nan below 2 beats)."""
        rr = self.intervals
        return float(60.0 / rr.mean()) if rr.size else float("nan")

    def bpm_between(self, t0: float, t1: float) -> float:
        """Heart rate from the beats between t0 and t1 seconds (nan below 2 beats)."""
        t = self.times
        sel = t[(t >= t0) & (t <= t1)]
        return float(60.0 * (sel.size - 1) / (sel[-1] - sel[0])) if sel.size > 1 else float("nan")

    def to_dict(self) -> dict:
        return {
            "rate": self.rate,
            "peaks": self.peaks.tolist(),
            "times": self.times.tolist(),
            "count": int(self.peaks.size),
            "bpm": None if np.isnan(self.bpm) else round(self.bpm, 1),
            "kernels": {k: v.tolist() for k, v in self.kernels.items()},
            "settings": {
                "window_s": WINDOW_S,
                "local_s": LOCAL_S,
                "factor": FACTOR,
                "refractory_s": REFRACTORY_S,
            },
        }


def _check_rate(rate) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
        raise InvalidType("rate_type", value=rate)
    if not np.isfinite(rate) or rate <= 0:
        raise InvalidValue("rate_positive", value=rate)
    if rate < 50:
        raise InvalidValue("rate_too_low_for_ecg", value=rate)
    return float(rate)


def detect_beats(ecg, rate: float | None = None) -> Beats:
    """Detect heartbeats in an ECG (a Signal, or values plus ``rate`` in Hz)."""
    if rate is None:
        rate = getattr(ecg, "rate", None)
        if rate is None:
            raise InvalidValue("rate_needed")
    fs = _check_rate(rate)
    x = as_signal(ecg, "ecg")
    if x.size < fs * 1.0:
        raise InvalidValue("ecg_too_short", samples=x.size, seconds=x.size / fs)
    k_diff = step(max(1, round(FLANK_S * fs)))
    k_win = moving_average(max(1, round(WINDOW_S * fs)))
    k_local = moving_average(max(1, round(LOCAL_S * fs)))
    d = correlate1d(x, k_diff, border="replicate")
    sq = d * d
    win = correlate1d(sq, k_win, border="replicate")
    thr = FACTOR * correlate1d(win, k_local, border="replicate")
    hills = _hills(win, thr, max(1, round(REFRACTORY_S * fs)))
    half = k_win.size
    peaks = []
    for p in hills:
        lo, hi = max(0, p - half), min(x.size, p + half // 2 + 1)
        seg = x[lo:hi]
        peaks.append(lo + int(np.argmax(np.abs(seg - np.median(seg)))))
    peaks = np.unique(np.asarray(peaks, dtype=np.int64))
    return Beats(
        fs, peaks, d, sq, win, thr, {"difference": k_diff, "window": k_win, "threshold": k_local}
    )


def _hills(win: np.ndarray, thr: np.ndarray, refractory: int) -> np.ndarray:
    """The highest sample of each run above the threshold; merge runs closer than refractory."""
    above = np.concatenate([[False], win > thr, [False]])
    change = np.flatnonzero(np.diff(above.astype(np.int8)))
    starts, ends = change[::2], change[1::2]
    out: list[int] = []
    for s, e in zip(starts, ends, strict=True):
        p = s + int(np.argmax(win[s:e]))
        if out and p - out[-1] < refractory:
            if win[p] > win[out[-1]]:
                out[-1] = p
        else:
            out.append(p)
    return np.asarray(out, dtype=np.int64)
