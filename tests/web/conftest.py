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


# --- every error the web tests provoke is also checked in Dutch --------------------------------

ERROR_KEYS = {"ok", "status", "code", "error"}
#: (method, path, status, code) of every 4xx the web tests provoked, checked in Dutch.
CHECKED_IN_DUTCH: list[tuple[str, str, int, str]] = []


def _is_dutch_request(url) -> bool:
    lang = url.params.get("lang")
    if lang:
        return lang == "nl"
    return not (url.path == "/en" or url.path.startswith("/en/"))


def dutch_error_of(send, response):
    """The JSON error of ``response`` as a Dutch request gets it: the response itself for a
    Dutch request, else the same request sent again with ``lang=nl``. ``None`` if not a 4xx
    in the one shape."""
    if not 400 <= response.status_code < 500:
        return None
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    req = response.request
    if not _is_dutch_request(req.url):
        url = req.url.copy_set_param("lang", "nl")
        headers = {k: v for k, v in req.headers.items() if k.lower() != "content-length"}
        response = send(req.method, str(url), content=req.content, headers=headers)
        if not 400 <= response.status_code < 500:
            return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or set(body) != ERROR_KEYS:
        return None
    return body


@pytest.fixture(autouse=True, scope="session")
def every_error_is_checked_in_dutch():
    """Wrap the test client: every 4xx JSON error any web test provokes (in any language) is
    asked again in Dutch and must hold no English (a word list, not fixed texts)."""
    from english_words import english_words

    original = TestClient.request

    def request(self, method, url, *args, **kwargs):
        response = original(self, method, url, *args, **kwargs)
        body = dutch_error_of(lambda *a, **kw: original(self, *a, **kw), response)
        if body is not None:
            found = english_words(body["error"])
            assert not found, (
                f"English {found} in the Dutch error of {method} {url}: {body['error']!r}"
            )
            CHECKED_IN_DUTCH.append(
                (method, response.request.url.path, body["status"], body["code"])
            )
        return response

    TestClient.request = request
    yield
    TestClient.request = original
