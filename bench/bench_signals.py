"""Benchmark 1-D convolution: convolab.signals vs numpy, scipy and OpenCV.

Run: `.venv/bin/python bench/bench_signals.py [--quick]`. Prints a markdown
table; every number is measured in the same run on the same input.

Target (issue 6): convolving a 1,000,000-sample signal with a 101-tap kernel
takes <= 1.5 x the fastest of numpy.convolve, scipy.signal.oaconvolve and a
one-row cv2.filter2D (all producing the same "same"-size float64 result with
zeros outside the signal). Also times the page's work on the real ECG:
beat detection and the drawing envelope of the whole 5 minutes.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import cv2
import numpy as np
import scipy
import scipy.signal as ss

from convolab import signals as sg


def timeit(fn, *args, repeat: int, **kwargs) -> float:
    """Median wall time in ms over `repeat` runs (after one warm-up)."""
    fn(*args, **kwargs)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def cv2_row(x, k):
    # convolution = correlation with the reversed kernel; anchor so that the
    # output lines up with numpy's "same" (the kernel has an odd length here)
    row = x[None, :]
    out = cv2.filter2D(row, cv2.CV_64F, k[None, ::-1].copy(), borderType=cv2.BORDER_CONSTANT)
    return out[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    repeat = 5 if args.quick else 21
    rng = np.random.default_rng(0)
    n, taps = 1_000_000, 101
    x = rng.standard_normal(n)
    k = rng.standard_normal(taps)

    want = np.convolve(x, k, mode="same")
    contenders = {
        "numpy.convolve(mode='same')": lambda: np.convolve(x, k, mode="same"),
        "scipy.signal.oaconvolve(mode='same')": lambda: ss.oaconvolve(x, k, mode="same"),
        "cv2.filter2D (one row)": lambda: cv2_row(x, k),
        "convolab.signals.convolve1d": lambda: sg.convolve1d(x, k),
    }
    scale = np.abs(k).sum() * np.abs(x).max()
    for name, fn in contenders.items():
        err = float(np.abs(fn() - want).max())
        if err > 1e-9 * scale:
            raise SystemExit(f"{name} differs from numpy.convolve by {err:g}")
    # interleave the contenders so that a busy machine slows all of them alike
    times = {name: [] for name in contenders}
    for _ in range(3):
        for name, fn in contenders.items():
            times[name].append(timeit(fn, repeat=max(1, repeat // 3)))
    med = {name: statistics.median(t) for name, t in times.items()}
    fastest_other = min(v for name, v in med.items() if not name.startswith("convolab"))
    ours = med["convolab.signals.convolve1d"]

    print(f"### 1-D convolution: {n:,} samples x {taps} taps (float64, zero border)\n")
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} OpenCV threads; median of {repeat} "
        "runs.\n"
    )
    print("| implementation | median ms | × fastest other |")
    print("|---|---:|---:|")
    for name, v in med.items():
        print(f"| {name} | {v:.1f} | {v / fastest_other:.2f} |")
    ok = ours <= 1.5 * fastest_other
    print(
        f"\nconvolab / fastest other = {ours / fastest_other:.2f} (target <= 1.5): "
        f"{'PASS' if ok else 'FAIL'}\n"
    )

    ecg = sg.signal("ecg")
    t_beats = timeit(sg.detect_beats, ecg, repeat=repeat)
    t_env = timeit(sg.envelope, ecg.values, 0, ecg.values.size, 1200, repeat=repeat)
    t_explain = timeit(sg.explain1d, ecg, sg.moving_average(54), 54_000, repeat=repeat)
    print("### The signals page's work on the 5-minute ECG (108,000 samples)\n")
    print("| operation | median ms |")
    print("|---|---:|")
    print(f"| detect_beats (3 convolutions + threshold) | {t_beats:.1f} |")
    print(f"| envelope of all samples for a 1,200-pixel chart | {t_env:.1f} |")
    print(f"| explain1d at one position (54 taps) | {t_explain:.2f} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
