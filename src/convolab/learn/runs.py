"""Training runs in background threads: one browser session each, a few at a time, a queue.

A :class:`Run` owns one thread and one :class:`Job` (the work: learning a filter, training
the CNN). Browsers send commands (``play``, ``pause``, ``step``, ``reset``, ``configure``,
``stop``, ``snapshot``) and read the run's events (plain dicts, numbered) from a stream.

The :class:`RunManager` lets at most ``max_running`` runs compute at once; a run that wants
to compute while all slots are taken waits in a first-come queue and sees its position.
Pausing gives the slot to the next in line. Runs belong to a session id: a run of another
session is invisible. A run nobody watches stops by itself: ``connect_grace`` seconds after it
was made if no stream ever connected, ``disconnect_grace`` seconds after the last stream left
(a closed browser tab), or after ``idle_timeout`` seconds without any command. Its thread then
ends: nothing leaks.

Training threads get a lower CPU priority (``nice``) so that the web app stays responsive
while they run.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable

log = logging.getLogger("convolab.learn.runs")

MAX_EVENTS = 400  # events kept per run for streams that read a little behind
COMMANDS = ("play", "pause", "step", "reset", "configure", "stop", "snapshot")


class RunLimitError(RuntimeError):
    """Too many runs exist at once (the server is full); try again later."""


class Job:
    """The work a run does. Subclasses override what they support.

    ``advance()`` does one bounded chunk of work (well under a second) and returns
    ``(events, finished)``. ``pace``: seconds to wait between chunks (0: none), read after
    each chunk so a job can change its speed.
    """

    kind = "job"
    pace = 0.0
    nice = 10  # CPU niceness of the run's thread while it lives (0: unchanged)

    def start(self) -> list[dict]:
        return []

    def advance(self) -> tuple[list[dict], bool]:
        raise NotImplementedError

    def step(self) -> list[dict]:
        raise ValueError("this run cannot take single steps")

    def reset(self, **params) -> list[dict]:
        raise ValueError("this run cannot be reset")

    def configure(self, **params) -> list[dict]:
        if params:
            raise ValueError(f"unknown settings: {', '.join(sorted(params))}")
        return []

    def snapshot(self) -> dict:
        return {}

    def close(self) -> None:
        pass


class Run:
    """One run: its own thread, a command queue and a numbered event log."""

    def __init__(self, manager: RunManager, session: str, job: Job):
        self.id = secrets.token_urlsafe(12)
        self.session = session
        self.kind = job.kind
        self.job = job
        self.manager = manager
        self.status = "idle"  # idle | queued | running | paused | finished | error | stopped
        self.position: int | None = None
        self.end_reason: str | None = None
        self.error: str | None = None
        self.created = time.monotonic()
        self.closed_at: float | None = None
        self._cond = threading.Condition()
        self._commands: deque[tuple[str, dict]] = deque()
        self._events: deque[tuple[int, dict]] = deque(maxlen=MAX_EVENTS)
        self._seq = 0
        self._playing = False
        self._has_slot = False
        self._stop: str | None = None
        self._closed = False
        self.subscribers = 0
        self._alone_since = self.created
        self._ever_watched = False
        self._last_command = self.created
        self.thread = threading.Thread(
            target=self._main, name=f"convolab-{self.kind}-{self.id}", daemon=True
        )

    # -- used by other threads -----------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def command(self, name: str, **params) -> None:
        """Queue a command for the run's thread (it acts on it between chunks of work)."""
        if name not in COMMANDS:
            raise ValueError(f"unknown command {name!r}; allowed: {', '.join(COMMANDS)}")
        with self._cond:
            if self._closed:
                return
            self._commands.append((name, params))
            self._last_command = time.monotonic()
            self._cond.notify_all()

    def stop(self, reason: str = "stopped") -> None:
        with self._cond:
            if self._stop is None:
                self._stop = reason
            self._cond.notify_all()

    def subscribe(self) -> int:
        """A stream starts reading; returns the sequence number to read after."""
        with self._cond:
            self.subscribers += 1
            self._ever_watched = True
            return self._seq

    def unsubscribe(self) -> None:
        with self._cond:
            self.subscribers = max(0, self.subscribers - 1)
            if self.subscribers == 0:
                self._alone_since = time.monotonic()
            self._cond.notify_all()

    def events_after(self, seq: int) -> tuple[list[tuple[int, dict]], bool]:
        """Events numbered after ``seq`` and whether the run has ended (no more will come)."""
        with self._cond:
            return [(s, e) for s, e in self._events if s > seq], self._closed

    def wait(self, seq: int, timeout: float) -> None:
        """Block until an event after ``seq`` exists, the run ends, or ``timeout`` passes."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > seq or self._closed, timeout)

    def info(self) -> dict:
        with self._cond:
            return {
                "id": self.id,
                "kind": self.kind,
                "status": self.status,
                "position": self.position,
                "end_reason": self.end_reason,
                "error": self.error,
                "running": self.manager.running_count(),
                "max_running": self.manager.max_running,
            }

    # -- used by the manager (which holds its own lock) ----------------------------------------
    def _grant(self) -> None:
        with self._cond:
            self._has_slot = True
            self.position = None
            if self._playing:
                self._set_status("running")
            self._cond.notify_all()

    def _set_position(self, position: int) -> None:
        with self._cond:
            if self.position != position:
                self.position = position
                self._set_status("queued")

    # -- inside the run's thread ---------------------------------------------------------------
    def _publish(self, events: Iterable[dict]) -> None:
        with self._cond:
            for event in events:
                self._seq += 1
                self._events.append((self._seq, event))
            self._cond.notify_all()

    def _set_status(self, status: str) -> None:
        """Set the status and publish it (call with ``_cond`` held or from the run thread)."""
        with self._cond:
            self.status = status
            event = {
                "type": "status",
                "status": status,
                "position": self.position,
                "running": len(self.manager._running),
                "max_running": self.manager.max_running,
            }
            if self.end_reason:
                event["reason"] = self.end_reason
            if self.error:
                event["error"] = self.error
            self._publish([event])

    def _computing(self) -> bool:
        return self._playing and self._has_slot

    def _abandoned(self, now: float) -> str | None:
        if self.subscribers == 0:
            grace = (
                self.manager.disconnect_grace if self._ever_watched else self.manager.connect_grace
            )
            if now - self._alone_since > grace:
                return "disconnected"
        if not self._computing() and now - self._last_command > self.manager.idle_timeout:
            return "idle"
        return None

    def _main(self) -> None:
        if self.job.nice:
            try:  # Linux: niceness is per thread
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.job.nice)
            except (AttributeError, OSError):  # pragma: no cover - other systems
                pass
        try:
            self._publish(self.job.start())
            while True:
                with self._cond:
                    while not (self._commands or self._computing() or self._stop):
                        reason = self._abandoned(time.monotonic())
                        if reason:
                            self._stop = reason
                            break
                        self._cond.wait(0.2)
                    commands = list(self._commands)
                    self._commands.clear()
                    if not self._stop:
                        self._stop = self._abandoned(time.monotonic())
                if self._stop:
                    break
                for name, params in commands:
                    self._handle(name, params)
                if self._computing() and not self._stop:
                    started = time.monotonic()
                    events, finished = self.job.advance()
                    self._publish(events)
                    if finished:
                        self._pause("finished")
                    elif self.job.pace > 0:
                        with self._cond:
                            self._cond.wait_for(
                                lambda: bool(self._commands or self._stop),
                                max(0.0, self.job.pace - (time.monotonic() - started)),
                            )
        except (ValueError, TypeError) as exc:  # bad settings or data: the message says why
            log.warning("run %s (%s) failed: %s", self.id, self.kind, exc)
            self.error = str(exc) or exc.__class__.__name__
            self._stop = "error"
        except Exception as exc:  # a bug: tell the page, log the traceback, end cleanly
            log.exception("run %s (%s) failed", self.id, self.kind)
            self.error = str(exc) or exc.__class__.__name__
            self._stop = "error"
        finally:
            self.manager._release(self)
            with self._cond:
                self.end_reason = self._stop or "stopped"
                self._playing = False
                self._set_status("error" if self.error else "stopped")
                self._closed = True
                self.closed_at = time.monotonic()
                self._commands.clear()
                self._cond.notify_all()
            try:
                self.job.close()
            except Exception:  # pragma: no cover - closing must not raise
                log.exception("closing run %s failed", self.id)

    def _pause(self, status: str) -> None:
        self._playing = False
        self.manager._release(self)
        with self._cond:
            self._has_slot = False
            self.position = None
            self._set_status(status)

    def _handle(self, name: str, params: dict) -> None:
        try:
            if name == "play":
                if not self._playing:
                    self._playing = True
                    self.manager._request(self)  # running now, or queued with a position
            elif name == "pause":
                if self._playing or self.status == "queued":
                    self._pause("paused")
            elif name == "step":
                if self._playing:
                    self._pause("paused")
                self._publish(self.job.step())
            elif name == "reset":
                if self._playing or self.status == "queued":
                    self._pause("idle")
                self._publish(self.job.reset(**params))
                self._set_status("idle")
            elif name == "configure":
                self._publish(self.job.configure(**params))
            elif name == "snapshot":
                snap = self.job.snapshot()
                snap.update(type="snapshot", status=self.status, position=self.position)
                self._publish([snap])
            elif name == "stop":
                self._stop = "stopped"
        except (ValueError, TypeError) as exc:  # a bad command: report it, keep the run
            self._publish([{"type": "problem", "command": name, "error": str(exc)}])


class RunManager:
    """Runs by id, per session; at most ``max_running`` compute at once, the rest queue."""

    def __init__(
        self,
        max_running: int = 2,
        *,
        max_runs: int = 64,
        max_per_session: int = 3,
        connect_grace: float = 20.0,
        disconnect_grace: float = 2.0,
        idle_timeout: float = 1800.0,
        keep_closed: float = 120.0,
    ):
        if isinstance(max_running, bool) or not isinstance(max_running, int) or max_running < 1:
            raise ValueError(f"max_running must be a whole number >= 1; got {max_running!r}")
        self.max_running = max_running
        self.max_runs = max_runs
        self.max_per_session = max_per_session
        self.connect_grace = connect_grace
        self.disconnect_grace = disconnect_grace
        self.idle_timeout = idle_timeout
        self.keep_closed = keep_closed
        self._lock = threading.Lock()
        self._runs: dict[str, Run] = {}
        self._running: list[Run] = []
        self._queue: deque[Run] = deque()

    def create(self, session: str, job: Job, *, play: bool = False) -> Run:
        """Start a run for ``session``. The oldest run of the same kind and session stops when
        the session would have more than ``max_per_session`` of them (a reloaded page)."""
        if not session:
            raise ValueError("session must be a non-empty id")
        run = Run(self, session, job)
        with self._lock:
            self._forget_old()
            mine = [
                r
                for r in self._runs.values()
                if r.session == session and r.kind == job.kind and not r.closed
            ]
            active = sum(1 for r in self._runs.values() if not r.closed)
            if active >= self.max_runs and len(mine) < self.max_per_session:
                raise RunLimitError(f"the server already has {active} runs; try again later")
            self._runs[run.id] = run
        for old in sorted(mine, key=lambda r: r.created)[
            : max(0, len(mine) + 1 - self.max_per_session)
        ]:
            old.stop("replaced")
        if play:  # ask for a slot now: the queue keeps the order in which runs were made
            run._playing = True
            self._request(run)
        run.thread.start()
        return run

    def get(self, run_id: str, session: str) -> Run | None:
        """The run with this id if it belongs to ``session`` (else None: runs are private)."""
        with self._lock:
            run = self._runs.get(run_id)
        if run is None or not secrets.compare_digest(run.session, session):
            return None
        return run

    def runs(self, session: str | None = None) -> list[Run]:
        with self._lock:
            return [r for r in self._runs.values() if session is None or r.session == session]

    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

    def queue_length(self) -> int:
        with self._lock:
            return len(self._queue)

    def threads(self) -> list[threading.Thread]:
        """The threads of runs that are still alive."""
        with self._lock:
            return [r.thread for r in self._runs.values() if r.thread.is_alive()]

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every run and wait for their threads."""
        runs = self.runs()
        for r in runs:
            r.stop("shutdown")
        deadline = time.monotonic() + timeout
        for r in runs:
            if r.thread.is_alive():
                r.thread.join(max(0.0, deadline - time.monotonic()))

    # -- slots (called from run threads) --------------------------------------------------------
    def _request(self, run: Run) -> bool:
        """Give ``run`` a slot now (True) or put it in the queue (False)."""
        with self._lock:
            if run in self._running:
                run._grant()
                return True
            if len(self._running) < self.max_running and not self._queue:
                self._running.append(run)
                run._grant()
                return True
            if run not in self._queue:
                self._queue.append(run)
            self._positions()
            return False

    def _release(self, run: Run) -> None:
        with self._lock:
            if run in self._running:
                self._running.remove(run)
            if run in self._queue:
                self._queue.remove(run)
            while self._queue and len(self._running) < self.max_running:
                nxt = self._queue.popleft()
                self._running.append(nxt)
                nxt._grant()
            self._positions()

    def _positions(self) -> None:
        for i, r in enumerate(self._queue, start=1):
            r._set_position(i)

    def _forget_old(self) -> None:
        now = time.monotonic()
        for rid, r in list(self._runs.items()):
            if r.closed and r.closed_at is not None and now - r.closed_at > self.keep_closed:
                del self._runs[rid]
