"""Working copies of uploads: one upload, an id, a bounded in-memory cache, and files that claim
far more pixels than they hold refused before anything is decoded."""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from convolab.web import images
from convolab.web.errors import ApiError
from convolab.web.routes import explorer

ERROR_KEYS = {"ok", "status", "code", "error"}


def encode(arr: np.ndarray, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


def tiny_jpeg_claiming(width: int, height: int) -> bytes:
    """A JPEG of a few hundred bytes whose header claims ``width x height`` (the rest cut)."""
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (90, 90, 90)).save(buf, "JPEG", quality=10)
    data = buf.getvalue()
    sos = data.index(b"\xff\xda")  # start of scan: keep the headers and a few bytes of data
    return data[: sos + 40]


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def upload(client, data: bytes, name: str = "foto.png", lang: str = "nl"):
    return client.post(
        f"/api/image?filename={name}&lang={lang}",
        content=data,
        headers={"content-type": "application/octet-stream"},
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_tiny_file_claiming_5000_x_5000_is_refused_before_decoding(client, lang):
    bomb = tiny_jpeg_claiming(5000, 5000)
    assert len(bomb) < 1000
    r = upload(client, bomb, "bom.jpg", lang)
    assert r.status_code == 413 and set(r.json()) == ERROR_KEYS
    body = r.json()
    assert body["code"] == "image_too_dense" and "5000 × 5000" in body["error"]
    assert ("beschadigd" if lang == "nl" else "damaged") in body["error"]
    # inline in /api/apply too
    import base64

    inline = {"upload": base64.b64encode(bomb).decode(), "filter": "blur"}
    assert client.post("/api/apply", json=inline).json()["code"] == "image_too_dense"
    assert upload(client, png_header_only(4000, 4000)).json()["code"] == "image_too_dense"


def test_the_refusal_allocates_nothing_big(client):
    """The density check reads the header only: refusing 8 at once stays far below one decode."""
    import tracemalloc

    bomb = tiny_jpeg_claiming(5000, 5000)
    tracemalloc.start()
    try:
        for _ in range(8):
            with pytest.raises(ApiError) as err:
                images.check_density(bomb, explorer.MAX_UPLOAD_PIXELS)
            assert err.value.code == "image_too_dense"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # one 5000 x 5000 RGB decode would be 75 MB


def test_real_images_with_little_detail_still_open(client):
    """A one-colour GIF is the most compressible image there is; it stays under the budget."""
    flat = encode(np.full((2500, 2500, 3), 128, np.uint8), "GIF")
    assert 2500 * 2500 > images.FREE_PIXELS
    r = upload(client, flat, "vlak.gif")
    assert r.status_code == 200, r.text
    assert (r.json()["width"], r.json()["height"]) == (1024, 1024)
    small = tiny_jpeg_claiming(1000, 1000)  # under FREE_PIXELS: the core names the damage
    r = upload(client, small, "klein.jpg")
    assert r.status_code == 400 and "beschadigd" in r.json()["error"]


def test_upload_once_then_apply_by_id(client):
    img = np.random.default_rng(3).integers(0, 256, (50, 70, 3), dtype=np.uint8)
    info = upload(client, encode(img), "ruis.png").json()
    assert info["ok"] and len(info["image_id"]) >= 16 and "png" not in info
    r = client.post("/api/apply", json={"image_id": info["image_id"], "filter": "identity"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    meta, pixels = explorer.split_envelope(r.content, int(r.headers["x-meta-length"]))
    assert np.array_equal(np.frombuffer(pixels, np.uint8).reshape(50, 70, 3), img)
    assert 'cl.load_image("ruis.png"' in meta["code"]["convolab"]
    grey = client.post(
        "/api/apply", json={"image_id": info["image_id"], "filter": "identity", "colour": False}
    )
    meta, pixels = explorer.split_envelope(grey.content, int(grey.headers["x-meta-length"]))
    assert meta["channels"] == 1
    expected = np.asarray(Image.fromarray(img).convert("L"))
    assert np.array_equal(np.frombuffer(pixels, np.uint8).reshape(50, 70), expected)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_unknown_or_expired_id_is_a_404(client, lang):
    r = client.post(f"/api/apply?lang={lang}", json={"image_id": "bestaat-niet", "filter": "blur"})
    assert r.status_code == 404 and set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == "image_expired"
    assert ("opnieuw" if lang == "nl" else "again") in r.json()["error"]
    assert client.get("/api/image/bestaat-niet.png").json()["code"] == "image_expired"
    gone = client.get(f"/api/image/bestaat-niet/pixels?lang={lang}")
    assert gone.status_code == 404 and gone.json()["code"] == "image_expired"
    two = {"image_id": "x", "sample": "camera", "filter": "blur"}
    assert client.post("/api/apply", json=two).json()["code"] == "missing_image"


def test_the_cache_keeps_a_budget_and_drops_the_least_recently_used():
    one = images.Working(np.zeros((10, 10, 3), np.uint8), (10, 10), None)  # 300 + 100 grey
    store = images.ImageStore(max_bytes=1300)
    a, b, c = store.put(one), store.put(one), store.put(one)
    assert len(store) == 3 and store.used_bytes == 1200
    store.get(a)  # a is used again: b is now the oldest
    d = store.put(one)
    assert store.used_bytes <= 1300 and len(store) == 3
    with pytest.raises(ApiError) as err:
        store.get(b)
    assert err.value.status == 404 and err.value.code == "image_expired"
    assert {store.get(x).nbytes for x in (a, c, d)} == {400}
    with pytest.raises(ApiError) as err:
        store.put(images.Working(np.zeros((20, 20, 3), np.uint8), (20, 20), None))
    assert err.value.status == 413


def test_at_most_a_few_decodes_at_once():
    running, most = 0, 0
    lock = threading.Lock()

    def slow(data, max_pixels):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return data

    small = encode(np.zeros((4, 4), np.uint8))
    threads = [
        threading.Thread(target=images.decode, args=(slow, small), kwargs={"max_pixels": 100})
        for _ in range(8)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert most == images.DECODE_SLOTS
