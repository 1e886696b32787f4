"""``convolab serve`` says where the class drawings are stored (one line, in the CLI's
language) and refuses a bad drawings limit with one line and exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from convolab.classes.store import where_stored


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVOLAB_")}
    env.update(CONVOLAB_DATA_DIR=str(tmp_path / "data"), CONVOLAB_TEACHER_CODE="TEACH234")
    env.update(extra)
    return env


@pytest.mark.parametrize(("lang", "words"), [("nl", "tekeningen van de klassen: "),
                                              ("en", "class drawings: ")])  # fmt: skip
def test_serve_prints_where_class_drawings_are_stored(tmp_path, lang, words):
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "convolab.cli", "serve", "--port", str(_free_port())],
        stdout=log, stderr=subprocess.STDOUT, env=_env(tmp_path, CONVOLAB_LANG=lang),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "leraarcode" not in (tmp_path / "serve.log").read_text():
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve printed nothing within 60 s"
            time.sleep(0.2)
        lines = (tmp_path / "serve.log").read_text().splitlines()
        found = [line for line in lines if line.startswith(words)]
        assert found == [words + str(tmp_path / "data" / "convolab.sqlite3")]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_where_stored_hides_a_database_password():
    url = "postgresql+psycopg://klas:geheim@db.school/convolab"
    assert where_stored(url) == "postgresql+psycopg://klas:***@db.school/convolab"
    with pytest.raises(ValueError, match="CONVOLAB_DATABASE_URL must be a database URL"):
        where_stored("not a url")


def test_a_bad_drawings_limit_exits_2_with_one_line(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "convolab.cli", "serve", "--port", str(_free_port())],
        capture_output=True, text=True, timeout=60,
        env=_env(tmp_path, CONVOLAB_LANG="en", CONVOLAB_DRAWINGS_PER_MINUTE="many"),
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "CONVOLAB_DRAWINGS_PER_MINUTE" in r.stderr
    assert "whole number" in r.stderr
