"""The filter explorer in a real Chromium against a real server.

The pixels on the output canvas are compared with the library's result; the code panel's code
is run and compared with the canvas; everything works from the keyboard; the page fits a
720 x 800 iframe; no request leaves localhost (the ``page`` fixture fails the test otherwise).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from PIL import Image

import convolab as cl

READ_CANVAS = """(id) => {
  const c = document.getElementById(id);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let s = "";
  for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
  return {w: c.width, h: c.height, b64: btoa(s)};
}"""


def canvas_pixels(page, canvas_id: str = "output-canvas") -> np.ndarray:
    """RGBA pixels of a canvas, H x W x 4."""
    r = page.evaluate(READ_CANVAS, canvas_id)
    return np.frombuffer(base64.b64decode(r["b64"]), np.uint8).reshape(r["h"], r["w"], 4)


def as_rgba(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    return np.concatenate([img, np.full(img.shape[:2] + (1,), 255, np.uint8)], axis=2)


def renders(page) -> int:
    return int(page.get_attribute("#explorer", "data-renders") or 0)


def wait_render(page, after: int) -> None:
    """Wait until the page has drawn a result newer than render number ``after``."""
    page.wait_for_function(
        "n => { const e = document.getElementById('explorer');"
        " return Number(e.dataset.renders || 0) > n && e.dataset.state === 'done'; }",
        arg=after,
    )


def open_explorer(page, query: str = "", lang: str = "nl") -> None:
    page.goto(("/convolutie" if lang == "nl" else "/en/convolution") + query)
    wait_render(page, 0)


def library_output(sample, kernel, *, mode="correlate", border="zero", mapping=None, grey=False):
    k = cl.kernel(kernel) if isinstance(kernel, str) else None
    values = k.values if k is not None else np.asarray(kernel, dtype=float)
    fn = cl.convolve if mode == "convolve" else cl.correlate
    raw = fn(cl.sample(sample, grey=grey), values, border=border)
    return cl.to_display(raw, mapping or (k.display if k is not None else "clip"))


def test_picked_filter_matches_the_library(page):
    open_explorer(page, "?sample=camera&filter=sobel-x")
    assert np.array_equal(canvas_pixels(page), as_rgba(library_output("camera", "sobel-x")))
    n = renders(page)
    page.select_option("#filter", "emboss")
    wait_render(page, n)
    assert np.array_equal(canvas_pixels(page), as_rgba(library_output("camera", "emboss")))
    assert "filter=emboss" in page.url
    # colour, convolution, another border, another mapping: still the library's pixels
    n = renders(page)
    page.click('#gallery button[data-sample="chelsea"]')
    wait_render(page, n)
    n = renders(page)
    page.check('input[name="mode"][value="convolve"]')
    wait_render(page, n)
    n = renders(page)
    page.select_option("#border", "reflect")
    wait_render(page, n)
    n = renders(page)
    page.select_option("#mapping", "offset")
    wait_render(page, n)
    expected = library_output(
        "chelsea", "emboss", mode="convolve", border="reflect", mapping="offset"
    )
    assert np.array_equal(canvas_pixels(page), as_rgba(expected))
    # the input canvas shows the photo the filter works on
    assert np.array_equal(canvas_pixels(page, "input-canvas"), as_rgba(cl.sample("chelsea")))


def run_code(code: str) -> np.ndarray:
    exec(compile(code, "code-panel", "exec"), {"__name__": "code_panel"})  # noqa: S102
    return np.asarray(Image.open("resultaat.png"))


def test_code_panel_reproduces_the_canvas(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    open_explorer(page, "?sample=astronaut&filter=sobel-y&colour=0&border=symmetric&mode=convolve")
    page.click("#code-panel summary")
    code = page.inner_text("#code-convolab")
    shown = canvas_pixels(page)
    assert "cl.convolve" in code and 'border="symmetric"' in code
    assert np.array_equal(as_rgba(run_code(code)), shown)
    page.click("#tab-numpy")
    numpy_code = page.inner_text("#code-numpy")
    assert page.is_hidden("#panel-convolab")
    assert np.array_equal(as_rgba(run_code(numpy_code)), shown)


def test_edit_a_kernel_cell(page):
    open_explorer(page, "?sample=coins&filter=blur")
    center = page.get_by_label("Rij 2, kolom 2", exact=True)
    n = renders(page)
    center.fill("1")
    wait_render(page, n)
    cells = [["1/9", "1/9", "1/9"], ["1/9", "1", "1/9"], ["1/9", "1/9", "1/9"]]
    expected = library_output("coins", cl.parse_kernel("; ".join(" ".join(r) for r in cells)))
    assert np.array_equal(canvas_pixels(page), as_rgba(expected))
    assert "k=" in page.url
    assert page.is_visible("#kernel-reset")

    # an invalid cell is marked, explained, and not sent
    sent = []
    page.on("request", lambda r: sent.append(r.url) if "/api/apply" in r.url else None)
    before = canvas_pixels(page)
    center.fill("0.5.1")
    assert center.get_attribute("aria-invalid") == "true"
    message = page.inner_text("#kernel-error")
    assert "'0.5.1' is geen getal" in message and "Rij 2, kolom 2" in message
    page.wait_for_timeout(500)  # longer than the debounce
    assert sent == []
    assert np.array_equal(canvas_pixels(page), before)

    n = renders(page)
    center.fill("0,5")  # a Dutch decimal comma is understood
    wait_render(page, n)
    assert center.get_attribute("aria-invalid") == "false"
    assert page.inner_text("#kernel-error") == ""
    cells[1][1] = "0.5"
    expected = library_output("coins", cl.parse_kernel("; ".join(" ".join(r) for r in cells)))
    assert np.array_equal(canvas_pixels(page), as_rgba(expected))

    # a bigger grid keeps the values that fit; the state survives a reload (it is in the URL)
    n = renders(page)
    page.fill("#cols", "5")
    page.press("#cols", "Enter")
    wait_render(page, n)
    assert page.locator("#kernel-grid input").count() == 15
    page.reload()
    wait_render(page, 0)
    assert page.locator("#kernel-grid input").count() == 15
    assert page.get_by_label("Rij 2, kolom 2", exact=True).input_value() == "0.5"
    page.click("#code-panel summary")
    assert "1/9 0.5 1/9" in page.inner_text("#code-convolab")


def test_the_last_change_wins(page, page_errors):
    # Changes faster than the server computes: an older waiting apply of this page may be
    # answered 409 "superseded" (the fair queue's answer, which the page ignores); Chromium
    # logs every 4xx answer as a console error.
    page_errors.allow(r"status of 409 \(Conflict\)")
    open_explorer(page, "?sample=camera&filter=identity")
    cell = page.get_by_label("Rij 2, kolom 2", exact=True)
    cell.fill("")
    cell.press_sequentially("-3.5", delay=30)  # quicker than the debounce: few requests
    for f in ("blur", "edge", "outline"):  # no debounce for a filter: stale requests aborted
        page.select_option("#filter", f)
    page.wait_for_timeout(300)  # past the debounce of the typing
    page.wait_for_function("() => document.getElementById('explorer').dataset.state === 'done'")
    assert np.array_equal(canvas_pixels(page), as_rgba(library_output("camera", "outline")))


def tab_until(page, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_keyboard_only(page):
    open_explorer(page, "?sample=coins&filter=sharpen")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_until(page, '#gallery button[data-sample="chelsea"]')
    n = renders(page)
    page.keyboard.press("Enter")
    wait_render(page, n)
    assert page.get_attribute('#gallery button[data-sample="chelsea"]', "aria-pressed") == "true"
    for control in ("#upload-button", "#webcam-start"):
        tab_until(page, control)

    tab_until(page, "#filter")
    n = renders(page)
    page.keyboard.press("ArrowDown")  # sharpen -> the next filter in the catalogue
    wait_render(page, n)
    ids = [k.id for k in cl.kernels()]
    chosen = ids[ids.index("sharpen") + 1]
    assert page.input_value("#filter") == chosen

    tab_until(page, "#rows")
    tab_until(page, "#cols")
    tab_until(page, "#kernel-grid input")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # at the end of the text: the next cell
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Rij 2, kolom 2"
    n = renders(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("9")
    wait_render(page, n)

    tab_until(page, 'input[name="mode"]')
    n = renders(page)
    page.keyboard.press("ArrowDown")
    wait_render(page, n)
    assert page.is_checked('input[name="mode"][value="convolve"]')
    for control in ("#border", "#mapping", "#colour"):
        tab_until(page, control)
    tab_until(page, 'input[name="view"]')
    page.keyboard.press("ArrowDown")
    assert page.is_visible("#slider")
    tab_until(page, "#slider")
    page.keyboard.press("ArrowRight")
    assert page.input_value("#slider") == "51"
    tab_until(page, "#download")
    tab_until(page, "#code-panel summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('code-panel').open")
    tab_until(page, "#tab-convolab")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-numpy"
    assert page.is_visible("#code-numpy")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?sample=chelsea&filter=outline", ("chelsea", "outline", {})),
        (
            "?sample=camera&filter=sobel-x&mapping=offset&mode=convolve",
            ("camera", "sobel-x", {"mapping": "offset", "mode": "convolve"}),
        ),
    ],
)
def test_download_gives_the_png_shown(page, tmp_path, query, expected):
    open_explorer(page, query)
    with page.expect_download() as info:
        page.click("#download")
    path = tmp_path / "out.png"
    info.value.save_as(path)
    with Image.open(path) as im:
        assert im.format == "PNG"
        downloaded = np.asarray(im.convert("RGBA"))
    assert np.array_equal(downloaded, canvas_pixels(page))
    sample, kernel, options = expected
    assert np.array_equal(downloaded, as_rgba(library_output(sample, kernel, **options)))


@pytest.mark.parametrize(("lang", "width"), [("nl", 1280), ("en", 1280), ("nl", 360)])
def test_full_page_layout(page, screenshot, lang, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_explorer(page, "?sample=chelsea&filter=sobel-x", lang=lang)
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert page.is_visible(".site-header")
    about = cl.kernel("sobel-x").about(lang)
    assert page.inner_text("#filter-about") == about
    if width == 1280:
        screenshot(page, f"explorer-{lang}")
    else:
        screenshot(page, "explorer-phone-nl")


def test_language_switch_keeps_the_state(page):
    open_explorer(page, "?sample=coffee&filter=emboss&border=wrap")
    page.click("a[data-lang-switch=en]")
    wait_render(page, 0)
    assert page.url.endswith("/en/convolution?sample=coffee&filter=emboss&border=wrap")
    assert page.input_value("#filter") == "emboss"
    assert page.input_value("#border") == "wrap"
    assert page.inner_text("#filter-about") == cl.kernel("emboss").about_en


def image_file(tmp_path, name: str, fmt: str, size=(80, 60)) -> str:
    rng = np.random.default_rng(3)
    arr = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    path = tmp_path / name
    Image.fromarray(arr).save(path, format=fmt)
    return str(path)


def test_upload_an_image(page, tmp_path):
    open_explorer(page, "?filter=sharpen")
    path = image_file(tmp_path, "eigen.webp", "WEBP")
    n = renders(page)
    page.set_input_files("#upload", path)
    wait_render(page, n)
    img = cl.load_image(path, colour="rgb")
    expected = cl.to_display(cl.correlate(img, cl.kernel("sharpen").values), "clip")
    assert np.array_equal(canvas_pixels(page), as_rgba(expected))
    assert "eigen.webp" in page.inner_text("#input-info")
    assert page.get_attribute('#gallery button[data-sample="chelsea"]', "aria-pressed") == "false"
    assert page.is_visible("#save-input")
    # the input canvas shows the server's working copy (sent as raw pixels), exactly
    assert np.array_equal(canvas_pixels(page, "input-canvas"), as_rgba(img))
    # the save link is the working copy as PNG, encoded only when asked for
    href = page.get_attribute("#save-input", "href")
    answer = page.evaluate(
        "async (u) => { const r = await fetch(u); return [r.status, r.headers.get('content-type')]; }",
        href,
    )
    assert answer == [200, "image/png"] and href.endswith(".png")
    page.click("#code-panel summary")
    assert 'cl.load_image("eigen.webp", colour="rgb")' in page.inner_text("#code-convolab")


DROP_FILE = """([b64, name, type]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, {type}));
  const zone = document.querySelector(".ex-input");
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
}"""


def test_drop_an_image(page, tmp_path):
    open_explorer(page, "?filter=edge&colour=0", lang="en")
    path = image_file(tmp_path, "dropped.gif", "GIF", size=(50, 30))
    n = renders(page)
    data = base64.b64encode(Path(path).read_bytes()).decode()
    page.evaluate(DROP_FILE, [data, "dropped.gif", "image/gif"])
    wait_render(page, n)
    grey = np.asarray(Image.fromarray(cl.load_image(path, colour="rgb")).convert("L"))
    expected = cl.to_display(cl.correlate(grey, cl.kernel("edge").values), "abs")
    assert np.array_equal(canvas_pixels(page), as_rgba(expected))
    assert "dropped.gif" in page.inner_text("#input-info")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_bad_upload_gives_a_message_and_the_page_keeps_working(page, page_errors, tmp_path, lang):
    page_errors.allow(r"status of 400")
    open_explorer(page, "?sample=camera&filter=blur", lang=lang)
    fake = tmp_path / "not-a-photo.png"
    fake.write_bytes(b"this is text, not a PNG")
    page.set_input_files("#upload", str(fake))
    message = page.locator("#input-message.error")
    message.wait_for()
    text = message.inner_text()
    # in the page's language, naming what is allowed
    assert ("afbeelding" if lang == "nl" else "image") in text.lower()
    assert "PNG, JPEG" in text and ("toegestaan" in text) == (lang == "nl")

    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * (11 * 1024 * 1024))
    page.set_input_files("#upload", str(big))
    page.wait_for_function(
        "() => document.getElementById('input-message').textContent.includes('10 MB')"
    )

    n = renders(page)
    page.select_option("#filter", "edge")
    wait_render(page, n)
    assert np.array_equal(canvas_pixels(page), as_rgba(library_output("camera", "edge")))


def test_server_error_message_is_shown_in_the_page_language(page, page_errors):
    page_errors.allow(r"status of 400")
    page.goto("/en/convolution?sample=camera&filter=blur&border=tegel")
    page.locator("#error.error").wait_for()
    assert "border 'tegel'" in page.inner_text("#error")
    assert "allowed: 'zero'" in page.inner_text("#error")
    page.goto("/convolutie?sample=camera&filter=blur&border=tegel")
    page.locator("#error.error").wait_for()
    text = page.inner_text("#error")
    assert "'tegel'" in text and "allowed" not in text  # Dutch on a Dutch page


def test_webcam_with_a_fake_camera(page):
    page.context.grant_permissions(["camera"])
    open_explorer(page, "?filter=identity&sample=camera")
    page.click("#webcam-start")
    page.locator("#webcam-video").wait_for()
    page.wait_for_function("() => document.getElementById('webcam-video').videoWidth > 0")
    n = renders(page)
    page.click("#webcam-take")
    wait_render(page, n)
    assert page.is_hidden("#webcam")
    info = page.inner_text("#input-info")
    assert "camera" in info.lower()
    # identity filter: the output is the captured frame itself
    assert np.array_equal(canvas_pixels(page), canvas_pixels(page, "input-canvas"))


def test_webcam_refused_gives_a_clear_message(page):
    open_explorer(page)  # camera permission not granted in this browser context
    page.click("#webcam-start")
    page.locator("#input-message.error").wait_for()
    assert "niet toegestaan" in page.inner_text("#input-message")
    assert page.is_hidden("#webcam")


def test_link_to_the_step_player_for_a_clicked_pixel(page):
    open_explorer(page, "?sample=camera&filter=sobel-x&mode=convolve")
    canvas = page.locator("#output-canvas")
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    h, w = cl.sample("camera").shape
    link = page.locator("#steps-link")
    shown = re.fullmatch(r"Bekijk pixel \((\d+), (\d+)\) stap voor stap", link.inner_text())
    row, col = int(shown[1]), int(shown[2])
    assert abs(row - 0.5 * h) <= 1 and abs(col - 0.25 * w) <= 1  # CSS pixels vs image pixels
    assert page.locator("#pixel-status").inner_text() == f"Gekozen pixel: rij {row}, kolom {col}."
    href = link.get_attribute("href")
    assert href.startswith("/convolutie/stappen?")
    assert f"row={row}&col={col}" in href and "filter=sobel-x" in href
    assert "mode=convolve" in href and "mapping=offset" in href and "embed" not in href
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.split("?")[0].endswith("/convolutie/stappen")
    # a 9 x 9 kernel is too big for the player: no link
    page.goto("/convolutie?sample=camera&filter=log")
    wait_render(page, 0)
    assert page.is_hidden("#steps")


def choose_pixel(page, where: str) -> tuple[int, int]:
    """Pick an output pixel with the mouse and the arrow keys: a corner or the middle."""
    canvas = page.locator("#output-canvas")
    box = canvas.bounding_box()
    x, y = {
        "top-left": (0.5, 0.5),
        "bottom-right": (box["width"] - 0.5, box["height"] - 0.5),
        "middle": (box["width"] * 0.45, box["height"] * 0.55),
        "left-edge": (0.5, box["height"] * 0.3),
    }[where]
    canvas.click(position={"x": x, "y": y})
    keys = {
        "top-left": ["ArrowUp", "ArrowLeft"],
        "bottom-right": ["ArrowDown", "ArrowRight"],
        "middle": ["ArrowRight"],
        "left-edge": ["ArrowLeft", "Shift+ArrowDown"],
    }[where]
    for k in keys:
        page.keyboard.press(k)
    text = page.locator("#steps-link").inner_text()
    m = re.search(r"\((\d+), (\d+)\)", text)
    return int(m[1]), int(m[2])


def stats_numbers(text: str) -> list[str]:
    """The numbers of the explorer's Dutch "Uitkomsten van {lo} tot {hi}" (1.020,5 style)."""
    return re.findall(r"-?\d[\d.]*(?:,\d+)?", text.replace("\u2212", "-"))


def player_ready(page):
    page.wait_for_function(
        "() => document.getElementById('pl-stage').getAttribute('aria-busy') === 'false'"
        " && document.getElementById('pl-sum').dataset.value !== ''"
    )


@pytest.mark.parametrize(
    "query, where",
    [
        ("?sample=camera&filter=blur", "middle"),
        ("?sample=camera&filter=sobel-x", "top-left"),  # offset: range of the whole photo
        ("?sample=coins&filter=edge&mapping=rescale&border=reflect", "bottom-right"),
        ("?sample=chelsea&filter=emboss&mode=convolve", "top-left"),  # colour, rotated
        ("?sample=chelsea&filter=vertical-lines&border=wrap", "left-edge"),
        ("?sample=astronaut&filter=sharpen&mapping=offset", "middle"),
        ("?sample=rocket&filter=sobel-y&colour=0", "bottom-right"),
        ("?sample=coffee&filter=blur&k=1+2+1%3B2+4+2%3B1+2+1", "middle"),  # own numbers
    ],
)
def test_the_player_opens_on_the_clicked_pixel_with_the_explorers_numbers(page, query, where):
    """Explorer -> "Bekijk pixel (r, c) stap voor stap" -> player: the same pixel, its real
    neighbours, the same colour channels, sum and grey value as the explorer's canvas."""
    open_explorer(page, query)
    row, col = choose_pixel(page, where)
    explorer_pixel = canvas_pixels(page)[row, col, :3]
    colour = page.is_checked("#colour") and not page.is_disabled("#colour")
    stats = page.locator("#stats").inner_text()
    href = page.locator("#steps-link").get_attribute("href")
    page.locator("#steps-link").click()
    page.wait_for_url("**/convolutie/stappen?**")
    player_ready(page)
    current = page.locator("#pl-output .pl-out.current")
    assert (int(current.get_attribute("data-r")), int(current.get_attribute("data-c"))) == (
        row,
        col,
    ), href
    value = json.loads(page.locator("#pl-result").get_attribute("data-value"))
    sums = json.loads(page.locator("#pl-result").get_attribute("data-sum"))
    if colour:
        assert value == explorer_pixel.tolist()
        assert page.locator("#pl-rgb").inner_text() == ", ".join(map(str, explorer_pixel))
        assert page.locator("#pl-channels").is_visible()
    else:
        assert explorer_pixel.tolist() == [value] * 3
        assert int(page.locator("#pl-value").inner_text()) == value
        assert int(current.inner_text()) == value
    # the core's step trace on the whole image says the same (padding only where it ends)
    params = parse_qs(urlsplit(href).query)
    sample = params["sample"][0]
    image = cl.sample(sample, grey=not colour)
    kernel = (
        cl.parse_kernel(params["kernel"][0])
        if params["filter"][0] == "custom"
        else cl.kernel(params["filter"][0]).values
    )
    ex = cl.explain(
        image,
        kernel,
        at=(row, col),
        mode=params.get("mode", ["correlate"])[0],
        border=params.get("border", ["zero"])[0],
        mapping=params["mapping"][0],
    )
    assert np.allclose(sums, ex.sum, atol=1e-9) and np.array_equal(value, ex.value)
    h, w = image.shape[:2]
    near = row in (0, h - 1) or col in (0, w - 1)
    assert (page.locator("#pl-products td.pad").count() > 0) == near
    if not near:
        assert page.locator("#pl-input .pl-cell.pad").count() == 0
    # offset and rescale are scaled with the whole output's range, as the explorer says
    text = page.locator("#pl-mapping-explain").inner_text()
    if params["mapping"][0] == "rescale":
        lo, hi = (float(n.replace(".", "").replace(",", ".")) for n in stats_numbers(stats)[:2])
        shown = [float(n.replace(",", ".")) for n in re.findall(r"-?\d+(?:,\d+)?", text)]
        assert lo in shown and hi in shown, (stats, text)
    assert "28,5 wordt 29" in text


@pytest.mark.parametrize("colour", [True, False])
def test_an_upload_opens_in_the_player_with_the_explorers_numbers(page, tmp_path, colour):
    open_explorer(page, "?filter=sobel-y" + ("" if colour else "&colour=0"))
    path = image_file(tmp_path, "eigen.png", "PNG")
    n = renders(page)
    page.set_input_files("#upload", path)
    wait_render(page, n)
    row, col = choose_pixel(page, "top-left")
    explorer_pixel = canvas_pixels(page)[row, col, :3]
    href = page.locator("#steps-link").get_attribute("href")
    assert "image_id=" in href and "sample=" not in href
    page.locator("#steps-link").click()
    page.wait_for_url("**/convolutie/stappen?**")
    player_ready(page)
    page.click("#pl-options > summary")
    assert page.locator("#pl-upload-note").is_visible()  # "your own image", not a sample
    value = json.loads(page.locator("#pl-result").get_attribute("data-value"))
    img = cl.load_image(path, colour="rgb")
    if not colour:
        img = np.asarray(Image.fromarray(img).convert("L"))
    ex = cl.explain(img, cl.kernel("sobel-y").values, at=(row, col), mapping="offset")
    assert np.array_equal(value, ex.value)
    assert np.ravel(value).tolist() == (explorer_pixel.tolist() if colour else [explorer_pixel[0]])
    assert page.locator("#pl-products td.pad").count() > 0  # the corner: padding outside


CELLS = [
    "2",
    "-0.5",
    ".25",
    "+3",
    "1e-3",
    "2E+2",
    "007",
    "1/9",
    "-1/16",
    "1/-2",
    "1/9/3",
    "0,5",
    "-0,25",
    ",5",
    "1/0,5",
    "  4  ",
    "",
    " ",
    "abc",
    "1 2",
    "1,5,5",
    "0.5.1",
    "1/0",
    "0/0",
    "1/",
    "/2",
    "--1",
    "1e999",
    "nan",
    "inf",
    "0x10",
    "1_000",
    "½",
    "1,",
    "e3",
    "1" * 40,  # the longest cell the core reads
    "1" * 41,
]


def test_cell_check_agrees_with_the_core(page):
    """The grid marks exactly the cells the core refuses (it must not send what fails)."""
    from convolab.kernels import parse_cell

    open_explorer(page)
    verdicts = page.evaluate(
        """async (cells) => {
            const { checkCell } = await import("/static/explorer/kernelgrid.js");
            return cells.map((c) => { const r = checkCell(c); return r.ok ? r.value : null; });
        }""",
        CELLS,
    )
    for text, js in zip(CELLS, verdicts, strict=True):
        try:
            expected = parse_cell(text)
        except ValueError:
            expected = None
        assert js == expected, f"cell {text!r}: page {js!r}, core {expected!r}"
