"""The explorer's upload-once contract in Chromium: the page uploads a photo once, applies by
id, and when the server's memory has let the working copy go it uploads the file again."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

import convolab as cl

READ_CANVAS = """id => {
  const c = document.getElementById(id);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let s = ''; for (let i = 0; i < d.length; i += 1) s += String.fromCharCode(d[i]);
  return {w: c.width, h: c.height, b64: btoa(s)};
}"""

RENDERED = """n => { const e = document.getElementById('explorer');
  return Number(e.dataset.renders || 0) > n && e.dataset.state === 'done'; }"""


def renders(page) -> int:
    return int(page.get_attribute("#explorer", "data-renders") or 0)


def canvas_pixels(page) -> np.ndarray:
    r = page.evaluate(READ_CANVAS, "output-canvas")
    return np.frombuffer(base64.b64decode(r["b64"]), np.uint8).reshape(r["h"], r["w"], 4)


def photo_png(seed: int) -> bytes:
    img = np.random.default_rng(seed).integers(0, 256, (768, 1024, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def test_an_expired_working_copy_is_uploaded_again(page, tmp_path, page_errors):
    page_errors.allow(r"status of 404")  # the apply that finds the copy gone
    uploads, applies = [], []
    page.on("request", lambda r: uploads.append(r) if "/api/image?" in r.url else None)
    page.on("request", lambda r: applies.append(r) if "/api/apply" in r.url else None)
    page.goto("/convolutie?filter=identity")
    page.wait_for_function(RENDERED, arg=0)
    path = tmp_path / "klas.png"
    path.write_bytes(photo_png(1))
    n = renders(page)
    page.set_input_files("#upload", str(path))
    page.wait_for_function(RENDERED, arg=n)
    assert len(uploads) == 1 and uploads[0].method == "POST"
    assert uploads[0].headers["content-type"] == "image/png"  # the file as it is, no base64
    first = applies[-1].post_data_json
    assert set(first) >= {"image_id", "filter"} and "upload" not in first
    # other pupils upload: the server's 16 MB of working copies push this one out
    for seed in range(2, 8):
        r = page.request.post(
            "/api/image", data=photo_png(seed), headers={"content-type": "image/png"}
        )
        assert r.ok
    n = renders(page)
    page.select_option("#filter", "sharpen")
    page.wait_for_function(RENDERED, arg=n)
    assert len(uploads) == 2  # the page sent its file once more, by itself
    assert applies[-1].post_data_json["image_id"] != first["image_id"]
    img = cl.load_image(str(path), colour="rgb")
    expected = cl.to_display(cl.correlate(img, cl.kernel("sharpen").values), "clip")
    shown = canvas_pixels(page)
    assert np.array_equal(shown[..., :3], expected) and (shown[..., 3] == 255).all()
    assert page.inner_text("#error") == ""


def test_the_teacher_page_shows_the_address_and_a_qr_code_that_reads_back(
    page, live_server, teacher_code, screenshot
):
    import cv2

    page.goto("/leraar")
    assert page.locator(".pupil-url").count() == 0  # nothing before the code
    page.fill("#teacher-code", teacher_code)
    page.locator(".teacher-login button").click()
    page.wait_for_selector(".pupil-url")
    url = live_server + "/"
    assert page.inner_text(".pupil-url") == url
    png = page.locator(".qr-figure svg").screenshot()
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(img)
    assert text == url  # the QR code, drawn offline as SVG, reads back as the address
    screenshot(page, "teacher-page-class")
    page.locator(".teacher-off button").click()
    page.wait_for_selector("#teacher-code")
