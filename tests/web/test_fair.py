"""The explorer's compute pool is fair per client: capped, superseded, round-robin.

The queue itself with real threads (order of work started), then a real uvicorn server on
127.0.0.1 with one client (source address 127.0.0.2) flooding 40 applies at once while
another (127.0.0.3) sends a few: bounded in count and time, asserted on the work done.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn

from convolab.web import fair, images
from convolab.web.app import create_app
from convolab.web.errors import ApiError

# --- the queue on its own ---------------------------------------------------------------------


def run_fresh(scenario):
    """Run ``scenario()`` with asyncio.run in a thread of its own: a browser test in the same
    worker process (Playwright's sync API) may have left an event loop running in this one."""
    out = {}

    def target():
        try:
            out["value"] = asyncio.run(scenario())
        except BaseException as exc:  # handed to the test thread below
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the scenario did not finish within 120 s"
    if "error" in out:
        raise out["error"]
    return out["value"]


def _blocked_job(gate: threading.Event, log: list, name: str):
    def work():
        gate.wait(10)
        log.append(name)
        return name

    return work


def test_clients_take_turns_so_one_waiting_job_is_not_behind_many():
    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            q = fair.FairQueue(pool, slots=1, per_client=8)
            gate, log = threading.Event(), []
            tasks = [
                asyncio.create_task(q.call("flood", _blocked_job(gate, log, f"a{i}")))
                for i in range(7)
            ]
            await asyncio.sleep(0.05)  # a0 runs (held by the gate), a1..a6 wait
            tasks.append(asyncio.create_task(q.call("pupil", _blocked_job(gate, log, "b"))))
            await asyncio.sleep(0.05)
            gate.set()
            results = await asyncio.gather(*tasks)
            return log, results, q.snapshot()

    log, results, snap = run_fresh(scenario)
    # first come first served would run b last (after a1..a6); round-robin runs it next
    assert log[:3] == ["a0", "b", "a1"]
    assert sorted(log) == sorted([f"a{i}" for i in range(7)] + ["b"])
    assert results[-1] == ("b", 0)  # no apply started while it waited (a0 was running)
    assert results[1] == ("a1", 1)  # a1 waited for b
    assert snap["running"] == 0 and snap["waiting"] == 0 and snap["clients"] == 0


def test_a_newer_apply_supersedes_the_older_waiting_one():
    async def scenario():
        with ThreadPoolExecutor(2) as pool:
            q = fair.FairQueue(pool, slots=2, per_client=2)
            gate, log = threading.Event(), []
            first = asyncio.create_task(q.call("p", _blocked_job(gate, log, "1")))
            await asyncio.sleep(0.05)
            second = asyncio.create_task(q.call("p", _blocked_job(gate, log, "2")))
            await asyncio.sleep(0.05)  # 1 runs; 2 waits although a thread is free (1 per client)
            third = asyncio.create_task(q.call("p", _blocked_job(gate, log, "3")))
            await asyncio.sleep(0.05)
            gate.set()
            out = await asyncio.gather(first, second, third, return_exceptions=True)
            return log, out, q.snapshot()

    log, (first, second, third), snap = run_fresh(scenario)
    assert first == ("1", 0) and third[0] == "3"
    assert isinstance(second, ApiError) and second.status == 409 and second.code == "superseded"
    assert log == ["1", "3"]  # the superseded one never ran
    assert snap["superseded"] == 1 and snap["running"] == 0 and snap["clients"] == 0


def test_one_at_a_time_refuses_with_429():
    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            q = fair.FairQueue(pool, slots=1, per_client=1)
            gate, log = threading.Event(), []
            first = asyncio.create_task(q.call("p", _blocked_job(gate, log, "1")))
            await asyncio.sleep(0.05)
            with pytest.raises(ApiError) as info:
                await q.call("p", _blocked_job(gate, log, "2"))
            other = asyncio.create_task(q.call("q", _blocked_job(gate, log, "3")))
            gate.set()
            return info.value, await first, await other, log

    err, first, other, log = run_fresh(scenario)
    assert err.status == 429 and err.code == "too_many_applies"
    assert first == ("1", 0) and other[0] == "3" and log == ["1", "3"]


def test_a_cancelled_waiting_apply_leaves_the_queue():
    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            q = fair.FairQueue(pool, slots=1, per_client=4)
            gate, log = threading.Event(), []
            first = asyncio.create_task(q.call("p", _blocked_job(gate, log, "1")))
            await asyncio.sleep(0.05)
            second = asyncio.create_task(q.call("p", _blocked_job(gate, log, "2")))
            await asyncio.sleep(0.05)
            second.cancel()
            await asyncio.sleep(0.05)
            gate.set()
            await first
            return log, q.snapshot()

    log, snap = run_fresh(scenario)
    assert log == ["1"] and snap["waiting"] == 0 and snap["clients"] == 0


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(fair.PER_CLIENT_ENV, "3")
    assert fair.per_client_from_env() == 3
    monkeypatch.delenv(fair.PER_CLIENT_ENV)
    assert fair.per_client_from_env() == fair.DEFAULT_PER_CLIENT == 2
    for bad in ("0", "two"):
        monkeypatch.setenv(fair.PER_CLIENT_ENV, bad)
        with pytest.raises(ValueError, match=fair.PER_CLIENT_ENV):
            fair.per_client_from_env()


# --- a real server, a real flood ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def _client(source: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(transport=transport, timeout=60)


BODY = {"sample": "chelsea", "filter": "sobel-x", "border": "reflect"}


def test_a_flood_from_one_computer_does_not_delay_another(server):
    queue = images.APPLY_QUEUE
    before = queue.snapshot()
    flood_answers: list[httpx.Response] = []
    pupil_answers: list[httpx.Response] = []
    stop = threading.Event()

    with _client("127.0.0.2") as c:  # warm up (sample decoded once), not counted
        assert c.post(f"{server}/api/apply", json=BODY).status_code == 200

    def flood():
        with _client("127.0.0.2") as c:

            def one(i):
                body = dict(BODY, filter=["sobel-x", "sobel-y", "emboss", "sharpen"][i % 4])
                return c.post(f"{server}/api/apply?lang=nl", json=body)

            with ThreadPoolExecutor(40) as pool:
                flood_answers.extend(pool.map(one, range(40)))

    def pupil():
        with _client("127.0.0.3") as c:
            for _ in range(5):
                if stop.is_set():
                    break
                pupil_answers.append(c.post(f"{server}/api/apply", json=BODY))

    flooder = threading.Thread(target=flood)
    flooder.start()
    time.sleep(0.2)  # the flood is under way
    pupil_thread = threading.Thread(target=pupil)
    pupil_thread.start()
    pupil_thread.join(120)
    flooder.join(120)
    stop.set()
    assert not flooder.is_alive() and not pupil_thread.is_alive()

    # the other pupil: every apply answered, never queued behind the flood
    assert [r.status_code for r in pupil_answers] == [200] * 5
    ahead = [int(r.headers["X-Queue-Ahead"]) for r in pupil_answers]
    assert max(ahead) <= 1, ahead  # at most the flood's one waiting apply went first

    # the flood: only 200s and the documented 409 superseded / 429, in the one shape, Dutch
    codes = [r.status_code for r in flood_answers]
    assert len(codes) == 40 and set(codes) <= {200, 409, 429}, codes
    assert codes.count(409) + codes.count(429) >= 20  # most of the flood was never computed
    for r in flood_answers:
        if r.status_code != 200:
            body = r.json()
            assert body["ok"] is False and body["status"] == r.status_code
            assert body["code"] in ("superseded", "too_many_applies")
            assert "computer" in body["error"] and "berekening" in body["error"]

    after = queue.snapshot()
    flood_done = codes.count(200)
    assert after["started"] - before["started"] == 1 + flood_done + 5  # the work really done
    assert after["superseded"] - before["superseded"] == codes.count(409)
    assert after["running"] == 0 and after["waiting"] == 0


def test_busy_while_running_and_a_moment_after(monkeypatch):
    """The hint for trainings (``RunManager.yield_to``): busy while an apply runs and for
    ``BUSY_LINGER`` seconds after the last one ended, so trainings stay aside through the
    short gaps of a class's applies; idle again afterwards."""

    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            q = fair.FairQueue(pool, slots=1, per_client=2)
            assert not q.busy()  # nothing ran yet
            gate, seen = threading.Event(), []

            def work():
                seen.append(q.busy())
                gate.wait(10)

            task = asyncio.ensure_future(q.call("a", work))
            while not seen:
                await asyncio.sleep(0.01)
            gate.set()
            await task
            monkeypatch.setattr(fair, "BUSY_LINGER", 3600.0)
            after = q.busy()
            monkeypatch.setattr(fair, "BUSY_LINGER", 0.0)
            return seen[0], after, q.busy()

    running, lingering, later = run_fresh(scenario)
    assert running and lingering and not later
