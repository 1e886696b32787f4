"""The small-CNN page in a real browser, on the small digits set (``?dataset=digits``: fast):
training to the end, filters, feature maps, guesses, drawing with mouse and keyboard."""

from __future__ import annotations

import re

from waiting import wait_true

FINISHED = "document.getElementById('network').dataset.run === 'finished'"


def test_train_watch_and_draw(page, screenshot):
    page.goto("/convolutie/netwerk?dataset=digits&epochs=3")
    assert page.input_value("#nw-dataset") == "digits"
    page.click("#nw-start")
    page.wait_for_selector("#nw-filters table.kgrid")
    wait_true(page, FINISHED, timeout=120_000)
    status = page.inner_text("#nw-status")
    acc = float(re.search(r"([\d,]+)%", status).group(1).replace(",", "."))
    assert "Klaar" in status and acc >= 85
    assert page.locator("#nw-filters table.kgrid").count() == 8
    assert page.locator("#nw-filters td").count() == 8 * 9
    assert page.locator("#nw-examples button").count() == 10
    guesses = page.locator(".nw-guess").all_inner_texts()
    assert all(g.startswith("Gok:") for g in guesses)
    assert sum("juist" in g for g in guesses) >= 7
    # feature maps after every layer: 1 input + 8 + 8 + 16 + 16
    assert page.locator("#nw-maps canvas").count() == 49
    assert page.get_attribute("#nw-maps canvas >> nth=1", "aria-label").startswith(
        "Na convolutie 1"
    )
    # choose another test photo: its feature maps come from the server
    page.click("#nw-examples button >> nth=5")
    assert page.get_attribute("#nw-examples button >> nth=5", "aria-pressed") == "true"
    wait_true(page, "document.querySelectorAll('#nw-maps canvas').length === 49")
    # the loss and accuracy charts describe themselves
    assert page.get_attribute("#nw-acc", "aria-label").startswith("Nauwkeurigheid: training")
    assert page.is_visible("#nw-download")
    # draw a "1" with the mouse
    canvas = page.locator("#nw-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 240, steps=12)
    page.mouse.up()
    wait_true(page, "document.getElementById('nw-draw-probs').children.length === 5")
    result = page.inner_text("#nw-draw-result")
    assert result.startswith("Het netwerk denkt:")
    screenshot(page, "network")
    # the keyboard draws too: clear, then pen down and move
    canvas.focus()
    page.keyboard.press("Delete")
    assert page.inner_text("#nw-draw-result") == "Teken eerst iets."
    page.keyboard.press("Space")
    for _ in range(8):
        page.keyboard.press("ArrowDown")
    wait_true(
        page,
        "document.getElementById('nw-draw-result').textContent.startsWith('Het netwerk denkt')",
    )


def test_english_page_pause_and_continue(page, screenshot):
    page.goto("/en/convolution/network?dataset=digits&epochs=10")
    page.click("#nw-start")
    wait_true(page, "document.getElementById('network').dataset.run === 'running'")
    page.wait_for_selector("#nw-filters table.kgrid")
    page.click("#nw-pause")
    wait_true(page, "document.getElementById('network').dataset.run === 'paused'")
    assert page.inner_text("#nw-pause") == "Continue"
    step = page.eval_on_selector("#nw-progress", "p => p.value")
    page.wait_for_timeout(600)
    assert page.eval_on_selector("#nw-progress", "p => p.value") == step  # it really paused
    page.click("#nw-pause")
    wait_true(page, "document.getElementById('network').dataset.run === 'running'")
    assert "Filter 1" in page.inner_text("#nw-filters")
    assert "Guess:" in page.inner_text("#nw-examples")
    screenshot(page, "network-en")
    page.click("#nw-start")  # start over: a new run replaces this one
    wait_true(page, "document.getElementById('network').dataset.run === 'running'")
