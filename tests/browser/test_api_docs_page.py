"""/api/docs: Swagger UI from the vendored package, offline and under the app's CSP."""

from __future__ import annotations

import urllib.request


def test_api_docs_load_offline_with_every_operation(page, live_server):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() >= 20  # every operation is listed
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("convolab")
    # the page's assets are the vendored ones; the `page` fixture fails on any other host
    assert any("/static/vendor/swagger-ui-5.35.0-bundle.js" in u for u in requests)
    assert any(u.endswith("/openapi.json") for u in requests)
    # an operation opened shows the one error shape for its 4xx answers
    page.locator(".opblock-summary-path", has_text="/api/apply").first.click()
    responses = page.locator(".opblock.is-open .responses-table")
    responses.wait_for(timeout=10_000)
    for status in ("400", "413", "422"):
        assert responses.locator(f"tr.response[data-code='{status}']").count() == 1, status
    with urllib.request.urlopen(f"{live_server}/api/docs") as r:
        csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
