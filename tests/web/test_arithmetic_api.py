"""GET /api/arithmetic: output sizes and receptive fields agree with the core and its engine."""

from __future__ import annotations

import numpy as np
import pytest

import convolab as cl

CASES = [
    # rows, cols, krows, kcols, padding, stride, dilation
    (5, 5, 3, 3, "valid", 1, 1),
    (7, 6, 3, 3, "same", 2, 1),
    (6, 7, 2, 4, "same", 1, 1),  # even kernels: asymmetric "same" padding
    (8, 5, 3, 2, "full", 3, 2),
    (9, 9, 3, 3, 2, 2, 3),
    (4, 11, 1, 5, 0, 4, 2),
    (16, 16, 7, 7, "full", 6, 1),
]


def get(client, rows, cols, krows, kcols, padding, stride, dilation, lang="nl"):
    return client.get(
        "/api/arithmetic",
        params=dict(
            rows=rows,
            cols=cols,
            krows=krows,
            kcols=kcols,
            padding=padding,
            stride=stride,
            dilation=dilation,
            lang=lang,
        ),
    )


@pytest.mark.parametrize("case", CASES)
def test_output_size_and_formula_match_the_core(client, case):
    rows, cols, krows, kcols, padding, stride, dilation = case
    r = get(client, *case)
    assert r.status_code == 200, r.text
    d = r.json()
    expect_rows = cl.output_size(rows, krows, padding=padding, stride=stride, dilation=dilation)
    expect_cols = cl.output_size(cols, kcols, padding=padding, stride=stride, dilation=dilation)
    assert d["output"] == [expect_rows, expect_cols]
    # the engine itself produces that shape
    out = cl.correlate(
        np.zeros((rows, cols)),
        np.ones((krows, kcols)),
        padding=padding,
        stride=stride,
        dilation=dilation,
    )
    assert list(out.shape) == d["output"]
    for axis, i, k in (("rows", rows, krows), ("cols", cols, kcols)):
        core = cl.explain_output_size(i, k, padding=padding, stride=stride, dilation=dilation)
        assert d["axes"][axis] == core.to_dict()
    assert len(d["fields"]) == expect_rows
    assert all(len(row) == expect_cols for row in d["fields"])


@pytest.mark.parametrize("case", CASES)
def test_receptive_fields_are_what_the_engine_reads(client, case):
    """With zero borders and an all-ones kernel, out[r, c] is the sum of the image cells the
    field lists (padding cells add 0). Checked with random integers, exactly."""
    rows, cols, krows, kcols, padding, stride, dilation = case
    d = get(client, *case).json()
    top, bottom = d["pads"]["top"], d["pads"]["bottom"]
    left, right = d["pads"]["left"], d["pads"]["right"]
    rng = np.random.default_rng(sum(map(hash, map(str, case))) % 2**32)
    img = rng.integers(1, 1000, size=(rows, cols)).astype(np.float64)
    out = cl.correlate(
        img, np.ones((krows, kcols)), padding=padding, stride=stride, dilation=dilation
    )
    for r, row in enumerate(d["fields"]):
        for c, field in enumerate(row):
            assert len(field["rows"]) == krows and len(field["cols"]) == kcols
            assert all(-top <= v < rows + bottom for v in field["rows"])
            assert all(-left <= v < cols + right for v in field["cols"])
            inside = [
                img[i, j]
                for i in field["rows"]
                for j in field["cols"]
                if 0 <= i < rows and 0 <= j < cols
            ]
            assert out[r, c] == sum(inside), (r, c)


@pytest.mark.parametrize("case", CASES)
def test_unread_cells_and_the_floor(client, case):
    rows, cols, *_ = case
    d = get(client, *case).json()
    pads = d["pads"]
    for axis, n, before, after in (
        ("rows", rows, pads["top"], pads["bottom"]),
        ("cols", cols, pads["left"], pads["right"]),
    ):
        read = {v for row in d["fields"] for f in row for v in f[axis]}
        unread = set(d["unread"][axis])
        assert read.isdisjoint(unread)
        assert read | unread == set(range(-before, n + after))
        # the floor: the last `remainder` cells of the padded input are never read
        rem = d["axes"][axis]["remainder"]
        assert set(range(n + after - rem, n + after)) <= unread


def test_a_division_that_is_not_whole_is_reported(client):
    # 7 + 2*1 - 3 = 6 -> 6 / 4 is not whole
    d = get(client, 7, 7, 3, 3, 1, 4, 1).json()
    a = d["axes"]["rows"]
    assert a["exact"] is False and a["remainder"] == 2 and a["value"] == 2
    assert "niet op" in a["text_nl"] and "not whole" in a["text_en"]
    # windows start at rows -1 and 3 and read {-1, 0, 1} and {3, 4, 5}: row 2 is skipped
    # (the stride is larger than the kernel) and rows 6, 7 are left over by the floor
    assert d["unread"]["rows"] == [2, 6, 7]


def assert_error(r, status, code, *words):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"ok", "status", "code", "error"}
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    for w in words:
        assert w in body["error"], body["error"]


@pytest.mark.parametrize(
    "params, code, nl_words, en_words",
    [
        ({"rows": 0}, "out_of_range", ["Invoer: rijen", "1", "16"], ["Input: rows", "1", "16"]),
        ({"cols": 17}, "out_of_range", ["Invoer: kolommen"], ["Input: columns"]),
        ({"krows": 8}, "out_of_range", ["Filter: rijen", "7"], ["Filter: rows", "7"]),
        ({"stride": 0}, "out_of_range", ["Stapgrootte"], ["Stride"]),
        ({"dilation": 9}, "out_of_range", ["Dilatatie"], ["Dilation"]),
        ({"padding": "half"}, "invalid_padding", ["'half'", "valid"], ["'half'", "valid"]),
        ({"padding": "-1"}, "invalid_padding", ["'-1'"], ["'-1'"]),
        ({"padding": "7"}, "invalid_padding", ["6"], ["6"]),
        (
            {"rows": 2, "krows": 5, "padding": "valid"},
            "kernel_larger_than_padded",
            ["5 rijen", "2 rijen"],
            ["5 rows", "2 rows"],
        ),
        (
            {"cols": 3, "kcols": 3, "dilation": 2, "padding": "valid"},
            "kernel_larger_than_padded",
            ["5 kolommen", "dilatatie 2", "3 kolommen"],
            ["5 columns", "dilation 2", "3 columns"],
        ),
    ],
)
def test_bad_input_is_a_4xx_in_the_page_language(client, params, code, nl_words, en_words):
    assert_error(client.get("/api/arithmetic", params=params), 400, code, *nl_words)
    assert_error(
        client.get("/api/arithmetic", params={**params, "lang": "en"}), 400, code, *en_words
    )


@pytest.mark.parametrize("params", [{"rows": "abc"}, {"stride": "1.5"}, {"dilation": ""}])
def test_wrong_types_are_422(client, params):
    r = client.get("/api/arithmetic", params=params)
    assert_error(r, 422, "invalid_request", next(iter(params)))


def test_pages_answer_in_both_languages(client):
    nl = client.get("/convolutie/rekenen?rows=9&stride=2")
    en = client.get("/en/convolution/arithmetic")
    assert nl.status_code == en.status_code == 200
    assert '<html lang="nl">' in nl.text and "Hoe groot wordt de uitvoer?" in nl.text
    assert 'value="9"' in nl.text  # the state in the URL fills the form
    assert '<html lang="en">' in en.text and "How big is the output?" in en.text
    assert "Hoe groot" not in en.text
