"""Learn-a-filter API: pages, runs per session, the event stream, the queue, disconnects, errors.

Streams are read from a real uvicorn server in this process (the test client cannot stream
an endless response), so the tests can also look at the run manager's threads.
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
import warnings

import httpx
import pytest
import uvicorn

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", r"Using `httpx` with `starlette.testclient`", Warning)
    from fastapi.testclient import TestClient

from convolab.web.app import create_app


class Server:
    """The app in a uvicorn server on a free port, in a thread of this process."""

    def __init__(self, app):
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)
        for m in (getattr(self.app.state, "learn_runs", None) or {}).values():
            m.shutdown()


def read_events(lines, until, timeout=30.0):
    """Read SSE ``data:`` events from ``lines`` (``response.iter_lines()`` of a stream) until
    ``until(event)``."""
    events = []
    deadline = time.monotonic() + timeout
    for line in lines:
        if line.startswith("data: "):
            event = json.loads(line[6:])
            events.append(event)
            if until(event):
                return events
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"event not seen; got {[e['type'] for e in events][-10:]}")


def wait_for(predicate, timeout=8.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


def assert_error(r, status, code=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    if code:
        assert body["code"] == code
    return body


# -- pages -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "words"),
    [("/convolutie/leren", "Een filter leren"), ("/en/convolution/learn", "Learn a filter")],
)
def test_page_in_both_languages_sets_a_session(client, url, words):
    r = client.get(url)
    assert r.status_code == 200 and words in r.text
    assert "/static/learn/learn.js" in r.text and 'id="i18n-learn"' in r.text
    assert client.cookies.get("convolab_session")
    for option in ("sharpen", "sobel-x", "threshold", "mirror", "custom"):
        assert f'value="{option}"' in r.text


# -- runs ------------------------------------------------------------------------------------------
def test_create_step_and_read_a_run(client):
    r = client.post("/api/learn/runs", json={"target": "sharpen", "size": 32})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["ok"] and body["run"]["kind"] == "filter"
    assert body["events"] == f"/api/learn/runs/{body['run']['id']}/events"
    rid = body["run"]["id"]
    r = client.post(f"/api/learn/runs/{rid}/control", json={"action": "step"})
    assert r.status_code == 200 and r.json()["run"]["id"] == rid
    assert client.get(f"/api/learn/runs/{rid}").json()["run"]["status"] in ("idle", "paused")
    assert client.delete(f"/api/learn/runs/{rid}").json()["ok"]


def test_a_run_of_another_session_is_not_found(client):
    rid = client.post("/api/learn/runs", json={"size": 32}).json()["run"]["id"]
    with TestClient(client.app) as other:
        assert_error(other.get(f"/api/learn/runs/{rid}"), 404, "run_not_found")
        assert_error(other.post(f"/api/learn/runs/{rid}/control", json={"action": "play"}), 404)
        assert_error(other.get(f"/api/learn/runs/{rid}/events"), 404)
    r = client.get("/api/learn/runs/does-not-exist?lang=en")
    assert "does not exist" in assert_error(r, 404)["error"]


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        ({"lr": -1}, 400, "invalid_lr", "leersnelheid"),
        ({"lr": 0}, 400, "invalid_lr", "leersnelheid"),
        ({"lr": 100}, 400, "invalid_lr", "leersnelheid"),
        ({"target": "sharpn"}, 400, "unknown_target", "sharpen"),
        ({"target": "custom"}, 400, "missing_kernel", "filter"),
        ({"target": "custom", "kernel": "1 2; x 4"}, 400, "cell_not_a_number", "x"),
        (
            {"target": "custom", "kernel": "; ".join(["1 " * 12] * 12)},
            400,
            "learn_kernel_too_large",
            "9 × 9",
        ),
        ({"image": "moon"}, 400, "unknown_sample", "moon"),
        ({"size": 4}, 400, "learn_size", "grootte"),
        ({"optimizer": "rmsprop"}, 422, "invalid_request", "optimizer"),
        ({"speed": "warp"}, 422, "invalid_request", "speed"),
        ({"bogus": 1}, 422, "invalid_request", "bogus"),
        ({"seed": -3}, 422, "invalid_request", "seed"),
    ],
)
def test_bad_settings_are_4xx_in_the_one_shape(client, body, status, code, words):
    body = assert_error(client.post("/api/learn/runs", json=body), status, code)
    assert words in body["error"]


def test_nan_learning_rate_is_refused(client):
    r = client.post(
        "/api/learn/runs",
        content=b'{"lr": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code in (400, 422)
    assert r.json()["ok"] is False


def test_bad_control(client):
    rid = client.post("/api/learn/runs", json={"size": 32}).json()["run"]["id"]
    assert_error(client.post(f"/api/learn/runs/{rid}/control", json={"action": "explode"}), 422)
    assert_error(
        client.post(f"/api/learn/runs/{rid}/control", json={"action": "configure", "lr": -2}),
        400,
        "invalid_lr",
    )
    assert_error(client.post(f"/api/learn/runs/{rid}/control", json={}), 422)


# -- the stream (a real server) --------------------------------------------------------------------
def test_the_stream_shows_the_kernel_converge_and_leaving_keeps_the_run(monkeypatch):
    monkeypatch.setenv("CONVOLAB_RUN_KEEP", "3")
    app = create_app()
    with Server(app) as srv, httpx.Client(base_url=srv.base, timeout=30) as http:
        r = http.post("/api/learn/runs", json={"target": "emboss", "speed": "max"})
        assert r.status_code == 201
        rid, events_url = r.json()["run"]["id"], r.json()["events"]
        with http.stream("GET", events_url) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            first = read_events(lines, lambda e: e["type"] == "snapshot")
            assert first[-1]["state"]["step"] == 0
            assert first[-1]["images"]["target"].startswith("data:image/png;base64,")
            k0 = first[-1]["state"]["kernel"]
            http.post(f"/api/learn/runs/{rid}/control", json={"action": "play"})
            events = read_events(
                lines,
                lambda e: e["type"] == "frame" and e["state"]["status"] == "converged",
            )
            frames = [e for e in events if e["type"] == "frame"]
            assert frames[0]["state"]["kernel"] != k0  # the kernel changes...
            last = frames[-1]["state"]
            assert last["max_abs_error"] <= 0.01 and last["step"] <= 300  # ...and converges
            losses = [v for f in frames for _, v in f["losses"]]
            assert losses[-1] < losses[0] / 1000
            assert all(math.isfinite(v) for v in losses)
            assert any(e["type"] == "status" and e["status"] == "running" for e in events)
        # the stream is closed now, as when the pupil goes to another page: the run is kept
        latest = http.get("/api/learn/runs").json()
        assert latest["run"]["id"] == rid and latest["events"] == events_url
        assert latest["run"]["status"] == "finished"
        with http.stream("GET", events_url) as stream:  # coming back: everything is there
            snap = read_events(stream.iter_lines(), lambda e: e["type"] == "snapshot")[-1]
        assert snap["state"]["step"] == last["step"] and snap["state"]["kernel"] == last["kernel"]
        assert snap["status"] == "finished"
        # nobody came back within the keep time (3 s here): the run ends, its job is dropped
        run = app.state.learn_runs["filter"].get(rid, http.cookies["convolab_session"])
        assert wait_for(lambda: run.closed, 8)
        assert run.end_reason == "expired" and wait_for(lambda: run.job is None, 3)
        assert http.get(f"/api/learn/runs/{rid}").json()["run"]["status"] == "stopped"
        assert wait_for(lambda: not app.state.learn_runs["filter"].threads(), 3)


def test_a_non_filter_target_streams_the_honest_numbers():
    app = create_app()
    with Server(app) as srv, httpx.Client(base_url=srv.base, timeout=30) as http:
        r = http.post("/api/learn/runs", json={"target": "threshold", "speed": "max"})
        rid = r.json()["run"]["id"]
        with http.stream("GET", r.json()["events"]) as stream:
            lines = stream.iter_lines()
            snap = read_events(lines, lambda e: e["type"] == "snapshot")[-1]
            http.post(f"/api/learn/runs/{rid}/control", json={"action": "play"})
            events = read_events(
                lines, lambda e: e["type"] == "frame" and e["state"]["status"] == "at_floor"
            )
        assert snap["achievable"] is False and snap["convolution"] is False
        assert snap["explained"] < 0.9 and snap["state"]["target_kernel"] is None
        last = [e for e in events if e["type"] == "frame"][-1]["state"]
        assert last["loss"] >= snap["floor_loss"] * 0.9999 > 0


def test_the_queue_limit_and_positions(monkeypatch):
    monkeypatch.setenv("CONVOLAB_MAX_FILTER_RUNS", "1")
    monkeypatch.setenv("CONVOLAB_RUN_KEEP", "4")
    app = create_app()
    with Server(app) as srv:
        clients = [httpx.Client(base_url=srv.base, timeout=30) for _ in range(3)]
        try:
            ids = []
            for c in clients:
                r = c.post("/api/learn/runs", json={"speed": "slow", "size": 32, "play": True})
                ids.append(r.json()["run"]["id"])
            streams = [
                c.stream("GET", f"/api/learn/runs/{i}/events")
                for c, i in zip(clients, ids, strict=True)
            ]
            opened = [s.__enter__() for s in streams]
            lines = [s.iter_lines() for s in opened]  # keep them: a dropped one closes its stream
            for k in (1, 2):
                read_events(lines[k], lambda e: e.get("status") == "queued")

            def info(k):
                return clients[k].get(f"/api/learn/runs/{ids[k]}").json()["run"]

            assert info(0)["status"] == "running" and info(0)["max_running"] == 1
            assert (info(1)["status"], info(1)["position"]) == ("queued", 1)
            assert (info(2)["status"], info(2)["position"]) == ("queued", 2)
            clients[0].post(f"/api/learn/runs/{ids[0]}/control", json={"action": "pause"})
            assert wait_for(lambda: info(1)["status"] == "running")
            assert wait_for(lambda: info(2)["position"] == 1)
            for s in streams:
                s.__exit__(None, None, None)
        finally:
            for c in clients:
                c.close()
        assert wait_for(lambda: not app.state.learn_runs["filter"].threads(), 8)


def test_limits_count_per_computer_not_per_cookie(monkeypatch):
    monkeypatch.setenv("CONVOLAB_RUNS_PER_CLIENT", "2")
    monkeypatch.setenv("CONVOLAB_STREAMS_PER_RUN", "1")
    monkeypatch.setenv("CONVOLAB_STREAMS_PER_CLIENT", "2")
    app = create_app()
    with Server(app) as srv:
        clients = [httpx.Client(base_url=srv.base, timeout=30) for _ in range(4)]
        opened = []
        try:
            ids = [
                c.post("/api/learn/runs", json={"size": 32}).json()["run"]["id"]
                for c in clients[:2]
            ]
            for c, rid in zip(clients, ids, strict=False):  # both runs watched
                cm = c.stream("GET", f"/api/learn/runs/{rid}/events")
                lines = cm.__enter__().iter_lines()
                opened.append((cm, lines))  # keep both: a dropped iterator closes its stream
                read_events(lines, lambda e: e["type"] == "snapshot")
            # a fresh cookie is the same computer: no third run while both are watched
            r = clients[2].post("/api/learn/runs?lang=en", json={"size": 32})
            assert "2 trainings" in assert_error(r, 429, "too_many_runs")["error"]
            # a third stream of this computer: refused (in the page's language)
            r = clients[0].get(f"/api/learn/runs/{ids[0]}/events")
            assert "Deze computer" in assert_error(r, 429, "too_many_streams")["error"]
            opened.pop()[0].__exit__(None, None, None)  # the second tab goes elsewhere
            assert wait_for(
                lambda: clients[1].get(f"/api/learn/runs/{ids[1]}").json()["run"]["viewers"] == 0
            )
            # a second viewer of one run: refused too
            r = clients[0].get(f"/api/learn/runs/{ids[0]}/events?lang=en")
            assert "tabs" in assert_error(r, 429, "too_many_streams")["error"]
            # now a new run may replace that unwatched run
            r = clients[3].post("/api/learn/runs", json={"size": 32})
            assert r.status_code == 201, r.text
            gone = clients[1].get(f"/api/learn/runs/{ids[1]}").json()["run"]
            assert (gone["status"], gone["end_reason"]) == ("stopped", "replaced")
        finally:
            for cm, _ in opened:
                cm.__exit__(None, None, None)
            for c in clients:
                c.close()


def test_app_shutdown_ends_every_run_and_its_workers():
    app = create_app()
    with TestClient(app) as c:
        rid = c.post("/api/learn/runs", json={"size": 32, "play": True}).json()["run"]["id"]
        mgr = app.state.learn_runs["filter"]
        run = mgr.get(rid, c.cookies["convolab_session"])
        assert wait_for(lambda: run.status == "running")
    # leaving the block is the app's shutdown (lifespan): runs end, their jobs are dropped
    assert run.closed and run.end_reason == "shutdown" and run.job is None
    assert not mgr.threads() and app.state.learn_runs is None
