"""The web skeleton: one error shape, i18n catalogues, pages in both languages, links."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import Body
from fastapi.testclient import TestClient
from pydantic import BaseModel

import convolab as cl
from convolab.web import i18n, pages
from convolab.web.app import MAX_BODY_BYTES, create_app
from convolab.web.errors import ApiError, core_call

WEB = Path(cl.__file__).parent / "web"
ERROR_KEYS = {"ok", "status", "code", "error"}


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["ok"] is False
    assert body["status"] == status
    assert re.fullmatch(r"[a-z][a-z0-9_]*", body["code"]), body
    if code is not None:
        assert body["code"] == code, body
    assert isinstance(body["error"], str) and len(body["error"]) > 5
    return body


class Item(BaseModel):
    size: int
    name: str


@pytest.fixture(scope="module")
def test_client():
    """The real app plus a few routes that raise each kind of error on purpose."""
    app = create_app()

    @app.post("/api/_test/item")
    async def item(item: Item = Body(...)):  # noqa: B008
        return {"ok": True, "size": item.size}

    @app.get("/api/_test/api-error")
    async def api_error():
        raise ApiError(409, "already_there", {"nl": "Bestaat al.", "en": "Already there."})

    @app.get("/api/_test/api-error-key")
    async def api_error_key():
        raise ApiError.key(400, "bad_thing", "common.err_body_too_large", mb=3)

    @app.get("/api/_test/core")
    async def core(i: int, k: int, stride: int = 1):
        return {"ok": True, "size": await core_call(cl.output_size, i, k, stride=stride)}

    @app.get("/api/_test/core-type")
    async def core_type():
        return await core_call(cl.output_size, "tien", 3)

    @app.get("/api/_test/core-plain")
    async def core_plain():
        return await core_call(int, "ten")

    @app.get("/api/_test/boom")
    async def boom():
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_not_found_is_json_in_both_languages(test_client):
    nl = assert_error_shape(test_client.get("/api/does-not-exist"), 404, "not_found")
    en = assert_error_shape(test_client.get("/api/does-not-exist?lang=en"), 404, "not_found")
    assert nl["error"] != en["error"]
    assert en["error"] == i18n.t("common.err_not_found", "en")


def test_method_not_allowed(test_client):
    assert_error_shape(test_client.delete("/openapi.json"), 405, "method_not_allowed")
    assert_error_shape(test_client.get("/api/_test/item"), 405, "method_not_allowed")


def test_validation_errors(test_client):
    missing = assert_error_shape(test_client.post("/api/_test/item", json={"size": 3}), 422)
    assert "name" in missing["error"]
    wrong = test_client.post("/api/_test/item?lang=en", json={"size": "big", "name": "x"})
    assert "size" in assert_error_shape(wrong, 422, "invalid_request")["error"]
    bad_json = test_client.post(
        "/api/_test/item", content=b"{size: 3", headers={"content-type": "application/json"}
    )
    body = assert_error_shape(bad_json, 422, "invalid_json")
    assert "regel 1, kolom 2" in body["error"]  # says where
    query = assert_error_shape(test_client.get("/api/_test/core?i=tien&k=3"), 422)
    assert "i" in query["error"]


def test_api_error_messages(test_client):
    nl = assert_error_shape(test_client.get("/api/_test/api-error"), 409, "already_there")
    en = assert_error_shape(test_client.get("/api/_test/api-error?lang=en"), 409)
    assert (nl["error"], en["error"]) == ("Bestaat al.", "Already there.")
    keyed = assert_error_shape(test_client.get("/api/_test/api-error-key?lang=en"), 400)
    assert keyed["error"] == i18n.t("common.err_body_too_large", "en", mb=3)


def test_core_errors_become_4xx(test_client):
    ok = test_client.get("/api/_test/core?i=10&k=3")
    assert ok.json() == {"ok": True, "size": cl.output_size(10, 3)}
    body = assert_error_shape(test_client.get("/api/_test/core?i=10&k=3&stride=0"), 400)
    assert body["code"] == "must_be_at_least"  # the core's code
    assert body["error"] == "stapgrootte moet minstens 1 zijn; je gaf 0"  # its Dutch message
    en = test_client.get("/api/_test/core?i=10&k=3&stride=0&lang=en").json()
    assert en["error"] == "stride must be >= 1; got 0"  # str() of the core's error
    body = assert_error_shape(test_client.get("/api/_test/core-type"), 422, "not_whole_number")
    # a ValueError without a code still becomes a 4xx
    body = assert_error_shape(test_client.get("/api/_test/core-plain"), 400, "invalid_value")


def test_unexpected_error_is_500_in_the_shape(test_client):
    assert_error_shape(test_client.get("/api/_test/boom"), 500, "internal_error")
    # and the server keeps serving
    assert test_client.get("/openapi.json").status_code == 200


def test_body_over_the_limit_is_refused(test_client):
    big = b"x" * (MAX_BODY_BYTES + 1)
    r = test_client.post(
        "/api/_test/item", content=big, headers={"content-type": "application/json"}
    )
    assert_error_shape(r, 413, "payload_too_large")

    def chunks():  # no Content-Length: counted while reading
        for _ in range(16):
            yield b"x" * (MAX_BODY_BYTES // 8)

    r = test_client.post(
        "/api/_test/item", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_error_shape(r, 413, "payload_too_large")


def test_missing_page_is_html_for_browsers(client):
    r = client.get("/en/no-such-page", headers={"accept": "text/html"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in r.text
    assert i18n.t("common.err_not_found", "en") in r.text


def test_openapi(client):
    r = client.get("/openapi.json")
    assert float(r.headers["server-timing"].partition("app;dur=")[2]) >= 0
    spec = r.json()
    assert spec["info"]["title"] == "convolab"
    for path in spec["paths"]:
        assert path.startswith("/api/"), f"{path}: JSON APIs live under /api/"


# --- i18n ---------------------------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("feature", sorted(set(i18n.features("nl")) | set(i18n.features("en"))))
def test_catalogues_have_the_same_keys(feature):
    files = {lang: WEB / "i18n" / lang / f"{feature}.json" for lang in i18n.LANGS}
    for path in files.values():
        assert path.is_file(), f"{path} is missing"
    nl = json.loads(files["nl"].read_text(encoding="utf-8"))
    en = json.loads(files["en"].read_text(encoding="utf-8"))
    assert sorted(set(nl) - set(en)) == [], f"{feature}: keys only in nl"
    assert sorted(set(en) - set(nl)) == [], f"{feature}: keys only in en"
    for key in nl:
        assert isinstance(nl[key], str) and nl[key].strip(), f"nl {feature}.{key} is empty"
        assert isinstance(en[key], str) and en[key].strip(), f"en {feature}.{key} is empty"
        assert placeholders(nl[key]) == placeholders(en[key]), f"{feature}.{key} placeholders"


def test_t_and_i18n_json():
    assert i18n.t("common.skip", "nl") != i18n.t("common.skip", "en")
    assert i18n.t("common.err_body_too_large", "en", mb=7).count("7") == 1
    with pytest.raises(KeyError):
        i18n.t("common.no_such_key", "nl")
    with pytest.raises(ValueError):
        i18n.t("common.skip", "de")
    block = str(i18n.i18n_json("common", "en"))
    assert block.startswith('<script type="application/json" id="i18n-common">')
    payload = block.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert json.loads(payload) == i18n.catalog("en", "common")


# --- pages and links ----------------------------------------------------------------------


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []  # loaded by the browser: must never leave the app
        self.html_lang = None
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if "id" in a:
            self.ids.add(a["id"])
        for attr in ("href", "src"):
            if a.get(attr) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append(a[attr])
                if tag != "a":
                    self.resources.append(a[attr])


def page_urls() -> list[tuple[str, str, str]]:
    create_app()  # imports every routes module, which registers the pages
    return sorted(
        (p.id, lang, url)
        for p in pages.PAGES.values()
        for lang, urls in p.urls.items()
        for url in urls
    )


def parse(html: str) -> LinkParser:
    parser = LinkParser()
    parser.feed(html)
    return parser


def page_client(client, app, enter_teacher_code, page_id: str, url: str):
    """The client a page is checked with: teacher-only pages answer a pupil 403 and are
    checked in teacher mode."""
    first = client.get(url)
    if first.status_code != 403:
        return client
    assert_error_shape(first, 403, "teacher_only")
    teacher = TestClient(app)
    enter_teacher_code(teacher)
    return teacher


def test_pages_are_registered():
    assert page_urls(), "no pages registered"


@pytest.mark.parametrize(("page_id", "lang", "url"), page_urls())
def test_every_page_answers_in_its_language(client, app, enter_teacher_code, page_id, lang, url):
    client = page_client(client, app, enter_teacher_code, page_id, url)
    for query in ("", "?embed=1"):
        r = client.get(url + query)
        assert r.status_code == 200, f"{url}{query}: {r.status_code} {r.text[:300]}"
        assert r.headers["content-type"].startswith("text/html")
        doc = parse(r.text)
        assert doc.html_lang == lang
        assert "main" in doc.ids
        if query:
            assert 'class="site-header"' not in r.text, "embed=1 must hide the header"
        else:
            other = "en" if lang == "nl" else "nl"
            assert pages.PAGES[page_id].url(other) in doc.links, "language switch missing"


@pytest.mark.parametrize(("page_id", "lang", "url"), page_urls())
def test_every_link_on_every_page_resolves(client, app, enter_teacher_code, page_id, lang, url):
    client = page_client(client, app, enter_teacher_code, page_id, url)
    doc = parse(client.get(url).text)
    for link in doc.resources:
        assert not urlsplit(link).netloc, f"{url} loads {link} from outside the app (offline!)"
    for link in doc.links:
        if link.startswith(("#", "mailto:", "data:")):
            continue
        parts = urlsplit(urljoin(url, link))
        if parts.netloc:
            continue  # a link to a source elsewhere: not checkable offline, not loaded
        r = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert r.status_code == 200, f"{url} links to {link}: {r.status_code}"


def test_language_switch_keeps_the_query_string(client):
    page_id, lang, url = page_urls()[0]
    other = "en" if lang == "nl" else "nl"
    r = client.get(url + "?a=1&embed=0")
    target = pages.PAGES[page_id].url(other) + "?a=1&embed=0"
    assert f'href="{target.replace("&", "&amp;")}"' in r.text


def test_static_module_imports_resolve():
    static = WEB / "static"
    pattern = re.compile(
        r"""(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']"""
    )
    for js in static.rglob("*.js"):
        if "vendor" in js.relative_to(static).parts:
            continue  # vendored classic-script bundles (Swagger UI), not the app's modules
        for m in pattern.finditer(js.read_text(encoding="utf-8")):
            target = m.group(1) or m.group(2)
            assert target.startswith((".", "/static/")), f"{js}: non-local import {target}"
            path = (js.parent / target) if target.startswith(".") else static / target[8:]
            assert path.resolve().is_file(), f"{js}: import {target} does not exist"
