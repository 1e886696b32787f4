"""Front matter and learning paths are validated like Dwengo's validator does it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from convolab import content
from convolab.content import ContentError, load_objects, load_path, parse_object

SHARED_SEED = (
    Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "000_eff13da2a0fd48c9.txt"
)

GOOD = """---
hruid: test-object
version: 1
language: nl
title: "Een test"
description: "Iets om te testen"
content_type: "text/markdown"
estimated_time: 5
skos_concepts: ['http://ilearn.ilabt.imec.be/vocab/tref1/ict']
---
# Body
"""


def with_field(name: str, value: str | None) -> str:
    """GOOD with one front-matter line replaced (value None: the line removed) or added."""
    lines = GOOD.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(f"{name}:"):
            if value is None:
                del lines[i]
            else:
                lines[i] = f"{name}: {value}"
            return "\n".join(lines)
    assert value is not None
    lines.insert(1, f"{name}: {value}")
    return "\n".join(lines)


def test_the_seed_loads_as_it_is():
    text = content.SEED_FILE.read_text(encoding="utf-8")
    # the quirks the loader must accept are really in the file
    assert "'http://ilearn" in text and "ict',\n\n]" in text and "teacher_exclusive: False" in text
    obj = parse_object(text, content.SEED_FILE)
    assert obj.key == (content.DWENGO_SEED_HRUID, 1, "nl")
    assert obj.title == "De convolutie"
    assert obj.teacher_exclusive is False
    assert obj.metadata["teacher_exclusive"] is False
    assert obj.target_ages == [14, 15, 16, 17, 18]
    assert len(obj.metadata["skos_concepts"]) == 3  # the trailing comma adds no empty item
    assert obj.body.lstrip().startswith("# Convolutionele lagen")


@pytest.mark.skipif(not SHARED_SEED.is_file(), reason="../shared/seed is not beside the project")
def test_the_shipped_seed_is_the_original():
    assert content.SEED_FILE.read_bytes() == SHARED_SEED.read_bytes()


# The Dutch learning object is the seed with exactly these changes, and nothing else.
SEED_CHANGES = [
    ('src="https://dwengo.org/convolutie"', 'src="/convolutie?embed=1"'),
    ("onderstaande video", "onderstaande animatie"),
    (
        "TODO: insert video about convolutions.",
        '<iframe src="/convolutie/stappen?embed=1" title="Animatie: de convolutie stap voor stap" '
        'width="720px" height="800px"></iframe>',
    ),
    (
        '[![](img/Knop.png "Button")](https://kiks.ilabt.imec.be/hub/tmplogin?id=1712 "Basic")',
        '[![Open de notebook](img/knop-notebook.svg "Open de notebook")](/leren/notebook '
        '"Convoluties in Python")\n\n<p class="notebook-download"><a href="/notebooks/nl/'
        'convoluties_in_python.ipynb" download>Download de notebook (.ipynb)</a></p>',
    ),
    (
        "uit de afbeelding halen. \n",
        "uit de afbeelding halen. \n\nWil je zien hoe dat gaat? In de demo [Een filter leren]"
        "(/convolutie/leren) leert een laag zelf een filter, en op de pagina [Een klein netwerk]"
        "(/convolutie/netwerk) zie je welke filters een netwerk geleerd heeft.\n",
    ),
    (
        "patiëntendossier.\n</p>\n",
        'patiëntendossier.\n</p>\n<p>Probeer het zelf: <a href="/convolutie/signalen">convoluties '
        'op signalen</a> en <a href="/convolutie/wanneer">wanneer helpen convoluties (en wanneer '
        "niet)?</a></p>\n",
    ),
    (
        "zie je welke filters een netwerk geleerd heeft.\n",
        "zie je welke filters een netwerk geleerd heeft. Meer uitleg staat in het volgende deel: "
        "[Een laag die zelf filters leert](@learning-object/convolab-convlaag-leert-filters/nl/1).\n",
    ),
    (
        "(en wanneer niet)?</a></p>",
        '(en wanneer niet)?</a>, met uitleg in <a href="@learning-object/convolab-wanneer-'
        'convoluties/nl/1">Wanneer gebruik je convoluties?</a></p>',
    ),
    # one vocabulary (content/glossary): the heading says what the path card says
    ("\n# Convolutionele lagen\n", "\n# De convolutie\n"),
    (
        "## De convolutionele laag\n\nEen convolutionele laag",
        "## De convolutielaag\n\nEen convolutielaag",
    ),
]
# ... and these front-matter changes: convolab's own hruid (Dwengo's key stays untouched),
# an honest time, the licence with "aangepast", and the credit to the original.
SEED_METADATA_CHANGES = {
    "hruid": "convolab-convolutie",
    "estimated_time": 20,
    "copyright": "Dwengo vzw, aangepast door convolab",
    "licence": "CC BY 4.0",
}


def test_the_dutch_object_is_the_seed_with_named_changes_only():
    seed = parse_object(content.SEED_FILE.read_text(encoding="utf-8"), content.SEED_FILE)
    obj = content.library().get(content.SEED_HRUID, "nl")
    based_on = obj.metadata["based_on"]
    assert {k: obj.metadata[k] for k in obj.metadata if k != "based_on"} == {
        **seed.metadata,
        **SEED_METADATA_CHANGES,
    }
    assert (based_on["hruid"], based_on["version"], based_on["language"]) == seed.key
    assert based_on["url"].startswith("https://github.com/dwengovzw/learning_content/")
    expected = seed.body
    for old, new in SEED_CHANGES:
        assert expected.count(old) == 1, old
        expected = expected.replace(old, new)
    body, credit = obj.body.rstrip("\n").rsplit("\n\n", 1)
    assert body == expected.rstrip("\n")
    assert credit.startswith('<p class="credit">Gebaseerd op')
    for needed in (based_on["url"], "Dwengo vzw", "CC BY 4.0", "Aangepast", "creativecommons.org"):
        assert needed in credit, needed


def test_every_object_exists_in_dutch_and_english():
    objs = load_objects()
    by_hruid: dict[str, dict[str, content.LearningObject]] = {}
    for o in objs:
        by_hruid.setdefault(o.hruid, {})[o.language] = o
    assert set(by_hruid) >= {
        content.SEED_HRUID,
        "convolab-convlaag-leert-filters",
        "convolab-wanneer-convoluties",
    }
    for hruid, langs in by_hruid.items():
        assert set(langs) == {"nl", "en"}, hruid
        nl, en = langs["nl"], langs["en"]
        for field in (
            "version",
            "estimated_time",
            "target_ages",
            "teacher_exclusive",
            "skos_concepts",
        ):
            assert nl.metadata.get(field) == en.metadata.get(field), (hruid, field)
        assert nl.title != en.title
        for rel in nl.assets() + en.assets():
            assert (nl.folder / rel).is_file() or (en.folder / rel).is_file()
    assert any(o.teacher_exclusive for o in objs), "a teacher-only object is expected"


def test_the_path_orders_the_objects():
    lib = content.library()
    for lang in ("nl", "en"):
        pairs = lib.path_objects(content.PATH_HRUID, lang)
        hruids = [o.hruid for _, o in pairs]
        assert hruids[0] == content.SEED_HRUID
        assert hruids[1:5] == [
            "convolab-relu-maxpooling",
            "convolab-convlaag-leert-filters",
            "convolab-emoties-herkennen",
            "convolab-wanneer-convoluties",
        ]
        assert all(o.language == lang for _, o in pairs)
        assert len(pairs) == len(lib.path(content.PATH_HRUID, lang).nodes)


BAD_FIELDS = [
    # (field, replacement line value or None to remove it, field named in the error)
    ("hruid", None, "hruid"),
    ("version", None, "version"),
    ("language", None, "language"),
    ("title", None, "title"),
    ("description", None, "description"),
    ("content_type", None, "content_type"),
    ("estimated_time", None, "estimated_time"),
    ("skos_concepts", None, "skos_concepts"),
    ("hruid", '"   "', "hruid"),
    ("hruid", '"a b"', "hruid"),
    ("hruid", "[1, 2]", "hruid"),
    ("version", '"1"', "version"),
    ("version", "-1", "version"),
    ("version", "true", "version"),
    ("language", "NL", "language"),
    ("language", "nld", "language"),
    ("language", "12", "language"),
    ("title", '""', "title"),
    ("title", "[a, b]", "title"),
    ("description", "7", "description"),
    ("content_type", "text/html", "content_type"),
    ("content_type", "extern", "content_location"),
    ("estimated_time", "tien", "estimated_time"),
    ("estimated_time", "-5", "estimated_time"),
    ("estimated_time", "True", "estimated_time"),
    ("skos_concepts", "[]", "skos_concepts"),
    ("skos_concepts", "'http://ilearn.ilabt.imec.be/x'", "skos_concepts"),
    ("skos_concepts", "['https://example.org/vocab/x']", "skos_concepts"),
    ("skos_concepts", "[42]", "skos_concepts"),
    ("keywords", '"ai, lagen"', "keywords"),
    ("keywords", "[ai, 3]", "keywords"),
    ("educational_goals", "[{source: x}]", "educational_goals"),
    ("educational_goals", "x", "educational_goals"),
    ("copyright", "[1]", "copyright"),
    ("licence", "3", "licence"),
    ("available", '"yes"', "available"),
    ("teacher_exclusive", '"False"', "teacher_exclusive"),
    ("teacher_exclusive", "0", "teacher_exclusive"),
    ("target_ages", "[14, 151]", "target_ages"),
    ("target_ages", "[-1]", "target_ages"),
    ("target_ages", "[14.5]", "target_ages"),
    ("target_ages", '["14"]', "target_ages"),
    ("target_ages", "[true]", "target_ages"),
    ("target_ages", "14", "target_ages"),
    ("difficulty", "11", "difficulty"),
    ("difficulty", "-0.5", "difficulty"),
    ("difficulty", "hard", "difficulty"),
    ("return_value", "{callback_url: 3}", "return_value"),
    ("return_value", "{callback_url: /x, callback_schema: 1}", "return_value"),
    ("content_location", "[x]", "content_location"),
    ("aspect_ratio", "16:9", "aspect_ratio"),
    ("teacher_exlusive", "true", "teacher_exlusive"),
]


@pytest.mark.parametrize(("field", "value", "named"), BAD_FIELDS)
def test_each_bad_field_is_named_with_the_file(field, value, named):
    with pytest.raises(ContentError) as info:
        parse_object(with_field(field, value), "objects/x/nl/index.md")
    err = info.value
    assert err.field == named
    assert isinstance(err, ValueError)
    assert str(err).startswith("objects/x/nl/index.md: ")
    assert f"'{named}'" in str(err)


def test_good_optional_fields_pass():
    text = GOOD
    for field, value in [
        ("keywords", "['a', \"b\",\n  ]"),
        ("educational_goals", "[{source: Source, id: 'id-1'}]"),
        ("copyright", "CC BY dwengo"),
        ("licence", "CC BY 4.0"),
        ("available", "False"),
        ("target_ages", "[0, 150]"),
        ("difficulty", "2.5"),
        ("return_value", "{callback_url: /cb, callback_schema: {a: 1}}"),
        ("teacher_exclusive", "True"),
        ("aspect_ratio", "iframe-16-9"),
    ]:
        text = text.replace("---\n", f"---\n{field}: {value}\n", 1)
    obj = parse_object(text)
    assert obj.available is False and obj.teacher_exclusive is True
    assert obj.metadata["difficulty"] == 2.5
    assert obj.keywords == ["a", "b"]
    ext = with_field("content_type", "extern").replace("---\n", "---\ncontent_location: /x\n", 1)
    assert parse_object(ext).content_type == "extern"


def test_the_unknown_field_error_suggests_the_close_one():
    with pytest.raises(ContentError, match="did you mean 'teacher_exclusive'"):
        parse_object(with_field("teacher_exlusive", "true"))


def test_all_problems_are_listed():
    text = with_field("language", "NL").replace("estimated_time: 5", "estimated_time: lang")
    with pytest.raises(ContentError) as info:
        parse_object(text)
    assert [f for f, *_ in info.value.problems] == ["language", "estimated_time"]
    assert [code for _, code, _ in info.value.problems] == ["content_language", "content_minutes"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("# no front matter\n", "must start with a '---' line"),
        ("---\nhruid: x\n# never closed\n", "no closing '---'"),
        ("---\n[1, 2]\n---\nbody", "must be a mapping"),
        ("---\nhruid: [unclosed\n---\nbody", "not valid YAML (front matter line"),
        ("---\ntitle: a\ntitle: b\n---\nbody", "field 'title' appears twice"),
        ("", "must start with"),
    ],
)
def test_broken_files(text, needle):
    with pytest.raises(ContentError, match=r".*" + needle.replace("(", r"\(").replace("[", r"\[")):
        parse_object(text, "x/index.md")


def _write(root: Path, rel: str, text: str) -> Path:
    p = root / rel / "index.md"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_the_triple_must_be_unique(tmp_path):
    first = _write(tmp_path, "a/nl", GOOD)
    second = _write(tmp_path, "b/nl", GOOD)
    with pytest.raises(ContentError) as info:
        load_objects(tmp_path)
    assert info.value.field == "hruid"
    assert str(first) in str(info.value) and str(second) in str(info.value)
    # another version or language of the same hruid is fine
    second.write_text(GOOD.replace("version: 1", "version: 2"), encoding="utf-8")
    _write(tmp_path, "c/en", GOOD.replace("language: nl", "language: en"))
    assert len(load_objects(tmp_path)) == 3


def test_a_bad_file_in_a_collection_is_named(tmp_path):
    _write(tmp_path, "a/nl", GOOD)
    bad = _write(tmp_path, "b/nl", GOOD.replace("estimated_time: 5", "estimated_time: vijf"))
    with pytest.raises(ContentError) as info:
        load_objects(tmp_path)
    assert info.value.file == str(bad) and info.value.field == "estimated_time"
    (bad).write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    with pytest.raises(ContentError, match="not UTF-8"):
        load_objects(tmp_path)
    with pytest.raises(ContentError, match="is not a folder"):
        load_objects(tmp_path / "nope")
    with pytest.raises(ContentError, match="file not found"):
        content.load_object(tmp_path / "nope")


def test_assets_stay_inside_the_folder():
    obj = content.library().get(content.SEED_HRUID, "nl")
    assert obj.asset_path("img/knop-notebook.svg") is not None
    for bad in ("../en/img/notebook-button.svg", "img/../index.md", "index.md", "/etc/passwd", ""):
        assert obj.asset_path(bad) is None, bad


# --- learning paths ---------------------------------------------------------------------------


def _path_data() -> dict:
    return json.loads((content.PATHS_DIR / "convoluties.nl.json").read_text(encoding="utf-8"))


def _bad(mutate) -> ContentError:
    data = _path_data()
    mutate(data)
    with pytest.raises(ContentError) as info:
        content.validate_path(data, "p.json", content.library().objects)
    assert str(info.value).startswith("p.json: ")
    return info.value


def test_bad_paths_are_named():
    assert _bad(lambda d: d.update(title=3)).field == "title"
    assert _bad(lambda d: d.pop("hruid")).field == "hruid"
    assert _bad(lambda d: d.update(language="NL")).field == "language"
    assert _bad(lambda d: d.update(nodes=[])).field == "nodes"
    assert _bad(lambda d: d["nodes"][0].pop("start_node")).field == "nodes"
    assert _bad(lambda d: d["nodes"][1].update(version="één")).field == "nodes[1]"
    assert _bad(lambda d: d["nodes"][1].update(version=True)).field == "nodes[1]"
    assert _bad(lambda d: d["nodes"][0]["transitions"][0].pop("default")).field == (
        "nodes[0].transitions[0]"
    )
    err = _bad(lambda d: d["nodes"][0]["transitions"][0]["next"].update(hruid="elders"))
    assert err.field == "nodes[0].transitions[0].next"
    err = _bad(lambda d: d["nodes"][2].update(learningobject_hruid="bestaat-niet"))
    assert "no learning object" in str(err)
    n = len(content.library().path(content.PATH_HRUID, "nl").nodes)
    assert (
        _bad(lambda d: d["nodes"].append(dict(d["nodes"][0], start_node=False))).field
        == f"nodes[{n}]"
    )


def test_versions_may_be_numbers_or_strings_as_dwengo_writes_them():
    data = _path_data()
    assert {n["version"] for n in data["nodes"]} == {"1"}  # convolab's own files: Dwengo's shape
    for node in data["nodes"]:
        node["version"] = 1
        for t in node.get("transitions", []):
            t["next"]["version"] = 1.0
    lp = content.LearningPath(
        content.validate_path(data, "p.json", content.library().objects), Path("p.json")
    )
    assert [n["learningobject_hruid"] for n in lp.ordered_nodes()][0] == content.SEED_HRUID
    assert content.version_key("1") == content.version_key(1) == content.version_key(1.0) == 1
    assert content.version_key("1.5") == 1.5
    assert content.version_key("v1") is None and content.version_key(True) is None


DWENGO = Path(__file__).resolve().parent / "data" / "dwengo"


def test_dwengos_real_deel2_path_loads():
    """The seed's own path as it is in dwengovzw/learning_content: string versions, a base64
    PNG cover, no transitions on the last node."""
    raw = json.loads((DWENGO / "waisda_beelden_emoties_deel2.json").read_text(encoding="utf-8"))
    assert all(isinstance(n["version"], str) for n in raw["nodes"])  # the real shape
    lp = load_path(DWENGO / "waisda_beelden_emoties_deel2.json")
    hruids = [n["learningobject_hruid"] for n in lp.ordered_nodes()]
    assert len(hruids) == len(raw["nodes"]) == 12
    assert hruids[3] == content.DWENGO_SEED_HRUID
    assert hruids[4].endswith("-maxpool") and hruids[-1].endswith("-onderwijsdoelen")
    assert lp.image_file() is None
    assert lp.image_bytes().startswith(b"\x89PNG")
    # with Dwengo's real conv2d object beside it, the node names that object (version "1" = 1)
    real = content.load_object(DWENGO / "conv2d-nl")
    assert real.key == (content.DWENGO_SEED_HRUID, 1, "nl")
    assert real.metadata["estimated_time"] == 20
    lib = content.Library((real,), (lp,))
    assert [o.key for _, o in lib.path_objects(lp.hruid, "nl")] == [real.key]


def test_dwengos_several_start_nodes_are_accepted():
    data = _path_data()
    data["nodes"][2]["start_node"] = True  # some of Dwengo's paths have one per branch
    lp = content.LearningPath(content.validate_path(data, "p.json"), Path("p.json"))
    assert lp.ordered_nodes()[0]["learningobject_hruid"] == content.SEED_HRUID


def test_path_files_load_and_refuse_garbage(tmp_path):
    for file in sorted(content.PATHS_DIR.glob("*.json")):
        lp = load_path(file, content.library().objects)
        assert lp.ordered_nodes()[0]["learningobject_hruid"] == content.SEED_HRUID
    broken = tmp_path / "p.json"
    broken.write_text("{nodes: [", encoding="utf-8")
    with pytest.raises(ContentError, match="not valid JSON"):
        load_path(broken)
    twice = tmp_path / "twice"
    twice.mkdir()
    for name in ("a.json", "b.json"):
        shutil.copy(content.PATHS_DIR / "convoluties.nl.json", twice / name)
    with pytest.raises(ContentError, match="already used"):
        content.load_paths(twice)
