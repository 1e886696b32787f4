"""The filter explorer's JSON API, against the core library it calls."""

from __future__ import annotations

import ast
import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

import convolab as cl
from convolab.web.routes import explorer

ERROR_KEYS = {"ok", "status", "code", "error"}


def error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert set(body) == ERROR_KEYS and body["ok"] is False and body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    assert len(body["error"]) > 10
    return body


def png_pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def applied(response) -> dict:
    """An /api/apply answer: the JSON part, with the image bytes after it as ``"_image"``."""
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/octet-stream"
    n = int(response.headers["x-meta-length"])
    meta, image = explorer.split_envelope(response.content, n)
    assert "_image" not in meta
    return {**meta, "_image": image}


def shown_pixels(body: dict) -> np.ndarray:
    """The output image of an /api/apply answer: raw uint8 bytes (the default) or a PNG."""
    if body["format"] == "png":
        return png_pixels(body["_image"])
    h, w, c = body["height"], body["width"], body["channels"]
    raw = np.frombuffer(body["_image"], dtype=np.uint8)
    assert raw.size == h * w * c
    return raw.reshape((h, w) if c == 1 else (h, w, c))


def working_pixels(client, info: dict, grey: bool = False) -> np.ndarray:
    """The working copy /api/image kept, as its PNG URL gives it; its raw pixels (what the
    page draws) must be the same."""
    r = client.get(info["url_grey" if grey else "url"])
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    png = png_pixels(r.content)
    raw = client.get(info["pixels_grey" if grey else "pixels"])
    assert raw.status_code == 200 and raw.headers["content-type"] == explorer.APPLY_MEDIA_TYPE
    meta, pixels = explorer.split_envelope(raw.content, int(raw.headers["x-meta-length"]))
    shape = (meta["height"], meta["width"]) + (() if meta["channels"] == 1 else (3,))
    assert np.array_equal(np.frombuffer(pixels, np.uint8).reshape(shape), png)
    return png


def encode(arr: np.ndarray, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt, **kw)
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def photo(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A smooth colour test image (real photos come from the samples)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / max(w - 1, 1), y * 255 / max(h - 1, 1), (x + y) % 256], axis=2)
    return np.clip(base + rng.integers(-20, 20, base.shape), 0, 255).astype(np.uint8)


# --- catalogue and samples ------------------------------------------------------------------


def test_kernels_in_both_languages(client):
    nl = client.get("/api/kernels").json()
    en = client.get("/api/kernels?lang=en").json()
    assert [k["id"] for k in nl["kernels"]] == [k.id for k in cl.kernels()]
    for k_nl, k_en, k in zip(nl["kernels"], en["kernels"], cl.kernels(), strict=True):
        assert (k_nl["name"], k_nl["about"]) == (k.name_nl, k.about_nl)
        assert (k_en["name"], k_en["about"]) == (k.name_en, k.about_en)
        assert np.array_equal(np.array(k_nl["values"]), k.values)
    assert set(nl["mappings"]) == set(cl.MAPPINGS)
    assert [b["id"] for b in nl["borders"]] == list(cl.BORDERS)


def test_samples_and_their_pixels(client):
    listing = client.get("/api/samples?lang=en").json()["samples"]
    assert {s["id"] for s in listing} == {s.id for s in cl.samples()}
    for s in listing:
        assert s["licence"] and s["source"]
    for name in ("chelsea", "camera"):
        for grey in (False, True):
            r = client.get(f"/api/samples/{name}.png?grey={int(grey)}")
            assert r.headers["content-type"] == "image/png"
            got = np.asarray(Image.open(io.BytesIO(r.content)))
            assert np.array_equal(got, cl.sample(name, grey=grey))
    thumb = Image.open(io.BytesIO(client.get("/api/samples/chelsea.png?thumb=1").content))
    assert max(thumb.size) <= explorer.THUMB_SIDE
    body = error(client.get("/api/samples/chelsy.png?lang=en"), 404, "unknown_sample")
    assert "chelsea" in body["error"]


# --- apply ------------------------------------------------------------------------------------


CASES = [
    {"sample": "chelsea", "filter": "sharpen"},
    {"sample": "chelsea", "filter": "sobel-x", "mode": "convolve", "border": "reflect"},
    {"sample": "astronaut", "filter": "emboss", "colour": False, "mapping": "rescale"},
    {"sample": "camera", "filter": "edge", "border": "wrap", "mapping": "clip"},
    {"sample": "coins", "filter": "log", "border": "symmetric"},
    {"sample": "coffee", "filter": "motion-blur", "border": "replicate", "mapping": "abs"},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c.values())))
def test_apply_matches_the_library(client, case):
    body = applied(client.post("/api/apply", json=case))
    k = cl.kernel(case["filter"])
    img = cl.sample(case["sample"], grey=not case.get("colour", True))
    fn = cl.convolve if case.get("mode") == "convolve" else cl.correlate
    raw = fn(img, k.values, border=case.get("border", "zero"))
    mapping = case.get("mapping", k.display)
    assert body["mapping"] == mapping
    assert np.array_equal(shown_pixels(body), cl.to_display(raw, mapping))
    assert (body["min"], body["max"]) == (raw.min(), raw.max())
    assert body["negative_fraction"] == pytest.approx((raw < 0).mean())
    legend = body["legend"]
    assert len(legend["values"]) == explorer.LEGEND_STEPS
    assert (
        legend["zero"]
        == cl.to_display(np.zeros((1, 1)), mapping, value_range=(raw.min(), raw.max()))[0, 0]
    )


def test_apply_sends_raw_pixels_or_on_request_a_png(client):
    case = {"sample": "astronaut", "filter": "sobel-x", "mode": "convolve", "border": "wrap"}
    k = cl.kernel("sobel-x")
    expected = cl.to_display(
        cl.convolve(cl.sample("astronaut"), k.values, border="wrap"), k.display
    )
    raw = applied(client.post("/api/apply", json=case))  # what the page asks for
    assert raw["format"] == "pixels" and "png" not in raw and "pixels" not in raw
    assert (raw["height"], raw["width"], raw["channels"]) == expected.shape
    assert len(raw["_image"]) == expected.size  # no header, no compression, no base64
    assert np.array_equal(shown_pixels(raw), expected)
    png = applied(client.post("/api/apply", json={**case, "format": "png"}))  # for API users
    assert png["format"] == "png" and png["_image"].startswith(b"\x89PNG")
    assert np.array_equal(png_pixels(png["_image"]), expected)
    grey = applied(client.post("/api/apply", json={**case, "colour": False}))
    assert grey["channels"] == 1
    grey_expected = cl.to_display(
        cl.convolve(cl.sample("astronaut", grey=True), k.values, border="wrap"), k.display
    )
    assert np.array_equal(shown_pixels(grey), grey_expected)
    assert {key: v for key, v in raw.items() if key not in ("_image", "ms")} == {
        key: v for key, v in png.items() if key not in ("_image", "ms", "format")
    } | {"format": "pixels"}


def test_legend_shows_where_negatives_go(client):
    legend = {
        m: applied(
            client.post("/api/apply", json={"sample": "camera", "filter": "sobel-x", "mapping": m})
        )["legend"]
        for m in cl.MAPPINGS
    }
    assert legend["clip"]["values"][0] == 0 and legend["clip"]["zero"] == 0  # negatives: black
    assert legend["abs"]["values"][0] == legend["abs"]["values"][-1]  # -x looks like +x
    assert legend["offset"]["zero"] == 128 and legend["offset"]["values"][0] < 5  # darker
    assert legend["rescale"]["values"][-1] == 255


def test_convolve_flips_the_kernel(client):
    def out(filter_, mode):
        body = {"sample": "camera", "filter": filter_, "mode": mode}
        return shown_pixels(applied(client.post("/api/apply", json=body)))

    assert not np.array_equal(out("sobel-x", "correlate"), out("sobel-x", "convolve"))
    assert np.array_equal(out("sobel-x", "convolve"), out("sobel-left", "correlate"))
    assert np.array_equal(out("blur", "correlate"), out("blur", "convolve"))


def test_typed_kernel_with_fractions(client):
    body = {"sample": "chelsea", "filter": "sharpen", "kernel": [["1/9"] * 3] * 3}
    typed = applied(client.post("/api/apply", json=body))
    blur = applied(client.post("/api/apply", json={"sample": "chelsea", "filter": "blur"}))
    assert typed["mapping"] == "clip"  # the sharpen default; both are clip
    assert np.array_equal(shown_pixels(typed), shown_pixels(blur))
    assert 'cl.parse_kernel("1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9")' in typed["code"]["convolab"]
    numbers = {"sample": "camera", "filter": "identity", "kernel": [[0, 0.5], [1e-1, -2]]}
    assert applied(client.post("/api/apply", json=numbers))["kernel_shape"] == [2, 2]


# --- the code panel reproduces the output ----------------------------------------------------


def run_code(code: str, folder) -> np.ndarray:
    exec(compile(code, "code-panel", "exec"), {"__name__": "code_panel"})  # noqa: S102
    return np.asarray(Image.open(folder / "resultaat.png"))


CODE_CASES = [
    {"sample": "chelsea", "filter": "sobel-x", "border": "reflect"},
    {"sample": "astronaut", "filter": "emboss", "mode": "convolve", "colour": False},
    {"sample": "coins", "filter": "blur", "mapping": "rescale", "border": "wrap"},
    {
        "sample": "camera",
        "filter": "edge",
        "kernel": [["-1", "-1"], ["2", "0.5"], ["1/3", "007"]],
        "mapping": "abs",
        "border": "symmetric",
    },
    # no exact form (floats): the products added tap by tap, as the step trace does
    {"sample": "camera", "filter": "log", "mapping": "offset"},
    {"sample": "coins", "filter": "gaussian-5", "border": "replicate"},
    # 50 cells or more, half-integers: exact ties at x.5
    {"sample": "camera", "filter": "blur", "kernel": [["0,5"] * 10] * 5, "border": "wrap"},
    {
        "sample": "coins",
        "filter": "blur",
        "kernel": [["1/2", "-1/2", "3/2"] * 5] * 15,
        "mapping": "offset",
        "mode": "convolve",
    },
    {"sample": "chelsea", "filter": "box-5", "kernel": [["1/225"] * 15] * 15},
]


@pytest.mark.parametrize("case", CODE_CASES)
def test_code_panel_reproduces_the_output(client, tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    body = applied(client.post("/api/apply", json=case))
    shown = shown_pixels(body)
    assert np.array_equal(run_code(body["code"]["convolab"], tmp_path), shown)
    # the same arithmetic as the engine: every pixel equal, ties included
    assert np.array_equal(run_code(body["code"]["numpy"], tmp_path), shown)


def test_code_panel_for_a_resized_upload(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    original = photo(700, 1500)
    data = encode(original, "JPEG", quality=90)
    (tmp_path / "mijn foto.jpg").write_bytes(data)
    prepared = client.post(
        "/api/image", json={"data": b64(data), "filename": "C:\\x\\mijn foto.jpg"}
    )
    info = prepared.json()
    assert info["resized"] and (info["width"], info["height"]) == (1024, 478)
    assert (info["original_width"], info["original_height"]) == (1500, 700)
    request = {
        "image_id": info["image_id"],
        "filter": "outline",
        "colour": False,
        "mode": "convolve",
    }
    body = applied(client.post("/api/apply?lang=en", json=request))
    assert "cv2.resize(img, (1024, 478)" in body["code"]["convolab"]
    shown = shown_pixels(body)
    assert shown.shape == (478, 1024)
    assert np.array_equal(run_code(body["code"]["convolab"], tmp_path), shown)
    assert np.array_equal(run_code(body["code"]["numpy"], tmp_path), shown)


def test_code_panel_for_a_turned_phone_photo(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    im = Image.fromarray(photo(30, 50, seed=4))
    exif = im.getexif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to show
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif)
    (tmp_path / "telefoon.jpg").write_bytes(buf.getvalue())
    info = client.post("/api/image", json={"data": b64(buf.getvalue())}).json()
    assert (info["width"], info["height"]) == (30, 50)  # shown upright, as browsers do
    request = {"upload": b64(buf.getvalue()), "filename": "telefoon.jpg", "filter": "sobel-y"}
    body = applied(client.post("/api/apply", json=request))
    shown = shown_pixels(body)
    assert shown.shape == (50, 30, 3)
    assert np.array_equal(run_code(body["code"]["convolab"], tmp_path), shown)
    assert np.array_equal(run_code(body["code"]["numpy"], tmp_path), shown)


def test_decimal_comma_in_a_cell(client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    request = {"sample": "coins", "filter": "identity", "kernel": [["0,5"], ["-0,25"]]}
    body = applied(client.post("/api/apply", json=request))
    expected = cl.to_display(cl.correlate(cl.sample("coins"), [[0.5], [-0.25]]), "clip")
    assert np.array_equal(shown_pixels(body), expected)
    assert 'cl.parse_kernel("0.5; -0.25")' in body["code"]["convolab"]
    assert np.array_equal(run_code(body["code"]["convolab"], tmp_path), expected)
    assert np.array_equal(run_code(body["code"]["numpy"], tmp_path), expected)


# --- uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_upload_formats(client, fmt):
    img = photo(40, 60, seed=1)
    data = encode(img, fmt)
    info = client.post(
        "/api/image", json={"data": b64(data), "filename": f"x.{fmt.lower()}"}
    ).json()
    assert (info["width"], info["height"], info["resized"]) == (60, 40, False)
    working = working_pixels(client, info)
    assert np.array_equal(working, cl.load_image(data, colour="rgb"))
    grey = working_pixels(client, info, grey=True)
    assert np.array_equal(grey, np.asarray(Image.fromarray(working).convert("L")))
    expected = cl.to_display(cl.correlate(cl.load_image(data, colour="rgb"), "blur"))
    inline = applied(client.post("/api/apply", json={"upload": b64(data), "filter": "blur"}))
    assert np.array_equal(shown_pixels(inline), expected)
    by_id = applied(
        client.post("/api/apply", json={"image_id": info["image_id"], "filter": "blur"})
    )
    assert np.array_equal(shown_pixels(by_id), expected)
    # the file's bytes as the body work the same as base64 JSON
    raw = client.post(
        f"/api/image?filename=x.{fmt.lower()}",
        content=data,
        headers={"content-type": f"image/{fmt.lower()}"},
    ).json()
    assert raw["image_id"] != info["image_id"] and raw["width"] == 60
    assert np.array_equal(working_pixels(client, raw), working)


def test_gif_gives_its_first_frame(client):
    frames = [Image.fromarray(np.full((8, 8, 3), v, np.uint8)) for v in (30, 200)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    info = client.post("/api/image", json={"data": b64(buf.getvalue())}).json()
    working = working_pixels(client, info)
    assert np.all(working == working[0, 0])
    assert abs(int(working[0, 0, 0]) - 30) < 5


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header and carries almost no data (a bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_limits_are_checked_before_decoding(client):
    bomb = png_header_only(60_000, 60_000)  # 3.6 gigapixels in a tiny file
    body = error(client.post("/api/image?lang=en", json={"data": b64(bomb)}), 400)
    assert "60000 x 60000" in body["error"]
    over = png_header_only(5_001, 5_001)  # just over 25 MP
    assert "25.000.000" in error(client.post("/api/image", json={"data": b64(over)}), 400)["error"]
    assert (
        "25,000,000"
        in error(client.post("/api/image?lang=en", json={"data": b64(over)}), 400)["error"]
    )
    thin = encode(np.zeros((1, 100_000), np.uint8))  # 100000 x 1
    error(client.post("/api/image", json={"data": b64(thin)}), 400)
    error(client.post("/api/apply", json={"upload": b64(thin), "filter": "blur"}), 400)


def test_upload_over_10_mb_is_refused(client):
    big = b64(b"\xff" * (explorer.MAX_UPLOAD_BYTES + 100))
    body = error(client.post("/api/image?lang=en", json={"data": big}), 413, "upload_too_large")
    assert "10 MB" in body["error"]


# --- bad input --------------------------------------------------------------------------------


def jpeg_truncated() -> bytes:
    data = encode(photo(64, 64), "JPEG")
    return data[: len(data) // 2]


BAD = [
    ("not an image", "/api/image", {"data": b64(b"hello, this is text")}, 400),
    ("truncated jpeg", "/api/image", {"data": b64(jpeg_truncated())}, 400),
    ("empty file", "/api/image", {"data": ""}, 400),
    ("bad base64", "/api/image", {"data": "%%% not base64 %%%"}, 400),
    ("image field missing", "/api/image", {}, 422),
    ("image wrong type", "/api/image", {"data": 12}, 422),
    ("no image", "/api/apply", {"filter": "blur"}, 422),
    ("two images", "/api/apply", {"filter": "blur", "sample": "camera", "upload": "aGk="}, 422),
    ("no kernel", "/api/apply", {"sample": "camera"}, 422),
    ("unknown filter", "/api/apply", {"sample": "camera", "filter": "sharpn"}, 400),
    ("unknown sample", "/api/apply", {"sample": "dog", "filter": "blur"}, 400),
    ("unknown border", "/api/apply", {"sample": "camera", "filter": "blur", "border": "x"}, 400),
    ("unknown mapping", "/api/apply", {"sample": "camera", "filter": "blur", "mapping": "x"}, 400),
    ("unknown mode", "/api/apply", {"sample": "camera", "filter": "blur", "mode": "flip"}, 422),
    ("kernel too large", "/api/apply", {"sample": "camera", "kernel": [[1] * 16] * 16}, 400),
    ("kernel too wide", "/api/apply", {"sample": "camera", "kernel": [[1] * 40]}, 400),
    ("ragged kernel", "/api/apply", {"sample": "camera", "kernel": [[1, 2], [3]]}, 400),
    ("empty kernel", "/api/apply", {"sample": "camera", "kernel": []}, 400),
    ("empty cell", "/api/apply", {"sample": "camera", "kernel": [["1", " "]]}, 400),
    ("text cell", "/api/apply", {"sample": "camera", "kernel": [["een"]]}, 400),
    ("two numbers in a cell", "/api/apply", {"sample": "camera", "kernel": [["1 2"]]}, 400),
    ("list syntax in a cell", "/api/apply", {"sample": "camera", "kernel": [["[1, 2]"]]}, 400),
    ("divide by zero", "/api/apply", {"sample": "camera", "kernel": [["1/0"]]}, 400),
    ("huge number", "/api/apply", {"sample": "camera", "kernel": [[10**400]]}, 400),
    ("kernel not a list", "/api/apply", {"sample": "camera", "kernel": "1 2 3"}, 422),
    ("kernel of bools", "/api/apply", {"sample": "camera", "kernel": [[True]]}, 422),
    ("colour as text", "/api/apply", {"sample": "camera", "filter": "blur", "colour": "ja"}, 422),
    ("sample as number", "/api/apply", {"sample": 3, "filter": "blur"}, 422),
    ("extra field", "/api/apply", {"sample": "camera", "filter": "blur", "size": 3}, 422),
    ("unknown format", "/api/apply", {"sample": "camera", "filter": "blur", "format": "jpg"}, 422),
    (
        "bad original size",
        "/api/apply",
        {"sample": "camera", "filter": "blur", "original_size": [1]},
        422,
    ),
]


@pytest.mark.parametrize(("what", "url", "body", "status"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_4xx_in_the_shape(client, what, url, body, status):
    nl = error(client.post(url, json=body), status)
    en = error(client.post(url + "?lang=en", json=body), status)
    assert nl["code"] == en["code"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_a_kernel(client, literal):
    raw = '{"sample": "camera", "kernel": [[1, LITERAL]]}'.replace("LITERAL", literal)
    r = client.post("/api/apply?lang=en", content=raw, headers={"content-type": "application/json"})
    body = error(r, 400)
    assert "row 1, column 2" in body["error"]


def test_messages_follow_the_language(client):
    nl = error(client.post("/api/apply", json={"sample": "camera"}), 422)
    en = error(client.post("/api/apply?lang=en", json={"sample": "camera"}), 422)
    assert nl["error"] != en["error"]
    assert "filter" in nl["error"].lower() and "filter" in en["error"].lower()


def test_server_keeps_serving_after_bad_input(client):
    for _what, url, body, _status in BAD[:5]:
        client.post(url, json=body)
    assert client.post("/api/apply", json={"sample": "camera", "filter": "blur"}).status_code == 200


def test_working_size():
    assert explorer.working_size(300, 400) == (300, 400)
    assert explorer.working_size(2048, 1024) == (1024, 512)
    assert explorer.working_size(1, 5000) == (1, 1024)


def test_a_filename_cannot_inject_code(client):
    data = b64(encode(photo(10, 10)))
    evil = 'x.png"); import os; os.remove("y'
    body = applied(
        client.post("/api/apply", json={"upload": data, "filename": evil, "filter": "blur"})
    )
    for code in body["code"].values():
        tree = ast.parse(code)  # still valid Python
        names = {
            n.name for node in ast.walk(tree) if isinstance(node, ast.Import) for n in node.names
        }
        assert "os" not in names
        calls = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        assert "remove" not in calls
        assert any(
            isinstance(node, ast.Constant) and "x.png" in str(node.value) for node in ast.walk(tree)
        )
