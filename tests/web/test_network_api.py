"""Small-CNN API: a real training streamed from a real server, predictions on a drawing, the
model download, the queue, disconnects and bad input (on the small digits set: fast)."""

from __future__ import annotations

import io
import json
import time
import warnings
import zipfile

import httpx
import numpy as np
import pytest
from english_words import english_words

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", r"Using `httpx` with `starlette.testclient`", Warning)
    from fastapi.testclient import TestClient

from test_learn_api import Server, assert_error, read_events, wait_for

from convolab.learn import load_dataset, load_model
from convolab.web.app import create_app

DIGITS = {"dataset": "digits", "epochs": 2}
SLOW = {"dataset": "digits", "epochs": 10, "batch_size": 1}  # stays busy for minutes


@pytest.fixture
def client():
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/convolutie/netwerk", "Een klein netwerk leert zelf filters"),
        ("/en/convolution/network", "A small network learns its own filters"),
    ],
)
def test_page_in_both_languages(client, url, words):
    r = client.get(url)
    assert r.status_code == 200 and words in r.text
    assert "/static/network/network.js" in r.text and 'id="i18n-network"' in r.text
    assert 'id="nw-canvas"' in r.text and client.cookies.get("convolab_session")


def test_train_stream_predict_and_download():
    app = create_app()
    with Server(app) as srv, httpx.Client(base_url=srv.base, timeout=60) as http:
        r = http.post("/api/network/runs", json={**DIGITS, "epochs": 3})
        assert r.status_code == 201, r.text
        rid, url = r.json()["run"]["id"], r.json()["events"]
        with http.stream("GET", url) as stream:
            events = read_events(
                stream.iter_lines(),
                lambda e: e["type"] == "status" and e["status"] == "finished",
                timeout=90,
            )
        init = next(e for e in events if e["type"] in ("init", "snapshot") and not e.get("loading"))
        assert init["dataset"]["name"] == "digits" and len(init["examples"]) == 10
        progress = [e for e in events if e["type"] == "progress"]
        epochs = [p for p in progress if p["kind"] == "epoch"]
        assert len(epochs) == 3 and progress[-1]["kind"] == "done"
        assert epochs[-1]["test_accuracy"] >= 0.85
        snap = epochs[-1]["snapshot"]
        assert np.array(snap["filters"]).shape == (8, 3, 3)
        assert snap["maps"]["conv2"]["shape"] == [16, 11, 11]

        # a drawing: a test digit sent as 784 pixels is recognised like the test image
        ds = load_dataset("digits")
        index = init["examples"][3]["index"]
        pixels = ds.x_test[index].astype(float).ravel().tolist()
        p = http.post(f"/api/network/runs/{rid}/predict?lang=en", json={"pixels": pixels}).json()
        by_index = http.post(f"/api/network/runs/{rid}/predict", json={"test_index": index}).json()
        assert [x["index"] for x in p["predictions"]] == [
            x["index"] for x in by_index["predictions"]
        ]
        assert sum(x["p"] for x in p["predictions"]) == pytest.approx(1)
        assert p["maps"]["conv1"]["shape"] == [8, 26, 26]

        # the trained model as a zip: state dict + metadata, loadable
        z = http.get(f"/api/network/runs/{rid}/model")
        assert z.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(z.content)) as archive:
            meta = json.loads(archive.read("model.json"))
            assert meta["dataset"] == "digits" and meta["accuracy"] == epochs[-1]["test_accuracy"]
            folder = srv_tmp(archive)
        model, meta2 = load_model(folder)
        assert meta2["classes_en"] == [str(d) for d in range(10)]


def srv_tmp(archive: zipfile.ZipFile):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    archive.extractall(folder)
    return folder


def test_choosing_an_example_sends_its_feature_maps():
    app = create_app()
    with Server(app) as srv, httpx.Client(base_url=srv.base, timeout=60) as http:
        r = http.post("/api/network/runs", json={**DIGITS, "play": False})
        rid = r.json()["run"]["id"]
        with http.stream("GET", r.json()["events"]) as stream:
            lines = stream.iter_lines()
            read_events(lines, lambda e: e["type"] in ("init", "snapshot") and "dataset" in e)
            ok = http.post(
                f"/api/network/runs/{rid}/control", json={"action": "configure", "example": 4}
            )
            assert ok.status_code == 200, ok.text
            maps = read_events(lines, lambda e: e["type"] == "maps")[-1]
            assert maps["snapshot"]["example"] == maps["snapshot"]["predictions"][4]["index"]
        bad = http.post(
            f"/api/network/runs/{rid}/control", json={"action": "configure", "example": 12}
        )
        assert_error(bad, 400, "invalid_example")
        missing = http.post(f"/api/network/runs/{rid}/control", json={"action": "configure"})
        assert_error(missing, 400, "missing_example")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"pixels": [0] * 783}, 400, "invalid_pixels"),
        ({"pixels": [300] * 784}, 400, "invalid_pixels"),
        ({"pixels": [-1] * 784}, 400, "invalid_pixels"),
        ({"pixels": [0] * 784, "test_index": 1}, 400, "pixels_or_index"),
        ({}, 400, "pixels_or_index"),
        ({"test_index": 100000}, 400, "invalid_example"),
        ({"pixels": [0] * 785}, 422, "invalid_request"),
        ({"pixels": "abc"}, 422, "invalid_request"),
    ],
)
def test_bad_predictions(client, body, status, code):
    rid = client.post("/api/network/runs", json={**DIGITS, "play": False}).json()["run"]["id"]
    run = client.app.state.learn_runs["network"].runs()[-1]
    assert wait_for(lambda: run.job.trainer is not None, 20)
    assert_error(client.post(f"/api/network/runs/{rid}/predict", json=body), status, code)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lr": 0}, 400, "invalid_lr"),
        ({"lr": -0.5}, 400, "invalid_lr"),
        ({"dataset": "cifar10"}, 422, "invalid_request"),
        ({"epochs": 0}, 422, "invalid_request"),
        ({"epochs": 1000}, 422, "invalid_request"),
        ({"batch_size": 0}, 422, "invalid_request"),
        ({"optimizer": "lbfgs"}, 422, "invalid_request"),
        ({"path": "/etc"}, 422, "invalid_request"),  # no file paths from the web
    ],
)
def test_bad_settings(client, body, status, code):
    assert_error(client.post("/api/network/runs", json=body), status, code)


def test_other_sessions_and_unknown_runs(client):
    rid = client.post("/api/network/runs", json={**DIGITS, "play": False}).json()["run"]["id"]
    with TestClient(client.app) as other:
        assert_error(other.post(f"/api/network/runs/{rid}/predict", json={"test_index": 0}), 404)
        assert_error(other.get(f"/api/network/runs/{rid}/model"), 404)
    assert_error(client.get("/api/network/runs/nope"), 404, "run_not_found")


def test_two_trainings_at_most_the_rest_queue_and_leaving_frees_the_slot(monkeypatch):
    monkeypatch.setenv("CONVOLAB_MAX_RUNS", "2")
    monkeypatch.setenv("CONVOLAB_RUN_KEEP", "5")
    app = create_app()
    with Server(app) as srv:
        clients = [httpx.Client(base_url=srv.base, timeout=60) for _ in range(3)]
        try:
            ids = []
            for c in clients:  # one after the other, so the queue order is known
                ids.append(c.post("/api/network/runs", json=SLOW).json()["run"]["id"])
                assert wait_for(
                    lambda c=c: (
                        c.get(f"/api/network/runs/{ids[-1]}").json()["run"]["status"]
                        in ("running", "queued")
                    ),
                    20,
                )
            ctx = [
                c.stream("GET", f"/api/network/runs/{i}/events")
                for c, i in zip(clients, ids, strict=True)
            ]
            streams = [s.__enter__() for s in ctx]
            lines = [s.iter_lines() for s in streams]  # keep them: a dropped one closes its stream
            read_events(lines[2], lambda e: e.get("status") == "queued", timeout=30)

            def info(k):
                return clients[k].get(f"/api/network/runs/{ids[k]}").json()["run"]

            assert wait_for(
                lambda: info(0)["status"] == "running" and info(1)["status"] == "running", 20
            )
            assert (info(2)["status"], info(2)["position"]) == ("queued", 1)
            assert info(2)["max_running"] == 2
            # leaving the first page (its stream) pauses that training and frees its slot
            ctx[0].__exit__(None, None, None)
            t0 = time.monotonic()
            assert wait_for(lambda: info(0)["status"] == "paused", 8)
            assert time.monotonic() - t0 < 5
            assert info(0)["end_reason"] is None  # kept: the pupil may come back
            assert wait_for(lambda: info(2)["status"] == "running", 8), (
                info(2)["end_reason"],
                info(2)["error"],
            )
            for c in ctx[1:]:
                c.__exit__(None, None, None)
        finally:
            for c in clients:
                c.close()
        assert wait_for(lambda: not app.state.learn_runs["network"].threads(), 10)


def test_broken_dataset_files_end_the_run_with_a_message_naming_the_file(tmp_path, monkeypatch):
    for name in (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ):
        (tmp_path / name).write_bytes(b"\x00\x00\x08\x01" + b"\x00\x00\x00\x02" + b"\x01\x02")
    monkeypatch.setenv("CONVOLAB_FASHION_MNIST", str(tmp_path))
    app = create_app()
    with Server(app) as srv, httpx.Client(base_url=srv.base, timeout=60) as http:
        r = http.post("/api/network/runs", json={"dataset": "fashion-mnist"})
        assert r.status_code == 201
        with http.stream("GET", r.json()["events"]) as stream:
            events = read_events(stream.iter_lines(), lambda e: e["type"] == "end")
        error = next(e for e in events if e.get("status") == "error")
        assert "train-images-idx3-ubyte" in error["error"] and "magic" in error["error"]
        rid = r.json()["run"]["id"]
        body = assert_error(
            http.post(f"/api/network/runs/{rid}/predict", json={"test_index": 0}), 409
        )
        assert "train-images-idx3-ubyte" in body["error"]
        # a Dutch page: the same run error worded in Dutch, from the code and params it carries
        assert error["code"] == "dataset_wrong_magic"
        assert "train-images-idx3-ubyte" in error["params"]["path"]
        with http.stream("GET", r.json()["events"], params={"lang": "nl"}) as stream:
            events = read_events(stream.iter_lines(), lambda e: e["type"] == "end")
        nl = next(e for e in events if e.get("status") == "error")
        assert "train-images-idx3-ubyte" in nl["message"] and "magische getal" in nl["message"]
        assert nl["error"] == error["error"] and english_words(nl["message"]) == []
        body = assert_error(
            http.post(f"/api/network/runs/{rid}/predict?lang=nl", json={"test_index": 0}), 409
        )
        assert body["code"] == "run_failed" and "magische getal" in body["error"]
        assert english_words(body["error"]) == []


def test_an_ended_training_answers_409_and_holds_no_model(client):
    rid = client.post("/api/network/runs", json={**DIGITS, "play": False}).json()["run"]["id"]
    run = client.app.state.learn_runs["network"].get(rid, client.cookies["convolab_session"])
    assert wait_for(lambda: run.job is not None and run.job.trainer is not None, 20)
    assert (
        client.post(f"/api/network/runs/{rid}/predict", json={"test_index": 0}).status_code == 200
    )
    client.delete(f"/api/network/runs/{rid}")
    assert wait_for(lambda: run.job is None, 10)  # ended: the job and its model are dropped
    r = client.post(f"/api/network/runs/{rid}/predict?lang=en", json={"test_index": 0})
    assert "has ended" in assert_error(r, 409, "run_ended")["error"]
    assert_error(client.get(f"/api/network/runs/{rid}/model"), 409, "run_ended")
    assert client.get(f"/api/network/runs/{rid}").json()["run"]["status"] == "stopped"
