"""Runs survive navigation: a pupil starts a training, goes to another page and comes back;
the page reattaches to the same run on the server, with its progress (issue 12).

Leaving closes only the page's event stream: the server pauses the run (its compute slot goes
to the next pupil) and keeps it; coming back plays it on where it was.
"""

from __future__ import annotations

import time

from waiting import wait_true


def poll(page, expression: str, timeout: float = 90.0) -> None:
    """Wait until ``expression`` is true in the page (``timeout`` in seconds)."""
    wait_true(page, expression, timeout * 1000)


LEARN = "document.getElementById('learn').dataset"
STEP = "Number((document.getElementById('lf-stats').textContent.match(/\\d+/) || ['0'])[0])"


def server_run(page, kind: str) -> dict:
    return page.request.get(f"/api/{kind}/runs").json()["run"]


def test_a_filter_run_is_there_again_after_visiting_another_page(page):
    page.goto("/convolutie/leren?target=blur&speed=slow")
    poll(page, f"{LEARN}.runId && document.querySelector('#lf-learned-grid td')")
    page.click("#lf-play")
    poll(page, f"{LEARN}.run === 'running'")
    poll(page, f"{STEP} >= 3")
    run_id = page.evaluate(f"{LEARN}.runId")
    steps_before = page.evaluate(STEP)

    page.goto("/convolutie/netwerk")  # away (a link in the menu)
    page.wait_for_selector("#nw-start")
    deadline = time.monotonic() + 15
    while server_run(page, "learn")["status"] != "paused":  # nobody watches: it pauses
        assert time.monotonic() < deadline, server_run(page, "learn")
        time.sleep(0.2)
    kept = server_run(page, "learn")
    assert kept["id"] == run_id and kept["end_reason"] is None

    page.goto("/convolutie/leren")  # back, by the menu: no settings in the link
    poll(page, f"{LEARN}.runId === '{run_id}'")
    assert page.input_value("#lf-target") == "blur" and page.input_value("#lf-speed") == "slow"
    assert "target=blur" in page.url  # the page state follows the run
    poll(page, f"{STEP} >= {steps_before}")  # the progress is there...
    assert page.evaluate("document.querySelectorAll('#lf-learned-grid td').length") == 9
    poll(page, f"{LEARN}.run === 'running'")  # ...and it plays on where it was
    poll(page, f"{STEP} > {steps_before}")
    assert server_run(page, "learn")["id"] == run_id


def test_a_link_with_other_settings_starts_a_new_run(page):
    page.goto("/convolutie/leren?target=blur")
    poll(page, f"{LEARN}.runId && document.querySelector('#lf-learned-grid td')")
    first = page.evaluate(f"{LEARN}.runId")
    page.goto("/convolutie/leren?target=sobel-x")
    poll(page, f"{LEARN}.runId && {LEARN}.runId !== '{first}'")
    assert page.input_value("#lf-target") == "sobel-x"


NETWORK = "document.getElementById('network').dataset"


def test_a_training_goes_on_while_the_pupil_is_elsewhere_and_is_there_when_back(page):
    page.goto("/convolutie/netwerk?dataset=digits&epochs=3")
    page.click("#nw-start")
    page.wait_for_selector("#nw-filters table.kgrid", timeout=60_000)
    run_id = page.evaluate(f"{NETWORK}.runId")

    page.goto("/convolutie/leren")  # away
    page.wait_for_selector("#lf-play")
    page.goto("/convolutie/netwerk")  # back, by the menu
    poll(page, f"{NETWORK}.runId === '{run_id}'")
    assert page.input_value("#nw-dataset") == "digits" and page.input_value("#nw-epochs") == "3"
    page.wait_for_selector("#nw-filters table.kgrid", timeout=30_000)  # progress is there
    poll(page, f"{NETWORK}.run === 'finished'", timeout=120)
    status = page.inner_text("#nw-status")
    assert "Klaar" in status and "3" in status
    assert page.is_visible("#nw-download")
    assert page.locator("#nw-examples button").count() == 10
