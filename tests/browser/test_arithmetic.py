"""The arithmetic explorer in a real Chromium against a real server.

What the page shows is compared with the core computed here: ``output_size``,
``explain_output_size`` and the window of ``explain`` (its input rows and columns).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np

import convolab as cl


def ready(page):
    page.wait_for_function(
        "() => document.getElementById('ar-busy').hidden"
        " && document.querySelectorAll('#ar-output .ar-out').length > 0"
    )


def settle(page):
    """Wait for the debounced request after a change to be answered and drawn."""
    page.wait_for_timeout(250)
    ready(page)


def shown_output(page) -> tuple[int, int]:
    cols = int(
        page.locator("#ar-output").evaluate("e => getComputedStyle(e).getPropertyValue('--cols')")
    )
    n = page.locator("#ar-output .ar-out").count()
    return n // cols, cols


def highlighted(page) -> set[tuple[int, int]]:
    cells = page.locator("#ar-input .ar-cell.ar-on")
    return {
        (int(r), int(c))
        for r, c in cells.evaluate_all("els => els.map(e => [e.dataset.r, e.dataset.c])")
    }


def expected_field(rows, cols, krows, kcols, at, **opts) -> set[tuple[int, int]]:
    ex = cl.explain(np.zeros((rows, cols)), np.ones((krows, kcols)), at=at, **opts)
    return {(int(r), int(c)) for r in ex.rows for c in ex.cols}


def test_change_stride_and_padding_updates_formula_and_grid(page, screenshot):
    page.goto("/convolutie/rekenen")
    ready(page)
    assert shown_output(page) == (3, 3)  # 5x5, 3x3, valid
    page.fill("#ar-rows", "8")
    page.fill("#ar-cols", "7")
    page.select_option("#ar-padding", "same")
    page.fill("#ar-stride", "2")
    settle(page)
    opts = dict(padding="same", stride=2)
    oh = cl.output_size(8, 3, **opts)
    ow = cl.output_size(7, 3, **opts)
    assert shown_output(page) == (oh, ow) == (4, 4)
    assert (
        page.locator("#ar-formula-rows").inner_text()
        == cl.explain_output_size(8, 3, **opts).formula()
    )
    assert (
        page.locator("#ar-formula-cols").inner_text()
        == cl.explain_output_size(7, 3, **opts).formula()
    )
    assert f"{oh} × {ow}" in page.locator("#ar-summary").inner_text()
    # padding cells are drawn distinctly: (8+2) x (7+2) - 8 x 7
    assert page.locator("#ar-input .ar-cell.pad").count() == 10 * 9 - 56

    # a number as padding, and dilation
    page.select_option("#ar-padding", "number")
    page.fill("#ar-padnum", "2")
    page.fill("#ar-dilation", "2")
    settle(page)
    opts = dict(padding=2, stride=2, dilation=2)
    assert shown_output(page) == (cl.output_size(8, 3, **opts), cl.output_size(7, 3, **opts))
    assert "5" in page.locator("#ar-eff-rows").inner_text()  # (3-1)*2+1 cells
    q = parse_qs(urlsplit(page.url).query)
    assert q["padding"] == ["2"] and q["stride"] == ["2"] and q["dilation"] == ["2"]

    # hover an output cell: its receptive field lights up, exactly the core's window
    page.hover('#ar-output .ar-out[data-r="1"][data-c="2"]')
    assert highlighted(page) == expected_field(8, 7, 3, 3, (1, 2), **opts)
    screenshot(page, "arithmetic-nl")


def test_a_division_that_is_not_whole_is_explained(page, screenshot):
    page.goto("/convolutie/rekenen?rows=7&cols=6&padding=1&stride=4")
    ready(page)
    ex = cl.explain_output_size(7, 3, padding=1, stride=4)
    assert not ex.exact
    axis = page.locator("#ar-axis-rows")
    assert "floor" in axis.get_attribute("class")
    note = page.locator("#ar-note-rows").inner_text()
    assert f"{ex.numerator} / 4" in note and f"rest {ex.remainder}" in note and "af" in note
    assert shown_output(page)[0] == ex.value
    # the cells no window reads are marked: the last `remainder` padded rows among them
    unread_rows = {
        int(r)
        for r in page.locator("#ar-input .ar-cell.unread").evaluate_all(
            "els => els.map(e => e.dataset.r)"
        )
    }
    assert set(range(7 + 1 - ex.remainder, 7 + 1)) <= unread_rows
    screenshot(page, "arithmetic-floor")
    # the same page in English keeps the state
    page.click("a[data-lang-switch='en']")
    ready(page)
    assert page.url.split("?")[0].endswith("/en/convolution/arithmetic")
    assert "not whole" in page.locator("#ar-note-rows").inner_text()
    screenshot(page, "arithmetic-en")


def test_kernel_larger_than_padded_input_is_a_clear_message(page, page_errors):
    page_errors.allow(r"status of 400")
    page.goto("/convolutie/rekenen?rows=2&cols=5&krows=4&padding=valid")
    page.wait_for_function("() => !document.getElementById('ar-error').hidden")
    text = page.locator("#ar-error").inner_text()
    assert "groter dan de opgevulde afbeelding" in text and "4 rijen" in text
    page.select_option("#ar-padding", "full")
    page.wait_for_function("() => document.getElementById('ar-error').hidden")
    ready(page)
    assert shown_output(page) == (cl.output_size(2, 4, padding="full"), 7)

    page.goto("/en/convolution/arithmetic?rows=9&cols=3&kcols=2&dilation=3&padding=valid")
    page.wait_for_function("() => !document.getElementById('ar-error').hidden")
    text = page.locator("#ar-error").inner_text()
    assert "larger than the padded image" in text and "(4 columns with dilation 3)" in text
    assert "groter" not in text


def test_keyboard_only(page):
    page.goto("/convolutie/rekenen?rows=6&cols=6&padding=same")
    ready(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ar-stride":
            break
    else:
        raise AssertionError("the stride field is not reachable with Tab")
    page.keyboard.press("ArrowUp")  # number input: 1 -> 2
    settle(page)
    assert shown_output(page) == (3, 3)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('ar-out')"):
            break
    else:
        raise AssertionError("the output grid is not reachable with Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate(
        "[document.activeElement.dataset.r, document.activeElement.dataset.c].map(Number)"
    )
    assert focused == [1, 1]
    assert highlighted(page) == expected_field(6, 6, 3, 3, (1, 1), padding="same", stride=2)
    status = page.locator("#ar-field").inner_text()
    assert "rij 1, kolom 1" in status and "9 vakjes" in status
