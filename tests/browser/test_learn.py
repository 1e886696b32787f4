"""Learn a filter in a real browser: the kernel grid changes and converges; honest for a
threshold; keyboard; closing the page stops the run on the server."""

from __future__ import annotations

import re
import time

import numpy as np
from waiting import wait_true

import convolab as cl

CONVERGED = "document.getElementById('learn').dataset.status === 'converged'"


def grid_values(page, selector: str) -> np.ndarray:
    cells = page.locator(f"{selector} td").all_inner_texts()
    values = [float(c.replace(",", ".").replace("−", "-")) for c in cells]
    n = int(round(len(values) ** 0.5))
    return np.array(values).reshape(n, n)


def test_the_kernel_grid_changes_and_converges(page, screenshot):
    page.goto("/convolutie/leren?target=sobel-x&speed=fast")
    page.wait_for_selector("#lf-learned-grid td", timeout=90_000)  # the first run loads PyTorch
    wait_true(page, "!document.getElementById('lf-play').disabled")
    start = grid_values(page, "#lf-learned-grid")
    target = grid_values(page, "#lf-target-grid")
    np.testing.assert_allclose(target, cl.kernel("sobel-x").values, atol=0.005)
    page.click("#lf-play")
    wait_true(
        page, "document.getElementById('lf-learned-caption').textContent.match(/\\d+/)[0] > 5"
    )
    middle = grid_values(page, "#lf-learned-grid")
    assert not np.allclose(middle, start)  # the grid changes while it learns
    wait_true(page, CONVERGED, timeout=60_000)
    final = grid_values(page, "#lf-learned-grid")
    assert np.abs(final - target).max() <= 0.011  # shown with two decimals
    status = page.inner_text("#lf-status")
    assert "Gevonden" in status
    steps = int(re.search(r"Stap (\d+)", page.inner_text("#lf-stats")).group(1))
    assert 0 < steps <= 300
    assert page.get_attribute("#lf-loss", "aria-label").startswith("Verliescurve")
    assert page.locator("#lf-gradient-grid td").count() == 9
    assert page.get_attribute("#lf-img-output", "src").startswith("data:image/png")
    assert page.is_disabled("#lf-pause")
    screenshot(page, "learn")


def test_a_threshold_is_no_filter_and_the_page_says_so(page, screenshot):
    page.goto("/convolutie/leren?target=threshold&speed=max")
    page.wait_for_selector("#lf-honest:not([hidden])")
    honest = page.inner_text("#lf-honest")
    assert "Geen enkel 3×3-filter kan dit" in honest
    assert page.is_visible("#lf-best-grid td")
    page.click("#lf-play")
    wait_true(page, "document.getElementById('learn').dataset.status === 'at_floor'")
    stats = page.inner_text("#lf-stats")
    loss = float(re.search(r"verlies ([\d,]+)", stats).group(1).replace(",", "."))
    assert loss > 0.1  # visibly above zero
    assert "laagst mogelijk" in stats
    screenshot(page, "learn-threshold")


def test_keyboard_in_english_and_a_typed_kernel(page, screenshot):
    page.goto("/en/convolution/learn?target=custom&kernel=0+1+0%3B+1+-4+1%3B+0+1+0")
    page.wait_for_selector("#lf-learned-grid td", timeout=90_000)  # the first run loads PyTorch
    wait_true(page, "!document.getElementById('lf-step').disabled")
    assert not page.is_hidden("#lf-custom-wrap")
    np.testing.assert_allclose(
        grid_values(page, "#lf-target-grid"), [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    )
    page.focus("#lf-step")
    page.keyboard.press("Enter")
    wait_true(page, "document.getElementById('lf-stats').textContent.startsWith('Step 1 ')")
    page.keyboard.press("Enter")
    wait_true(page, "document.getElementById('lf-stats').textContent.startsWith('Step 2 ')")
    assert "The layer's filter after 2 steps" in page.inner_text("#lf-learned-caption")
    # a learning rate far too large: the loss explodes and the page says what to do
    page.fill("#lf-lr", "8")
    page.dispatch_event("#lf-lr", "change")
    page.click("#lf-more > summary")  # the method sits in the "want to know more" fold
    page.select_option("#lf-optimizer", "sgd")
    page.select_option("#lf-speed", "max")
    page.focus("#lf-play")
    page.keyboard.press("Enter")
    wait_true(page, "document.getElementById('learn').dataset.status === 'diverged'")
    assert "too large" in page.inner_text("#lf-status")
    assert page.is_disabled("#lf-play")
    screenshot(page, "learn-en-diverged")


def test_closing_the_page_pauses_its_run_and_frees_its_slot(page):
    page.goto("/convolutie/leren?speed=slow")
    wait_true(page, "document.getElementById('learn').dataset.runId", timeout=90_000)
    run_id = page.get_attribute("#learn", "data-run-id")
    page.click("#lf-play")
    wait_true(page, "document.getElementById('learn').dataset.run === 'running'")
    api = page.context.request  # shares the page's session cookie
    assert api.get(f"/api/learn/runs/{run_id}").json()["run"]["status"] == "running"
    page.close()
    deadline = time.monotonic() + 8
    run = None
    while time.monotonic() < deadline:
        run = api.get(f"/api/learn/runs/{run_id}").json()["run"]
        if run["status"] == "paused":
            break
        time.sleep(0.25)
    # paused, not thrown away: the pupil may come back (see test_reattach.py)
    assert run["status"] == "paused" and run["end_reason"] is None
