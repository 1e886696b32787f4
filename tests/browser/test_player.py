"""The step-by-step player in a real Chromium against a real server.

The numbers the page shows are compared with ``convolab.explain`` computed here, in the test,
for the same input and options.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import convolab as cl
from convolab.web.routes.player import DEFAULTS

GRID = "3 1 4 1 5 9\n2 6 5 3 5 8\n9 7 9 3 2 3\n8 4 6 2 6 4\n3 3 8 3 2 7\n9 5 0 2 8 8"
KERNEL = "1 -2 0\n0 1/2 3\n-1 0 2"


def number(text: str) -> float:
    """A number as the page shows it (Dutch decimal comma or English point)."""
    return float(text.strip().replace("−", "-").replace(",", "."))


def default_crop() -> np.ndarray:
    """The whole default photo: the player works out its pixels with their real neighbours."""
    return cl.sample(DEFAULTS["sample"], grey=True)


START = (DEFAULTS["row"], DEFAULTS["col"])
R0, C0 = START[0] - DEFAULTS["size"] // 2, START[1] - DEFAULTS["size"] // 2  # region shown


def ready(page):
    page.wait_for_function(
        "() => document.getElementById('pl-stage').getAttribute('aria-busy') === 'false'"
        " && document.getElementById('pl-sum').dataset.value !== ''"
    )


def current_at(page) -> tuple[int, int]:
    b = page.locator("#pl-output .pl-out.current")
    return int(b.get_attribute("data-r")), int(b.get_attribute("data-c"))


def assert_step_matches(page, image, kernel, **opts):
    """The shown window, products, sum and displayed value equal the core's explain."""
    r, c = current_at(page)
    ex = cl.explain(image, kernel, at=(r, c), **opts)
    shown = page.locator("#pl-sum")
    assert float(shown.get_attribute("data-value")) == pytest.approx(ex.sum, abs=1e-9)
    assert number(shown.inner_text()) == pytest.approx(ex.sum, abs=5e-4)
    assert int(page.locator("#pl-value").inner_text()) == ex.value
    cells = page.locator("#pl-products td .p").all_inner_texts()
    products = [number(t.lstrip("= ")) for t in cells]
    assert products == pytest.approx(ex.products.ravel().tolist(), abs=5e-3)
    status = page.locator("#pl-status").inner_text()
    assert f"{r}" in status and f"{c}" in status
    assert number(re.search(r"= (\S+)$", status).group(1)) == pytest.approx(ex.sum, abs=5e-4)
    # the highlighted input cells are the window: as many as kernel cells, same numbers
    window = page.locator("#pl-input .pl-cell.win .v").all_inner_texts()
    assert sorted(number(v) for v in window) == pytest.approx(sorted(ex.window.ravel()), abs=5e-3)
    return ex


def test_step_forward_and_compare_with_explain(page, screenshot):
    page.goto("/convolutie/stappen")
    ready(page)
    image = default_crop()
    k = cl.kernel(DEFAULTS["filter"])
    opts = dict(padding="same", mapping=k.display)
    assert current_at(page) == START  # a first look inside the photo, not at its corner
    assert_step_matches(page, image, k.values, **opts)
    page.click("#pl-first")
    assert current_at(page) == (R0, C0)
    for _ in range(10):
        page.click("#pl-forward")
    assert current_at(page) == (R0 + 1, C0 + 2)  # 8 columns: step 11 is row 1, column 2
    assert_step_matches(page, image, k.values, **opts)
    page.click("#pl-back")
    assert current_at(page) == (R0 + 1, C0 + 1)
    assert_step_matches(page, image, k.values, **opts)
    # earlier output cells show their grey values, later ones are still empty
    done = page.locator("#pl-output .pl-out.done")
    assert done.count() == 10
    assert page.locator("#pl-output .pl-out").count() == 64
    shown = cl.to_display(cl.correlate(image, k.values), k.display)
    first = page.locator("#pl-output .pl-out.done").first
    assert int(first.inner_text()) == shown[R0, C0]
    # inside the photo there is no opvulling: every neighbour is real
    assert page.locator("#pl-input .pl-cell.pad").count() == 0
    # the sum -> grey value step is spelled out, rounding rule included
    explain = page.locator("#pl-mapping-explain").inner_text()
    assert (
        "28,5 wordt 29" in explain
        and f"grijswaarde {page.locator('#pl-value').inner_text()}" in explain
    )
    # the state (step) is in the URL: reload and land on the same step
    assert parse_qs(urlsplit(page.url).query)["step"] == ["9"]
    page.reload()
    ready(page)
    assert current_at(page) == (R0 + 1, C0 + 1)
    screenshot(page, "player-nl")


def test_keyboard_only(page):
    page.goto("/convolutie/stappen")
    ready(page)
    image = default_crop()
    k = cl.kernel(DEFAULTS["filter"])
    opts = dict(padding="same", mapping=k.display)

    def tab_to(element_id, limit=80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == element_id:
                return
        raise AssertionError(f"#{element_id} is not reachable with Tab")

    tab_to("pl-first")
    page.keyboard.press("Enter")  # a button works with Enter
    assert current_at(page) == (R0, C0)
    tab_to("pl-forward")
    page.keyboard.press("Enter")
    assert current_at(page) == (R0, C0 + 1)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert current_at(page) == (R0, C0 + 3)
    page.keyboard.press("ArrowDown")  # one row further
    assert current_at(page) == (R0 + 1, C0 + 3)
    assert_step_matches(page, image, k.values, **opts)
    page.keyboard.press("End")
    assert current_at(page) == (R0 + 7, C0 + 7)
    assert_step_matches(page, image, k.values, **opts)
    page.keyboard.press("Home")
    assert current_at(page) == (R0, C0)

    # space plays and pauses (on the scrub bar, as anywhere outside a text field)
    tab_to("pl-scrub")
    page.keyboard.press("Space")
    page.wait_for_function(
        f"() => Number(document.querySelector('#pl-output .pl-out.current').dataset.c) >= {C0 + 2}",
        timeout=5000,
    )
    page.keyboard.press("Space")
    at = current_at(page)
    page.wait_for_timeout(700)
    assert current_at(page) == at  # paused
    assert page.locator("#pl-status").get_attribute("aria-live") == "polite"
    assert_step_matches(page, image, k.values, **opts)

    # in the output grid the current cell is the one tab stop; arrows move focus with the step
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('pl-out')"):
            break
    else:
        raise AssertionError("the output grid is not reachable with Tab")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate(
        "[document.activeElement.dataset.r, document.activeElement.dataset.c].map(Number)"
    )
    assert tuple(focused) == current_at(page) == (at[0] + 1, at[1])

    # an option changed with the keyboard: the mode radios (arrow keys move the choice)
    page.click("#pl-options > summary")  # the settings start folded
    page.focus("#pl-mode-correlate")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => !document.getElementById('pl-applied-fig').hidden")
    ready(page)
    assert_step_matches(page, image, k.values, mode="convolve", **opts)


def test_hover_does_not_jump_click_and_tap_do(page, browser, live_server):
    page.goto("/convolutie/stappen")
    ready(page)
    image = default_crop()
    k = cl.kernel(DEFAULTS["filter"])
    opts = dict(padding="same", mapping=k.display)
    page.click("#pl-play")
    page.wait_for_function(
        "() => document.getElementById('pl-play').getAttribute('aria-label') === 'Pauzeren'"
    )
    playing = page.locator("#pl-play").get_attribute("aria-label")
    page.hover(f'#pl-output .pl-out[data-r="{R0 + 5}"][data-c="{C0 + 6}"]')
    page.mouse.move(10, 10)
    page.wait_for_timeout(700)
    # moving the mouse over the output neither pauses nor jumps
    assert page.locator("#pl-play").get_attribute("aria-label") == playing
    assert current_at(page) != (R0 + 5, C0 + 6)
    page.click(f'#pl-output .pl-out[data-r="{R0 + 5}"][data-c="{C0 + 6}"]')
    assert current_at(page) == (R0 + 5, C0 + 6)
    assert_step_matches(page, image, k.values, **opts)
    page.click(f'#pl-output .pl-out[data-r="{R0 + 2}"][data-c="{C0}"]')
    assert current_at(page) == (R0 + 2, C0)

    # a phone: tap
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    errors = []
    try:
        phone = context.new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        phone.goto("/en/convolution/steps")
        ready(phone)
        phone.tap(f'#pl-output .pl-out[data-r="{R0 + 3}"][data-c="{C0 + 4}"]')
        assert current_at(phone) == (R0 + 3, C0 + 4)
        assert_step_matches(phone, image, k.values, **opts)
        # no horizontal scroll of the page at phone width
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()
    assert not errors


@pytest.mark.parametrize(
    "opts",
    [
        dict(mode="convolve", padding=1, border="reflect", stride=2, dilation=1),
        dict(mode="correlate", padding="full", border="wrap", stride=1, dilation=2),
        dict(mode="convolve", padding="valid", border="zero", stride=3, dilation=1),
    ],
)
def test_options_from_the_url_agree_with_explain(page, opts):
    q = dict(source="grid", grid=GRID, filter="custom", kernel=KERNEL, step=3, **opts)
    page.goto(
        "/en/convolution/steps?"
        + "&".join(f"{k}={v}" for k, v in q.items())
        .replace("\n", "%0A")
        .replace(" ", "%20")
        .replace("/", "%2F")
    )
    ready(page)
    image = cl.parse_kernel(GRID)
    kernel = cl.parse_kernel(KERNEL)
    oh, ow = cl.correlate(image, kernel, **{k: v for k, v in opts.items() if k != "mode"}).shape
    assert page.locator("#pl-output .pl-out").count() == oh * ow
    assert page.locator("#pl-applied-fig").is_visible() == (opts["mode"] == "convolve")
    assert_step_matches(page, image, kernel, **opts)
    page.keyboard.press("End")
    assert current_at(page) == (oh - 1, ow - 1)
    assert_step_matches(page, image, kernel, **opts)


def test_bad_input_shows_a_message_and_the_page_recovers(page, page_errors):
    page_errors.allow(r"status of 400")  # the browser logs the refused request
    page.goto("/convolutie/stappen?source=grid")
    ready(page)
    page.fill("#pl-grid", "1 2 3\n4 5")
    page.wait_for_function("() => document.getElementById('pl-error').textContent.length > 0")
    assert "getallenrooster" in page.locator("#pl-error").inner_text()
    assert page.locator("#pl-stage").get_attribute("class").count("stale") == 1
    page.fill("#pl-grid", "1 2 3\n4 5 6\n7 8 9")
    page.wait_for_function("() => document.getElementById('pl-error').textContent === ''")
    ready(page)
    assert page.locator("#pl-output .pl-out").count() == 9


def test_screenshots_english_and_embedded(page, screenshot):
    page.goto("/en/convolution/steps?source=grid&filter=sharpen&step=6")
    ready(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Convolution step by step" in page.locator("h1").inner_text()
    screenshot(page, "player-en")
    page.set_viewport_size({"width": 720, "height": 800})
    page.goto("/convolutie/stappen?embed=1&step=20")
    ready(page)
    assert page.locator(".site-header").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "player-embed", full_page=False)
