"""Per-client limit on adding drawings: at most CONVOLAB_DRAWINGS_PER_MINUTE new drawings per
client (its address) in any minute; more get a 429 in the one JSON shape, nl and en. A dropped
cookie does not reset it; other clients are not affected."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from convolab.classes import starter_set
from convolab.web.app import create_app
from convolab.web.routes.emotions import DRAWINGS_PER_MINUTE, RateLimit, drawings_per_minute

TEACHER_CODE = "TEACH234"
LIMIT = 5


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVOLAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CONVOLAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("CONVOLAB_TEACHER_CODE", TEACHER_CODE)
    monkeypatch.setenv("CONVOLAB_DRAWINGS_PER_MINUTE", str(LIMIT))
    return create_app()


def _code(app) -> str:
    with TestClient(app) as teacher:
        r = teacher.post("/leraar", data={"code": TEACHER_CODE}, follow_redirects=False)
        assert r.status_code in (302, 303)
        return teacher.post("/api/emotions/classes", json={}).json()["class"]["code"]


def test_more_drawings_per_minute_than_allowed_get_a_429(app):
    code = _code(app)
    x, _ = starter_set(("blij",), per_label=LIMIT + 3, seed=1)
    url = f"/api/emotions/classes/{code}/drawings"
    with TestClient(app) as pupil:
        for px in x[:LIMIT]:
            r = pupil.post(url, json={"label": "blij", "pixels": px.ravel().tolist()})
            assert r.status_code == 201, r.text
        answers = {}
        for lang in ("nl", "en"):
            r = pupil.post(
                f"{url}?lang={lang}", json={"label": "blij", "pixels": x[LIMIT].ravel().tolist()}
            )
            assert r.status_code == 429
            body = r.json()
            assert set(body) == {"ok", "status", "code", "error"}
            assert body["ok"] is False and body["status"] == 429
            assert body["code"] == "too_many_drawings"
            answers[lang] = body["error"]
        assert "5 tekeningen" in answers["nl"] and "minuut" in answers["nl"]
        assert "5 drawings" in answers["en"] and "minute" in answers["en"]
        pupil.cookies.clear()  # a new cookie is still the same computer
        r = pupil.post(url, json={"label": "blij", "pixels": x[LIMIT + 1].ravel().tolist()})
        assert r.status_code == 429
        count = pupil.get(f"/api/emotions/classes/{code}").json()["class"]["count"]
        assert count == LIMIT  # the refused drawings were not stored


def test_the_limit_counts_per_client_and_frees_up_after_a_minute():
    now = [100.0]
    rate = RateLimit(3, window=60.0, clock=lambda: now[0])
    for _ in range(3):  # at 100, 110, 120
        assert rate.take("10.0.0.1") == 0.0
        now[0] += 10
    assert rate.take("10.0.0.1") == pytest.approx(30.0)  # at 130: the first leaves at 160
    assert rate.take("10.0.0.2") == 0.0  # another computer
    now[0] = 160.5
    assert rate.take("10.0.0.1") == 0.0
    assert rate.take("10.0.0.1") == pytest.approx(9.5)  # the one of 110 leaves at 170
    assert RateLimit(0).take("x") == 0.0  # 0: no limit


def test_the_setting(monkeypatch):
    monkeypatch.delenv("CONVOLAB_DRAWINGS_PER_MINUTE", raising=False)
    assert drawings_per_minute() == DRAWINGS_PER_MINUTE == 60
    monkeypatch.setenv("CONVOLAB_DRAWINGS_PER_MINUTE", "0")
    assert drawings_per_minute() == 0
    monkeypatch.setenv("CONVOLAB_DRAWINGS_PER_MINUTE", "-3")
    with pytest.raises(ValueError, match="whole number >= 0"):
        drawings_per_minute()


@pytest.mark.parametrize(
    "env,value,words",
    [
        ("CONVOLAB_DRAWINGS_PER_MINUTE", "veel", "whole number >= 0"),
        ("CONVOLAB_RUNS_PER_CLIENT", "0", "whole number >= 1"),
        ("CONVOLAB_RUN_KEEP", "altijd", "number >= 0"),
    ],
)
def test_a_bad_setting_stops_the_app_when_it_is_made_not_on_the_first_request(
    monkeypatch, env, value, words
):
    """Outside ``convolab serve`` too (uvicorn --factory): one clear line at the start,
    never a 500 on the first drawing or run."""
    from convolab.web.app import create_app

    monkeypatch.setenv(env, value)
    with pytest.raises(ValueError, match=words) as err:
        create_app()
    assert env in str(err.value) and repr(value) in str(err.value)
