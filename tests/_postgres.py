"""A throwaway PostgreSQL server for tests: ``postgres_url`` (a pytest fixture).

It uses Debian's PostgreSQL 15 binaries (``/usr/lib/postgresql/15/bin``): ``initdb`` makes a
cluster in a temporary folder, ``pg_ctl`` starts it on a free port of 127.0.0.1 (its unix
socket in the same folder) and stops it at the end of the test session. As root, the server
runs as the ``postgres`` user (``runuser -u postgres --``). Without the binaries the tests that
need it are skipped with one line, except under ``CI=true``, where they fail.

Import it into a test module: ``from _postgres import postgres_url  # noqa: F401``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("CONVOLAB_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url():
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not (initdb.exists() and pg_ctl.exists()):
        _missing(f"PostgreSQL is not installed ({initdb} missing): apt-get install postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed: pip install 'psycopg[binary]'")
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="convolab-pg-"))
    if as_root:
        try:
            pg_user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(tmp, ignore_errors=True)
            _missing("running as root needs the user 'postgres' (Debian's postgresql package)")
        os.chown(tmp, pg_user.pw_uid, pg_user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, log = tmp / "data", tmp / "server.log"
    port = _free_port()

    def run(*args, check=True):
        return subprocess.run(
            [*prefix, *map(str, args)], capture_output=True, text=True, check=check, timeout=120
        )

    try:
        run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        opts = (
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        run(pg_ctl, "-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start")
    except subprocess.CalledProcessError as exc:
        text = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {exc.stderr or exc.stdout}\n{text}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(pg_ctl, "-D", data, "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(tmp, ignore_errors=True)
