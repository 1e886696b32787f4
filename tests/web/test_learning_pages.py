"""The learning pages: the seed made whole, the path overview, teacher mode, files and JSON."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from convolab import content
from convolab.web.app import create_app

SEED_PAGES = {"nl": ["/", "/leren/convolutie"], "en": ["/en", "/en/learn/convolution"]}
OVERVIEW = {"nl": "/leren", "en": "/en/learn"}
NOTEBOOK_PAGE = {"nl": "/leren/notebook", "en": "/en/learn/notebook"}
TEACHER_HRUID = "convolab-convolutie-lesnotities"
TEACHER_PAGE = {"nl": f"/leren/{TEACHER_HRUID}", "en": f"/en/learn/{TEACHER_HRUID}"}
ERROR_KEYS = {"ok", "status", "code", "error"}


class Doc(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def links(self) -> list[tuple[str, str]]:
        out = []
        for tag, a in self.tags:
            for attr in ("href", "src"):
                if a.get(attr) and tag in ("a", "link", "script", "img", "iframe", "source"):
                    out.append((tag, a[attr]))
        return out


def parse(html: str) -> Doc:
    d = Doc()
    d.feed(html)
    return d


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture
def client(app, teacher_code):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def teacher(app, enter_teacher_code):
    with TestClient(app) as c:
        enter_teacher_code(c)
        yield c


def learning_urls() -> list[str]:
    urls = [u for lang in ("nl", "en") for u in SEED_PAGES[lang]]
    urls += list(OVERVIEW.values()) + list(NOTEBOOK_PAGE.values())
    for obj in content.library().objects:
        if obj.hruid != content.SEED_HRUID and not obj.teacher_exclusive:
            urls.append(f"/leren/{obj.hruid}" if obj.language == "nl" else f"/en/learn/{obj.hruid}")
    return sorted(set(urls))


def check_links(c: TestClient, url: str) -> int:
    r = c.get(url)
    assert r.status_code == 200, f"{url}: {r.status_code}"
    checked = 0
    for tag, link in parse(r.text).links():
        if link.startswith(("#", "mailto:")):
            continue
        if tag == "img" and link.startswith("data:image/png;base64,"):
            continue  # a notebook figure, inside the page
        parts = urlsplit(urljoin(url, link))
        if parts.netloc:
            # only an ordinary link may lead to another site: nothing is loaded from elsewhere
            assert tag == "a" and parts.scheme == "https", f"{url}: off-site {tag} {link}"
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        saved = dict(c.cookies)
        got = c.get(target)
        c.cookies.clear()  # a link that switches teacher mode must not change the next checks
        for name, value in saved.items():
            c.cookies.set(name, value)
        assert got.status_code == 200, f"{url} links to {link}: {got.status_code} {got.text[:200]}"
        checked += 1
    return checked


@pytest.mark.parametrize("url", learning_urls())
def test_every_link_on_the_learning_pages_resolves(client, url):
    assert check_links(client, url) > 5


@pytest.mark.parametrize(
    "url", [OVERVIEW["nl"], OVERVIEW["en"], TEACHER_PAGE["nl"], TEACHER_PAGE["en"]]
)
def test_every_link_resolves_in_teacher_mode(teacher, url):
    assert check_links(teacher, url) > 5


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_seed_page_is_made_whole(client, lang):
    for url in SEED_PAGES[lang]:
        html = client.get(url).text
        doc = parse(html)
        assert doc.find("html")[0]["lang"] == lang
        explorer = "/convolutie?embed=1" if lang == "nl" else "/en/convolution?embed=1"
        player = "/convolutie/stappen?embed=1" if lang == "nl" else "/en/convolution/steps?embed=1"
        frames = doc.find("iframe")
        assert [f["src"] for f in frames] == [explorer, player]
        assert all((f["width"], f["height"]) == ("720px", "800px") and f["title"] for f in frames)
        assert (
            "TODO" not in html and "dwengo.org/convolutie" not in html and "kiks.ilabt" not in html
        )
        hrefs = [a["href"] for a in doc.find("a") if "href" in a]
        notebook = content.notebook_path(lang).name
        assert f"/notebooks/{lang}/{notebook}" in hrefs
        assert NOTEBOOK_PAGE[lang] in hrefs
        prefix = "/convolutie" if lang == "nl" else "/en/convolution"
        learn, network = ("leren", "netwerk") if lang == "nl" else ("learn", "network")
        signals, when = ("signalen", "wanneer") if lang == "nl" else ("signals", "when")
        for page in (learn, network, signals, when):
            assert f"{prefix}/{page}" in hrefs, page
        # the side box holds the links to the signals and "when" pages
        box = html.split('class="dwengo-content sideinfo"', 1)[1].split("</div>\n</div>", 1)[0]
        assert f'href="{prefix}/{signals}"' in box and f'href="{prefix}/{when}"' in box
        # the learn-a-filter link sits in the convolutional-layer section
        section = html.split(
            'id="de-convolutielaag"' if lang == "nl" else 'id="the-convolutional-layer"', 1
        )[1]
        assert f'href="{prefix}/{learn}"' in section.split("dwengo-content", 1)[0]
        # the player replaces the video: right after the paragraph that announces it
        between = html.split(f'src="{explorer}"', 1)[1].split(f'src="{player}"', 1)[0]
        assert between.count("<p>") == 1
        assert ("animatie" if lang == "nl" else "animation") in between
        assert "<script>" not in html.split('class="lo-body"', 1)[1].split("</article>", 1)[0]


def test_the_home_page_is_the_seed_and_says_where_it_comes_from(client):
    html = client.get("/").text
    assert "<title>De convolutie" in html
    assert "CC BY dwengo" in html
    en = client.get("/en").text
    assert "<title>The convolution" in en and "CC BY dwengo" in en


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_overview_lists_the_path_in_order(client, lang):
    doc = parse(client.get(OVERVIEW[lang]).text)
    items = [
        a["href"] for a in doc.find("a") if a.get("href", "").startswith(("/leren/", "/en/learn/"))
    ]
    pairs = content.library().path_objects(content.PATH_HRUID, lang)
    visible = [o for _, o in pairs if not o.teacher_exclusive]
    assert len(visible) >= 3
    expected = [SEED_PAGES[lang][1]] + [
        (f"/leren/{o.hruid}" if lang == "nl" else f"/en/learn/{o.hruid}") for o in visible[1:]
    ]
    assert items[: len(expected)] == expected
    text = " ".join(doc.text)
    for o in visible:
        assert o.title in text
        assert f"{o.estimated_time} min" in text
    assert ("14–18 jaar" if lang == "nl" else "ages 14–18") in text
    total = sum(o.estimated_time for o in visible)
    assert f"{total} minu" in text


def test_teacher_objects_are_hidden_unless_teacher_mode(client, enter_teacher_code):
    nl = client.get("/leren").text
    assert TEACHER_PAGE["nl"] not in nl and "Alleen voor leraren" not in nl
    # no way in from the pupils' pages: no link to teacher mode, and the old switch is gone
    assert "leraar" not in nl.lower().replace("leraren", "")
    assert TEACHER_PAGE["nl"] not in client.get("/leren?leraar=1").text
    for url in (TEACHER_PAGE["nl"], f"/api/learning/objects/{TEACHER_HRUID}"):
        r = client.get(url)
        assert r.status_code == 403 and set(r.json()) == ERROR_KEYS, url
        assert r.json()["code"] == "teacher_only" and "leraar" in r.json()["error"]
    page = client.get(TEACHER_PAGE["en"], headers={"accept": "text/html"})
    assert page.status_code == 403 and "Common mistakes" not in page.text
    assert "teacher only" in page.text
    api = client.get("/api/learning/path").json()
    assert TEACHER_HRUID not in [o["hruid"] for o in api["objects"]] and api["teacher"] is False

    enter_teacher_code(client)
    on = client.get("/leren")
    assert TEACHER_PAGE["nl"] in on.text and "Alleen voor leraren" in on.text
    assert "Leraarmodus staat aan" in on.text
    # remembered in the cookie, on every page, in both languages
    page = client.get(TEACHER_PAGE["en"]).text
    assert "Common mistakes" in page and "Teachers only" in page
    assert client.get(f"/api/learning/objects/{TEACHER_HRUID}?lang=en").json()["metadata"][
        "teacher_exclusive"
    ]
    assert client.get("/api/learning/path").json()["teacher"] is True

    off = client.delete("/api/teacher")
    assert off.json() == {"ok": True, "teacher": False}
    assert TEACHER_PAGE["en"] not in client.get("/en/learn").text
    assert client.get(TEACHER_PAGE["nl"]).status_code == 403


@pytest.mark.parametrize(
    "name", ["nl/convoluties_in_python_leraar.ipynb", "en/convolutions_in_python_teacher.ipynb"]
)
def test_answer_notebooks_need_teacher_mode(client, enter_teacher_code, name):
    r = client.get(f"/notebooks/{name}")
    assert r.status_code == 403 and set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == "teacher_only"
    # a forged cookie does not help
    client.cookies.set("convolab_teacher", "1")
    assert client.get(f"/notebooks/{name}").status_code == 403
    client.cookies.clear()
    enter_teacher_code(client)
    r = client.get(f"/notebooks/{name}")
    assert r.status_code == 200 and json.loads(r.content)["cells"]


def test_seed_hruid_url_goes_to_the_seed_page(client):
    r = client.get(f"/leren/{content.SEED_HRUID}", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/leren/convolutie"
    r = client.get(f"/en/learn/{content.SEED_HRUID}", follow_redirects=False)
    assert r.headers["location"] == "/en/learn/convolution"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_notebook_download_and_view(client, lang):
    path = content.notebook_path(lang)
    if not path.is_file():
        pytest.fail(f"{path} is missing: the learning page links to it")
    r = client.get(f"/notebooks/{lang}/{path.name}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ipynb+json")
    assert (
        "attachment" in r.headers["content-disposition"]
        and path.name in r.headers["content-disposition"]
    )
    assert json.loads(r.content)["cells"] == json.loads(path.read_text(encoding="utf-8"))["cells"]
    view = client.get(NOTEBOOK_PAGE[lang]).text
    first_code = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    first_line = "".join(first_code["source"]).splitlines()[0]
    assert first_line in " ".join(parse(view).text)
    api = client.get(f"/api/learning/notebook?lang={lang}").json()
    assert api["ok"] is True and api["download_url"] == f"/notebooks/{lang}/{path.name}"
    assert "nb-cell" in api["html"] and "<script" not in api["html"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_notebook_page_shows_the_executed_notebook_and_how_to_run_it(client, lang):
    nb = json.loads(content.notebook_path(lang).read_text(encoding="utf-8"))
    pictures = sum(
        "image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])
    )
    page = client.get(NOTEBOOK_PAGE[lang]).text
    doc = parse(page)
    # every figure the shipped notebook has is on the page (built ahead, not run per request)
    shown = [a for a in doc.find("img") if a.get("src", "").startswith("data:image/png;base64,")]
    assert pictures >= 15 and len(shown) == pictures
    assert page.count('class="nb-output') >= pictures
    # "zelf uitvoeren" with the one command
    assert "<code>convolab notebook</code>" in page
    assert ("Zelf uitvoeren" if lang == "nl" else "Run it yourself") in page
    # pupils are not offered the teacher's version
    assert "role=teacher" not in page
    assert content.notebook_path(lang, teacher=True).name not in page


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_teacher_version_of_the_notebook_only_in_teacher_mode(client, teacher, lang):
    teacher_file = content.notebook_path(lang, teacher=True)
    r = client.get(NOTEBOOK_PAGE[lang] + "?role=teacher")
    assert r.status_code == 403 and r.json()["code"] == "teacher_only"
    page = teacher.get(NOTEBOOK_PAGE[lang]).text
    hrefs = [a.get("href") for a in parse(page).find("a")]
    assert NOTEBOOK_PAGE[lang] + "?role=teacher" in hrefs
    assert f"/notebooks/{lang}/{teacher_file.name}" in hrefs
    view = teacher.get(NOTEBOOK_PAGE[lang] + "?role=teacher")
    assert view.status_code == 200
    # the answers are there: a teacher note cell's text from the teacher notebook
    nb = json.loads(teacher_file.read_text(encoding="utf-8"))
    note = next(c for c in nb["cells"] if "teacher-note" in c.get("metadata", {}).get("tags", []))
    words = "".join(note["source"]).split()[6:10]
    assert " ".join(words) in " ".join(" ".join(parse(view.text).text).split())
    bad = client.get(NOTEBOOK_PAGE[lang] + "?role=admin")
    assert bad.status_code == 400 and set(bad.json()) == ERROR_KEYS


def test_notebook_missing(client, monkeypatch, tmp_path):
    monkeypatch.setenv("CONVOLAB_NOTEBOOKS_DIR", str(tmp_path))
    r = client.get("/api/learning/notebook?lang=en")
    assert r.status_code == 404 and set(r.json()) == ERROR_KEYS
    assert r.json()["code"] == "notebook_missing" and "notebook" in r.json()["error"]
    page = client.get("/leren/notebook")
    assert page.status_code == 200 and "nog niet beschikbaar" in page.text


@pytest.mark.parametrize(
    "url",
    [
        "/api/learning/path?lang=de",
        "/api/learning/notebook?lang=xx",
        "/api/learning/objects/bestaat-niet",
        "/api/learning/objects/convolab-wanneer-convoluties?lang=fr",
        "/notebooks/nl/bestaat_niet.ipynb",
        "/notebooks/de/convoluties_in_python.ipynb",
        "/notebooks/nl/..%2F..%2Fpyproject.toml",
        "/notebooks/nl/index.md",
        f"/content/objects/{content.SEED_HRUID}/nl/index.md",
        f"/content/objects/{content.SEED_HRUID}/nl/img/..%2F..%2Fen%2Findex.md",
        f"/content/objects/{content.SEED_HRUID}/nl/img/bestaat-niet.png",
        f"/content/objects/{content.SEED_HRUID}/de/img/knop-notebook.svg",
        "/content/objects/bestaat-niet/nl/img/a.png",
        "/content/paths/convoluties.nl.json",
        "/content/paths/..%2F__init__.py",
    ],
)
def test_bad_requests_get_the_one_error_shape(client, url):
    r = client.get(url)
    assert 400 <= r.status_code < 500, (url, r.status_code)
    body = r.json()
    assert set(body) == ERROR_KEYS and body["ok"] is False and body["status"] == r.status_code
    assert len(body["error"]) > 5


def test_api_errors_name_the_problem(client):
    body = client.get("/api/learning/path?lang=de").json()
    assert body["code"] == "invalid_lang" and "'de'" in body["error"] and "nl" in body["error"]
    en = client.get("/api/learning/objects/nope?lang=en").json()
    assert en["error"] == "This lesson does not exist."


def test_json_twins(client):
    path = client.get("/api/learning/path?lang=en").json()
    assert path["ok"] is True and path["language"] == "en"
    assert [o["hruid"] for o in path["objects"]][0] == content.SEED_HRUID
    assert path["objects"][0]["url"] == "/en/learn/convolution"
    obj = client.get(f"/api/learning/objects/{content.SEED_HRUID}?lang=nl").json()
    assert obj["metadata"]["title"] == "De convolutie"
    assert 'src="/convolutie?embed=1"' in obj["html"]


def test_object_assets_are_served(client):
    r = client.get(f"/content/objects/{content.SEED_HRUID}/en/img/notebook-button.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    r = client.get("/content/paths/img/convoluties.png")
    assert r.status_code == 200


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_learning_object_links_become_this_sites_pages(client, teacher, lang):
    """Objects link to each other as ``@learning-object/hruid/lang/version`` (Dwengo's way);
    the app shows them as its own page URLs, and each of those pages answers."""
    seed = client.get(SEED_PAGES[lang][1]).text
    assert "@learning-object" not in seed
    hrefs = [a["href"] for a in parse(seed).find("a") if "href" in a]
    prefix = "/leren/" if lang == "nl" else "/en/learn/"
    for hruid in ("convolab-convlaag-leert-filters", "convolab-wanneer-convoluties"):
        assert prefix + hruid in hrefs, hruid
        assert client.get(prefix + hruid).status_code == 200
    notes = teacher.get(TEACHER_PAGE[lang]).text
    assert "@learning-object" not in notes
    assert SEED_PAGES[lang][1] in [a.get("href") for a in parse(notes).find("a")]


def test_the_dwengo_hruid_of_the_seed_still_finds_the_page(client):
    for old in (f"/leren/{content.DWENGO_SEED_HRUID}", f"/leren/{content.SEED_HRUID}"):
        r = client.get(old, follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "/leren/convolutie"
    r = client.get(f"/en/learn/{content.DWENGO_SEED_HRUID}", follow_redirects=False)
    assert r.headers["location"] == "/en/learn/convolution"
