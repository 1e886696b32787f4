"""Benchmark: training the emotions CNN on about 200 drawings, the way the page does it.

``EmotionsJob`` (the small CNN: Conv(1->8,3)-ReLU-MaxPool-Conv(8->16,3)-ReLU-MaxPool-Linear,
Adam, lr 0.003, batch 16, 1 PyTorch thread as ``convolab.learn`` sets) trained for the page's
default of 10 rounds on ``--drawings`` drawings (the generated starter set, half blij, half
verrast; a fifth held out), timed from making the job until the last evaluation, for each of
``--repeat`` seeds. Two trainings at once (the run manager's default of 2 running) are timed
too, in two threads. Target (issue 14): <= 30 s for ~200 drawings on 2 cores.

Prints a markdown table. The numbers depend on the machine's load: say so with them.

    python bench/bench_emotions.py [--drawings 200] [--epochs 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

from convolab.classes import starter_set
from convolab.learn.emotions import EmotionsJob


def train_once(x, y, epochs: int, seed: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    job = EmotionsJob(
        x, y, list(range(len(y))), ("blij", "verrast"), ("happy", "surprised"),
        source="generated", epochs=epochs, seed=seed,
    )  # fmt: skip
    job.start()
    accuracy = None
    while True:
        events, done = job.advance()
        for e in events:
            if e["type"] == "evaluation":
                accuracy = e["evaluation"]["accuracy"]
        if done:
            break
    job.close()
    return time.perf_counter() - t0, accuracy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--drawings", type=int, default=200)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    x, y = starter_set(per_label=args.drawings // 2, seed=0)
    train_once(x[:20], y[:20], 1, 0)  # warm up (imports, first allocations)
    alone = [train_once(x, y, args.epochs, s) for s in range(args.repeat)]
    pair: list[tuple[float, float]] = []

    def worker(seed):
        pair.append(train_once(x, y, args.epochs, seed))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(100 + i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    both = time.perf_counter() - t0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(y)} drawings, {args.epochs} rounds, {os.cpu_count()} cores, load {load:.1f}\n")
    print("| case | seconds (median) | worst | held-out accuracy | target |")
    print("|---|---|---|---|---|")
    secs = [s for s, _ in alone]
    accs = ", ".join(f"{a:.2f}" for _, a in alone)
    print(f"| one training | {statistics.median(secs):.2f} | {max(secs):.2f} | {accs} | <= 30 s |")
    worst = max(s for s, _ in pair)
    accs = ", ".join(f"{a:.2f}" for _, a in pair)
    print(
        f"| two at once (each) | {statistics.median(s for s, _ in pair):.2f} | {worst:.2f} | {accs} | <= 30 s |"
    )
    print(f"\nboth together finished in {both:.2f} s")


if __name__ == "__main__":
    main()
