"""Benchmark the core: convolab.correlate vs cv2.filter2D and scipy.ndimage.correlate.

Run: `make bench` or `.venv/bin/python bench/bench_core.py [--quick]`.
Prints markdown tables (paste into docs/benchmarks.md). All numbers are
measured in the same run, on the same inputs, so ratios are comparable.

Targets (issue 2): convolab <= 1.25 x cv2.filter2D (same uint8/float input,
float64 output, zero border); >= 10 x faster than scipy.ndimage.correlate for
k >= 5; explain() at one position on 2048² within 1.5 x its time on 64².

Targets (issue 10, exact sums): on a uint8 photo, kernels of whole numbers over a
divisor <= 1.0 x cv2.filter2D(..., CV_64F) for 3 x 3 and <= 0.5 x for separable
15 x 15 (convolab exact to the last bit, OpenCV not).
"""

from __future__ import annotations

import argparse
import math
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


def timeit_pair(f, g, *, repeat: int) -> tuple[float, float]:
    """Median wall times in ms of f() and g(), run alternately (after one warm-up each), so
    that a load that comes and goes on a shared machine hits both alike."""
    f()
    g()
    tf, tg = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        tf.append(time.perf_counter() - t)
        t = time.perf_counter()
        g()
        tg.append(time.perf_counter() - t)
    return statistics.median(tf) * 1e3, statistics.median(tg) * 1e3


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
                t_cl, t_cv = timeit_pair(
                    lambda img=img, k=k: cl.correlate(img, k),
                    lambda img=img, k=k: cv2.filter2D(
                        img, cv2.CV_64F, k, borderType=cv2.BORDER_CONSTANT
                    ),
                    repeat=repeat,
                )
                sc_rep = max(1, min(repeat, 3)) if ks >= 15 else repeat
                t_sc = timeit(scipy_correlate, img, k, repeat=sc_rep)
                rows.append((size, "RGB" if colour else "grey", ks, t_cl, t_cv, t_sc))
    return rows


def binomial(n: int) -> np.ndarray:
    """The n x n binomial blur (Pascal's row outer itself, over 4**(n-1)): Gaussian-like."""
    row = np.array([float(math.comb(n - 1, i)) for i in range(n)])
    return np.outer(row, row) / 4.0 ** (n - 1)


EXACT_CASES = [  # (label, kernel, separable)
    ("sharpen 3×3", "sharpen", False),
    ("edge 3×3", "edge", False),
    ("blur 3×3 (1/9)", "blur", True),
    ("sobel-x 3×3", "sobel-x", True),
    ("box 15×15 (1/225)", "box-15", True),
    ("binomial 15×15 (/4^14)", "binomial-15", True),
    ("sobel 15×15 (binomial ⊗ difference)", "sobel-15", True),
    ("random whole 15×15 / 9", "random-15", False),
]


def exact_kernel(name: str, rng) -> np.ndarray:
    if name == "box-15":
        return cl.box(15)
    if name == "binomial-15":
        return binomial(15)
    if name == "sobel-15":
        return np.outer([float(math.comb(14, i)) for i in range(15)], np.arange(-7.0, 8.0))
    if name == "random-15":
        return rng.integers(-9, 10, (15, 15)) / 9
    return cl.kernel(name).values


def bench_against_filter2d(size, repeat, cases, make):
    """(size, colour, case, convolab ms, cv2.filter2D CV_64F ms) for every case; ``make(case,
    rng)`` gives the kernel. Both alternate in one loop on the same uint8 photo."""
    rows = []
    rng = np.random.default_rng(0)
    for colour in (False, True):
        img = photo(size, colour)
        for case in cases:
            k = make(case, rng)
            t_cl, t_cv = timeit_pair(
                lambda img=img, k=k: cl.correlate(img, k),
                lambda img=img, k=k: cv2.filter2D(
                    img, cv2.CV_64F, k, borderType=cv2.BORDER_CONSTANT
                ),
                repeat=3 * repeat,
            )
            rows.append((size, "RGB" if colour else "grey", case, t_cl, t_cv))
    return rows


def bench_exact(size, repeat):
    rows = bench_against_filter2d(size, repeat, EXACT_CASES, lambda c, rng: exact_kernel(c[1], rng))
    return [(sz, colour, c[0], c[2], t_cl, t_cv) for sz, colour, c, t_cl, t_cv in rows]


FLOAT_CASES = [  # (label, kernel): no exact form; the shown pixel is settled against ties
    ("random 3×3", "random-3"),
    ("gaussian-5 (column × row)", "gaussian-5"),
    ("gaussian 9×9, σ 2 (column × row)", "gaussian-9"),
    ("log 9×9", "log"),
]


def float_kernel(name: str, rng) -> np.ndarray:
    if name == "random-3":
        return rng.standard_normal((3, 3))
    if name == "gaussian-9":
        from convolab.kernels import gaussian

        return gaussian(9, 2.0)
    return cl.kernel(name).values


def bench_float(size, repeat):
    rows = bench_against_filter2d(size, repeat, FLOAT_CASES, lambda c, rng: float_kernel(c[1], rng))
    return [(sz, colour, c[0], t_cl, t_cv) for sz, colour, c, t_cl, t_cv in rows]


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
    ap.add_argument("--exact", action="store_true", help="only the exact-sum table")
    ap.add_argument("--float", action="store_true", help="only the float-kernel table")
    args = ap.parse_args()
    repeat = 5 if args.quick else 15
    sizes = (512,) if args.quick else (512, 1024)
    ksizes = (3, 15) if args.quick else (3, 5, 15, 31)
    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, OpenCV {cv2.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"cv2 threads {cv2.getNumThreads()}\n"
    )
    if not (args.exact or args.float):
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
        print(f"\nworst convolab / cv2 ratio: {worst:.2f}")
    if args.float:
        print(
            "Float kernels (no exact form), uint8 photo, zero border:\n\n"
            "| image | colour | kernel | convolab ms | cv2.filter2D CV_64F ms | convolab / cv2 |"
        )
        print("|---|---|---|---:|---:|---:|")
        for size in sizes:
            for sz, colour, label, t_cl, t_cv in bench_float(size, repeat):
                print(
                    f"| {sz}² | {colour} | {label} | {t_cl:.2f} | {t_cv:.2f} | {t_cl / t_cv:.2f} |"
                )
        return
    print(
        "\nExact sums (whole numbers over a divisor), uint8 photo, zero border:\n\n"
        "| image | colour | kernel | separable | convolab ms | cv2.filter2D CV_64F ms "
        "| convolab / cv2 |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in sizes:
        for sz, colour, label, sep, t_cl, t_cv in bench_exact(size, repeat):
            print(
                f"| {sz}² | {colour} | {label} | {'yes' if sep else 'no'} | {t_cl:.2f} "
                f"| {t_cv:.2f} | {t_cl / t_cv:.2f} |"
            )
    ex = bench_explain(repeat)
    print(
        f"\nexplain() at one position: 64² {ex[64] * 1e3:.1f} µs, 2048² {ex[2048] * 1e3:.1f} µs, "
        f"ratio {ex[2048] / ex[64]:.2f}"
    )


if __name__ == "__main__":
    main()
