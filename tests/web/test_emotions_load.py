"""30 pupils add 20 drawings each at the same moment to a live server on 127.0.0.1: nothing is
lost, against SQLite (a file) and a real PostgreSQL server. Bounded: 600 requests, 120 s."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
from _postgres import postgres_url  # noqa: F401

from convolab.classes import starter_set

ROOT = Path(__file__).resolve().parents[2]
TEACHER_CODE = "TEACH234"
PUPILS, EACH = 30, 20


def _serve(url: str, data_dir: str):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        CONVOLAB_DATABASE_URL=url,
        CONVOLAB_DATA_DIR=data_dir,
        CONVOLAB_TEACHER_CODE=TEACHER_CODE,
        # every pupil here comes from 127.0.0.1: one client for the per-client limit
        CONVOLAB_DRAWINGS_PER_MINUTE=str(PUPILS * EACH),
    )
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "convolab.web.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"the server stopped at start:\n{log.read().decode(errors='replace')}")
        try:
            if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the server did not answer within 60 s")
        time.sleep(0.2)
    return proc, base, log


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'convolab.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    proc, base, log = _serve(url, str(tmp_path))
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
        assert "Traceback" not in output, output


def test_thirty_pupils_at_once_lose_nothing(server):
    with httpx.Client(base_url=server, timeout=30) as teacher:
        teacher.post("/leraar", data={"code": TEACHER_CODE})
        r = teacher.post("/api/emotions/classes", json={})
        assert r.status_code == 201, r.text
        code = r.json()["class"]["code"]
    x, y = starter_set(per_label=EACH // 2, seed=1)
    labels = [("blij", "verrast")[i] for i in y]
    start = threading.Barrier(PUPILS)
    results: dict[int, list[int]] = {}
    errors: list[str] = []

    def pupil(n: int) -> None:
        ids = []
        try:
            with httpx.Client(base_url=server, timeout=60) as c:
                c.get("/convolutie/emoties")  # the page, as a browser would open it first
                start.wait(timeout=60)
                for k in range(EACH):
                    r = c.post(
                        f"/api/emotions/classes/{code}/drawings",
                        json={"label": labels[k], "pixels": x[k].ravel().tolist()},
                    )
                    if r.status_code != 201:
                        errors.append(f"pupil {n}: {r.status_code} {r.text[:200]}")
                        return
                    ids.append(r.json()["id"])
                mine = [
                    d["id"]
                    for d in c.get(f"/api/emotions/classes/{code}").json()["drawings"]
                    if d["mine"]
                ]
                if sorted(mine) != sorted(ids):
                    errors.append(f"pupil {n}: sees {len(mine)} of their own, added {len(ids)}")
        except Exception as exc:  # collected and shown below
            errors.append(f"pupil {n}: {exc!r}")
        results[n] = ids

    t0 = time.monotonic()
    threads = [threading.Thread(target=pupil, args=(n,)) for n in range(PUPILS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert time.monotonic() - t0 < 120
    assert errors == []
    all_ids = [i for ids in results.values() for i in ids]
    assert len(all_ids) == PUPILS * EACH == len(set(all_ids))
    with httpx.Client(base_url=server, timeout=30) as anyone:
        d = anyone.get(f"/api/emotions/classes/{code}").json()
    assert d["class"]["count"] == PUPILS * EACH
    assert sorted(dr["id"] for dr in d["drawings"]) == sorted(all_ids)
    assert d["class"]["counts"] == {"blij": PUPILS * EACH // 2, "verrast": PUPILS * EACH // 2}
    # every stored drawing is exactly one that was sent
    sent = {bytes(a.tobytes()) for a in x}
    assert all(base64.b64decode(dr["data"]) in sent for dr in d["drawings"])
