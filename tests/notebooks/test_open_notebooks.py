"""`convolab notebook`: copying the notebooks (never over a user's copy) and starting
JupyterLab on them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from _nbtools import notebook_paths

from convolab.notebooks import (
    NotebookError,
    copy_notebooks,
    has_jupyterlab,
    notebook_files,
    notebooks_source,
    open_notebooks,
)

PATHS = notebook_paths()


def test_the_source_folder_is_the_repository_notebooks_folder():
    assert notebooks_source() == PATHS["nl", "pupil"].parents[1]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pupils_get_only_the_pupil_notebook_teachers_get_both(lang):
    assert notebook_files(lang) == [PATHS[lang, "pupil"]]
    assert set(notebook_files(lang, teacher=True)) == {PATHS[lang, "pupil"], PATHS[lang, "teacher"]}


def test_copy_into_a_new_folder(tmp_path):
    target = tmp_path / "a" / "b"
    report = copy_notebooks(target, "nl")
    assert report.copied == [target / PATHS["nl", "pupil"].name]
    assert report.kept == report.unchanged == []
    assert (target / PATHS["nl", "pupil"].name).read_bytes() == PATHS["nl", "pupil"].read_bytes()
    assert sorted(p.name for p in target.iterdir()) == [PATHS["nl", "pupil"].name]


def test_an_edited_copy_is_never_overwritten(tmp_path):
    name = PATHS["en", "pupil"].name
    copy_notebooks(tmp_path, "en")
    edited = json.loads((tmp_path / name).read_text(encoding="utf-8"))
    edited["cells"][0]["source"] = "# My own notes"
    (tmp_path / name).write_text(json.dumps(edited), encoding="utf-8")
    before = (tmp_path / name).read_bytes()

    report = copy_notebooks(tmp_path, "en", teacher=True)
    assert report.kept == [tmp_path / name]
    assert report.copied == [tmp_path / PATHS["en", "teacher"].name]
    assert (tmp_path / name).read_bytes() == before
    assert any("your version is kept" in line and name in line for line in report.lines("en"))
    assert any("jouw versie blijft staan" in line for line in report.lines("nl"))

    again = copy_notebooks(tmp_path, "en", teacher=True)
    assert again.copied == []
    assert again.kept == [tmp_path / name]
    assert again.unchanged == [tmp_path / PATHS["en", "teacher"].name]


def test_open_without_starting_copies_and_says_what_it_did(tmp_path, capsys):
    report = open_notebooks(tmp_path, lang="nl", browser=False, start=False)
    assert report.copied == [tmp_path / PATHS["nl", "pupil"].name]
    out = capsys.readouterr().out
    assert f"gekopieerd: {PATHS['nl', 'pupil'].name}" in out
    open_notebooks(tmp_path, lang="nl", browser=False, start=False)
    assert "al aanwezig (ongewijzigd)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lang": "fr"}, ValueError, "lang must be one of nl, en; got 'fr'"),
        ({"lang": None}, TypeError, "lang must be a string"),
    ],
)
def test_bad_language(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        open_notebooks(tmp_path, browser=False, start=False, **kwargs)
    assert not any(tmp_path.iterdir())


def test_bad_folder(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("hello")
    with pytest.raises(NotebookError, match="is a file, not a folder"):
        copy_notebooks(a_file, "nl")
    with pytest.raises(TypeError, match="folder must be a path"):
        copy_notebooks(42, "nl")


def test_a_missing_notebooks_folder_is_named(tmp_path):
    (tmp_path / "nl").mkdir()
    with pytest.raises(NotebookError, match=r"no notebooks found in .*nl"):
        notebook_files("nl", source=tmp_path)


def test_errors_are_os_errors_so_the_cli_reports_them_in_one_line():
    assert issubclass(NotebookError, OSError)


# --------------------------------------------------------------------------------------
# JupyterLab
# --------------------------------------------------------------------------------------


def _python_without_jupyterlab() -> str:
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and Path(candidate).exists() and not has_jupyterlab(candidate):
            return candidate
    pytest.skip("no Python without JupyterLab on this machine to check the message with")


def test_without_jupyterlab_a_clear_message_and_nothing_is_copied(tmp_path):
    python = _python_without_jupyterlab()
    with pytest.raises(NotebookError, match=r"JupyterLab is not installed.*convolab\[notebook\]"):
        open_notebooks(tmp_path / "nb", lang="en", browser=False, python=python)
    assert not (tmp_path / "nb").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_convolab_notebook_starts_jupyterlab_on_the_copies(tmp_path):
    if not has_jupyterlab():
        pytest.skip("JupyterLab (the optional extra 'notebook') is not installed")
    port = _free_port()
    folder = tmp_path / "mijn-notebooks"
    env = dict(
        os.environ,
        JUPYTER_PORT=str(port),
        JUPYTER_PORT_RETRIES="0",
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    code = "from convolab.cli import main; raise SystemExit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import sys; {code}", "notebook", str(folder), "--no-browser"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own process group: JupyterLab is stopped with it
    )
    lines = []
    try:
        deadline = time.monotonic() + 90
        url = None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            lines.append(line)
            match = re.search(rf"http://(localhost|127\.0\.0\.1):{port}/lab\?token=(\w+)", line)
            url = match and match.group(0)
        assert url, "JupyterLab did not print its address:\n" + "".join(lines)
        assert any("gekopieerd: convoluties_in_python.ipynb" in line for line in lines)
        host, token = match.group(1), match.group(2)
        api = f"http://{host}:{port}/api/contents?token={token}"
        listing = _get_json(api, proc)
        assert [item["name"] for item in listing["content"]] == ["convoluties_in_python.ipynb"]

        # Ctrl+C in the terminal (the whole process group) stops JupyterLab cleanly. (Not
        # while its extensions are still starting: a signal then can leave it hanging.)
        time.sleep(2)
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, rest
        assert "JupyterLab is gestopt." in rest
        with socket.socket() as s, pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", port))
    finally:
        if proc.poll() is None:
            _stop(proc)


def _get_json(url: str, proc: subprocess.Popen, seconds: float = 30):
    """GET url, retrying while the server is still opening its port."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)
        except urllib.error.URLError as exc:
            refused = isinstance(exc.reason, ConnectionRefusedError)
            if not refused or proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _stop(proc: subprocess.Popen) -> None:
    """Stop the process group we started, with Ctrl+C as a user would (then harder)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=20)
            break
        except subprocess.TimeoutExpired:
            continue
    proc.wait()
