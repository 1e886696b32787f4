"""Accessibility and readability of the pupil pages: axe-core, contrast and number sizes."""

from __future__ import annotations

import pytest
from conftest import format_violations, serious_violations

CSP_PAGE = """<!doctype html><html lang="en"><head><title>axe check</title></head>
<body><main><h1>axe check</h1>
<p style="color:#bbb;background:#fff">low contrast text</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</main></body></html>"""


def test_axe_runs_under_the_csp_and_finds_real_problems(page, live_server, axe):
    """The helper must see problems when they are there, also when the CSP forbids inline
    scripts (``default-src 'self'``; inline styles are allowed here only to make a contrast
    problem)."""

    def serve(route):
        route.fulfill(
            status=200,
            headers={
                "content-type": "text/html; charset=utf-8",
                "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
            },
            body=CSP_PAGE,
        )

    page.route("**/axe-selftest", serve)
    page.goto(live_server + "/axe-selftest")
    found = {v["id"]: v["impact"] for v in axe(page)}
    assert found.get("color-contrast") == "serious"
    assert found.get("image-alt") == "critical"


# -- every pupil page, loaded and after use, nl and en, at 720 px wide --------------------------
# (wait_for_function gets arrow functions: a bare expression is run with eval, which the app's
# Content-Security-Policy forbids)

SMALL_NUMBERS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!/[0-9]/.test(n.textContent)) continue;
    const el = n.parentElement;
    if (!el || el.closest("script, style, noscript, template")) continue;
    const box = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || cs.visibility === "hidden") continue;
    let px = parseFloat(cs.fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) {
      const m = el.getScreenCTM();  // an SVG drawn smaller than its viewBox shrinks its text
      px *= Math.hypot(m.a, m.b);
    }
    if (px < 11.95) out.push(`${el.tagName.toLowerCase()}.${el.getAttribute("class") || ""}`
      + ` "${n.textContent.trim().slice(0, 30)}" ${px.toFixed(1)} px`);
  }
  return out;
}"""


def _learn(page):
    # the first run of a fresh server imports PyTorch: allow for a loaded machine
    page.wait_for_function("() => document.getElementById('learn').dataset.runId", timeout=90_000)
    page.click("#lf-more > summary")
    page.click("#lf-play")
    page.wait_for_function(
        "() => / [1-9][0-9]* /.test(' ' + document.getElementById('lf-stats').textContent + ' ')"
        " && document.querySelectorAll('#lf-gradient-grid td').length > 0",
        timeout=60_000,
    )


def _network(page):
    page.click("#nw-start")
    page.wait_for_function(
        "() => document.getElementById('network').dataset.run === 'finished'", timeout=180_000
    )
    page.click("#nw-examples button >> nth=1")


def _signals(page):
    page.wait_for_function(
        "() => document.getElementById('sg-chart').getAttribute('aria-busy') === 'false'"
    )
    page.select_option("#sg-signal", index=1)
    page.wait_for_function(
        "() => document.getElementById('sg-chart').getAttribute('aria-busy') === 'false'"
        " && document.getElementById('sg-step-status').textContent.length > 0"
    )
    page.click("#sg-forward")


def _when(page):
    page.click("#wh-table-run")
    page.wait_for_selector("#wh-table[data-measured='1']", timeout=120_000)


def _arithmetic(page):
    page.wait_for_function("() => document.getElementById('ar-busy').hidden")
    page.select_option("#ar-padding", "same")
    page.fill("#ar-stride", "2")
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => document.getElementById('ar-busy').hidden"
        " && document.querySelectorAll('#ar-output .ar-out').length > 0"
    )


# (nl url, en url, what a pupil does there or None); "/" holds the explorer and the player
# in frames, whose insides are checked by their own tests
PUPIL_PAGES = {
    "home": ("/", "/en", None),
    "path": ("/leren", "/en/learn", None),
    "object-layer": (
        "/leren/convolab-convlaag-leert-filters",
        "/en/learn/convolab-convlaag-leert-filters",
        None,
    ),
    "object-when": (
        "/leren/convolab-wanneer-convoluties",
        "/en/learn/convolab-wanneer-convoluties",
        None,
    ),
    "learn": ("/convolutie/leren?speed=max", "/en/convolution/learn?speed=max", _learn),
    "network": (
        "/convolutie/netwerk?dataset=digits&epochs=1",
        "/en/convolution/network?dataset=digits&epochs=1",
        _network,
    ),
    "signals": ("/convolutie/signalen", "/en/convolution/signals", _signals),
    "when": (
        "/convolutie/wanneer?folds=3&table_epochs=40",
        "/en/convolution/when?folds=3&table_epochs=40",
        _when,
    ),
    "arithmetic": ("/convolutie/rekenen", "/en/convolution/arithmetic", _arithmetic),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", list(PUPIL_PAGES))
def test_pupil_page_is_accessible_and_readable(page, axe, name, lang):
    nl, en, use = PUPIL_PAGES[name]
    page.set_viewport_size({"width": 720, "height": 800})
    page.goto(nl if lang == "nl" else en)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    states = [("loaded", None)] + ([("after use", use)] if use else [])
    problems = []
    for state, action in states:
        if action:
            action(page)
            page.wait_for_timeout(200)
        found = serious_violations(axe(page, frames=False))
        if found:
            problems.append(f"axe, {state}:\n" + format_violations(found))
        small = page.evaluate(SMALL_NUMBERS)
        if small:
            problems.append(f"numbers under 12 px, {state}:\n    " + "\n    ".join(small[:20]))
    assert not problems, f"{page.url}\n" + "\n".join(problems)
