"""Training runs for many pupils: a few compute at once, the rest wait in a queue.

A :class:`Run` is one pupil's training (learning a filter, training the CNN). Browsers send
commands (``play``, ``pause``, ``step``, ``reset``, ``configure``, ``stop``, ``snapshot``)
and read the run's events (plain dicts, numbered) from a stream.

**One lock.** Every piece of state of every run of a :class:`RunManager` (status, slots,
queue, commands, events, viewers) is guarded by the manager's single lock, and that lock is
only ever held for bookkeeping: no job code, no waiting and no callback runs while it is
held. There is no second lock to take in the other order, so no lock-order deadlock can
exist. Callbacks (waking an asyncio stream) and thread starts are collected while the lock is
held and run just after it is released.

**Workers.** The work itself (the :class:`Job` calls) runs in a small pool of worker threads
of the manager (at most ``max_running + 2``), never in a request. A run is worked on by at
most one worker at a time, so a job never sees two calls at once. Workers start when there
is work and end when there is none (one stays to keep the timers while runs exist): when
every run has ended, no thread is left. Workers run at a lower CPU priority (the job's
``nice``), and with ``yield_to`` (the web app passes "the explorer is computing") they wait
before each chunk and between its steps (``Job.give_way``) while interactive work runs, so
the web app stays responsive.

**Slots and queue.** At most ``max_running`` runs compute at once; a run that wants to
compute while all slots are taken waits in a first-come queue and sees its position. Pausing
gives the slot to the next in line.

**Owners and limits.** A run belongs to a session (the browser's cookie: the tab's runs, a
run of another session is invisible) and to a client (the computer's address, see
``convolab.web.clients``). A session keeps at most ``max_per_session`` runs (a new one
replaces its oldest: a reloaded page); a client at most ``max_per_client`` (a new one
replaces the client's oldest run that nobody watches, else it is refused): a fresh cookie
does not buy more runs. The server holds at most ``max_runs``; streams per run are capped
(``max_streams``).

**Viewers come and go.** A run whose viewers all left (a closed tab, another page) pauses
after ``disconnect_grace`` seconds (``connect_grace`` if nobody ever watched) and gives its
slot to the next in line; when a viewer comes back it plays on. It is kept, with its job,
for ``keep`` seconds after the last viewer left, or ``idle_timeout`` seconds without any
command, and then ends (``expired`` / ``idle``). A run that ends (stopped, replaced,
expired, failed, shutdown) is closed at once: :meth:`Job.close` is called and the job is
dropped, so its model, tensors and pictures are freed; only a small summary (its status and
last event) is kept for ``keep_closed`` seconds so a late page still learns how it ended.

**A new kind of job** plugs in by subclassing :class:`Job` and handing an instance to
:meth:`RunManager.create`; nothing here changes::

    class MyJob(Job):
        kind = "drawing"           # names the run (one manager per kind in the web app)
        nice = 10                  # CPU niceness while it computes
        def start(self): ...       # once, in a worker (load data, build the model): events
        def advance(self): ...     # one chunk (well under a second): (events, finished)
        def snapshot(self): ...    # everything a (re)connecting page needs, a dict
        def close(self): ...       # drop the model and data (called once, when it ends)

``step``, ``reset(**params)``, ``configure(**params)`` are optional (the defaults refuse with
a ``ValueError`` that the page shows as a ``problem`` event). ``pace`` (seconds between
chunks, read after each chunk) slows a job down for watching. Events are plain JSON-ready
dicts with a ``type``. A ``ValueError``/``TypeError`` from ``start``/``advance`` ends the run
with that message as its error; from a command it is reported and the run goes on.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from ..errors import ConvolabError

log = logging.getLogger("convolab.learn.runs")

MAX_EVENTS = 400  # events kept per run for streams that read a little behind
COMMANDS = ("play", "pause", "step", "reset", "configure", "stop", "snapshot")
#: commands that change only the manager's bookkeeping (never call the job)
STATE_COMMANDS = frozenset({"play", "pause", "stop"})
WAIT_CAP = 30.0  # longest sleep of the worker that keeps the timers
YIELD_MAX = 1.0  # longest wait of a training step for the explorer (see RunManager._give_way)
YIELD_POLL = 0.004


class RunLimitError(RuntimeError):
    """Too many runs exist at once; try again later.

    ``scope`` says whose limit was reached: ``"server"`` (all runs) or ``"client"`` (this
    computer's runs, all of them watched)."""

    def __init__(self, message: str, scope: str = "server"):
        super().__init__(message)
        self.scope = scope


class StreamLimitError(RuntimeError):
    """The run already has as many streams (viewers) as allowed."""


class Job:
    """The work a run does. Subclasses override what they support.

    ``advance()`` does one bounded chunk of work (well under a second) and returns
    ``(events, finished)``. ``pace``: seconds to wait between chunks (0: none), read after
    each chunk so a job can change its speed.
    """

    kind = "job"
    pace = 0.0
    nice = 10  # CPU niceness of the worker thread while it works on this job (0: unchanged)

    def start(self) -> list[dict]:
        return []

    def give_way(self) -> None:
        """Called by ``advance`` between the small steps of a chunk (a batch, a few filter
        steps): the run manager makes it wait briefly while interactive work runs (see
        ``RunManager._give_way``); on its own a job never waits."""

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
    """One run. Every attribute is guarded by the manager's lock; the methods take it."""

    def __init__(self, manager: RunManager, session: str, job: Job, client: str | None, meta: dict):
        self.id = secrets.token_urlsafe(12)
        self.session = session
        self.client = client
        self.meta = meta  # the settings it was made with (small, JSON-ready): a page shows them
        self.kind = job.kind
        self.job: Job | None = job  # None once the run has ended and its job was closed
        self.manager = manager
        self.status = "idle"  # idle | queued | running | paused | finished | error | stopped
        self.position: int | None = None
        self.end_reason: str | None = None
        self.error: str | None = None  # English; error_code/error_params word it (catalogue)
        self.error_code: str | None = None
        self.error_params: dict = {}
        self.created = time.monotonic()
        self.closed_at: float | None = None
        self.subscribers = 0
        self._commands: deque[tuple[str, dict]] = deque()
        self._events: deque[tuple[int, dict]] = deque(maxlen=MAX_EVENTS)
        self._seq = 0
        self._playing = False  # wants to compute (has a slot or waits in the queue)
        self._has_slot = False
        self._started = False  # job.start() done
        self._busy = False  # a worker is calling the job
        self._closed = False
        self._next_at = 0.0  # the next chunk may start then (the job's pace)
        self._waiters: set[Callable[[], None]] = set()
        self._alone_since = self.created
        self._ever_watched = False
        self._left = False  # paused because every viewer left; plays on when one is back
        self._last_command = self.created

    @property
    def closed(self) -> bool:
        return self._closed

    def command(self, name: str, **params) -> None:
        """Ask the run to do something; it happens in order, soon after (between chunks)."""
        self.manager._command(self, name, params)

    def stop(self, reason: str = "stopped") -> None:
        """End the run now: its slot is freed and its job closed and dropped."""
        with self.manager._locked():
            self.manager._end(self, reason)

    def subscribe(self, notify: Callable[[], None] | None = None) -> int:
        """A viewer (stream) starts reading; returns the sequence number to read after.

        ``notify`` is called (without any lock held, from any thread) whenever new events
        exist or the run ends. Raises :class:`StreamLimitError` when the run has
        ``max_streams`` viewers already."""
        return self.manager._subscribe(self, notify)

    def unsubscribe(self, notify: Callable[[], None] | None = None) -> None:
        self.manager._unsubscribe(self, notify)

    def events_after(self, seq: int) -> tuple[list[tuple[int, dict]], bool]:
        """Events numbered after ``seq`` and whether the run has ended (no more will come)."""
        with self.manager._locked():
            return [(s, e) for s, e in self._events if s > seq], self._closed

    def wait(self, seq: int, timeout: float) -> None:
        """Block until an event after ``seq`` exists, the run ends, or ``timeout`` passes."""
        with self.manager._locked():
            self.manager._news.wait_for(lambda: self._seq > seq or self._closed, timeout)

    def info(self) -> dict:
        with self.manager._locked():
            return self.manager._info(self)


class RunManager:
    """Runs by id, per session and client; at most ``max_running`` compute at once."""

    def __init__(
        self,
        max_running: int = 2,
        *,
        max_runs: int = 64,
        max_per_session: int = 3,
        max_per_client: int = 6,
        max_streams: int = 4,
        connect_grace: float = 20.0,
        disconnect_grace: float = 2.0,
        keep: float = 900.0,
        idle_timeout: float = 1800.0,
        keep_closed: float = 120.0,
        yield_to: Callable[[], bool] | None = None,
    ):
        if isinstance(max_running, bool) or not isinstance(max_running, int) or max_running < 1:
            raise ValueError(f"max_running must be a whole number >= 1; got {max_running!r}")
        self.max_running = max_running
        self.max_runs = max_runs
        self.max_per_session = max_per_session
        self.max_per_client = max_per_client
        self.max_streams = max_streams
        self.connect_grace = connect_grace
        self.disconnect_grace = disconnect_grace
        self.keep = keep
        self.idle_timeout = idle_timeout
        self.keep_closed = keep_closed
        self.max_workers = max_running + 2
        # ``yield_to()``: is interactive work (the explorer's applies) running? Then
        # a worker waits up to YIELD_MAX seconds before its next chunk (see ``_give_way``).
        self.yield_to = yield_to
        self._lock = threading.Lock()  # THE lock: guards everything below and every Run
        self._work = threading.Condition(self._lock)  # workers wait here
        self._news = threading.Condition(self._lock)  # Run.wait() waits here
        self._after: list[Callable[[], None]] = []  # to call once the lock is released
        self._runs: dict[str, Run] = {}
        self._running: list[Run] = []
        self._queue: deque[Run] = deque()
        self._workers: list[threading.Thread] = []
        self._idle = 0  # workers waiting for work

    # -- the lock ------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the lock; afterwards (lock released) run what was collected meanwhile."""
        self._lock.acquire()
        try:
            yield
        finally:
            after, self._after = self._after, []
            self._lock.release()
            for call in after:
                try:
                    call()
                except Exception:  # pragma: no cover - a waiter's loop may be gone
                    log.debug("run callback failed", exc_info=True)

    # -- public --------------------------------------------------------------------------------
    def create(
        self,
        session: str,
        job: Job,
        *,
        play: bool = False,
        client: str | None = None,
        meta: dict | None = None,
    ) -> Run:
        """Start a run for ``session`` (and ``client``, the computer it comes from).

        ``meta``: the settings it was made with (a small JSON-ready dict), answered in
        :meth:`Run.info` as ``settings`` so a page that comes back can show them.

        The session's oldest run of this kind ends when it would have more than
        ``max_per_session``; the client's oldest unwatched run when the client would have
        more than ``max_per_client`` (none unwatched: :class:`RunLimitError` with scope
        ``"client"``); more than ``max_runs`` in all: :class:`RunLimitError`."""
        if not session:
            raise ValueError("session must be a non-empty id")
        with self._locked():
            now = time.monotonic()
            self._sweep(now)
            live = [r for r in self._runs.values() if not r._closed]
            mine = sorted(
                (r for r in live if r.session == session and r.kind == job.kind),
                key=lambda r: r.created,
            )
            replace = mine[: max(0, len(mine) + 1 - self.max_per_session)]
            if client is not None:
                theirs = [r for r in live if r.client == client and r not in replace]
                excess = len(theirs) + 1 - self.max_per_client
                if excess > 0:
                    unwatched = sorted(
                        (r for r in theirs if r.subscribers == 0), key=lambda r: r.created
                    )
                    if len(unwatched) < excess:
                        raise RunLimitError(
                            f"this computer already has {len(theirs)} runs", scope="client"
                        )
                    replace += unwatched[:excess]
            if len(live) - len(replace) >= self.max_runs:
                raise RunLimitError(f"the server already has {len(live)} runs; try again later")
            for old in replace:
                self._end(old, "replaced")
            run = Run(self, session, job, client, dict(meta or {}))
            if self.yield_to is not None:  # between a chunk's steps too, not only before it
                job.give_way = functools.partial(self._give_way, run)
            self._runs[run.id] = run
            if play:  # ask for a slot now: the queue keeps the order in which runs were made
                run._playing = True
                self._request(run)
            self._kick()
            return run

    def get(self, run_id: str, session: str) -> Run | None:
        """The run with this id if it belongs to ``session`` (else None: runs are private)."""
        with self._locked():
            run = self._runs.get(run_id)
        if run is None or not secrets.compare_digest(run.session, session):
            return None
        return run

    def runs(self, session: str | None = None) -> list[Run]:
        """The runs kept (of ``session``), oldest first."""
        with self._locked():
            self._sweep(time.monotonic())
            return [r for r in self._runs.values() if session is None or r.session == session]

    def latest(self, session: str) -> Run | None:
        """The session's newest run still kept (open first, else the newest ended one)."""
        mine = self.runs(session)
        open_ = [r for r in mine if not r.closed]
        return (open_ or mine or [None])[-1]

    def running_count(self) -> int:
        with self._locked():
            return len(self._running)

    def queue_length(self) -> int:
        with self._locked():
            return len(self._queue)

    def threads(self) -> list[threading.Thread]:
        """The manager's worker threads that are still alive."""
        with self._locked():
            return [t for t in self._workers if t.is_alive()]

    def sweep(self) -> None:
        """Apply the timers now (pause runs nobody watches, end expired ones)."""
        with self._locked():
            self._sweep(time.monotonic())
            self._kick()

    def shutdown(self, timeout: float = 10.0) -> None:
        """End every run and wait until the workers have closed their jobs and ended."""
        with self._locked():
            for run in list(self._runs.values()):
                self._end(run, "shutdown")
            self._kick()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # a worker may start another one while closing
            alive = self.threads()
            if not alive:
                break
            alive[0].join(max(0.0, deadline - time.monotonic()))

    # -- bookkeeping (lock held) ---------------------------------------------------------------
    def _info(self, run: Run) -> dict:
        return {
            "id": run.id,
            "kind": run.kind,
            "status": run.status,
            "position": run.position,
            "end_reason": run.end_reason,
            "error": run.error,
            "error_code": run.error_code,
            "error_params": run.error_params,
            "running": len(self._running),
            "max_running": self.max_running,
            "viewers": run.subscribers,
            "settings": run.meta,
        }

    def _publish(self, run: Run, events: Iterable[dict]) -> None:
        for event in events:
            run._seq += 1
            run._events.append((run._seq, event))
        self._news.notify_all()
        self._after.extend(run._waiters)

    def _set_status(self, run: Run, status: str) -> None:
        run.status = status
        event = {
            "type": "status",
            "status": status,
            "position": run.position,
            "running": len(self._running),
            "max_running": self.max_running,
        }
        if run.end_reason:
            event["reason"] = run.end_reason
        if run.error:
            event["error"] = run.error
            if run.error_code:
                event.update(code=run.error_code, params=run.error_params)
        self._publish(run, [event])

    def _request(self, run: Run) -> None:
        """Give ``run`` a slot now or put it at the end of the queue."""
        if run._has_slot:
            self._grant(run)
        elif len(self._running) < self.max_running and not self._queue:
            self._running.append(run)
            self._grant(run)
        elif run not in self._queue:
            self._queue.append(run)
            self._positions()

    def _grant(self, run: Run) -> None:
        run._has_slot = True
        run.position = None
        run._next_at = 0.0
        if run._playing:
            self._set_status(run, "running")

    def _release(self, run: Run) -> None:
        """Take ``run`` out of the slots and the queue; the next in line gets the slot."""
        run._has_slot = False
        run.position = None
        if run in self._running:
            self._running.remove(run)
        if run in self._queue:
            self._queue.remove(run)
        while self._queue and len(self._running) < self.max_running:
            nxt = self._queue.popleft()
            self._running.append(nxt)
            self._grant(nxt)
        self._positions()

    def _positions(self) -> None:
        for i, r in enumerate(self._queue, start=1):
            if r.position != i:
                r.position = i
                self._set_status(r, "queued")

    def _pause(self, run: Run, status: str) -> None:
        run._playing = False
        self._release(run)
        self._set_status(run, status)

    def _end(self, run: Run, reason: str) -> None:
        """The run ends: no more commands or events; a worker closes and drops its job."""
        if run._closed:
            return
        run._playing = False
        self._release(run)
        run.end_reason = reason
        run._commands.clear()
        self._set_status(run, "error" if run.error else "stopped")
        run._closed = True
        run.closed_at = time.monotonic()
        self._news.notify_all()
        self._after.extend(run._waiters)
        self._kick()

    def _apply(self, run: Run, name: str) -> None:
        """A command that only changes bookkeeping."""
        if name == "play":
            run._left = False
            if not run._playing:
                run._playing = True
                self._request(run)
        elif name == "pause":
            run._left = False
            if run._playing or run.status == "queued":
                self._pause(run, "paused")
        elif name == "stop":
            self._end(run, "stopped")

    def _command(self, run: Run, name: str, params: dict) -> None:
        if name not in COMMANDS:
            raise ValueError(f"unknown command {name!r}; allowed: {', '.join(COMMANDS)}")
        with self._locked():
            if run._closed:
                return
            run._last_command = time.monotonic()
            # While a worker computes a chunk, pause and play wait for it: the chunk's events
            # are published first, so a page never sees progress after "paused".
            if name in STATE_COMMANDS and not run._commands and (not run._busy or name == "stop"):
                self._apply(run, name)  # nothing before it: at once
            else:
                run._commands.append((name, params))
            self._kick()

    def _subscribe(self, run: Run, notify: Callable[[], None] | None) -> int:
        with self._locked():
            if self.max_streams and run.subscribers >= self.max_streams:
                raise StreamLimitError(f"this run already has {run.subscribers} viewers")
            run.subscribers += 1
            run._ever_watched = True
            if notify is not None:
                run._waiters.add(notify)
            if run._left and not run._closed:  # a viewer is back: play on where it was
                run._left = False
                run._playing = True
                self._request(run)
            self._kick()
            return run._seq

    def _unsubscribe(self, run: Run, notify: Callable[[], None] | None) -> None:
        with self._locked():
            run.subscribers = max(0, run.subscribers - 1)
            if notify is not None:
                run._waiters.discard(notify)
            if run.subscribers == 0:
                run._alone_since = time.monotonic()
            self._kick()

    def _sweep(self, now: float) -> None:
        """Pause runs nobody watches, end runs kept long enough, forget old summaries."""
        for rid, run in list(self._runs.items()):
            if run._closed:
                if (
                    run.job is None
                    and run.closed_at is not None
                    and now - run.closed_at > self.keep_closed
                ):
                    del self._runs[rid]
                continue
            if run.subscribers == 0:
                alone = now - run._alone_since
                grace = self.disconnect_grace if run._ever_watched else self.connect_grace
                if alone > self.keep:
                    self._end(run, "expired")
                    continue
                if alone > grace and run._playing:
                    run._left = True
                    self._pause(run, "paused")
            computing = run._playing and run._has_slot
            if not computing and now - run._last_command > self.idle_timeout:
                self._end(run, "idle")

    def _deadline(self, now: float) -> float:
        """When the timers next need a look (the worker that keeps them sleeps until then)."""
        soon = now + WAIT_CAP
        for run in self._runs.values():
            if run._closed:
                soon = min(soon, (run.closed_at or now) + self.keep_closed)
                continue
            if run._playing and run._has_slot and not run._busy:
                soon = min(soon, run._next_at)
            if run.subscribers == 0:
                grace = self.disconnect_grace if run._ever_watched else self.connect_grace
                if run._playing:
                    soon = min(soon, run._alone_since + grace)
                soon = min(soon, run._alone_since + self.keep)
            soon = min(soon, run._last_command + self.idle_timeout)
        return soon

    def _take(self, now: float) -> tuple[Run, str, dict] | None:
        """The next piece of work for a worker (the run is marked busy), or None."""
        for run in self._runs.values():
            if run._busy or run.job is None:
                continue
            if run._closed:
                run._busy = True
                return run, "close", {}
            if not run._started:
                run._busy = True
                return run, "start", {}
            while run._commands and run._commands[0][0] in STATE_COMMANDS:
                self._apply(run, run._commands.popleft()[0])
                if run._closed:
                    break
            if run._closed:
                run._busy = True
                return run, "close", {}
            if run._commands:
                name, params = run._commands.popleft()
                if name == "step" and run._playing:
                    self._pause(run, "paused")
                elif name == "reset" and (run._playing or run.status == "queued"):
                    self._pause(run, "idle")
                run._busy = True
                return run, name, params
        for run in self._runs.values():
            if (
                not run._busy
                and not run._closed
                and run.job is not None
                and run._playing
                and run._has_slot
                and now >= run._next_at
            ):
                run._busy = True
                return run, "advance", {}
        return None

    def _ready(self, now: float) -> bool:
        """Is there work a worker could take right now?"""
        for run in self._runs.values():
            if run._busy or run.job is None:
                continue
            if run._closed or not run._started or run._commands:
                return True
            if run._playing and run._has_slot and now >= run._next_at:
                return True
        return False

    def _kick(self) -> None:
        """Wake the workers; start one more if work waits and none is free."""
        self._work.notify_all()
        if (
            self._idle == 0
            and len(self._workers) < self.max_workers
            and self._ready(time.monotonic())
        ):
            worker = threading.Thread(
                target=self._worker, name=f"convolab-runs-{len(self._workers)}", daemon=True
            )
            self._workers.append(worker)
            self._after.append(worker.start)

    def _has_open(self) -> bool:
        return any(not r._closed or r.job is not None for r in self._runs.values())

    # -- the workers ---------------------------------------------------------------------------
    def _worker(self) -> None:
        me = threading.current_thread()
        nice = 0
        while True:
            with self._locked():
                while True:
                    now = time.monotonic()
                    self._sweep(now)
                    task = self._take(now)
                    if task is not None:
                        self._kick()  # more work waiting? another worker takes it
                        break
                    if self._idle > 0 or not self._has_open():
                        self._workers.remove(me)  # one idle worker is enough; none if no runs
                        return
                    self._idle += 1
                    self._work.wait(max(0.005, self._deadline(now) - now))
                    self._idle -= 1
            run, what, params = task
            job = run.job
            if what == "advance":
                self._give_way(run)
            if job.nice > nice:  # Linux: niceness is per thread (it can only go up)
                try:
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), job.nice)
                    nice = job.nice
                except (AttributeError, OSError):  # pragma: no cover - other systems
                    nice = job.nice
            self._work_on(run, job, what, params)

    def _give_way(self, run: Run) -> None:
        """Before a training chunk and between its steps (``Job.give_way``; no lock held):
        while ``yield_to()`` says interactive work is running, wait a little, at most
        ``YIELD_MAX`` seconds each time, and not at all once a command for the run waits.

        A lower CPU priority (``Job.nice``) is not enough: a training thread holds Python's
        GIL between its PyTorch calls, and a thread of low priority that is descheduled
        while holding it makes every request wait. So trainings step aside for the
        explorer's applies (a class of 30 uses the pool about half the time) and go on as
        soon as it is free: before each batch of a CNN and every few steps of a filter, so
        that a quarter of a second of training does not run through a burst of applies.
        The run counts as busy meanwhile, as during a chunk: a command for it (pause, stop)
        waits until the chunk ends, which then no longer waits (``run._commands`` and
        ``run._closed`` are read without the lock: a hint, as ``yield_to``)."""
        check = self.yield_to
        if check is None:
            return
        until = time.monotonic() + YIELD_MAX
        try:
            while check() and time.monotonic() < until and not run._commands and not run._closed:
                time.sleep(YIELD_POLL)
        except Exception:  # noqa: BLE001 - a broken check must not stop the training
            log.exception("yield_to failed")

    def _work_on(self, run: Run, job: Job, what: str, params: dict) -> None:
        """Call the job (no lock held), then record what came of it."""
        started = time.monotonic()
        events: list[dict] = []
        finished = False
        fatal: str | None = None
        problem: str | None = None
        coded: dict = {}  # a ConvolabError's code and params, for the page's language
        try:
            if what == "close":
                job.close()
            elif what == "start":
                events = list(job.start())
            elif what == "advance":
                events, finished = job.advance()
            elif what == "step":
                events = list(job.step())
            elif what == "reset":
                events = list(job.reset(**params))
            elif what == "configure":
                events = list(job.configure(**params))
            elif what == "snapshot":
                events = [dict(job.snapshot(), type="snapshot")]
        except (ValueError, TypeError) as exc:  # bad settings or data: the message says why
            message = str(exc) or exc.__class__.__name__
            if isinstance(exc, ConvolabError):
                coded = {"code": exc.code, "params": exc.params}
            if what in ("start", "advance"):
                log.warning("run %s (%s) failed: %s", run.id, run.kind, exc)
                fatal = message
            else:
                problem = message
        except Exception as exc:  # a bug: tell the page, log the traceback, end cleanly
            if what == "close":
                log.exception("closing run %s failed", run.id)
            else:
                log.exception("run %s (%s) failed", run.id, run.kind)
                fatal = str(exc) or exc.__class__.__name__
        with self._locked():
            run._busy = False
            if what == "close":
                self._drop(run)
            elif not run._closed:
                if what == "start":
                    run._started = True
                if fatal is not None:
                    run.error = fatal
                    run.error_code = coded.get("code")
                    run.error_params = coded.get("params", {})
                    self._end(run, "error")
                elif problem is not None:
                    event = {"type": "problem", "command": what, "error": problem, **coded}
                    self._publish(run, [event])
                else:
                    if what == "snapshot":
                        for e in events:
                            e.update(status=run.status, position=run.position)
                    self._publish(run, events)
                    if what == "advance":
                        if finished:
                            self._pause(run, "finished")
                        else:
                            run._next_at = started + max(0.0, float(job.pace))
                    elif what == "reset":
                        self._set_status(run, "idle")
            self._kick()

    def _drop(self, run: Run) -> None:
        """After the job was closed: forget it and all but the last event (its status)."""
        run.job = None
        last = run._events[-1] if run._events else None
        run._events.clear()
        if last is not None:
            run._events.append(last)
        run._waiters.clear()
