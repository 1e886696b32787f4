"""Teacher mode: the code, the teacher page, the cookie a pupil cannot make, the 403 shape."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from convolab.web import teacher
from convolab.web.app import create_app

ERROR_KEYS = {"ok", "status", "code", "error"}
NOTEBOOK = "/notebooks/nl/convoluties_in_python_leraar.ipynb"


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture
def client(app, teacher_code):
    teacher._failures.clear()
    with TestClient(app) as c:
        yield c
    teacher._failures.clear()


@pytest.mark.parametrize(
    ("lang", "url", "off"),
    [("nl", "/leraar", "/leraar/uit"), ("en", "/en/teacher", "/en/teacher/off")],
)
def test_the_teacher_page_turns_teacher_mode_on_and_off(client, teacher_code, lang, url, off):
    page = client.get(url)
    assert page.status_code == 200 and 'name="code"' in page.text
    assert client.get(NOTEBOOK).status_code == 403

    wrong = client.post(url, data={"code": "ABCD-0000"}, follow_redirects=False)
    assert wrong.status_code == 403 and "convolab_teacher" not in wrong.cookies
    assert ("klopt niet" if lang == "nl" else "not right") in wrong.text

    # typed the way a teacher might: lower case, with a space instead of the dash
    ok = client.post(
        url, data={"code": teacher_code.lower().replace("-", " ")}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"] == url
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and teacher_code not in cookie
    on = client.get(url).text
    assert 'name="code"' not in on and "/notebooks/" in on
    assert client.get(NOTEBOOK).status_code == 200
    assert client.get("/api/teacher").json() == {"ok": True, "teacher": True}

    gone = client.post(off, follow_redirects=False)
    assert gone.status_code == 303
    assert client.get("/api/teacher").json() == {"ok": True, "teacher": False}
    assert client.get(NOTEBOOK).status_code == 403


def test_a_pupil_cannot_make_the_cookie(client, teacher_code):
    for value in ("1", "true", "0" * 64, teacher_code, teacher.normalise(teacher_code)):
        client.cookies.set("convolab_teacher", value)
        r = client.get(NOTEBOOK)
        assert r.status_code == 403, value
        body = r.json()
        assert set(body) == ERROR_KEYS and body["code"] == "teacher_only" and body["ok"] is False
        assert "leraar" in body["error"]
        assert "teacher only" in client.get(NOTEBOOK + "?lang=en").json()["error"]
    client.cookies.clear()


def test_a_new_code_ends_old_cookies(client, teacher_code, enter_teacher_code, monkeypatch):
    enter_teacher_code(client)
    assert client.get(NOTEBOOK).status_code == 200
    monkeypatch.setenv("CONVOLAB_TEACHER_CODE", "ANDERE-CODE")
    assert client.get(NOTEBOOK).status_code == 403


def test_too_many_wrong_codes_wait(client, teacher_code):
    for _ in range(teacher.MAX_FAILURES):
        r = client.post("/api/teacher", json={"code": "WRONG123"})
        assert r.status_code == 403 and r.json()["code"] == "teacher_code_wrong"
    r = client.post("/api/teacher", json={"code": teacher_code})
    assert r.status_code == 429 and set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == "teacher_wait" and "seconden" in r.json()["error"]
    page = client.post("/en/teacher", data={"code": teacher_code}, follow_redirects=False)
    assert page.status_code == 429 and "Too many wrong codes" in page.text


def test_a_generated_code_when_none_is_set(monkeypatch):
    monkeypatch.delenv("CONVOLAB_TEACHER_CODE", raising=False)
    monkeypatch.setattr(teacher, "_generated", None)
    code = teacher.teacher_code()
    assert len(code) == teacher.CODE_LENGTH and set(code) <= set(teacher.CODE_ALPHABET)
    assert teacher.teacher_code() == code  # one per process
    assert teacher.display_code() == f"{code[:4]}-{code[4:]}"
    assert teacher.ensure_code() == code
    import os

    assert os.environ["CONVOLAB_TEACHER_CODE"] == code


def test_bad_forms_are_named_errors(client):
    r = client.post(
        "/leraar",
        content=b"code=" + b"x" * 5000,
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"
    r = client.post("/api/teacher", json={"code": "x" * 100})
    assert r.status_code == 422 and set(r.json()) == ERROR_KEYS
