"""Waiting for a condition in a page under the app's Content-Security-Policy.

``page.wait_for_function("...")`` compiles its string with ``eval`` inside the page, which a
CSP without ``'unsafe-eval'`` forbids (as it should). :func:`wait_true` evaluates the
expression from outside instead (``page.evaluate``, which the CSP does not govern) until it
is true.
"""

from __future__ import annotations

import time


def wait_true(page, expression: str, timeout: float = 30_000) -> None:
    """Evaluate ``expression`` in ``page`` until it is true (``timeout`` in ms, as Playwright)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        if page.evaluate(f"!!({expression})"):
            return
        if time.monotonic() > deadline:
            status = page.evaluate("document.querySelector('.message')?.textContent")
            raise AssertionError(f"not true within {timeout / 1000:g} s: {expression} ({status})")
        time.sleep(0.1)
