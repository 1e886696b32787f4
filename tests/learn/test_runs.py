"""The run manager: queue and slots, sessions and clients, viewers who leave, memory freed."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import pytest

from convolab.learn.jobs import FilterJob, NetworkJob
from convolab.learn.runs import Job, RunLimitError, RunManager, StreamLimitError


class Counter(Job):
    """A job that counts: ``advance`` adds one (and takes ``pause`` seconds)."""

    kind = "count"
    nice = 0

    def __init__(self, until=10**9, chunk=0.01, fail_at=None):
        self.n = 0
        self.until = until
        self.chunk = chunk
        self.fail_at = fail_at

    def advance(self):
        time.sleep(self.chunk)
        self.n += 1
        if self.fail_at is not None and self.n >= self.fail_at:
            raise RuntimeError("boom")
        return [{"type": "count", "n": self.n}], self.n >= self.until

    def step(self):
        self.n += 1
        return [{"type": "count", "n": self.n}]

    def snapshot(self):
        return {"n": self.n}


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def manager():
    m = RunManager(max_running=1, connect_grace=30, disconnect_grace=0.3)
    yield m
    m.shutdown()
    assert not m.threads()


def test_at_most_n_run_and_the_rest_queue_in_order(manager):
    runs = [manager.create(f"s{i}", Counter(), play=True) for i in range(3)]
    assert wait_for(lambda: runs[0].status == "running")
    assert wait_for(lambda: runs[1].status == "queued" and runs[2].status == "queued")
    assert (runs[1].position, runs[2].position) == (1, 2)
    assert manager.running_count() == 1 and manager.queue_length() == 2
    n1 = runs[1].job.n
    time.sleep(0.2)
    assert runs[1].job.n == n1 == 0  # a queued run does not compute
    runs[0].command("pause")
    assert wait_for(lambda: runs[1].status == "running")
    assert wait_for(lambda: runs[2].position == 1)
    assert runs[0].status == "paused"
    runs[1].stop()
    assert wait_for(lambda: runs[2].status == "running")
    events, _ = runs[2].events_after(0)
    positions = [
        e["position"] for _, e in events if e["type"] == "status" and e["status"] == "queued"
    ]
    assert positions == [2, 1]


def test_two_slots_run_two_at_once():
    m = RunManager(max_running=2, connect_grace=30)
    try:
        runs = [m.create(f"s{i}", Counter(), play=True) for i in range(3)]
        assert wait_for(lambda: [r.status for r in runs] == ["running", "running", "queued"])
    finally:
        m.shutdown()


def test_runs_are_private_to_their_session(manager):
    run = manager.create("alice", Counter())
    assert manager.get(run.id, "alice") is run
    assert manager.get(run.id, "bob") is None
    assert manager.get("nope", "alice") is None


def test_step_pause_and_finish(manager):
    run = manager.create("s", Counter(until=5, chunk=0.0))
    run.subscribe()
    run.command("step")
    assert wait_for(lambda: run.job.n == 1)
    run.command("play")
    assert wait_for(lambda: run.status == "finished")
    assert run.job.n == 5
    assert manager.running_count() == 0  # the slot is free again
    run.command("snapshot")
    assert wait_for(lambda: any(e["type"] == "snapshot" for _, e in run.events_after(0)[0]))
    assert not run.closed and run.job is not None  # finished, but kept for more commands


def test_a_run_nobody_watches_pauses_gives_its_slot_and_plays_on_when_a_viewer_is_back():
    m = RunManager(max_running=1, connect_grace=0.3, disconnect_grace=0.3, keep=30)
    try:
        never = m.create("s", Counter(), play=True)
        watched = m.create("t", Counter(), play=True)
        watched.subscribe()
        assert wait_for(lambda: never.status == "paused", 3)
        assert not never.closed and never.job is not None  # kept, with its work so far
        assert wait_for(lambda: watched.status == "running")  # got the slot
        time.sleep(0.1)  # a chunk that was under way when it paused ends
        n = never.job.n
        time.sleep(0.3)
        assert never.job.n == n  # a paused run does not compute
        watched.unsubscribe()  # the browser tab went to another page
        assert wait_for(lambda: watched.status == "paused", 3)
        assert m.running_count() == 0
        done = watched.job.n
        watched.subscribe()  # ...and came back: it plays on where it was
        assert wait_for(lambda: watched.status == "running", 3)
        assert wait_for(lambda: watched.job.n > done, 3)
        watched.command("pause")  # a pupil's own pause is not undone by coming back
        assert wait_for(lambda: watched.status == "paused")
        watched.unsubscribe()
        watched.subscribe()
        time.sleep(0.3)
        assert watched.status == "paused"
    finally:
        m.shutdown()
    assert not m.threads()


def test_a_run_nobody_watches_for_the_keep_time_ends_and_the_workers_end():
    m = RunManager(max_running=1, connect_grace=0.2, disconnect_grace=0.2, keep=0.6)
    run = m.create("s", Counter(), play=True)
    run.subscribe()
    assert wait_for(lambda: run.status == "running")
    run.unsubscribe()
    assert wait_for(lambda: run.status == "paused", 3)
    assert wait_for(lambda: run.closed, 3)
    assert run.end_reason == "expired"
    assert wait_for(lambda: run.job is None, 3)  # closed and dropped
    assert wait_for(lambda: not m.threads(), 3)
    events, closed = run.events_after(0)
    assert closed and events[-1][1]["status"] == "stopped"
    assert events[-1][1]["reason"] == "expired"


def test_an_ended_run_no_longer_holds_its_model():
    m = RunManager(max_running=1, connect_grace=30)
    job = NetworkJob(dataset="digits", epochs=1, train_limit=100, report_every=0.0)
    run = m.create("s", job, play=True)
    try:
        assert wait_for(lambda: run.status == "finished", 60)
        model = weakref.ref(job.trainer.model)
        data = weakref.ref(job.trainer._x_train)
        del job
        assert model() is not None  # a finished run keeps its model (the page may predict)
        run.stop()
        assert wait_for(lambda: run.job is None, 5)
        gc.collect()
        assert model() is None and data() is None
        assert run.info()["status"] == "stopped"
        assert len(run.events_after(0)[0]) == 1  # only the last word is kept
    finally:
        m.shutdown()


def test_shutdown_ends_every_run_and_closes_their_jobs():
    closed = []

    class Closing(Counter):
        def close(self):
            closed.append(self)

    m = RunManager(max_running=1, connect_grace=30)
    runs = [m.create(f"s{i}", Closing(), play=True) for i in range(3)]
    assert wait_for(lambda: runs[0].status == "running")
    m.shutdown()
    assert all(r.closed and r.end_reason == "shutdown" for r in runs)
    assert len(closed) == 3 and not m.threads()


def test_a_failing_job_ends_with_an_error_event(manager):
    run = manager.create("s", Counter(fail_at=3), play=True)
    assert wait_for(lambda: run.closed)
    assert run.status == "error" and run.error == "boom"
    assert manager.running_count() == 0
    assert wait_for(lambda: run.job is None)


def test_a_bad_command_is_reported_and_the_run_goes_on(manager):
    run = manager.create("s", FilterJob(target="blur", size=32))
    run.command("configure", lr=-1)
    assert wait_for(lambda: any(e["type"] == "problem" for _, e in run.events_after(0)[0]))
    problem = next(e for _, e in run.events_after(0)[0] if e["type"] == "problem")
    assert "lr (learning rate)" in problem["error"]
    assert not run.closed
    with pytest.raises(ValueError, match="unknown command"):
        run.command("explode")


def test_a_new_run_replaces_the_oldest_of_the_same_session():
    m = RunManager(max_running=4, max_per_session=2, connect_grace=30)
    try:
        a, b = m.create("s", Counter()), m.create("s", Counter())
        c = m.create("s", Counter())
        assert wait_for(lambda: a.closed)
        assert a.end_reason == "replaced" and not b.closed and not c.closed
    finally:
        m.shutdown()


def test_the_server_refuses_runs_when_full():
    m = RunManager(max_running=1, max_runs=2, connect_grace=30)
    try:
        m.create("a", Counter())
        m.create("b", Counter())
        with pytest.raises(RunLimitError):
            m.create("c", Counter())
    finally:
        m.shutdown()


def test_a_client_cannot_get_more_runs_with_fresh_sessions():
    m = RunManager(max_running=4, max_per_client=2, connect_grace=30)
    try:
        a = m.create("s1", Counter(), client="10.0.0.5")
        b = m.create("s2", Counter(), client="10.0.0.5")
        a.subscribe()
        c = m.create("s3", Counter(), client="10.0.0.5")  # replaces b: nobody watches it
        assert wait_for(lambda: b.closed) and b.end_reason == "replaced"
        c.subscribe()
        with pytest.raises(RunLimitError) as info:  # both watched: refused
            m.create("s4", Counter(), client="10.0.0.5")
        assert info.value.scope == "client"
        other = m.create("s5", Counter(), client="10.0.0.6")  # another computer is not limited
        assert not other.closed and not a.closed and not c.closed
    finally:
        m.shutdown()


def test_streams_per_run_are_capped(manager):
    manager.max_streams = 2
    run = manager.create("s", Counter())
    run.subscribe()
    run.subscribe()
    with pytest.raises(StreamLimitError):
        run.subscribe()
    run.unsubscribe()
    run.subscribe()
    assert run.info()["viewers"] == 2


def test_a_waiting_viewer_is_woken_by_new_events(manager):
    woken = threading.Event()
    run = manager.create("s", Counter(until=2, chunk=0.0))
    seq = run.subscribe(woken.set)
    run.command("step")
    assert woken.wait(5)
    events, _ = run.events_after(seq)
    assert [e["n"] for _, e in events if e["type"] == "count"] == [1]
    run.wait(events[-1][0], 0.05)  # nothing new: returns after the timeout


def test_filter_job_streams_frames_until_converged(manager):
    run = manager.create("s", FilterJob(target="sobel-x", speed="max"), play=True)
    run.subscribe()
    assert wait_for(lambda: run.status == "finished", 20)
    events = [e for _, e in run.events_after(0)[0]]
    init = next(e for e in events if e["type"] == "init")
    assert init["achievable"] is True and init["state"]["step"] == 0
    frames = [e for e in events if e["type"] == "frame"]
    assert frames[-1]["state"]["status"] == "converged"
    losses = [v for f in frames for _, v in f["losses"]]
    assert len(losses) == frames[-1]["state"]["step"]  # every step's loss was sent once
    assert frames[-1]["output"].startswith("data:image/png;base64,")


def test_network_job_reports_and_threads_end():
    before = threading.active_count()
    m = RunManager(max_running=1, connect_grace=30, disconnect_grace=0.2, keep=0.5)
    job = NetworkJob(dataset="digits", epochs=1, train_limit=200, report_every=0.0)
    run = m.create("s", job, play=True)
    run.subscribe()
    assert wait_for(lambda: run.status == "finished", 30)
    kinds = [e.get("kind") for _, e in run.events_after(0)[0] if e["type"] == "progress"]
    assert "epoch" in kinds and kinds[-1] == "done"
    run.unsubscribe()
    assert wait_for(lambda: run.closed and not m.threads(), 5)
    assert threading.active_count() <= before


def test_network_job_checks_settings_before_starting():
    with pytest.raises(ValueError, match="lr"):
        NetworkJob(lr=-1)
    with pytest.raises(ValueError, match="epochs"):
        NetworkJob(epochs=0)
    with pytest.raises(ValueError, match="dataset"):
        NetworkJob(dataset="cifar")


def test_trainings_step_aside_while_interactive_work_runs():
    """``yield_to``: while it says the explorer computes, no chunk starts (for at most
    YIELD_MAX seconds each); commands are not held up; a failing check is only logged."""
    from convolab.learn import runs as runs_module

    busy = threading.Event()
    busy.set()
    m = RunManager(max_running=1, connect_grace=30, yield_to=busy.is_set)
    try:
        run = m.create("s", Counter(chunk=0.0), play=True)
        run.subscribe()
        assert wait_for(lambda: run.status == "running")
        time.sleep(0.3)
        held = run.job.n
        # busy all the time: chunks still come, one per YIELD_MAX at most
        assert held <= 0.3 / runs_module.YIELD_MAX + 2
        busy.clear()
        assert wait_for(lambda: run.job.n > held + 50)  # free: at full speed again
        busy.set()
        run.command("pause")
        assert wait_for(lambda: run.status == "paused", timeout=runs_module.YIELD_MAX + 0.5)
    finally:
        m.shutdown()

    def broken():
        raise RuntimeError("no queue")

    m = RunManager(max_running=1, connect_grace=30, yield_to=broken)
    try:
        run = m.create("s", Counter(until=20, chunk=0.0), play=True)
        run.subscribe()
        assert wait_for(lambda: run.status == "finished")
    finally:
        m.shutdown()


def test_filter_chunks_give_way_between_pieces_and_learn_the_same():
    from convolab.learn.jobs import STEPS_BETWEEN_WAYS

    job = FilterJob(target="sobel-x", speed="max", size=32, max_steps=1000)
    twin = FilterJob(target="sobel-x", speed="max", size=32, max_steps=1000)
    calls = []
    job.give_way = lambda: calls.append(job.learner.steps_done)
    job.start()
    twin.start()
    job.advance()
    n = job.per_frame
    assert n > STEPS_BETWEEN_WAYS  # speed max: several pieces per chunk
    assert calls == list(range(STEPS_BETWEEN_WAYS, n, STEPS_BETWEEN_WAYS))
    twin.learner.step(n)  # one piece: the same steps, the same numbers
    assert job.learner.steps_done == twin.learner.steps_done == n
    assert job.learner.history == twin.learner.history
    assert (job.learner.kernel == twin.learner.kernel).all()


def test_the_manager_lets_jobs_give_way_only_when_it_has_something_to_yield_to():
    busy = threading.Event()
    m = RunManager(max_running=1, connect_grace=30, yield_to=busy.is_set)
    plain = RunManager(max_running=1, connect_grace=30)
    try:
        job, other = Counter(chunk=0.0), Counter(chunk=0.0)
        run = m.create("s", job)
        plain.create("s", other)
        assert job.give_way.func == m._give_way and job.give_way.args == (run,)
        assert other.give_way() is None and "give_way" not in vars(other)  # the no-op
    finally:
        m.shutdown()
        plain.shutdown()


def test_a_waiting_command_ends_the_giving_way():
    """A training steps aside while the explorer computes, but not while its pupil waits for
    it: with a command queued (or the run ended) ``give_way`` returns at once."""
    busy = threading.Event()
    busy.set()
    m = RunManager(max_running=1, connect_grace=30, yield_to=busy.is_set)
    try:
        job = Counter(chunk=0.0)
        run = m.create("s", job)
        run._commands.append(("pause", {}))  # as Run.command leaves it while a chunk runs
        t = time.monotonic()
        job.give_way()
        assert time.monotonic() - t < runs_module_yield_max() / 2
        run._commands.clear()
    finally:
        m.shutdown()


def runs_module_yield_max() -> float:
    from convolab.learn import runs as runs_module

    return runs_module.YIELD_MAX
