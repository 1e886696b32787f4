"""Render learning-object Markdown to safe HTML.

Markdown goes through markdown-it-py (CommonMark + tables, raw HTML on), then the HTML is
sanitised with nh3 to an allow-list: no scripts, styles or event handlers; iframes only to
convolab's own pages (a root-relative URL such as ``/convolutie?embed=1``); images only from
the object's own folder or convolab itself (no run-time downloads).

Objects link to each other the Dwengo way, ``@learning-object/<hruid>/<language>/<version>``;
the caller passes ``resolve_object`` (hruid, language, version) -> URL to turn such a link
into its own page's URL (the web app does), else the link keeps its text and loses its target.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe",
    "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href", "download"},
    "img": {"src", "alt", "width", "height"},
    "iframe": {"src", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_OWN_PAGE_RE = re.compile(r"^/(?![/\\])[^\s\\]*$")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
OBJECT_LINK_RE = re.compile(r"^@learning-object/([^/\s]+)/([a-z]{2})/(\d+(?:\.\d+)?)/?$")
ObjectResolver = Callable[[str, str, str], "str | None"]
_EMPTY_IFRAME_RE = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.S)

_md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def is_own_page(url: str) -> bool:
    """True for a root-relative URL of this site (``/x``), never ``//host`` or ``/\\host``."""
    return bool(_OWN_PAGE_RE.match(url))


def _is_relative(url: str) -> bool:
    return not (url.startswith(("/", "#", "?")) or _SCHEME_RE.match(url))


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "sectie"


def _add_heading_ids(tokens) -> None:
    used: set[str] = set()
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i + 1 < len(tokens):
            base = _slug(tokens[i + 1].content)
            slug, n = base, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            tok.attrSet("id", slug)


def object_link(url: str) -> tuple[str, str, str] | None:
    """(hruid, language, version) of an ``@learning-object/...`` link, else None."""
    m = OBJECT_LINK_RE.match(url.strip())
    return (m.group(1), m.group(2), m.group(3)) if m else None


def sanitize_html(
    html: str, *, asset_base: str | None = None, resolve_object: ObjectResolver | None = None
) -> str:
    """Clean HTML to the allow-list. Relative asset URLs (``img/x.png``) get ``asset_base``;
    ``@learning-object/...`` links go through ``resolve_object``."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr == "style":
            # only table-cell alignment, as markdown-it writes it
            return value if re.fullmatch(r"text-align:\s*(left|right|center)", value) else None
        if attr not in ("src", "href"):
            return value
        url = value.strip()
        if url.startswith("@"):
            ref = object_link(url)
            if tag != "a" or ref is None or resolve_object is None:
                return None
            target = resolve_object(*ref)
            return target if target and is_own_page(target) else None
        if tag == "iframe":
            return url if is_own_page(url) else None
        if _is_relative(url):
            url = url.removeprefix("./")
            return (asset_base.rstrip("/") + "/" + url) if asset_base else url
        if tag == "img" and not is_own_page(url):
            return None  # no images from elsewhere: everything works offline
        return url

    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"iframe": {"loading": "lazy"}},
    )
    # an iframe whose source was refused is dropped rather than left as an empty box
    return _EMPTY_IFRAME_RE.sub("", cleaned)


def render_markdown(
    text: str, *, asset_base: str | None = None, resolve_object: ObjectResolver | None = None
) -> str:
    """Markdown (with raw HTML) to sanitised HTML; headings get ``id`` anchors."""
    tokens = _md.parse(text)
    _add_heading_ids(tokens)
    html = _md.renderer.render(tokens, _md.options, {})
    return sanitize_html(html, asset_base=asset_base, resolve_object=resolve_object)


def render_object(
    obj, *, asset_base: str | None = None, resolve_object: ObjectResolver | None = None
) -> str:
    """Render a learning object's body according to its content type."""
    if obj.content_type == "text/markdown":
        return render_markdown(obj.body, asset_base=asset_base, resolve_object=resolve_object)
    if obj.content_type == "text/plain":
        return sanitize_html("<pre>" + nh3.clean_text(obj.body) + "</pre>")
    return sanitize_html("<p>" + nh3.clean_text(obj.description) + "</p>")
