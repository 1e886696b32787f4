"""The pooling page in a real browser: stepping through the windows, state in the URL, the
numbers shown are the core's."""

from __future__ import annotations

from waiting import wait_true

from convolab import pooling

ROOT = "document.getElementById('pooling').dataset"


def cells(page, grid: str) -> list[list[str]]:
    return page.evaluate(
        f"[...document.querySelectorAll('#{grid} tr')].map(tr => [...tr.cells].map(td => td.textContent))"
    )


def nl(v: float) -> str:
    return f"{v:g}".replace(".", ",").replace("-", "-")


def test_step_through_the_windows(page, screenshot):
    page.goto("/convolutie/pooling?filter=sobel-x&side=6")
    wait_true(page, f"{ROOT}.ready === '1'")
    core = pooling.example("camera", "sobel-x", 6, 2)
    assert cells(page, "pl-map") == [[nl(v) for v in row] for row in core["feature_map"]]
    assert cells(page, "pl-relu") == [[nl(v) for v in row] for row in core["relu"]]
    assert page.evaluate(f"{ROOT}.step") == "1" and page.evaluate(f"{ROOT}.steps") == "9"
    for _ in range(3):
        page.click("#pl-next")
    assert page.evaluate(f"{ROOT}.step") == "4" and "step=4" in page.url
    step = core["steps"][3]
    marked = page.evaluate(
        "[...document.querySelectorAll('#pl-relu td.pl-win')].map(td => td.textContent)"
    )
    assert marked == [nl(v) for row in step["values"] for v in row]
    assert page.inner_text("#pl-relu td.pl-max") == nl(step["max"])
    assert page.inner_text("#pl-pooled td.pl-now") == nl(step["max"])
    assert page.locator("#pl-pooled td.pl-todo").count() == 9 - 4  # not yet pooled
    assert f"Het grootste getal is {nl(step['max'])}" in page.inner_text("#pl-step")
    screenshot(page, "pooling")
    page.reload()  # the state is in the URL
    wait_true(page, f"{ROOT}.ready === '1' && {ROOT}.step === '4'")
    page.click("#pl-last")
    assert page.locator("#pl-pooled td.pl-todo").count() == 0
    assert cells(page, "pl-pooled") == [[nl(v) for v in row] for row in core["pooled"]]


def test_klein_netwerk_links_to_the_pooling_page(page):
    page.goto("/convolutie/netwerk")
    page.click(".nw-layers > summary")  # "Hoe ziet het netwerk eruit?"
    page.click("#nw-pooling-link")
    page.wait_for_url("**/convolutie/pooling")
    wait_true(page, f"{ROOT}.ready === '1'")
    assert page.inner_text("h1").startswith("ReLU en max pooling")
