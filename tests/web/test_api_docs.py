"""The API docs: served from vendored files, and the OpenAPI document lists each operation's
error answers in the one error shape."""

from __future__ import annotations

import re

import pytest
from bad_requests import BAD

from convolab.web.app import STATIC_DIR
from convolab.web.routes.docs import SWAGGER_UI_VERSION

ERROR_REF = "#/components/schemas/Error"


def test_the_docs_page_uses_only_vendored_files(client):
    r = client.get("/api/docs")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    html = r.text
    assert "<script>" not in html  # no inline script (the CSP forbids it)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    for u in urls:
        assert client.get(u).status_code == 200, u
    vendor = STATIC_DIR / "vendor"
    for name in ("bundle.js", "LICENSE.txt", "NOTICE.txt"):
        assert (vendor / f"swagger-ui-{SWAGGER_UI_VERSION}-{name}").is_file()
    assert "Apache License" in (vendor / f"swagger-ui-{SWAGGER_UI_VERSION}-LICENSE.txt").read_text()


def _operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_lists_its_errors_in_the_one_shape(client):
    schema = client.get("/openapi.json").json()
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["ok", "status", "code", "error"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    ops = list(_operations(schema))
    assert len(ops) > 20
    for path, method, op in ops:
        errors = {s: r for s, r in op["responses"].items() if s[0] == "4"}
        assert {"400", "422"} <= set(errors), (method, path)
        if method in ("post", "put", "patch"):
            assert "413" in errors, (method, path)
        if "{" in path:
            assert "404" in errors, (method, path)
        for status, r in errors.items():
            assert r["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, status


def _template_of(path: str, schema) -> str | None:
    for template in schema["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    return None


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_each_odd_request_gets_a_documented_status(client, bad):
    schema = client.get("/openapi.json").json()
    template = _template_of(bad.path.split("?")[0].replace("%00", "x"), schema)
    if template is None:  # pages and content files are not API operations
        pytest.skip(f"{bad.path} is not an operation of the API")
    op = schema["paths"][template][bad.method.lower()]
    assert str(bad.status) in op["responses"], (bad.method, template, bad.status)
