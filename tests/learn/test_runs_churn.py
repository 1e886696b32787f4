"""Regression: many short runs churn through the queue while other threads read and steer them.

The old manager took a run's lock and then the manager's lock in one place and the other way
round in another; this load deadlocked it within a second. Every thread here reports progress;
a thread that makes none for several seconds means a deadlock (the test then prints every
thread's stack and fails instead of hanging).
"""

from __future__ import annotations

import faulthandler
import random
import sys
import threading
import time

import pytest

from convolab.learn.runs import Job, RunManager

CHURN_SECONDS = 10.0
STUCK_AFTER = 5.0


class Short(Job):
    """A run of three tiny chunks (it finishes almost at once once it has a slot)."""

    kind = "short"
    nice = 0

    def __init__(self):
        self.n = 0

    def advance(self):
        time.sleep(0.001)
        self.n += 1
        return [{"type": "count", "n": self.n}], self.n >= 3

    def step(self):
        self.n += 1
        return [{"type": "count", "n": self.n}]

    def snapshot(self):
        return {"n": self.n}


@pytest.mark.slow
def test_runs_churn_through_the_queue_while_others_poll_and_steer():
    m = RunManager(max_running=1, max_runs=10_000, connect_grace=30)
    stop = threading.Event()
    progress: dict[str, float] = {}
    counts = {"created": 0, "finished": 0, "polls": 0, "commands": 0}
    problems: list[str] = []
    counts_lock = threading.Lock()

    def bump(name: str, what: str) -> None:
        progress[name] = time.monotonic()
        with counts_lock:
            counts[what] += 1

    def churner(k: int) -> None:
        name = f"churner-{k}"
        i = 0
        while not stop.is_set():
            i += 1
            run = m.create(f"c{k}-{i}", Short(), play=True)
            bump(name, "created")
            deadline = time.monotonic() + 2.0
            while not stop.is_set() and time.monotonic() < deadline:
                progress[name] = time.monotonic()
                if run.info()["status"] in ("finished", "stopped", "paused"):
                    break
                time.sleep(0.001)
            if run.info()["status"] == "finished":
                bump(name, "finished")
            run.stop()

    def poller(k: int) -> None:
        name = f"poller-{k}"
        rng = random.Random(k)
        while not stop.is_set():
            runs = m.runs()
            for run in rng.sample(runs, min(5, len(runs))):
                info = run.info()
                if info["running"] > m.max_running:
                    problems.append(f"{info['running']} running, allowed {m.max_running}")
                bump(name, "polls")
                if rng.random() < 0.5:
                    run.command(rng.choice(["play", "pause", "step", "snapshot", "play"]))
                    bump(name, "commands")
                run.events_after(0)
            m.running_count()
            m.queue_length()
            progress[name] = time.monotonic()

    threads = [threading.Thread(target=churner, args=(k,), daemon=True) for k in range(3)]
    threads += [threading.Thread(target=poller, args=(k,), daemon=True) for k in range(3)]
    t0 = time.monotonic()
    for t in threads:
        progress[t.name] = t0
        t.start()
    progress.clear()
    stuck: list[str] = []
    while time.monotonic() - t0 < CHURN_SECONDS and not stuck:
        time.sleep(0.25)
        now = time.monotonic()
        stuck = [n for n, at in list(progress.items()) if now - at > STUCK_AFTER]
    stop.set()
    for t in threads:
        t.join(STUCK_AFTER)
    alive = [t.name for t in threads if t.is_alive()]
    if stuck or alive:
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        pytest.fail(f"deadlock: no progress in {stuck or alive} ({counts})")
    assert not problems, problems[:3]
    # the load was real: many runs went through the one slot, with reads and commands between
    assert counts["created"] >= 100 and counts["finished"] >= 30, counts
    assert counts["polls"] >= 1000 and counts["commands"] >= 300, counts
    m.shutdown()
    assert not [t for t in m.threads() if t.is_alive()]
