"""Every odd input is a named 4xx in the one shape, Dutch on Dutch requests; bodies are
bounded before any model validates them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from bad_requests import BAD, EXTRA_KEYS
from english_words import english_words

from convolab.web import guard
from convolab.web.errors import MAX_LISTED_PROBLEMS

ERROR_KEYS = {"ok", "status", "code", "error"}


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_an_odd_request_is_a_named_4xx_in_both_languages(client, bad):
    answers = {}
    for lang in ("nl", "en"):
        r = bad.send(client, lang)
        assert r.status_code == bad.status, (lang, r.text[:300])
        body = r.json()
        assert set(body) == ERROR_KEYS and body["ok"] is False and body["status"] == bad.status
        assert body["code"] == bad.code, body
        answers[lang] = body["error"]
    assert english_words(answers["nl"]) == [], answers["nl"]
    assert english_words(answers["en"]), answers["en"]  # the word list does see English
    assert answers["nl"] != answers["en"]


def test_the_guard_refuses_before_the_model_validates(client):
    # 13 MB of extra keys: the guard's one code, not pydantic's list of a million errors
    body = EXTRA_KEYS
    assert len(body) > 13_000_000
    r = client.post("/api/apply", content=body, headers={"content-type": "application/json"})
    assert r.json()["code"] == "too_many_fields"
    assert "750000" in r.json()["error"]


def test_a_validation_error_lists_at_most_a_few_problems(client):
    extra = {f"extra{i}": i for i in range(50)}  # under the guard's limit: pydantic answers
    r = client.post("/api/apply", json={"sample": "camera", **extra})
    body = r.json()
    assert r.status_code == 422 and body["code"] == "invalid_request"
    assert body["error"].count("hoort niet bij deze aanvraag") == MAX_LISTED_PROBLEMS
    assert "(en nog 47 andere problemen)" in body["error"]
    assert english_words(body["error"]) == []


def test_the_check_is_iterative_and_bounded():
    deep = [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]
    with pytest.raises(guard._Refused) as info:
        guard.check_json({"a": deep})
    assert info.value.error.code == "json_too_deep"
    guard.check_json({"kernel": [[1, 2], [3, 4]], "sample": "camera"})  # a normal body passes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "convolab.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/api/kernels", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the server did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def test_cheap_requests_are_answered_while_big_bodies_are_checked(server):
    """On a live server: while bodies of 13 MB of extra keys and 200,000-cell kernel rows are
    being refused, a cheap request is answered between them, every time."""
    big = [
        EXTRA_KEYS,
        json.dumps({"sample": "camera", "kernel": [[True] * 200_000]}).encode(),
    ] * 2
    done = threading.Event()
    codes = []

    def send_big():
        with httpx.Client(timeout=120) as c:
            for body in big:
                r = c.post(
                    f"{server}/api/apply",
                    content=body,
                    headers={"content-type": "application/json"},
                )
                codes.append(r.json()["code"])
        done.set()

    worker = threading.Thread(target=send_big)
    cheap_while_busy = 0
    with httpx.Client(timeout=60) as c:
        worker.start()
        while not done.is_set():
            r = c.get(f"{server}/api/kernels")
            assert r.status_code == 200
            if not done.is_set():
                cheap_while_busy += 1
    worker.join()
    assert codes == ["too_many_fields", "kernel_too_many_cells"] * 2
    assert cheap_while_busy >= len(big), cheap_while_busy
