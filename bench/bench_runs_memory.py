"""Benchmark: memory of ended CNN trainings is given back (issue 9, target: RSS after 20 CNN
runs have ended is within 150 MB of before).

Runs ``--runs`` trainings of the small CNN through one :class:`convolab.learn.runs.RunManager`
(the one the web app uses), ``--slots`` at a time, with the smallest settings (one round on
``--train`` training and ``--test`` test images). Each run is watched until it reports
``finished`` and then ended, as the server ends a run that was stopped, replaced or kept
long enough. The process's resident memory (RSS) is measured:

- ``rss_start_mb``: after importing, before any run;
- ``rss_before_mb``: after one warm-up run has ended (the dataset is loaded and cached, the
  PyTorch allocator and thread pools exist: memory that stays, whatever the runs do);
- ``rss_peak_mb``: the largest value seen while the runs trained;
- ``rss_after_mb``: after all runs have ended and their workers are gone;
- ``held_mb`` = ``rss_after_mb - rss_before_mb`` (the target) and ``held_from_start_mb``.

    python bench/bench_runs_memory.py [--runs 20] [--dataset fashion-mnist] [--json FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import threading
import time

import psutil

from convolab.learn.jobs import NetworkJob
from convolab.learn.runs import RunManager

MB = 1024 * 1024


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / MB


def run_batch(manager: RunManager, n: int, args, peak: list[float]) -> int:
    """Start ``n`` trainings, wait until each has finished, end them; returns how many
    finished."""
    runs = []
    for i in range(n):
        job = NetworkJob(
            dataset=args.dataset,
            epochs=1,
            train_limit=args.train,
            test_limit=args.test,
            batch_size=64,
            report_every=0.25,
            snapshot_every=1.0,
        )
        runs.append(manager.create(f"pupil-{i}", job, play=True, client=f"192.0.2.{i % 250}"))
    finished = 0
    deadline = time.monotonic() + args.timeout
    for run in runs:
        run.subscribe()
        while run.info()["status"] not in ("finished", "error", "stopped"):
            if time.monotonic() > deadline:
                raise SystemExit(f"run {run.id} did not finish in {args.timeout} s")
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.05)
        finished += run.info()["status"] == "finished"
        peak[0] = max(peak[0], rss_mb())
        run.stop()  # the run ends: its job is closed and dropped
        run.unsubscribe()
    for _ in range(200):
        if not manager.threads() and all(r.job is None for r in runs):
            break
        time.sleep(0.05)
    return finished


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--slots", type=int, default=2, help="runs computing at once")
    ap.add_argument("--dataset", default="fashion-mnist", choices=["fashion-mnist", "digits"])
    ap.add_argument("--train", type=int, default=200, help="training images per run")
    ap.add_argument("--test", type=int, default=200, help="test images per run")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()

    manager = RunManager(args.slots, max_runs=args.runs + 10, max_per_client=args.runs + 10)
    gc.collect()
    start = rss_mb()
    peak = [start]
    t0 = time.perf_counter()
    run_batch(manager, 1, args, peak)  # warm-up
    gc.collect()
    before = rss_mb()
    finished = run_batch(manager, args.runs, args, peak)
    gc.collect()
    after = rss_mb()
    seconds = time.perf_counter() - t0
    result = {
        "runs": args.runs,
        "finished": finished,
        "dataset": args.dataset,
        "train_images": args.train,
        "rss_start_mb": round(start, 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(peak[0], 1),
        "rss_after_mb": round(after, 1),
        "held_mb": round(after - before, 1),
        "held_from_start_mb": round(after - start, 1),
        "threads_left": len(manager.threads()),
        "python_threads": threading.active_count(),
        "seconds": round(seconds, 1),
        "target_mb": 150,
    }
    print("| runs | finished | RSS before | peak | after | held | target |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {args.runs} | {finished} | {before:.0f} MB | {peak[0]:.0f} MB | {after:.0f} MB"
        f" | {after - before:+.0f} MB | <= 150 MB |"
    )
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
