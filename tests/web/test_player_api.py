"""POST /api/steps: the player's trace agrees with the core's engine, step by step."""

from __future__ import annotations

import json

import numpy as np
import pytest

import convolab as cl
from convolab.web.routes.player import DEFAULTS


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


def check_region(d, image, kernel, *, row, col, mode="correlate", border="zero", mapping="clip"):
    """A photo trace: the steps are the output pixels around (row, col) of the WHOLE photo,
    each equal to the engine's result on the whole photo (range of the whole output for
    offset/rescale), and the trace opens on (row, col)."""
    fn = cl.convolve if mode == "convolve" else cl.correlate
    raw = fn(image, kernel, border=border)
    shown = cl.to_display(raw, mapping)
    h, w = image.shape[:2]
    assert d["image_shape"] == [h, w] and d["full_out_shape"] == [h, w]
    assert d["value_range"] == list(cl.value_range(raw)) or mapping in ("clip", "abs")
    (r0, c0), (sr, sc) = d["out_origin"], d["out_shape"]
    assert [s["at"] for s in d["steps"]] == [
        [r, c] for r in range(r0, r0 + sr) for c in range(c0, c0 + sc)
    ]
    assert d["steps"][d["start"]]["at"] == [row, col]
    # the drawn grid is the photo (and the border's opvulling only outside it)
    (g0r, g0c), grid = d["origin"], np.array(d["padded_input"])
    pads = (max(0, -g0r), 0, max(0, -g0c), 0)
    padded = cl.borders.pad(image, (pads[0], grid.shape[0], pads[2], grid.shape[1]), border)
    expected = padded[
        g0r + pads[0] : g0r + pads[0] + grid.shape[0], g0c + pads[2] : g0c + pads[2] + grid.shape[1]
    ]
    assert grid.tolist() == expected.astype(int).tolist()
    for s in d["steps"]:
        r, c = s["at"]
        assert np.allclose(s["sum"], raw[r, c], rtol=0, atol=1e-9), (r, c)
        assert np.array_equal(s["value"], shown[r, c]), (r, c)
        rows, cols = np.array(s["rows"]), np.array(s["cols"])
        outside = ((rows < 0) | (rows >= h))[:, None] | ((cols < 0) | (cols >= w))[None, :]
        assert s["padded"] == outside.tolist()
        # the step "sum -> grey value" as the page spells it out
        assert np.array_equal(cl.display.display_values(s["scaled"], "clip", 0, 0), s["value"])
    return raw


def test_default_trace_is_a_gentle_first_look_inside_the_photo(client):
    r = client.post("/api/steps", json={})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["ok"] is True and d["source"] == "sample" and d["channels"] == 1
    k = cl.kernel(d["filter"])
    assert d["filter"] == "blur" and d["mapping"] == "clip" == k.display
    assert d["kernel"] == k.values.tolist()
    assert d["kernel_cells"] == d["applied_cells"] == k.cells()
    image = cl.sample(d["sample"], grey=True)
    check_region(d, image, k.values, row=DEFAULTS["row"], col=DEFAULTS["col"])
    assert not any(np.any(s["padded"]) for s in d["steps"])  # no opvulling at all


@pytest.mark.parametrize(
    "body",
    [
        dict(sample="camera", row=0, col=0, filter="sobel-x"),
        dict(sample="coins", row=302, col=383, filter="outline", border="reflect"),
        dict(sample="chelsea", colour=True, row=0, col=200, filter="emboss", mode="convolve"),
        dict(sample="chelsea", colour=True, row=150, col=450, filter="sharpen", mapping="rescale"),
        dict(sample="astronaut", colour=True, row=3, col=509, filter="gaussian-5", border="wrap"),
        dict(sample="text", row=100, col=7, filter="vertical-lines", mapping="offset", size=5),
    ],
)
def test_a_photo_pixel_is_worked_out_on_the_whole_photo(client, body):
    d = post(client, **body).json()
    k = cl.kernel(body["filter"])
    image = cl.sample(body["sample"], grey=not body.get("colour", False))
    assert d["channels"] == (3 if image.ndim == 3 else 1)
    mapping = body.get("mapping", k.display)
    opts = {o: body[o] for o in ("mode", "border") if o in body}
    check_region(d, image, k.values, row=body["row"], col=body["col"], mapping=mapping, **opts)
    size = body.get("size", DEFAULTS["size"])
    assert d["out_shape"] == [size, size]


@pytest.mark.parametrize(
    "body",
    [
        dict(sample="chelsea", filter="sobel-x", row=12, col=300),
        dict(sample="chelsea", filter="emboss", mode="convolve", border="replicate", row=0, col=0),
        dict(sample="coffee", filter="edge", mapping="offset", row=399, col=10),
        dict(sample="camera", filter="blur", mapping="rescale", row=200, col=511),
        dict(sample="rocket", filter="custom", kernel=[["1/2", 0, "-1/2"]], row=5, col=5),
    ],
)
@pytest.mark.parametrize("colour", [True, False])
def test_every_number_equals_the_explorers_pixel(client, body, colour):
    """The explorer's /api/apply answer and the player's step agree on every pixel shown."""
    apply = dict(
        sample=body["sample"],
        colour=colour,
        mode=body.get("mode", "correlate"),
        border=body.get("border", "zero"),
    )
    steps = dict(body, colour=colour)
    if body["filter"] == "custom":
        apply["kernel"] = body["kernel"]
        apply["filter"] = None
        apply["mapping"] = "clip"
        steps["kernel"] = "; ".join(" ".join(str(c) for c in row) for row in body["kernel"])
    else:
        apply["filter"] = body["filter"]
        if "mapping" in body:
            apply["mapping"] = body["mapping"]
    a = client.post("/api/apply", json={k: v for k, v in apply.items() if v is not None})
    assert a.status_code == 200, a.text[:300]
    n = int(a.headers["X-Meta-Length"])  # the explorer's binary answer: JSON, then the pixels
    meta = json.loads(a.content[:n])
    pixels = np.frombuffer(a.content[n:], np.uint8).reshape(
        meta["height"], meta["width"], meta["channels"]
    )
    a = meta
    d = post(client, **steps).json()
    assert d["mapping"] == a["mapping"]
    assert d["channels"] == a["channels"]
    for s in d["steps"]:
        r, c = s["at"]
        assert np.array_equal(np.ravel(s["value"]), pixels[r, c]), (r, c)
    if a["mapping"] in ("offset", "rescale"):
        assert d["value_range"] == [a["min"], a["max"]]


def test_convolution_shows_the_filter_as_applied_and_what_it_does(client):
    d = post(client, filter="sobel-x", mode="convolve").json()
    assert d["applied"] == cl.kernel("sobel-x").values[::-1, ::-1].tolist()
    assert d["applied_cells"] == [row[::-1] for row in cl.kernel("sobel-x").cells()[::-1]]
    assert np.array_equal(
        cl.parse_kernel("; ".join(" ".join(r) for r in d["applied_cells"])), np.array(d["applied"])
    )
    assert d["turned_filter"] == {"id": "sobel-left", "same": False}
    assert cl.kernel("sobel-left").values.tolist() == d["applied"]
    assert post(client, filter="blur", mode="convolve").json()["turned_filter"] == {
        "id": "blur",
        "same": True,
    }
    assert post(client, filter="emboss", mode="convolve").json()["turned_filter"] == {
        "id": None,
        "same": False,
    }
    assert post(client, filter="emboss").json()["turned_filter"] is None


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
    assert d["mapping"] == mapping
    image = cl.sample(d["sample"], grey=True)
    k = cl.kernel("sobel-y").values
    check_region(d, image, k, row=DEFAULTS["row"], col=DEFAULTS["col"], mapping=mapping)


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
        ({"sample": "moon"}, "unknown_sample", ["'moon'", "camera"], ["unknown sample", "camera"]),
        ({"row": 512}, "pixel_outside", ["511"], ["outside the output", "511"]),
        ({"col": -1}, "pixel_outside", ["buiten"], ["outside"]),
        ({"size": 13}, "out_of_range", ["3", "12"], ["3", "12"]),
        ({"size": 2}, "out_of_range", ["uitvoer"], ["Part of the output"]),
        ({"source": "grid", "grid": "1 2\n3"}, "invalid_grid", ["rooster"], ["grid"]),
        ({"source": "grid", "grid": "1 x 3"}, "invalid_grid", ["rooster"], ["grid"]),
        ({"source": "grid", "grid": ""}, "invalid_grid", ["rooster"], ["grid"]),
        ({"source": "grid", "grid": [[1] * 13] * 2}, "grid_too_big", ["12", "13"], ["12", "13"]),
        ({"filter": "sobel-z"}, "unknown_filter", ["'sobel-z'"], ["'sobel-z'"]),
        ({"filter": "custom", "kernel": "1 2;3"}, "kernel_ragged", ["rij 2"], ["row 2"]),
        ({"filter": "custom", "kernel": None}, "invalid_kernel", ["filtergetallen"], ["filter"]),
        (
            {"filter": "custom", "kernel": "1 1/0"},
            "cell_divides_by_zero",
            ["kolom 2"],
            ["column 2"],
        ),
        ({"filter": "log"}, "kernel_too_big", ["7", "9"], ["7", "9"]),
        ({"stride": 0}, "out_of_range", ["Stapgrootte"], ["Stride"]),
        ({"dilation": 4}, "out_of_range", ["Dilatatie"], ["Dilation"]),
        ({"padding": 5}, "out_of_range", ["Opvulling"], ["Padding"]),
        (
            {"source": "grid", "grid": "1 2\n3 4", "padding": "valid"},
            "kernel_larger_than_padded",
            ["3 rijen", "2 rijen"],
            ["3 rows", "2 rows"],
        ),
        (
            {
                "source": "grid",
                "grid": [[1] * 12] * 12,
                "filter": "box-5",
                "padding": "full",
                "dilation": 2,
            },
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
        (b'{"filter": "custom", "kernel": [[1, NaN]]}', "not_finite"),
        (b'{"filter": "custom", "kernel": [[1, Infinity]]}', "not_finite"),
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


@pytest.mark.parametrize("colour", [True, False])
def test_an_uploaded_image_is_worked_out_by_its_id(client, colour):
    """The explorer's upload (POST /api/image) opens in the player by its id."""
    import io

    from PIL import Image

    rgb = np.random.default_rng(5).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    r = client.post(
        "/api/image?filename=eigen.png",
        content=buf.getvalue(),
        headers={"content-type": "image/png"},
    )
    assert r.status_code == 200, r.text
    image_id = r.json()["image_id"]
    d = post(client, image_id=image_id, colour=colour, row=0, col=39, filter="sharpen").json()
    image = rgb if colour else np.asarray(Image.fromarray(rgb).convert("L"))
    assert d["image_id"] == image_id and d["sample"] is None
    check_region(d, image, cl.kernel("sharpen").values, row=0, col=39)
    assert_error(post(client, image_id="no-such-image"), 404, "image_expired")
