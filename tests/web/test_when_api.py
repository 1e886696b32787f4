"""The "when do convolutions help" experiments, run for real on a small budget."""

import os

import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")

from convolab.learn import data as D  # noqa: E402

needs_fashion = pytest.mark.skipif(
    not D.fashion_available() and os.environ.get("CI") != "true",
    reason="Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist, "
    "or make system-deps)",
)


@needs_fashion
def test_images_cnn_advantage_disappears_with_shuffled_pixels(client):
    r = client.post("/api/when/images", json={"train": 3000, "test": 1000, "epochs": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    acc = body["accuracy"]
    gap_ordered = acc["cnn"]["ordered"] - acc["dense"]["ordered"]
    gap_shuffled = acc["cnn"]["shuffled"] - acc["dense"]["shuffled"]
    assert gap_ordered > 0.02  # the CNN wins on real photos
    assert gap_shuffled < gap_ordered - 0.02  # ... and loses that advantage on shuffled ones
    assert acc["dense"]["shuffled"] == pytest.approx(acc["dense"]["ordered"], abs=0.005)
    assert 0.8 < body["params"]["dense"] / body["params"]["cnn"] < 1.25  # similar size
    assert body["settings"]["train"] == 3000 and body["seconds"] > 0
    ex = body["examples"]
    assert len(ex["ordered"]) == len(ex["shuffled"]) == len(ex["labels_nl"])
    # the same pixels, only moved: same brightness histogram, different places
    for a, b in zip(ex["ordered"], ex["shuffled"], strict=True):
        flat_a = sorted(v for row in a for v in row)
        flat_b = sorted(v for row in b for v in row)
        assert flat_a == flat_b and a != b


def test_table_convolution_is_no_better(client):
    r = client.post("/api/when/table", json={"folds": 3, "epochs": 60})
    assert r.status_code == 200, r.text
    body = r.json()
    acc = body["accuracy"]
    assert body["settings"]["rows"] == 569 and body["settings"]["columns"] == 30
    for order in ("ordered", "shuffled"):
        best_other = max(acc["dense"][order], acc["logistic"][order])
        assert acc["conv1d"][order] <= best_other + 0.015  # no convolution advantage
        assert acc["conv1d"][order] > 0.9  # but it did learn
    # the order of the columns means nothing to logistic regression and the dense net
    assert acc["logistic"]["ordered"] == pytest.approx(acc["logistic"]["shuffled"], abs=1e-9)
    assert acc["dense"]["ordered"] == pytest.approx(acc["dense"]["shuffled"], abs=0.005)


def test_same_request_same_numbers(client):
    a = client.post("/api/when/table", json={"folds": 2, "epochs": 20}).json()
    b = client.post("/api/when/table", json={"folds": 2, "epochs": 20}).json()
    assert a["accuracy"] == b["accuracy"]


@pytest.mark.parametrize(
    "url, body, name",
    [
        ("/api/when/images", {"train": 10}, "train"),
        ("/api/when/images", {"epochs": 50}, "epochs"),
        ("/api/when/images", {"test": 10**6}, "test"),
        ("/api/when/table", {"folds": 1}, "folds"),
        ("/api/when/table", {"epochs": 5000}, "epochs"),
    ],
)
def test_out_of_range_budget(client, url, body, name):
    for lang in ("nl", "en"):
        r = client.post(f"{url}?lang={lang}", json=body)
        assert r.status_code == 400
        err = r.json()
        assert err["ok"] is False and err["code"] == "out_of_range" and name in err["error"]


def test_bad_body_and_method(client):
    r = client.post("/api/when/table", json={"folds": "many"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    r = client.post(
        "/api/when/table", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert client.get("/api/when/table").status_code == 405


def test_pages_in_both_languages(client):
    nl = client.get("/convolutie/wanneer")
    en = client.get("/en/convolution/when")
    assert nl.status_code == en.status_code == 200
    assert "Wanneer helpen convoluties" in nl.text and "When do convolutions help" in en.text
    assert "/static/when/when.js" in nl.text and 'id="i18n-when"' in nl.text
    assert client.get("/static/when/when.js").status_code == 200


def test_images_defaults_follow_the_digits_fallback(tmp_path, monkeypatch):
    """Without Fashion-MNIST the page's default experiment runs on the 1,438 + 359 digits:
    the defaults and the allowed ranges shrink to what is there, and the page says so."""
    from fastapi.testclient import TestClient

    from convolab.web.app import create_app

    monkeypatch.setenv("CONVOLAB_FASHION_MNIST", str(tmp_path))  # an empty folder
    with TestClient(create_app()) as client:
        s = client.get("/api/when/images/settings").json()
        assert s["dataset"] == "digits"
        assert s["defaults"]["train"] == s["limits"]["train"][1] == 1438
        assert s["defaults"]["test"] == s["limits"]["test"][1] == 359
        page = client.get("/convolutie/wanneer").text
        assert 'data-dataset="digits"' in page and "1438 cijfers" in page
        assert "1797 handgeschreven cijfers" in page
        r = client.post("/api/when/images", json={"epochs": 1})  # what the page's button sends
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["dataset"] == "digits"
        assert body["settings"]["train"] == 1438 and body["settings"]["test"] == 359
        assert body["notice_nl"] and "Fashion-MNIST" in body["notice_nl"]
        r = client.post("/api/when/images?lang=nl", json={"train": 3000})
        assert r.status_code == 400 and r.json()["code"] == "out_of_range"
        assert "1438" in r.json()["error"]


def test_images_settings_with_fashion_mnist(client):
    if not D.fashion_available():
        pytest.skip("Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist)")
    s = client.get("/api/when/images/settings").json()
    assert s == {
        "ok": True,
        "dataset": "fashion-mnist",
        "defaults": {"train": 8000, "test": 2000, "epochs": 2},
        "limits": {"train": [500, 20000], "test": [200, 10000], "epochs": [1, 5]},
    }


# -- request handling: JSON only, a bounded queue ----------------------------------------------
@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ({}, b""),  # what a cross-site form with no fields sends
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"folds=2"),
        ({"Content-Type": "text/plain"}, b'{"folds": 2}'),
        ({"Content-Type": "multipart/form-data; boundary=x"}, b"--x--"),
    ],
)
@pytest.mark.parametrize("name", ["table", "images"])
def test_experiments_start_only_from_a_json_body(client, name, headers, content):
    r = client.post(f"/api/when/{name}", content=content, headers=headers)
    assert r.status_code == 415, r.text
    body = r.json()
    assert body == {
        "ok": False,
        "status": 415,
        "code": "unsupported_media_type",
        "error": body["error"],
    }
    assert "application/json" in body["error"] and "JSON" in body["error"]
    en = client.post(f"/api/when/{name}?lang=en", content=content, headers=headers).json()
    assert en["error"].startswith("An experiment starts only from a JSON request")


def test_a_json_post_with_charset_is_accepted(client):
    r = client.post(
        "/api/when/table",
        content=b'{"folds": 2, "epochs": 10}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200, r.text


def test_queued_experiments_are_bounded_and_pages_stay_served(monkeypatch):
    """Real concurrent requests on a live server (127.0.0.1, bounded): 30 pupils (addresses
    from a trusted proxy) start experiments while one holds the machine; 1 + 4 get a place,
    the rest 503 at once; a second one of the same pupil 429; pages and /api/apply are
    answered while all of them wait; then the five run."""
    import threading
    import time

    import httpx
    from test_learn_api import Server

    from convolab.web.app import create_app
    from convolab.web.routes import when

    monkeypatch.setenv("CONVOLAB_TRUSTED_PROXY", "1")
    monkeypatch.setenv("CONVOLAB_WHEN_QUEUE", "4")
    app = create_app()
    answers: dict[int, httpx.Response] = {}

    def experiment(srv, k: int) -> None:
        with httpx.Client(base_url=srv.base, timeout=120) as c:
            answers[k] = c.post(
                "/api/when/table?lang=en",
                json={"folds": 2, "epochs": 10},
                headers={"X-Forwarded-For": f"198.51.100.{k}"},
            )

    with Server(app) as srv, httpx.Client(base_url=srv.base, timeout=60) as http:
        when._RUN_LOCK.acquire()  # an experiment is running (it holds the machine)
        try:
            threads = [
                threading.Thread(target=experiment, args=(srv, k), daemon=True) for k in range(30)
            ]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 60
            while len(answers) < 25 and time.monotonic() < deadline:
                time.sleep(0.05)
            refused = [r for r in answers.values() if r.status_code == 503]
            assert len(answers) == 25 and len(refused) == 25, {
                k: r.status_code for k, r in answers.items()
            }
            assert refused[0].json()["code"] == "experiments_busy"
            assert "4 experiments are already waiting" in refused[0].json()["error"]
            assert when.queued() == 5
            waiting = next(k for k in range(30) if k not in answers)
            again = http.post(
                "/api/when/table",
                json={"folds": 2, "epochs": 10},
                headers={"X-Forwarded-For": f"198.51.100.{waiting}"},
            )
            assert again.status_code == 429 and again.json()["code"] == "experiment_queued"
            assert "Je proef loopt al" in again.json()["error"]
            # while five experiments wait, the rest of the app answers
            for _ in range(5):
                assert http.get("/convolutie/wanneer").status_code == 200
                assert http.get("/").status_code == 200
                r = http.post("/api/apply", json={"sample": "camera", "filter": "blur"})
                assert r.status_code == 200, r.text
            assert when.queued() == 5 and len(answers) == 25  # ... and they still wait
        finally:
            when._RUN_LOCK.release()
        for t in threads:
            t.join(120)
        ran = [r for r in answers.values() if r.status_code == 200]
        assert len(ran) == 5 and all(r.json()["ok"] for r in ran)
        assert when.queued() == 0
