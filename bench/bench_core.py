"""Benchmark the core: convolab.correlate vs cv2.filter2D and scipy.ndimage.correlate.

Run: `make bench` or `.venv/bin/python bench/bench_core.py [--quick]`.
Prints markdown tables (paste into docs/benchmarks.md). All numbers are
measured in the same run, on the same inputs, so ratios are comparable.

Targets (issue 2): convolab <= 1.25 x cv2.filter2D (same uint8/float input,
float64 output, zero border); >= 10 x faster than scipy.ndimage.correlate for
k >= 5; explain() at one position on 2048² within 1.5 x its time on 64².
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import cv2
import numpy as np
import scipy
import scipy.ndimage as ndi

import convolab as cl


def timeit(fn, *args, repeat: int, **kwargs) -> float:
    """Median wall time in ms of fn(*args, **kwargs) over `repeat` runs (after one warm-up)."""
    fn(*args, **kwargs)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def photo(size: int, colour: bool) -> np.ndarray:
    img = cl.sample("astronaut" if colour else "camera")
    if size != img.shape[0]:
        img = cv2.resize(img, (size, size), interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(img)


def scipy_correlate(img, k):
    f = img.astype(np.float64)
    if f.ndim == 2:
        return ndi.correlate(f, k, mode="constant")
    return np.stack([ndi.correlate(f[..., c], k, mode="constant") for c in range(3)], axis=2)


def bench_correlate(sizes, ksizes, repeat):
    rows = []
    rng = np.random.default_rng(0)
    for size in sizes:
        for colour in (False, True):
            img = photo(size, colour)
            for ks in ksizes:
                k = rng.standard_normal((ks, ks))
                t_cl = timeit(cl.correlate, img, k, repeat=repeat)
                t_cv = timeit(
                    cv2.filter2D, img, cv2.CV_64F, k, borderType=cv2.BORDER_CONSTANT, repeat=repeat
                )
                sc_rep = max(1, min(repeat, 3)) if ks >= 15 else repeat
                t_sc = timeit(scipy_correlate, img, k, repeat=sc_rep)
                rows.append((size, "RGB" if colour else "grey", ks, t_cl, t_cv, t_sc))
    return rows


def bench_explain(repeat):
    out = {}
    k = cl.kernel("sobel-x")
    for size in (64, 2048):
        img = cv2.resize(cl.sample("camera"), (size, size))
        at = (size // 2, size // 2)
        out[size] = timeit(cl.explain, img, k, at=at, repeat=repeat * 10)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = ap.parse_args()
    repeat = 5 if args.quick else 15
    sizes = (512,) if args.quick else (512, 1024)
    ksizes = (3, 15) if args.quick else (3, 5, 15, 31)
    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, OpenCV {cv2.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"cv2 threads {cv2.getNumThreads()}\n"
    )
    print(
        "| image | colour | k | convolab ms | cv2.filter2D ms | scipy.ndimage ms "
        "| convolab / cv2 | scipy / convolab |"
    )
    print("|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for size, colour, ks, t_cl, t_cv, t_sc in bench_correlate(sizes, ksizes, repeat):
        worst = max(worst, t_cl / t_cv)
        print(
            f"| {size}² | {colour} | {ks} | {t_cl:.2f} | {t_cv:.2f} | {t_sc:.1f} "
            f"| {t_cl / t_cv:.2f} | {t_sc / t_cl:.1f} |"
        )
    ex = bench_explain(repeat)
    print(f"\nworst convolab / cv2 ratio: {worst:.2f}")
    print(
        f"\nexplain() at one position: 64² {ex[64] * 1e3:.1f} µs, 2048² {ex[2048] * 1e3:.1f} µs, "
        f"ratio {ex[2048] / ex[64]:.2f}"
    )


if __name__ == "__main__":
    main()
