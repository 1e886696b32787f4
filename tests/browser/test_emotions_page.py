"""The emotions page in a real Chromium against a real server with its own SQLite data folder:
drawing (mouse, keyboard), a teacher opening a class, a pupil joining and adding, deleting,
exporting and importing, training and guessing."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEACHER_CODE = "TEACH234"


@pytest.fixture(scope="module")
def live_server():
    """This module's own server: a fresh data folder and a known teacher code."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.TemporaryDirectory(prefix="convolab-emotions-")
    env = dict(os.environ, CONVOLAB_DATA_DIR=data.name, CONVOLAB_TEACHER_CODE=TEACHER_CODE)
    env.pop("CONVOLAB_DATABASE_URL", None)
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "convolab.web.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"the server stopped at start:\n{log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(base + "/openapi.json", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
        data.cleanup()
        if "Traceback" in output:
            print("server log:\n" + output)


@pytest.fixture
def teacher(browser, live_server):
    """A second browser (the teacher's) in teacher mode; requests stay on 127.0.0.1."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    offsite = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto("/leraar")
    pg.fill("#teacher-code", TEACHER_CODE)
    pg.click("form.teacher-login button[type=submit]")
    pg.wait_for_selector(".teacher-bar")
    yield pg
    context.close()
    assert not offsite and not errors, (offsite, errors)


def wait_js(page, expression: str, timeout: float = 15_000) -> None:
    """Wait until a JS expression is true (polled with evaluate, which the page's CSP allows)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {expression}; messages: "
                + " | ".join(m.inner_text() for m in page.locator(".message").all())
            )
        time.sleep(0.1)


def cell(page, row, col):
    """Click the centre of a grid square."""
    page.locator("#em-grid").scroll_into_view_if_needed()
    box = page.locator("#em-grid").bounding_box()
    size = box["width"] / 28
    page.mouse.click(box["x"] + (col + 0.5) * size, box["y"] + (row + 0.5) * size)


def filled(page) -> int:
    return int(page.locator("#em-grid").get_attribute("data-filled"))


def open_class(teacher, extra=""):
    teacher.goto("/convolutie/emoties")
    if extra:
        teacher.fill("#em-extra", extra)
    teacher.click("#em-open-button")
    teacher.wait_for_selector("#em-teacher-message[data-code]")
    return teacher.locator("#em-teacher-message").get_attribute("data-code")


def draw_face(page):
    for col in range(8, 20):
        cell(page, 6, col)
        cell(page, 21, col)
    for r in range(7, 21):
        cell(page, r, 7)
        cell(page, r, 20)
    cell(page, 11, 11)
    cell(page, 11, 16)
    for col in range(11, 17):
        cell(page, 17, col)


def test_starter_set_drawing_with_mouse_and_keyboard(page):
    page.goto("/convolutie/emoties")
    page.wait_for_selector(".em-group[data-label=verrast] .em-item")
    source = page.locator("#em-source")
    assert "gegenereerd" in source.inner_text() and "niet door mensen" in source.inner_text()
    assert page.locator(".em-group[data-label=blij] .em-item").count() == 100
    assert page.locator(".em-group[data-label=verrast] .em-item").count() == 100
    # the mouse: a click colours a square in, a second click empties it, dragging paints
    cell(page, 3, 3)
    assert filled(page) == 1
    cell(page, 3, 3)
    assert filled(page) == 0
    box = page.locator("#em-grid").bounding_box()
    size = box["width"] / 28
    page.mouse.move(box["x"] + 2.5 * size, box["y"] + 5.5 * size)
    page.mouse.down()
    page.mouse.move(box["x"] + 9.5 * size, box["y"] + 5.5 * size, steps=14)
    page.mouse.up()
    assert filled(page) == 8
    # the keyboard: arrows move the frame from the middle (row 15, column 15), space toggles
    page.click("#em-clear")
    page.focus("#em-grid")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert filled(page) == 3
    assert "rij 16, kolom 16: gekleurd" in page.locator("#em-cursor").inner_text()
    page.keyboard.press("Space")
    assert filled(page) == 2
    page.keyboard.press("Delete")
    assert filled(page) == 0
    # without a class nothing can be added
    assert page.locator("#em-add").is_disabled()


def test_joining_adding_and_deleting(page, teacher, page_errors):
    page_errors.allow(r"status of 404")  # the wrong class code at the end, on purpose
    code = open_class(teacher, extra="boos")
    assert len(code) == 6
    page.goto("/convolutie/emoties")
    page.wait_for_selector(".em-group .em-item")
    page.fill("#em-code", code.lower())
    page.click("#em-join-button")
    wait_js(page, f"document.getElementById('emotions').dataset.klas === '{code}'")
    assert f"klas={code}" in page.url
    assert page.locator("#em-labels input").count() == 3  # blij, verrast, boos
    draw_face(page)
    page.check("#em-labels input[value=verrast]")
    page.click("#em-add")
    page.wait_for_selector(".em-group[data-label=verrast] .em-item")
    assert "Toegevoegd" in page.locator("#em-draw-message").inner_text()
    assert filled(page) == 0
    item = page.locator(".em-group[data-label=verrast] .em-item").first
    assert "van jou" in item.inner_text()
    # everyone in the class sees it: the teacher too, without the "yours" mark
    teacher.reload()
    teacher.wait_for_selector(".em-group[data-label=verrast] .em-item")
    assert "van jou" not in teacher.locator(".em-group[data-label=verrast] .em-item").inner_text()
    # it opens in the explorer as an upload
    href = item.locator("a.em-explore").get_attribute("href")
    assert href.startswith("/convolutie?drawing=") and href.endswith(f"{code}-1")
    # the pupil deletes their own drawing
    item.locator("button.em-delete").click()
    page.wait_for_selector(".em-group[data-label=verrast] .em-item", state="detached")
    assert "0 tekeningen" in page.locator("#em-source").inner_text()
    # a wrong code: a clear message, back to the starter set
    page.fill("#em-code", "ZZZZZZ")
    page.click("#em-join-button")
    page.wait_for_selector("#em-class-error:not([hidden])")
    assert "geen klas met code ZZZZZZ" in page.locator("#em-class-error").inner_text()


def test_a_drawing_opens_in_the_explorer(page):
    page.goto("/convolutie?drawing=starter-3")
    wait_js(page, "document.getElementById('input-canvas').width === 28")
    assert "starter-3.png" in page.locator("#input-info").inner_text()


def test_teacher_exports_and_imports(teacher, tmp_path):
    code = open_class(teacher)
    teacher.goto(f"/convolutie/emoties?klas={code}")
    teacher.wait_for_selector("#em-teacher-tools:not([hidden])")
    for label in ("blij", "verrast", "blij"):
        teacher.check(f"#em-labels input[value={label}]")
        cell(teacher, 10, 10)
        cell(teacher, 11, 12)
        teacher.click("#em-add")
        wait_js(teacher, "document.getElementById('em-grid').dataset.filled === '0'")
    wait_js(teacher, "document.querySelectorAll('.em-item').length === 3")
    with teacher.expect_download() as dl:
        teacher.click("#em-export")
    path = tmp_path / "export.zip"
    dl.value.save_as(path)
    with zipfile.ZipFile(path) as z:
        rows = z.read("labels.csv").decode().splitlines()
    assert rows[0] == "file,label" and [r.split(",")[1] for r in rows[1:]] == [
        "blij",
        "verrast",
        "blij",
    ]
    # import it into a second class
    second = open_class(teacher)
    assert second != code
    teacher.set_input_files("#em-import", str(path))
    wait_js(teacher, "document.querySelectorAll('.em-item').length === 3")
    assert "3 tekeningen toegevoegd" in teacher.locator("#em-teacher-message").inner_text()
    # a file that is not a zip: the message says what is expected
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"no zip")
    teacher.set_input_files("#em-import", str(bad))
    wait_js(
        teacher, "document.getElementById('em-teacher-message').textContent.includes('labels.csv')"
    )
    # the teacher deletes everything
    teacher.once("dialog", lambda d: d.accept())
    teacher.click("#em-delete-all")
    wait_js(teacher, "document.querySelectorAll('.em-item').length === 0")
    assert "3 tekeningen gewist" in teacher.locator("#em-teacher-message").inner_text()


def test_training_and_guessing(page, axe_check, screenshot):
    page.goto("/convolutie/emoties?epochs=3")
    page.wait_for_selector(".em-group .em-item")
    page.click("#em-start")
    wait_js(page, "document.getElementById('emotions').dataset.run === 'finished'", timeout=120_000)
    assert "Klaar na 3 rondes" in page.locator("#em-status").inner_text()
    assert "160 tekeningen" in page.locator("#em-trained-on").inner_text()
    assert "gegenereerde startset" in page.locator("#em-trained-on").inner_text()
    rows = page.locator("#em-per-label li")
    assert rows.count() == 2 and "van 20 goed" in rows.first.inner_text()
    cells_ = page.locator("#em-confusion tbody td")
    assert cells_.count() == 4
    assert sum(int(c.inner_text()) for c in cells_.all()) == 40
    # the 8 filters, each with a link to the explorer and to the player with its numbers
    assert page.locator(".em-filter").count() == 8
    ex = page.locator(".em-filter-explorer").first.get_attribute("href")
    pl = page.locator(".em-filter-player").first.get_attribute("href")
    assert ex.startswith("/convolutie?k=") and pl.startswith("/convolutie/stappen?filter=custom")
    # guess a new face: the guess and the feature maps, layer by layer
    draw_face(page)
    page.click("#em-guess")
    page.wait_for_selector("#em-maps figure[data-layer=conv1]")
    assert page.locator("#em-probs li").count() == 2
    assert "Het netwerk denkt" in page.locator("#em-guess-result").inner_text()
    assert page.locator("#em-maps figure[data-layer=conv1] canvas").count() == 8
    assert page.locator("#em-maps figure[data-layer=conv2] canvas").count() == 16
    # the feature maps of any drawing of the set
    page.locator(".em-group[data-label=blij] .em-maps-button").first.click()
    wait_js(page, "document.getElementById('em-maps-title').textContent.includes('tekening 1')")
    axe_check(page, "trained, with feature maps")
    screenshot(page, "emotions-nl")


def test_english_page(page, axe_check):
    page.goto("/en/convolution/emotions")
    page.wait_for_selector(".em-group .em-item")
    assert "generated, not drawn by people" in page.locator("#em-source").inner_text()
    assert page.locator("#em-labels").inner_text().split() == [
        "Which",
        "emotion?",
        "happy",
        "surprised",
    ]
    axe_check(page, "starter set, English")


def test_drawing_by_touch(browser, live_server):
    """A phone or tablet: a tap colours a square in (pointer events of type touch)."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 412, "height": 900}, has_touch=True, is_mobile=True
    )
    try:
        pg = context.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto("/convolutie/emoties")
        pg.wait_for_selector(".em-group .em-item")
        grid = pg.locator("#em-grid")
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        size = box["width"] / 28
        pg.touchscreen.tap(box["x"] + 4.5 * size, box["y"] + 7.5 * size)
        pg.touchscreen.tap(box["x"] + 5.5 * size, box["y"] + 7.5 * size)
        assert filled(pg) == 2
        assert errors == []
    finally:
        context.close()
