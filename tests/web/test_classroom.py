"""Serving a class: Host allow-list, security headers, ``convolab serve --class`` for real."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient

from convolab.web import classroom
from convolab.web.app import create_app

ERROR_KEYS = {"ok", "status", "code", "error"}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize("url", ["/convolutie", "/api/samples", "/static/common/style.css"])
def test_security_headers_on_every_answer(client, url):
    r = client.get(url)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_only_embed_pages_may_be_framed_by_other_sites(client):
    # no frame-ancestors at all: any parent, also one with an opaque origin, may frame it
    embed = client.get("/convolutie?embed=1").headers["content-security-policy"]
    assert "frame-ancestors" not in embed and "default-src 'self'" in embed
    assert "frame-ancestors 'self'" in client.get("/convolutie").headers["content-security-policy"]
    # errors carry the headers too
    r = client.get("/bestaat-niet")
    assert r.status_code == 404 and r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "testserver"]
)
def test_local_hosts_are_served(client, host):
    assert client.get("/api/samples", headers={"host": host}).status_code == 200


def test_the_machines_own_addresses_are_served(client):
    for addr in classroom.machine_addresses():
        host = f"[{addr}]" if ":" in addr else addr
        assert client.get("/api/samples", headers={"host": host}).status_code == 200, addr


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_other_hosts_get_400_in_the_one_shape(client, lang):
    r = client.get(f"/api/samples?lang={lang}", headers={"host": "evil.example:8000"})
    assert r.status_code == 400 and set(r.json()) == ERROR_KEYS
    body = r.json()
    assert body["code"] == "host_not_allowed" and "evil.example" in body["error"]
    assert ("antwoordt niet" if lang == "nl" else "does not answer") in body["error"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_allowed_host_names_from_the_environment(client, monkeypatch):
    monkeypatch.setenv(classroom.ENV_ALLOWED, "school.example, Klas.Lokaal")
    assert client.get("/api/samples", headers={"host": "school.example"}).status_code == 200
    assert client.get("/api/samples", headers={"host": "klas.lokaal:80"}).status_code == 200
    assert client.get("/api/samples", headers={"host": "other.example"}).status_code == 400


def test_qr_code_is_an_inline_svg():
    svg = classroom.qr_svg("http://192.168.1.20:8000/")
    assert svg.startswith("<svg ") and 'class="qr"' in svg and "<path" in svg
    assert "http" not in svg.split(">", 1)[1]  # drawn, not linked


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, host: str | None = None, cookie: str | None = None):
    req = urllib.request.Request(url)
    if host:
        req.add_header("Host", host)
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_convolab_serve_class_for_real(tmp_path):
    """``convolab serve --class``: prints the code and the address, listens on every address,
    serves the allowed names only, and the teacher page shows the address and a QR code."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVOLAB_")}
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "convolab.cli", "serve", "--class", "--port", str(port),
         "--allowed-host", "klas.example"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if _get(base + "/api/samples")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.3)
        out = (tmp_path / "serve.log").read_text()
        code = re.search(r"leraarcode: ([A-Z0-9]{4}-[A-Z0-9]{4})", out).group(1)
        url = re.search(r"voor de klas: (http://\S+)", out).group(1)
        lan = classroom.lan_address()
        assert url == f"http://{lan}:{port}/"
        # listening on every address: the LAN address answers too
        assert _get(f"http://{lan}:{port}/api/samples")[0] == 200
        assert _get(base + "/api/samples", host="klas.example")[0] == 200
        status, body = _get(base + "/api/samples", host="rebind.example")
        assert status == 400 and "host_not_allowed" in body
        # the teacher page: no address before the code, then the address and its QR code
        status, page = _get(base + "/leraar")
        assert status == 200 and url not in page
        req = urllib.request.Request(
            base + "/api/teacher",
            data=b'{"code": "%s"}' % code.encode(),
            headers={"content-type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            cookie = r.headers["set-cookie"].split(";", 1)[0]
        status, page = _get(base + "/leraar", cookie=cookie)
        assert status == 200 and url in page and 'class="qr"' in page
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
