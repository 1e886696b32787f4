"""Benchmark: convolab's live CNN training vs a plain PyTorch loop, and the filter explorer's
latency while two trainings run.

1. Training, same model (Conv(1->8,3)-ReLU-MaxPool-Conv(8->16,3)-ReLU-MaxPool-Linear), same
   data (Fashion-MNIST from Debian, else the digits fallback), same settings (Adam, lr 0.002,
   batch 64, 1 PyTorch thread as ``convolab.learn`` sets), in the same run, alternating:

   - ``plain``: a plain PyTorch loop in this process (test accuracy after every epoch);
   - ``convolab live``: ``POST /api/network/runs`` on a real uvicorn server (a subprocess),
     with this process reading the whole Server-Sent Events stream (loss and accuracy 4 times a
     second; filters, feature maps and predictions every second), from the request until the
     run reports ``finished``.

   Target (issue 5): the same accuracy (within 1 point) in <= 1.3 x the plain loop's time.

2. Explorer latency: the round trip of ``POST /api/apply`` (512 x 512 photo, sharpen) on the
   same server, idle and while two trainings run (two sessions, streams open).
   Target: median while training <= 3 x idle.

Prints markdown tables.

    python bench/bench_learn.py [--epochs 2] [--rounds 2] [--repeat 40]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx
import numpy as np
import torch
from torch import nn

LR, BATCH = 0.002, 64


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "uvicorn", "convolab.web.app:create_app", "--factory"]
    cmd += ["--port", str(port), "--log-level", "warning"]
    env = dict(os.environ, CONVOLAB_MAX_RUNS="2")
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/openapi.json").status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


# -- 1. training ----------------------------------------------------------------------------------
def plain_loop(ds, epochs: int, seed: int = 0) -> tuple[float, float]:
    """The reference: the same network and settings in a plain PyTorch loop."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
    )  # fmt: skip
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    x_train = torch.from_numpy(ds.x_train.copy())
    y_train = torch.from_numpy(ds.y_train.copy())
    x_test = torch.from_numpy(ds.x_test.copy()).unsqueeze(1).float() / 255
    y_test = torch.from_numpy(ds.y_test.copy())
    t0 = time.perf_counter()
    acc = 0.0
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(y_train))
        for i in range(0, len(y_train), BATCH):
            idx = perm[i : i + BATCH]
            x = x_train[idx].unsqueeze(1).float() / 255
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y_train[idx])
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            acc = float((model(x_test).argmax(1) == y_test).float().mean())
    return time.perf_counter() - t0, acc


def convolab_live(client: httpx.Client, dataset: str, epochs: int, **extra) -> tuple:
    """One training through the web app, with the whole event stream read and decoded."""
    body = {"dataset": dataset, "epochs": epochs, "lr": LR, "batch_size": BATCH, **extra}
    t0 = time.perf_counter()
    r = client.post("/api/network/runs", json=body)
    r.raise_for_status()
    acc, events = None, 0
    with client.stream("GET", r.json()["events"]) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line[6:])
            events += 1
            if event["type"] == "progress" and event["kind"] == "epoch":
                acc = event["test_accuracy"]
            if event["type"] == "status" and event["status"] in ("finished", "error", "stopped"):
                break
    seconds = time.perf_counter() - t0
    client.delete(f"/api/network/runs/{r.json()['run']['id']}")
    return seconds, acc, events


# -- 2. explorer latency -------------------------------------------------------------------------
def apply_latency(client: httpx.Client, repeat: int) -> list[float]:
    body = {"sample": "astronaut", "filter": "sharpen"}
    client.post("/api/apply", json=body).raise_for_status()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        client.post("/api/apply", json=body).raise_for_status()
        times.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.02)
    return times


def background_training(base: str, dataset: str, ready: threading.Event, stop: threading.Event):
    with httpx.Client(base_url=base, timeout=120) as c:
        body = {"dataset": dataset, "epochs": 10, "lr": LR, "batch_size": BATCH}
        r = c.post("/api/network/runs", json=body)
        r.raise_for_status()
        with c.stream("GET", r.json()["events"]) as stream:
            for line in stream.iter_lines():
                if line.startswith("data: ") and '"kind":"batch"' in line:
                    ready.set()  # training for real now
                if stop.is_set():
                    break


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    default_threads = torch.get_num_threads()  # PyTorch's default, before convolab.learn
    from convolab.learn import load_dataset  # sets 1 thread, as for every convolab training

    ds = load_dataset("fashion-mnist")
    proc, base = start_server()
    plain, plain2, live = [], [], []
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            # warm-up: the server imports PyTorch and reads the dataset once
            convolab_live(client, ds.name, 1, train_limit=500)
            for _ in range(args.rounds):
                torch.set_num_threads(1)
                plain.append(plain_loop(ds, args.epochs))
                torch.set_num_threads(default_threads)
                plain2.append(plain_loop(ds, args.epochs))
                live.append(convolab_live(client, ds.name, args.epochs))
            idle = apply_latency(client, args.repeat)
            stop = threading.Event()
            readies = [threading.Event(), threading.Event()]
            threads = [
                threading.Thread(target=background_training, args=(base, ds.name, r, stop))
                for r in readies
            ]
            for t in threads:
                t.start()
            for r in readies:
                r.wait(120)
            busy = apply_latency(client, args.repeat)
            stop.set()
            for t in threads:
                t.join(30)
    finally:
        proc.terminate()
        proc.wait()

    n = len(ds.y_train)
    print(f"Dataset: {ds.name} ({n} training, {len(ds.y_test)} test images), {args.epochs} epochs,")
    print(f"batch {BATCH}, Adam lr {LR}; {os.cpu_count()} CPUs. convolab trains with 1 PyTorch")
    print(
        f"thread; the plain loop runs with 1 thread and with PyTorch's default ({default_threads}).\n"
    )
    print(
        "| round | plain, 1 thread (s) | acc. | plain, default threads (s) | acc. "
        "| convolab live (s) | acc. | events | live / plain 1 | live / plain default |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, ((ps, pa), (qs, qa), (ls, la, ev)) in enumerate(
        zip(plain, plain2, live, strict=True), start=1
    ):
        print(
            f"| {i} | {ps:.1f} | {pa:.1%} | {qs:.1f} | {qa:.1%} | {ls:.1f} | {la:.1%} | {ev} "
            f"| {ls / ps:.2f}x | {ls / qs:.2f}x |"
        )
    med = statistics.median
    ratio = med(x[0] for x in live) / med(x[0] for x in plain)
    gap = abs(med(x[1] for x in live) - med(x[1] for x in plain))
    ok = ratio <= 1.3 and gap <= 0.01
    print(
        f"\nSame settings: median time ratio {ratio:.2f}x (target <= 1.3x), accuracy gap "
        f"{100 * gap:.1f} points (target <= 1): {'met' if ok else 'NOT met'}."
    )
    print(
        f"Against the default-thread loop: {med(x[0] for x in live) / med(x[0] for x in plain2):.2f}x."
        "\n"
    )

    def row(name, t):
        return f"| {name} | {statistics.median(t):.1f} | {np.percentile(t, 90):.1f} |"

    print(f"Explorer `POST /api/apply` round trip, {args.repeat} requests, milliseconds.\n")
    print("| server | median | p90 |")
    print("|---|---:|---:|")
    print(row("idle", idle))
    print(row("two trainings running", busy))
    lat = statistics.median(busy) / statistics.median(idle)
    print(f"\nLatency ratio {lat:.2f}x (target <= 3x): {'met' if lat <= 3 else 'NOT met'}.")


if __name__ == "__main__":
    main()
