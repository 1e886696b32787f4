"""Pages: a registry of page ids with one URL per language, and ``render``.

A feature registers a page in its routes module::

    from convolab.web.pages import page, render

    @page("explorer", nl="/convolutie", en="/en/convolution", nav=20)
    def explorer(request, lang):
        return render(request, "explorer/index.html", lang=lang, page_id="explorer")

The decorator adds a GET route for every URL (``nl``/``en`` may be a string or a tuple of
URLs; the first is the canonical one) and calls the view with ``(request, lang)``.
``nav`` (an int: the position) puts the page in the header's navigation; its label is the
i18n key ``label`` (default ``common.nav_<page_id>`` when that key exists, else
``<page_id>.nav``). ``?embed=1`` renders the compact layout (no header, nav or footer) for
iframes. In templates: ``t("feature.key")``, ``lang``, ``link(page_id)``, ``i18n_json(feature)``,
``embed``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from . import i18n
from .i18n import LANGS

TEMPLATE_DIR = Path(__file__).parent / "templates"

router = APIRouter()


@dataclass(frozen=True)
class Page:
    id: str
    urls: dict[str, tuple[str, ...]]
    nav: int | None
    label: str | None

    def url(self, lang: str) -> str:
        return self.urls[lang][0]

    def label_key(self) -> str:
        if self.label:
            return self.label
        common = f"common.nav_{self.id}"
        return common if i18n.has(common) else f"{self.id}.nav"


PAGES: dict[str, Page] = {}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _as_urls(value: str | tuple[str, ...] | list[str], lang: str) -> tuple[str, ...]:
    urls = (value,) if isinstance(value, str) else tuple(value)
    if not urls or not all(isinstance(u, str) and u.startswith("/") for u in urls):
        raise ValueError(f"{lang} must be a URL path starting with '/' (or a tuple of them)")
    return urls


def _url_owner(url: str) -> str | None:
    for p in PAGES.values():
        for urls in p.urls.values():
            if url in urls:
                return p.id
    return None


def page(
    page_id: str,
    *,
    nl: str | tuple[str, ...],
    en: str | tuple[str, ...],
    nav: int | None = None,
    label: str | None = None,
) -> Callable:
    """Register a page and add its GET routes (see the module docstring)."""
    urls = {"nl": _as_urls(nl, "nl"), "en": _as_urls(en, "en")}
    for lang_urls in urls.values():
        for url in lang_urls:
            owner = _url_owner(url)
            if owner is not None and owner != page_id:
                raise ValueError(f"URL {url} is already registered by page {owner!r}")

    def decorator(view: Callable) -> Callable:
        if page_id in PAGES and PAGES[page_id].urls != urls:
            raise ValueError(f"page id {page_id!r} is already registered with other URLs")
        new = page_id not in PAGES
        PAGES[page_id] = Page(page_id, urls, nav, label)
        if new:
            for lang, lang_urls in urls.items():
                for url in lang_urls:
                    router.add_api_route(
                        url,
                        _endpoint(view, lang),
                        methods=["GET"],
                        response_class=HTMLResponse,
                        include_in_schema=False,
                        name=f"page:{page_id}:{lang}:{url}",
                    )
        return view

    return decorator


def _endpoint(view: Callable, lang: str):
    async def endpoint(request: Request):
        if inspect.iscoroutinefunction(view):
            return await view(request, lang)
        return await run_in_threadpool(view, request, lang)

    endpoint.__name__ = f"{view.__name__}_{lang}"
    return endpoint


def link(page_id: str, lang: str) -> str:
    """The URL of a registered page in a language (``KeyError`` for an unknown page)."""
    if page_id not in PAGES:
        raise KeyError(f"no page registered with id {page_id!r}; known: {sorted(PAGES)}")
    return PAGES[page_id].url(i18n.check_lang(lang))


def is_embed(request: Request) -> bool:
    return request.query_params.get("embed", "").lower() in ("1", "true", "yes")


def nav_items(lang: str, current: str | None) -> list[dict]:
    pages = sorted((p for p in PAGES.values() if p.nav is not None), key=lambda p: (p.nav, p.id))
    return [
        {
            "id": p.id,
            "url": p.url(lang),
            "label": i18n.t(p.label_key(), lang),
            "current": p.id == current,
        }
        for p in pages
    ]


def _query_without_lang(request: Request) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return ("?" + urlencode(items)) if items else ""


def language_links(request: Request, lang: str, page_id: str | None) -> list[dict]:
    """One link per other language to the same page, keeping the query string (the state)."""
    links = []
    for other in LANGS:
        if other == lang:
            continue
        if page_id in PAGES:
            url = PAGES[page_id].url(other) + _query_without_lang(request)
        else:
            url = _home_url(other)
        links.append(
            {
                "lang": other,
                "url": url,
                "label": i18n.t(f"common.lang_{other}", other),
                "hint": i18n.t("common.lang_switch", other),
            }
        )
    return links


def _home_url(lang: str) -> str:
    if "home" in PAGES:
        return PAGES["home"].url(lang)
    return "/" if lang == "nl" else "/en"


def context(request: Request, *, lang: str, page_id: str | None, **ctx) -> dict:
    lang = i18n.check_lang(lang)
    base = {
        "request": request,
        "lang": lang,
        "langs": LANGS,
        "page_id": page_id,
        "embed": is_embed(request),
        "t": lambda key, **params: i18n.t(key, lang, **params),
        "link": lambda pid: link(pid, lang),
        "i18n_json": lambda feature: i18n.i18n_json(feature, lang),
        "nav": nav_items(lang, page_id),
        "language_links": language_links(request, lang, page_id),
        "home_url": _home_url(lang),
        "full_url": request.url.path + _query_without_embed(request),
    }
    base.update(ctx)
    return base


def _query_without_embed(request: Request) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "embed"]
    return ("?" + urlencode(items)) if items else ""


def render(
    request: Request,
    template: str,
    *,
    lang: str,
    page_id: str | None,
    status_code: int = 200,
    **ctx,
) -> HTMLResponse:
    """Render ``templates/<template>`` (which extends ``base.html``) as an HTML response."""
    html = _env.get_template(template).render(context(request, lang=lang, page_id=page_id, **ctx))
    return HTMLResponse(html, status_code=status_code)


_ERROR_TEMPLATE = """{% extends "base.html" %}
{% block title %}{{ t("common.error_title") }} {{ status }}{% endblock %}
{% block content %}
<section class="error-page">
  <h1>{{ t("common.error_title") }} {{ status }}</h1>
  <p role="alert">{{ message }}</p>
  <p><a href="{{ home_url }}">{{ t("common.error_home") }}</a></p>
</section>
{% endblock %}
"""


def render_error(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    """The HTML error page for a browser that navigated to a missing page."""
    from .errors import request_lang

    lang = request_lang(request)
    ctx = context(request, lang=lang, page_id=None, status=status, code=code, message=message)
    html = _env.from_string(_ERROR_TEMPLATE).render(ctx)
    return HTMLResponse(html, status_code=status)
