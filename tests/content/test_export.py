"""Export to Dwengo-format folders, and back: the same metadata, body and files."""

from __future__ import annotations

import json

import pytest

from convolab import content
from convolab.content import export_learning_objects, load_objects, load_paths


def test_round_trip(tmp_path):
    written = export_learning_objects(tmp_path)
    assert all(p.is_file() and tmp_path in p.parents for p in written)
    original = {o.key: o for o in content.library().objects}
    again = {o.key: o for o in load_objects(tmp_path)}
    assert set(again) == set(original)
    for key, obj in original.items():
        back = again[key]
        assert back.metadata == obj.metadata, key
        assert back.body == obj.body, key
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
        assert lp.data == orig.data
        assert (lp.file.parent / lp.image).read_bytes() == (
            orig.file.parent / orig.image
        ).read_bytes()


def test_export_writes_plain_yaml_front_matter(tmp_path):
    export_learning_objects(tmp_path)
    text = (tmp_path / content.SEED_HRUID / "nl" / "index.md").read_text(encoding="utf-8")
    assert text.startswith(
        "---\nhruid: org-dwengo-waisda-beelden-emoties-deel2-conv2d\nversion: 1\n"
    )
    assert "teacher_exclusive: false\n" in text
    data = json.loads((tmp_path / "learning-paths" / "convolab-convoluties.nl.json").read_text())
    assert data["nodes"][0]["start_node"] is True


def test_base_url_makes_own_links_absolute(tmp_path):
    export_learning_objects(tmp_path, base_url="https://convolab.example.org/")
    for obj in load_objects(tmp_path):
        orig = content.library().get(obj.hruid, obj.language)
        assert obj.metadata == orig.metadata
        assert "](/" not in obj.body and 'src="/' not in obj.body and 'href="/' not in obj.body
    seed = next(o for o in load_objects(tmp_path) if o.key == (content.SEED_HRUID, 1, "nl"))
    assert 'src="https://convolab.example.org/convolutie?embed=1"' in seed.body
    assert "(https://convolab.example.org/convolutie/leren)" in seed.body
    assert "](img/knop-notebook.svg" in seed.body  # assets stay relative to the folder


def test_absolutise_leaves_other_links_alone():
    from convolab.content.export import absolutise_links

    body = '[a](/x) [b](//h/y) [c](img/z.png) <a href="/p">p</a> <img src="https://q/r">'
    assert absolutise_links(body, "http://s") == (
        '[a](http://s/x) [b](//h/y) [c](img/z.png) <a href="http://s/p">p</a> <img src="https://q/r">'
    )


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="base_url"):
        export_learning_objects(tmp_path, base_url="convolab.example.org")
    file = tmp_path / "f"
    file.write_text("x")
    with pytest.raises(ValueError, match="must be a folder"):
        export_learning_objects(file)
