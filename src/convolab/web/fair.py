"""A fair queue in front of the explorer's compute pool: per client, round-robin.

``/api/apply`` work runs in a small pool of threads (``images.compute_pool``). Without a
queue of its own, one script (or one browser firing many requests) could fill that pool's
queue and push every other pupil back. :class:`FairQueue` decides, on the event loop, which
waiting apply goes to a free thread next:

- **Per client** (``clients.client_id``, the computer's address) at most
  ``CONVOLAB_APPLY_PER_CLIENT`` applies (default 2) are held at once, running or waiting; of
  these at most ``per_client - 1`` (at least 1) run at once, so there is always a place to
  wait in. A new apply of a client that already holds its maximum **supersedes** that
  client's oldest waiting apply: the page only needs its newest result, so the old one is
  answered 409 ``superseded`` (the explorer ignores that answer) and the new one takes its
  place in the queue. With nothing of that client waiting (``per_client`` = 1 and one
  running) the new one is refused with 429 ``too_many_applies``.
- **Round-robin**: clients with waiting work take turns, one apply each, so a client with
  many waiting applies does not delay a client with one.

Only bookkeeping happens here (a lock held for a few dictionary operations); the work itself
runs in the pool and the caller's coroutine awaits it. The answer header ``X-Queue-Ahead``
says how many applies of other clients were started while this one waited.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections import deque
from concurrent.futures import Executor
from dataclasses import dataclass, field

from .errors import ApiError

PER_CLIENT_ENV = "CONVOLAB_APPLY_PER_CLIENT"
DEFAULT_PER_CLIENT = 2
BUSY_LINGER = 0.2  # seconds: trainings stay aside through the gaps between a class's applies


def per_client_from_env() -> int:
    raw = os.environ.get(PER_CLIENT_ENV, "").strip()
    if not raw:
        return DEFAULT_PER_CLIENT
    try:
        n = int(raw)
    except ValueError:
        raise ValueError(
            f"{PER_CLIENT_ENV} must be a whole number 1 or more; got {raw!r}"
        ) from None
    if n < 1:
        raise ValueError(f"{PER_CLIENT_ENV} must be 1 or more; got {raw!r}")
    return n


@dataclass(eq=False)
class _Job:
    client: str
    call: object
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future
    queued_at: int  # FairQueue.started when it was queued
    ahead: int = 0
    state: str = "waiting"  # waiting -> running -> finished; or superseded / cancelled


@dataclass
class _Client:
    waiting: deque = field(default_factory=deque)
    running: int = 0
    last_start: int = -1  # FairQueue.started at this client's last start (-1: none yet)


class FairQueue:
    """Per-client capped, round-robin dispatch of calls to ``executor`` (``slots`` threads).

    ``history`` holds the last ``history_size`` starts as ``(client, ahead)`` pairs."""

    def __init__(self, executor, slots: int, per_client: int, history_size: int = 1000):
        self._executor_factory = executor
        self.slots = max(1, int(slots))
        self.per_client = max(1, int(per_client))
        self.run_limit = max(1, self.per_client - 1)
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        self._running = 0
        self._idle_since = -math.inf  # when the last running apply ended
        self.started = 0
        self.superseded = 0
        self.refused = 0
        self.history: deque[tuple[str, int]] = deque(maxlen=history_size)

    def _executor(self) -> Executor:
        ex = self._executor_factory
        return ex() if callable(ex) and not isinstance(ex, Executor) else ex

    def busy(self) -> bool:
        """Is any apply running, or did one end less than ``BUSY_LINGER`` seconds ago?
        (Applies wait only while every slot runs.) Read without the lock: a hint for
        trainings, which step aside while the class computes (``RunManager.yield_to``);
        the linger keeps them aside through the short gaps between a class's applies."""
        return self._running > 0 or time.monotonic() - self._idle_since < BUSY_LINGER

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "running": self._running,
                "waiting": sum(len(c.waiting) for c in self._clients.values()),
                "clients": len(self._clients),
                "started": self.started,
                "superseded": self.superseded,
                "refused": self.refused,
            }

    async def call(self, client: str, fn):
        """Run ``fn()`` in the pool when it is this client's turn; returns ``(result, ahead)``.

        Raises ApiError 409 ``superseded`` when a newer apply of the same client replaced this
        one while it waited, 429 ``too_many_applies`` when the client holds its maximum and
        none of it is waiting."""
        loop = asyncio.get_running_loop()
        job = _Job(client, fn, loop, loop.create_future(), 0)
        old = None
        with self._lock:
            job.queued_at = self.started
            c = self._clients.setdefault(client, _Client())
            if c.running + len(c.waiting) >= self.per_client:
                if not c.waiting:
                    self.refused += 1
                    if not c.running:
                        del self._clients[client]
                    raise ApiError.key(
                        429, "too_many_applies", "explorer.err_too_many_applies", n=self.per_client
                    )
                old = c.waiting.popleft()
                old.state = "superseded"
                self.superseded += 1
            c.waiting.append(job)
            starts = self._dispatch_locked()
        if old is not None:
            old.loop.call_soon_threadsafe(_fail, old.done, "superseded")
        self._submit(starts)
        try:
            result = await job.done
        except asyncio.CancelledError:
            self._cancel(job)
            raise
        return result, job.ahead

    # --- inside the lock ------------------------------------------------------------------

    def _dispatch_locked(self) -> list[_Job]:
        """Start waiting jobs while threads are free: each time the client served least
        recently (round-robin; a client that was just served goes to the back)."""
        starts = []
        while self._running < self.slots:
            ready = [
                (c.last_start, n)
                for n, c in self._clients.items()
                if c.waiting and c.running < self.run_limit
            ]
            if not ready:
                break
            client = min(ready)[1]
            c = self._clients[client]
            job = c.waiting.popleft()
            job.state = "running"
            job.ahead = self.started - job.queued_at
            c.running += 1
            c.last_start = self.started
            self._running += 1
            self.started += 1
            self.history.append((client, job.ahead))
            starts.append(job)
        return starts

    def _forget_locked(self, client: str) -> None:
        c = self._clients.get(client)
        if c is not None and not c.running and not c.waiting:
            del self._clients[client]

    # --- outside the lock -----------------------------------------------------------------

    def _submit(self, starts: list[_Job]) -> None:
        for job in starts:
            try:
                future = self._executor().submit(job.call)
            except BaseException as exc:  # pool shut down: finish the job with the error
                self._finished(job)
                job.loop.call_soon_threadsafe(_set_exception, job.done, exc)
                continue
            future.add_done_callback(lambda f, job=job: self._on_done(job, f))

    def _on_done(self, job: _Job, future) -> None:
        # in the worker thread (or here, if it was already done): book-keep, then wake the loop
        self._finished(job)
        exc = future.exception()
        if exc is not None:
            job.loop.call_soon_threadsafe(_set_exception, job.done, exc)
        else:
            job.loop.call_soon_threadsafe(_set_result, job.done, future.result())

    def _finished(self, job: _Job) -> None:
        with self._lock:
            job.state = "finished"
            c = self._clients[job.client]
            c.running -= 1
            self._running -= 1
            if not self._running:
                self._idle_since = time.monotonic()
            self._forget_locked(job.client)
            starts = self._dispatch_locked()
        self._submit(starts)

    def _cancel(self, job: _Job) -> None:
        """The caller went away: a waiting job leaves the queue (a running one finishes)."""
        with self._lock:
            if job.state != "waiting":
                return
            job.state = "cancelled"
            c = self._clients[job.client]
            c.waiting.remove(job)
            self._forget_locked(job.client)


def _fail(done: asyncio.Future, code: str) -> None:
    if not done.done():
        done.set_exception(ApiError.key(409, code, "explorer.err_superseded"))


def _set_result(done: asyncio.Future, value) -> None:
    if not done.done():
        done.set_result(value)


def _set_exception(done: asyncio.Future, exc: BaseException) -> None:
    if not done.done():
        done.set_exception(exc)
