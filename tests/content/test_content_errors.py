"""Content errors are coded like every other convolab error: Dutch and English from one catalogue.

Every problem code the loader can report is driven here by a real broken file, front matter or
learning path, and worded in both languages.
"""

from __future__ import annotations

import ast
import doctest
import json
import pickle
import shutil
from pathlib import Path

import pytest
from english_words import english_words

from convolab import cli, content, errors
from convolab.content import (
    ContentError,
    load_object,
    load_objects,
    load_path,
    loader,
    parse_object,
)
from convolab.errors import ConvolabError, message

from .test_loader import GOOD, _write, with_field

FILE = "x/nl/index.md"


def _front(field, value):
    return lambda tmp: parse_object(with_field(field, value), FILE)


def _text(text):
    return lambda tmp: parse_object(text, FILE)


def _path_data() -> dict:
    return json.loads((content.PATHS_DIR / "convoluties.nl.json").read_text(encoding="utf-8"))


def _path(mutate, objects=True):
    def call(tmp):
        data = _path_data()
        mutate(data)
        content.validate_path(data, "p.json", content.library().objects if objects else None)

    return call


def _not_utf8_object(tmp):
    _write(tmp, "een/nl", GOOD).write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    load_object(tmp / "een" / "nl")


def _not_utf8_path(tmp):
    (tmp / "p.json").write_bytes(b'{"hruid": "\xff"}')
    load_path(tmp / "p.json")


def _json_broken(tmp):
    (tmp / "p.json").write_text("{nodes: [", encoding="utf-8")
    load_path(tmp / "p.json")


def _object_twice(tmp):
    _write(tmp, "een/nl", GOOD)
    _write(tmp, "twee/nl", GOOD)
    load_objects(tmp)


def _path_twice(tmp):
    for name in ("a.json", "b.json"):
        shutil.copy(content.PATHS_DIR / "convoluties.nl.json", tmp / name)
    content.load_paths(tmp)


def _node(i, **changes):
    return lambda d: d["nodes"][i].update(changes)


def _transition(**changes):
    return lambda d: d["nodes"][0]["transitions"][0].update(changes)


# (code, a real broken input that raises it, Dutch words its message must hold)
CASES = [
    ("content_no_front_matter", _text("# geen front matter\n"), ["moet beginnen met een regel"]),
    ("content_front_matter_open", _text("---\nhruid: x\n"), ["geen afsluitende regel '---'"]),
    ("content_field_twice", _text("---\ntitle: a\ntitle: b\n---\n"), ["veld 'title' staat twee"]),
    ("content_yaml_at", _text("---\nhruid: [open\n---\n"), ["geen geldige YAML (regel 2"]),
    ("content_yaml", _text("---\ntitle: \x07\n---\n"), ["geen geldige YAML", "melding"]),
    ("content_front_matter_not_mapping", _text("---\n[1, 2]\n---\n"), ["reeks velden", "(lijst)"]),
    ("content_required", _front("title", None), ["veld 'title': is verplicht"]),
    ("content_unknown_field", _front("zzqqxx", "1"), ["is geen bekend veld", "'hruid'"]),
    (
        "content_unknown_field_close",
        _front("teacher_exlusive", "true"),
        ["bedoel je 'teacher_exclusive'?"],
    ),
    ("content_not_text", _front("title", '""'), ["niet-lege tekst", "er staat '' (tekst)"]),
    ("content_hruid_chars", _front("hruid", '"a b"'), ["geen spaties", "'a b'"]),
    ("content_number_min", _front("version", "-1"), ["minstens 0", "(geheel getal)"]),
    ("content_number_range", _front("difficulty", "10.5"), ["van 0 tot en met 10", "10.5"]),
    ("content_minutes", _front("estimated_time", "tien"), ["aantal minuten"]),
    ("content_language", _front("language", "NL"), ["twee kleine letters", "'NL'"]),
    ("content_choice", _front("content_type", "text/html"), ["'text/markdown'"]),
    ("content_location_needed", _front("content_type", "extern"), ["'content_location'"]),
    ("content_skos_list", _front("skos_concepts", "[]"), ["niet-lege lijst", "(lijst)"]),
    ("content_skos_item", _front("skos_concepts", "['https://example.org/x']"), ["begrip"]),
    ("content_not_str_list", _front("keywords", "ai"), ["lijst van teksten"]),
    ("content_goals", _front("educational_goals", "[{source: x}]"), ["{source: tekst"]),
    ("content_not_str", _front("licence", "3"), ["veld 'licence': moet een tekst"]),
    ("content_not_bool", _front("available", '"ja"'), ["true (waar) of false"]),
    ("content_ages", _front("target_ages", "[14, 151]"), ["van 0 tot en met 150"]),
    ("content_return_value", _front("return_value", "{callback_url: 3}"), ["callback_url"]),
    ("content_based_on", _front("based_on", "{hruid: x}"), ["http(s)-adres"]),
    ("content_aspect_ratio", _front("aspect_ratio", "16:9"), ["'iframe-16-9'", "standaard"]),
    ("content_object_missing", lambda tmp: load_object(tmp / "nope"), ["niet gevonden"]),
    ("content_not_utf8", _not_utf8_object, ["geen UTF-8-tekst"]),
    ("content_not_folder", lambda tmp: load_objects(tmp / "nope"), ["is geen map"]),
    ("content_object_used", _object_twice, ["wordt al gebruikt in"]),
    ("content_file_missing", lambda tmp: load_path(tmp / "nope.json"), ["niet gevonden"]),
    ("content_not_utf8", _not_utf8_path, ["geen UTF-8-tekst"]),
    ("content_json", _json_broken, ["geen geldige JSON (regel 1, kolom 2)"]),
    ("content_path_not_object", lambda tmp: content.validate_path([1], "p.json"), ["leerpad"]),
    ("content_required_text", _path(lambda d: d.pop("hruid")), ["is verplicht en moet"]),
    ("content_not_str", _path(lambda d: d.update(title=3)), ["moet een tekst zijn"]),
    ("content_language", _path(lambda d: d.update(language="NL")), ["twee kleine letters"]),
    ("content_nodes", _path(lambda d: d.update(nodes=[])), ["niet-lege lijst"]),
    ("content_ref_not_mapping", _path(lambda d: d["nodes"].insert(0, 5)), ["object met velden"]),
    (
        "content_ref_not_text",
        _path(_node(1, learningobject_hruid="")),
        ["nodes[1].learningobject_hruid moet een niet-lege tekst"],
    ),
    ("content_ref_version", _path(_node(1, version="één")), ['versie zijn zoals "1"', "'één'"]),
    ("content_ref_language", _path(_node(1, language="NL")), ["nodes[1].language moet"]),
    (
        "content_node_twice",
        _path(lambda d: d["nodes"].append(dict(d["nodes"][0], start_node=False))),
        ["staat twee keer in het leerpad"],
    ),
    ("content_not_bool", _path(_node(0, start_node="ja")), ["nodes[0].start_node"]),
    ("content_not_str", _path(_node(0, instruction=3)), ["nodes[0].instruction"]),
    ("content_not_list", _path(_node(0, transitions=3)), ["moet een lijst zijn"]),
    (
        "content_transition",
        _path(lambda d: d["nodes"][0]["transitions"][0].pop("default")),
        ["moet de vorm {default: true|false"],
    ),
    ("content_not_str", _path(_transition(condition=3)), ["transitions[0].condition"]),
    (
        "content_no_start_node",
        _path(lambda d: [n.pop("start_node", None) for n in d["nodes"]]),
        ["één knoop moet start_node: true hebben"],
    ),
    (
        "content_next_unknown",
        _path(lambda d: d["nodes"][0]["transitions"][0]["next"].update(hruid="elders")),
        ["verwijst naar 'elders'", "geen knoop van dit leerpad"],
    ),
    (
        "content_object_unknown",
        _path(_node(2, learningobject_hruid="bestaat-niet")),
        ["er is geen leerobject ('bestaat-niet'"],
    ),
    ("content_path_used", _path_twice, ["(hruid, language) = ", "wordt al gebruikt in"]),
]


def _raise(call, tmp_path) -> ContentError:
    with pytest.raises(ContentError) as info:
        call(tmp_path)
    return info.value


@pytest.mark.parametrize(("code", "call", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_content_problem_is_worded_in_dutch_and_english(code, call, words, tmp_path):
    err = _raise(call, tmp_path)
    assert code in [c for _, c, _ in err.problems]
    assert isinstance(err, ConvolabError) and isinstance(err, ValueError)
    assert err.code == "content_invalid"
    nl, en = message(err, "nl"), message(err, "en")
    assert en == str(err) and nl != en
    assert nl.startswith(f"{err.file}: ") and en.startswith(f"{err.file}: ")
    for w in words:
        assert w in nl, (w, nl)
    if err.field is not None:
        assert f"veld '{err.field}': " in nl and f"field '{err.field}': " in en
    # the file names are the test's own (a temporary folder); only the wording counts
    words_nl = english_words(nl.replace(str(tmp_path), "MAP"))
    assert words_nl == [], (words_nl, nl)
    assert english_words(en.replace(str(tmp_path), "MAP")), en


def _codes_in_the_loader() -> set[str]:
    """Every code given to ``_problem(field, code, ...)`` or ``_fail(file, code, ...)``."""
    tree = ast.parse(Path(loader.__file__).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_problem", "_fail"):
            arg = node.args[1]
            if isinstance(arg, ast.Name) and arg.id == "code":  # _fail passing its own on
                continue
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), ast.dump(node)
            found.add(arg.value)
    return found


def test_every_content_code_has_a_message_and_a_real_case():
    codes = _codes_in_the_loader()
    assert len(codes) > 30
    for code in codes | {"content_invalid", "content_field"}:
        assert errors.has(code, "en") and errors.has(code, "nl"), code
    assert codes == {c[0] for c in CASES}


def test_the_type_of_the_value_given_is_worded_per_language(tmp_path):
    err = _raise(_front("title", "[a, b]"), tmp_path)
    assert str(err).endswith("got ['a', 'b'] (list)")
    assert err.message("nl").endswith("er staat ['a', 'b'] (lijst)")
    err = _raise(_front("version", "2024-01-01"), tmp_path)
    assert "(date)" in str(err) and "(datum)" in err.message("nl")


def test_several_problems_are_worded_each_in_its_language(tmp_path):
    err = _raise(_text(with_field("language", "NL").replace("estimated_time: 5", "")), tmp_path)
    assert [f for f, *_ in err.problems] == ["estimated_time", "language"]
    nl = err.message("nl")
    assert nl.startswith(f"{FILE}: veld 'estimated_time': is verplicht; veld 'language': moet ")
    assert str(err).startswith(f"{FILE}: field 'estimated_time': is required; field 'language': ")


def test_a_content_error_survives_pickling(tmp_path):
    err = _raise(_front("language", "NL"), tmp_path)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ContentError
    assert (back.file, back.field, back.problems) == (err.file, err.field, err.problems)
    assert str(back) == str(err) and back.message("nl") == err.message("nl")
    assert back.code == "content_invalid"


def test_the_loader_docstring_example_holds():
    result = doctest.testmod(loader, verbose=False)
    assert result.attempted >= 3 and result.failed == 0


def _broken_objects(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "objecten"
    bad = _write(root, "een/nl", with_field("estimated_time", "tien"))
    monkeypatch.setattr(loader, "OBJECTS_DIR", root)
    return bad


@pytest.mark.parametrize(
    "env", [{"LANG": "nl_BE.UTF-8"}, {"CONVOLAB_LANG": "nl", "LANG": "en_GB.UTF-8"}]
)
def test_the_cli_prints_a_broken_object_in_dutch_and_exits_2(tmp_path, monkeypatch, capsys, env):
    bad = _broken_objects(tmp_path, monkeypatch)
    for name in ("CONVOLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "out"
    assert cli.main(["export-learning-objects", str(out), "--base-url", "https://x.org"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"convolab: fout: {bad}: veld 'estimated_time': moet een aantal minuten")
    assert english_words(err.replace(str(tmp_path), "MAP")) == [], err
    assert not out.exists()


def test_the_cli_prints_a_broken_object_in_english_too(tmp_path, monkeypatch, capsys):
    bad = _broken_objects(tmp_path, monkeypatch)
    monkeypatch.setenv("CONVOLAB_LANG", "en")
    assert (
        cli.main(["export-learning-objects", str(tmp_path / "out"), "--base-url", "https://x.org"])
        == 2
    )
    err = capsys.readouterr().err
    assert err == (
        f"convolab: error: {bad}: field 'estimated_time': must be a number of minutes >= 0, "
        "got 'tien' (str)\n"
    )
