"""Accessibility and readability of the pupil pages: axe-core, contrast and number sizes."""

from __future__ import annotations

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
