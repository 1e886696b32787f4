"""Export to Dwengo-format folders that Dwengo accepts, and back: the same metadata, body and
files; paths valid under Dwengo's own schema (strict, no type coercion)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import jsonschema
import pytest

from convolab import cli, content
from convolab.content import ExportError, export_learning_objects, load_objects, load_paths
from convolab.content.export import absolutise_links, site_links
from convolab.content.render import OBJECT_LINK_RE

BASE = "https://convolab.example.org"
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "dwengo" / "learning_path_schema.json"
SHARED_SCHEMA = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "reference"
    / "dwengo"
    / "learning_path_schema.json"
)
# Objects live on Dwengo that an import must never replace: (hruid, version, language).
LIVE_ON_DWENGO = {(content.DWENGO_SEED_HRUID, 1, "nl"), (content.DWENGO_SEED_HRUID, 1, "en")}


def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.skipif(not SHARED_SCHEMA.is_file(), reason="../shared/reference is not beside us")
def test_the_schema_copy_is_dwengos():
    assert SCHEMA_FILE.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_the_schema_is_strict_about_string_versions():
    # the check this export exists for: a number where Dwengo wants a string is an error
    data = json.loads((content.PATHS_DIR / "convoluties.nl.json").read_text(encoding="utf-8"))
    data["nodes"][0]["version"] = 1
    errors = list(_validator().iter_errors(data))
    assert [list(e.path) for e in errors] == [["nodes", 0, "version"]]


def test_round_trip(tmp_path):
    written = export_learning_objects(tmp_path, base_url=BASE)
    assert all(p.is_file() and tmp_path in p.parents for p in written)
    original = {o.key: o for o in content.library().objects}
    again = {o.key: o for o in load_objects(tmp_path)}
    assert set(again) == set(original)
    for key, obj in original.items():
        back = again[key]
        assert back.metadata == obj.metadata, key
        assert back.body == absolutise_links(obj.body, BASE), key
        assert back.file == tmp_path / obj.hruid / obj.language / "index.md"
        assert back.assets() == obj.assets()
        for rel in obj.assets():
            assert (back.folder / rel).read_bytes() == (obj.folder / rel).read_bytes()
    paths = load_paths(tmp_path / "learning-paths", objects=list(again.values()))
    assert {(p.hruid, p.language) for p in paths} == {
        (p.hruid, p.language) for p in content.library().paths
    }
    for lp in paths:
        orig = content.library().path(lp.hruid, lp.language)
        assert [n["learningobject_hruid"] for n in lp.ordered_nodes()] == [
            n["learningobject_hruid"] for n in orig.ordered_nodes()
        ]
        assert lp.image_bytes() == orig.image_file().read_bytes()


def test_exported_paths_pass_dwengos_schema(tmp_path):
    export_learning_objects(tmp_path, base_url=BASE)
    files = sorted((tmp_path / "learning-paths").glob("*.json"))
    assert len(files) == len(content.library().paths) >= 2
    validator = _validator()
    for file in files:
        data = json.loads(file.read_text(encoding="utf-8"))
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], file.name
        versions = [n["version"] for n in data["nodes"]]
        versions += [t["next"]["version"] for n in data["nodes"] for t in n.get("transitions", [])]
        assert versions and all(isinstance(v, str) for v in versions)
        # the cover is base64 of a PNG, as Dwengo decodes it (Buffer.from(image, "base64"))
        png = base64.b64decode(data["image"], validate=True)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
    # and the source files already have Dwengo's shape apart from the image
    for lp in content.library().paths:
        assert list(validator.iter_errors(lp.data)) == [], lp.file.name


def test_nothing_live_on_dwengo_is_overwritten(tmp_path):
    export_learning_objects(tmp_path, base_url=BASE)
    keys = {o.key for o in load_objects(tmp_path)}
    assert not keys & LIVE_ON_DWENGO
    assert all(hruid.startswith("convolab-") for hruid, _, _ in keys)
    seed = next(o for o in load_objects(tmp_path) if o.hruid == content.SEED_HRUID)
    assert seed.metadata["based_on"]["hruid"] == content.DWENGO_SEED_HRUID
    assert seed.metadata["licence"] == "CC BY 4.0"


def test_links_between_objects_are_dwengo_links_and_tools_are_absolute(tmp_path):
    export_learning_objects(tmp_path, base_url=BASE + "/")
    objs = load_objects(tmp_path)
    keys = {(o.hruid, o.language, str(o.version)) for o in objs}
    object_links = 0
    for obj in objs:
        assert site_links(obj.body) == [], obj.file  # no root-relative link left
        for url in re.findall(r"""(?:\]\(|href=")(@[^)"\s]+)""", obj.body):
            m = OBJECT_LINK_RE.match(url)
            assert m, url
            assert m.groups() in keys, url  # points to an exported object
            assert m.group(2) == obj.language, url
            object_links += 1
        for src in re.findall(r'<iframe src="([^"]+)"', obj.body):
            assert src.startswith(BASE + "/") and "embed=1" in src, src
        assert "/leren/" not in obj.body.replace(BASE + "/leren/notebook", "")
    assert object_links >= 10
    seed = next(o for o in objs if o.key == (content.SEED_HRUID, 1, "nl"))
    assert f'src="{BASE}/convolutie?embed=1"' in seed.body
    assert f"({BASE}/convolutie/leren)" in seed.body
    assert "](img/knop-notebook.svg" in seed.body  # assets stay relative to the folder


def test_without_a_base_url_the_export_says_what_is_missing(tmp_path):
    with pytest.raises(ExportError, match=r"a base URL is needed: \d+ learning objects") as info:
        export_learning_objects(tmp_path / "out")
    assert "--base-url" in str(info.value)
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_the_cli_exits_2_with_one_line_without_base_url(tmp_path, capsys):
    assert cli.main(["export-learning-objects", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("convolab: error: a base URL is needed")
    assert cli.main(["export-learning-objects", str(tmp_path / "out"), "--base-url", BASE]) == 0
    assert (tmp_path / "out" / "learning-paths" / "convolab-convoluties.nl.json").is_file()


def test_an_svg_cover_is_refused_with_a_clear_error(tmp_path):
    lp = content.library().path(content.PATH_HRUID, "nl")
    svg = tmp_path / "img" / "c.svg"
    svg.parent.mkdir()
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    fake = content.LearningPath(dict(lp.data, image="img/c.svg"), tmp_path / "p.json")
    with pytest.raises(ExportError, match="not a PNG or JPEG"):
        export_learning_objects(tmp_path / "out", base_url=BASE, paths=[fake])


def test_export_writes_plain_yaml_front_matter(tmp_path):
    export_learning_objects(tmp_path, base_url=BASE)
    text = (tmp_path / content.SEED_HRUID / "nl" / "index.md").read_text(encoding="utf-8")
    assert text.startswith("---\nhruid: convolab-convolutie\nversion: 1\n")
    assert "teacher_exclusive: false\n" in text
    data = json.loads((tmp_path / "learning-paths" / "convolab-convoluties.nl.json").read_text())
    assert data["nodes"][0]["start_node"] is True


def test_absolutise_leaves_other_links_alone():
    body = (
        '[a](/x) [b](//h/y) [c](img/z.png) <a href="/p">p</a> <img src="https://q/r"> '
        "[d](@learning-object/convolab-x/nl/1)"
    )
    assert absolutise_links(body, "http://s") == (
        '[a](http://s/x) [b](//h/y) [c](img/z.png) <a href="http://s/p">p</a> '
        '<img src="https://q/r"> [d](@learning-object/convolab-x/nl/1)'
    )


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="base_url"):
        export_learning_objects(tmp_path, base_url="convolab.example.org")
    file = tmp_path / "f"
    file.write_text("x")
    with pytest.raises(ValueError, match="must be a folder"):
        export_learning_objects(file, base_url=BASE)
