"""Fixtures for the API tests: the real app behind Starlette's TestClient."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    # Starlette >= 1.0 asks for httpx2 (in the test extra); with only httpx installed it warns
    # once at import, which pytest's warnings-as-errors would turn into a collection error.
    warnings.filterwarnings("ignore", r"Using `httpx` with `starlette.testclient`", Warning)
    from fastapi.testclient import TestClient

from convolab.web.app import create_app


@pytest.fixture(scope="session")
def app():
    return create_app()


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app) as c:
        yield c


#: The teacher code the ``teacher_code`` fixture sets (``CONVOLAB_TEACHER_CODE``).
TEST_TEACHER_CODE = "KLAS-2026"


@pytest.fixture
def teacher_code(monkeypatch):
    """Set ``CONVOLAB_TEACHER_CODE`` for the test; returns the code as a teacher types it."""
    monkeypatch.setenv("CONVOLAB_TEACHER_CODE", TEST_TEACHER_CODE)
    return TEST_TEACHER_CODE


@pytest.fixture
def enter_teacher_code(teacher_code):
    """A function turning teacher mode on for a client (the cookie is kept by the client)."""

    def enter(c) -> None:
        r = c.post("/api/teacher", json={"code": teacher_code})
        assert r.status_code == 200, r.text
        assert r.json() == {"ok": True, "teacher": True}

    return enter
