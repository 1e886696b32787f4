"""POST /api/steps: the player's trace agrees with the core's engine, step by step."""

from __future__ import annotations

import numpy as np
import pytest

import convolab as cl


def post(client, lang="nl", **body):
    return client.post(f"/api/steps?lang={lang}", json=body)


def check_trace(
    d,
    image,
    kernel,
    *,
    mode="correlate",
    padding="same",
    border="zero",
    stride=1,
    dilation=1,
    mapping="clip",
):
    """Every step's sum equals the engine's output at that position; order is raster order."""
    fn = cl.convolve if mode == "convolve" else cl.correlate
    raw = fn(image, kernel, padding=padding, border=border, stride=stride, dilation=dilation)
    shown = cl.to_display(raw, mapping)
    oh, ow = raw.shape
    assert d["out_shape"] == [oh, ow]
    assert [s["at"] for s in d["steps"]] == [[r, c] for r in range(oh) for c in range(ow)]
    scale = np.abs(kernel).sum() * max(1.0, np.abs(image).max())
    for s in d["steps"]:
        r, c = s["at"]
        assert abs(s["sum"] - raw[r, c]) <= 1e-9 * scale, (r, c)
        assert s["value"] == shown[r, c], (r, c)
        # the sum is the sum of the products shown, and each product is window x kernel
        products = np.array(s["products"])
        assert np.allclose(products, np.array(s["window"]) * np.array(d["applied"]))
        assert abs(products.sum() - s["sum"]) <= 1e-9 * scale


def test_default_trace_is_a_photo_crop_checked_against_the_engine(client):
    r = client.post("/api/steps", json={})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["ok"] is True and d["source"] == "sample"
    crop = d["crop"]
    photo = cl.sample(d["sample"], grey=True)
    image = photo[
        crop["row"] : crop["row"] + crop["size"], crop["col"] : crop["col"] + crop["size"]
    ]
    assert d["input"] == image.astype(int).tolist()
    k = cl.kernel(d["filter"])
    assert d["kernel"] == k.values.tolist()
    assert d["kernel_cells"] == k.cells()
    assert d["mapping"] == k.display
    check_trace(d, image, k.values, mapping=k.display)


@pytest.mark.parametrize(
    "opts",
    [
        dict(padding="valid"),
        dict(padding="full", border="zero", stride=2),
        dict(padding=2, border="reflect", dilation=2),
        dict(padding="same", border="wrap", stride=(1), dilation=3),
        dict(padding=1, border="symmetric", stride=3),
        dict(padding="same", border="replicate", mode="convolve"),
    ],
)
def test_options_agree_with_the_engine(client, opts):
    grid = "3 1 4 1 5 9\n2 6 5 3 5 8\n9 7 9 3 2 3\n8 4 6 2 6 4\n3 3 8 3 2 7\n9 5 0 2 8 8"
    kernel = "1 -2 0\n0 1/2 3\n-1 0 2"  # not symmetric: the flip shows
    d = post(client, source="grid", grid=grid, filter="custom", kernel=kernel, **opts)
    assert d.status_code == 200, d.text
    d = d.json()
    image = cl.parse_kernel(grid)
    k = cl.parse_kernel(kernel)
    if opts.get("mode") == "convolve":
        assert d["applied"] == k[::-1, ::-1].tolist()
    else:
        assert d["applied"] == k.tolist()
    check_trace(d, image, k, **opts)


@pytest.mark.parametrize("border", ["zero", "reflect", "symmetric", "replicate", "wrap"])
def test_padding_cells_hold_what_numpy_pads_with(client, border):
    grid = [[1, 2, 3], [4, 5, 6], [7, 8, 10]]
    d = post(client, source="grid", grid=grid, filter="blur", padding=2, border=border).json()
    np_mode = {
        "zero": "constant",
        "reflect": "reflect",
        "symmetric": "symmetric",
        "replicate": "edge",
        "wrap": "wrap",
    }[border]
    expected = np.pad(np.array(grid, dtype=float), 2, mode=np_mode)
    assert d["padded_input"] == expected.tolist()
    assert d["pads"] == [2, 2, 2, 2]
    for s in d["steps"]:
        rows, cols = np.array(s["rows"]), np.array(s["cols"])
        # the window is the padded grid at those rows/cols; padded cells are the outside ones
        assert s["window"] == expected[np.ix_(rows + 2, cols + 2)].tolist()
        outside = ((rows < 0) | (rows >= 3))[:, None] | ((cols < 0) | (cols >= 3))[None, :]
        assert s["padded"] == outside.tolist()


@pytest.mark.parametrize("mapping", ["clip", "abs", "offset", "rescale"])
def test_displayed_value_follows_the_mapping(client, mapping):
    d = post(client, filter="sobel-y", mapping=mapping, size=6).json()
    crop = d["crop"]
    photo = cl.sample(d["sample"], grey=True)
    image = photo[crop["row"] : crop["row"] + 6, crop["col"] : crop["col"] + 6]
    assert d["mapping"] == mapping
    check_trace(d, image, cl.kernel("sobel-y").values, mapping=mapping)


def test_other_sample_and_crop(client):
    d = post(client, sample="astronaut", row=100, col=200, size=5, filter="edge").json()
    image = cl.sample("astronaut", grey=True)[100:105, 200:205]
    assert d["input"] == image.astype(int).tolist()
    check_trace(d, image, cl.kernel("edge").values, mapping=cl.kernel("edge").display)


def assert_error(r, status, code, *words):
    assert r.status_code == status, r.text[:300]
    body = r.json()
    assert set(body) == {"ok", "status", "code", "error"}
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    for w in words:
        assert w in body["error"], body["error"]


@pytest.mark.parametrize(
    "body, code, nl, en",
    [
        ({"sample": "moon"}, "unknown_sample", ["'moon'", "camera"], ["Unknown photo", "camera"]),
        ({"row": 510}, "crop_outside", ["504"], ["outside the photo", "504"]),
        ({"col": -1}, "crop_outside", ["buiten"], ["outside"]),
        ({"size": 13}, "out_of_range", ["3", "12"], ["3", "12"]),
        ({"size": 2}, "out_of_range", ["uitsnede"], ["Crop size"]),
        ({"source": "grid", "grid": "1 2\n3"}, "invalid_grid", ["rooster"], ["grid"]),
        ({"source": "grid", "grid": "1 x 3"}, "invalid_grid", ["rooster"], ["grid"]),
        ({"source": "grid", "grid": ""}, "invalid_grid", ["rooster"], ["grid"]),
        ({"source": "grid", "grid": [[1] * 13] * 2}, "grid_too_big", ["12", "13"], ["12", "13"]),
        ({"filter": "sobel-z"}, "unknown_filter", ["'sobel-z'"], ["'sobel-z'"]),
        ({"filter": "custom", "kernel": "1 2;3"}, "invalid_kernel", ["filtergetallen"], ["filter"]),
        ({"filter": "custom", "kernel": None}, "invalid_kernel", ["filtergetallen"], ["filter"]),
        ({"filter": "custom", "kernel": "1 1/0"}, "invalid_kernel", [], []),
        ({"filter": "log"}, "kernel_too_big", ["7", "9"], ["7", "9"]),
        ({"stride": 0}, "out_of_range", ["Stapgrootte"], ["Stride"]),
        ({"dilation": 4}, "out_of_range", ["Spreiding"], ["Dilation"]),
        ({"padding": 5}, "out_of_range", ["Opvulling"], ["Padding"]),
        (
            {"source": "grid", "grid": "1 2\n3 4", "padding": "valid"},
            "kernel_larger_than_padded",
            ["3 rijen", "2 rijen"],
            ["3 rows", "2 rows"],
        ),
        (
            {"size": 12, "filter": "box-5", "padding": "full", "dilation": 2},
            "padded_too_big",
            ["28 × 28", "24 × 24"],
            ["28 × 28", "24 × 24"],
        ),
        ({"mode": "flip"}, "unknown_choice", ["'flip'", "convolve"], ["'flip'", "convolve"]),
        ({"border": "mirror"}, "unknown_choice", ["'mirror'"], ["'mirror'"]),
        ({"mapping": "log"}, "unknown_choice", ["'log'"], ["'log'"]),
        ({"padding": "half"}, "unknown_choice", ["'half'"], ["'half'"]),
    ],
)
def test_bad_input_is_a_4xx_in_the_page_language(client, body, code, nl, en):
    assert_error(post(client, **body), 400, code, *nl)
    assert_error(post(client, lang="en", **body), 400, code, *en)


@pytest.mark.parametrize(
    "raw, code",
    [
        (b'{"filter": "custom", "kernel": [[1, NaN]]}', "invalid_kernel"),
        (b'{"filter": "custom", "kernel": [[1, Infinity]]}', "invalid_kernel"),
        (b'{"source": "grid", "grid": [[1, -Infinity]]}', "invalid_grid"),
    ],
)
def test_nan_and_infinity_are_refused(client, raw, code):
    r = client.post("/api/steps", content=raw, headers={"content-type": "application/json"})
    assert_error(r, 400, code, "getallen")


@pytest.mark.parametrize(
    "body",
    [
        {"stride": "two"},
        {"size": 4.5},
        {"source": "video"},
        {"grid": {"a": 1}, "source": "grid"},
        {"kernel": [["a"]], "filter": "custom"},
    ],
)
def test_wrong_json_types_are_422(client, body):
    assert_error(client.post("/api/steps", json=body), 422, "invalid_request")


def test_not_json_is_a_4xx(client):
    r = client.post("/api/steps", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["ok"] is False


def test_pages_answer_in_both_languages(client):
    nl = client.get("/convolutie/stappen")
    en = client.get("/en/convolution/steps?embed=1")
    assert nl.status_code == en.status_code == 200
    assert '<html lang="nl">' in nl.text and "stap voor stap" in nl.text
    assert '<html lang="en">' in en.text and "step by step" in en.text
    assert "site-header" not in en.text  # embed: compact layout without the header
    for k in cl.kernels():
        if max(k.shape) <= 7:
            assert f'value="{k.id}"' in nl.text
