"""The wheel is self-contained: built from a clean copy of the tracked files, installed in a
fresh virtual environment and used from another folder, every page, asset and notebook that
the learning page links to is there (nothing is looked up next to a source checkout).

Slow (it builds a wheel and installs it with its dependencies, from the local package
cache where it can), so it runs once per test session.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import convolab

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise AssertionError(f"{cmd!r} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _tracked_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the wheel test copies the tracked files")
    out = _run(["git", "ls-files", "-z"], cwd=ROOT).stdout
    return [f for f in out.split("\0") if f]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``bin`` folder of a fresh venv with the wheel (and its ``all`` extra) installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    copy = tmp / "clean-copy"
    for name in _tracked_files():
        src = ROOT / name
        if src.is_file():  # a tracked file deleted in the work tree is not copied
            dest = copy / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    dist = tmp / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
        + ["-w", str(dist), str(copy)]
    )
    (wheel,) = dist.glob("convolab-*.whl")
    assert wheel.name.startswith(f"convolab-{convolab.__version__}-")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    _run(pip + ["-c", str(ROOT / "constraints.txt"), f"{wheel}[all]"], timeout=1500)
    return venv / "bin"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read(), r.headers.get("content-type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("content-type", "")


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Path:
    """A folder with nothing of the project in it, the current folder of every command."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def served(installed, elsewhere):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    log = elsewhere / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(installed / "convolab"), "serve", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if _get(base + "/static/common/style.css")[0] == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"convolab serve did not start:\n{log.read_text()}")
        time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_installed_package_is_the_wheel_not_the_checkout(installed, elsewhere):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = _run(
        [str(installed / "python"), "-c", "import convolab; print(convolab.__file__)"],
        cwd=elsewhere,
        env=env,
    ).stdout.strip()
    assert str(ROOT) not in out and "site-packages" in out


def test_the_wheel_carries_the_compiled_parts(installed, elsewhere):
    """setup.py builds src/convolab/_sums.c and _display.c into the wheel; the engine and the
    display there take them, and their values equal the numpy engine's."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = (
        "import numpy as np, convolab as cl; from convolab import engine, display; "
        "img = cl.sample('camera'); raw = cl.correlate(img, 'blur'); "
        "print(engine._sums.__file__, display._compiled.__file__, "
        "np.array_equal(raw, cl.correlate(img, 'blur', engine='numpy')), "
        "cl.to_display(raw).shape == img.shape)"
    )
    out = _run([str(installed / "python"), "-c", code], cwd=elsewhere, env=env).stdout.split()
    for path in out[:2]:
        assert "site-packages" in path and path.endswith(".so")
    assert out[2:] == ["True", "True"]


def test_version_has_one_source():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in meta and "version" in meta["dynamic"]
    assert meta["license"] == "MIT"  # an SPDX expression, not the deprecated table


def _local_links(html: str) -> list[str]:
    found = re.findall(r'(?:href|src)="([^"]+)"', html)
    return sorted({u.split("#")[0] for u in found if u.startswith("/") and not u.startswith("//")})


def test_every_link_on_the_learning_page_answers(served):
    status, body, _ = _get(served + "/")
    assert status == 200
    links = _local_links(body.decode())
    assert len(links) > 10  # pages, frames, styles, scripts, images
    bad = {}
    for link in links:
        code = _get(served + link)[0]
        if code >= 400:
            bad[link] = code
    assert not bad, f"links on / that do not answer from the installed wheel: {bad}"


def test_notebook_page_and_download(served):
    status, body, _ = _get(served + "/leren/notebook")
    assert status == 200
    html = body.decode()
    downloads = [u for u in _local_links(html) if u.endswith(".ipynb")]
    assert downloads, "the notebook page offers no notebook download"
    for url in downloads:
        code, data, _ = _get(served + url)
        assert code == 200, url
        nb = json.loads(data)
        assert nb["nbformat"] == 4 and len(nb["cells"]) > 10


def test_convolab_notebook_copies_the_notebooks(installed, elsewhere):
    dest = elsewhere / "mijn-notebooks"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["JUPYTER_CONFIG_DIR"] = str(elsewhere / "jupyter-config")
    log = elsewhere / "notebook.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(installed / "convolab"), "notebook", str(dest), "--no-browser"],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while not list(dest.glob("*.ipynb")):
            if proc.poll() is not None:
                raise AssertionError(f"convolab notebook ended early:\n{log.read_text()}")
            assert time.monotonic() < deadline, "no notebook was copied within 120 s"
            time.sleep(0.3)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    copied = sorted(p.name for p in dest.glob("*.ipynb"))
    assert copied and all("leraar" not in n and "teacher" not in n for n in copied)
    nb = json.loads((dest / copied[0]).read_text())
    assert nb["nbformat"] == 4
