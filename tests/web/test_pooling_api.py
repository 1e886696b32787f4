"""The pooling page and its API: every number is the core's (convolab.pooling)."""

from __future__ import annotations

import numpy as np
import pytest

from convolab import pooling


def test_the_api_answers_the_core_numbers(client):
    r = client.get("/api/pooling?sample=coins&filter=edge&side=6&size=3")
    assert r.status_code == 200, r.text
    body = r.json()
    core = pooling.example("coins", "edge", 6, 3)
    for key in ("input", "feature_map", "relu", "pooled", "steps"):
        assert body[key] == core[key]
    assert np.array(body["pooled"]).shape == (2, 2) and len(body["steps"]) == 4


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ("size=5", "invalid_value", "2 of 3"),
        ("side=7", "unknown_choice", "grootte van de kenmerkkaart"),
        ("filter=zzz", "unknown_filter", "zzz"),
        ("sample=moon", None, "moon"),
        ("side=abc", "invalid_request", "side"),
    ],
)
def test_bad_settings_are_4xx_in_the_one_shape(client, query, code, words):
    r = client.get(f"/api/pooling?{query}")
    assert 400 <= r.status_code < 500, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == r.status_code
    if code:
        assert body["code"] == code
    assert words in body["error"]


@pytest.mark.parametrize(
    ("url", "words"),
    [("/convolutie/pooling", "ReLU en max pooling"), ("/en/convolution/pooling", "ReLU and max")],
)
def test_the_page_in_both_languages(client, url, words):
    r = client.get(url)
    assert r.status_code == 200 and words in r.text
    assert "/static/pooling/pooling.js" in r.text and 'id="i18n-pooling"' in r.text
