"""One vocabulary: no banned variant of a glossary term in any text a pupil or teacher reads.

Scanned: every i18n string (``web/i18n/{nl,en}/*.json``), every learning object
(``content/objects/**/index.md``: title, description and body) and every notebook source under
``notebooks/{nl,en}/`` (``.ipynb`` and jupytext ``.py``) with the built ones the app ships. Code (fenced blocks, `backticks`,
``<code>``, notebook code cells) and "voor wie meer wil weten" folds (``<details>`` or an i18n
key containing ``fold`` or starting with ``more_``) are scanned too, with the variants allowed there skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from convolab.content import glossary
from convolab.content.glossary import find_banned

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "convolab"
I18N = PKG / "web" / "i18n"
OBJECTS = PKG / "content" / "objects"
NOTEBOOKS = ROOT / "notebooks"
SHIPPED_NOTEBOOKS = PKG / "content" / "notebooks"

FENCE = re.compile(r"^```.*?^```[^\n]*$", re.DOTALL | re.MULTILINE)
DETAILS = re.compile(r"<details\b.*?</details>", re.DOTALL | re.IGNORECASE)
INLINE_CODE = re.compile(r"`[^`\n]+`|<code\b.*?</code>", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")


def segments(text: str, context: str = "") -> list[tuple[str, str]]:
    """Split markdown/HTML text into (text, context) pieces: "code", "fold" or "" (plain)."""
    out: list[tuple[str, str]] = []

    def cut(pattern: re.Pattern, ctx: str, s: str) -> str:
        for m in pattern.finditer(s):
            out.extend(segments_inner(m.group(0), ctx))
        return pattern.sub(" ", s)

    def segments_inner(s: str, ctx: str) -> list[tuple[str, str]]:
        if ctx == "code":
            return [(s, "code")]
        return segments(s, ctx)

    text = cut(FENCE, "code", text)
    if context != "fold":
        text = cut(DETAILS, "fold", text)
    text = cut(INLINE_CODE, "code", text)
    text = LINK_TARGET.sub("] ", text)
    text = TAG.sub(" ", text)
    text = PLACEHOLDER.sub(" ", text)
    out.append((text, context))
    return out


def is_fold_key(key: str) -> bool:
    """An i18n key whose text sits in a "voor wie meer wil weten" fold: it contains "fold"
    (``loss_fold``) or starts with "more_" (``more_text``)."""
    return "fold" in key or key.startswith("more_")


def i18n_texts():
    for lang in glossary.LANGS:
        for path in sorted((I18N / lang).glob("*.json")):
            feature = path.stem
            for key, value in json.loads(path.read_text(encoding="utf-8")).items():
                ctx = "fold" if is_fold_key(key) else ""
                for text, c in segments(value, ctx):
                    yield lang, f"i18n:{feature}", f"{path.relative_to(ROOT)} [{key}]", text, c


def object_texts():
    for path in sorted(OBJECTS.glob("**/index.md")):
        lang = path.parent.name
        hruid = path.parent.parent.name
        raw = path.read_text(encoding="utf-8")
        meta, body = {}, raw
        if raw.startswith("---"):
            _, front, body = raw.split("---", 2)
            meta = yaml.safe_load(front) or {}
        where = str(path.relative_to(ROOT))
        for field in ("title", "description"):
            if meta.get(field):
                yield lang, f"object:{hruid}", f"{where} [{field}]", str(meta[field]), ""
        for text, c in segments(body):
            yield lang, f"object:{hruid}", where, text, c


def _percent_cells(source: str):
    """Cells of a jupytext percent file: (kind, text); markdown lines lose their "# "."""
    cells: list[tuple[str, list[str]]] = [("code", [])]
    for line in source.splitlines():
        if line.startswith("# %%"):
            kind = "markdown" if "[markdown]" in line or "[md]" in line else "code"
            cells.append((kind, []))
        elif cells[-1][0] == "markdown":
            cells[-1][1].append(re.sub(r"^# ?", "", line))
        else:
            cells[-1][1].append(line)
    return [(kind, "\n".join(lines)) for kind, lines in cells]


def notebook_sources() -> list[Path]:
    """The notebook sources (``notebooks/{nl,en}``: jupytext ``.py`` or ``.ipynb``) and the
    built notebooks the app ships (``content/notebooks/{nl,en}/*.ipynb``)."""
    return sorted(
        p
        for root in (NOTEBOOKS, SHIPPED_NOTEBOOKS)
        for lang in glossary.LANGS
        for p in (root / lang).glob("**/*")
        if p.suffix in (".ipynb", ".py") and ".ipynb_checkpoints" not in p.parts
    )


def notebook_texts():
    for path in notebook_sources():
        lang = path.parent.name if path.parent.name in glossary.LANGS else path.parts[-3]
        where = str(path.relative_to(ROOT))
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            cells = [(c.cell_type, c.source) for c in nb.cells]
        else:
            cells = _percent_cells(path.read_text(encoding="utf-8"))
        for i, (kind, source) in enumerate(cells):
            if kind == "markdown":
                for text, c in segments(source):
                    yield lang, "notebooks", f"{where} [cell {i}]", text, c
            elif kind == "code":
                yield lang, "notebooks", f"{where} [cell {i}]", source, "code"


def findings(texts) -> list[str]:
    out = []
    for lang, source, where, text, ctx in texts:
        for f in find_banned(text, lang, source, context=ctx):
            around = text[max(0, f.start - 40) : f.start + len(f.variant) + 40]
            around = " ".join(around.split())
            out.append(f"{where}: '{f.variant}' ({f.term}: {f.why}) … {around} …")
    return out


def test_the_glossaries_describe_the_same_terms():
    nl = {t.id: t for t in glossary.terms("nl")}
    en = {t.id: t for t in glossary.terms("en")}
    assert set(nl) == set(en)
    assert {"filter", "padding", "stride", "dilation", "loss", "rotate"} <= set(nl)
    for lang, terms in (("nl", nl), ("en", en)):
        for term in terms.values():
            if term.id == "jargon":
                continue
            assert term.preferred and term.explain, (lang, term.id)
            # the preferred word itself and its explanation must pass the glossary
            assert find_banned(term.preferred, lang, "i18n:learn") == [], (lang, term.id)
            assert find_banned(term.explain, lang, "i18n:learn") == [], (lang, term.id)


@pytest.mark.parametrize(
    ("lang", "text", "source", "context", "expected"),
    [
        ("nl", "Het filter schuift over de foto.", "i18n:explorer", "", ["het filter"]),
        ("nl", "De filter schuift over de foto.", "i18n:explorer", "", []),
        ("nl", "Verstopt filter (het doel)", "i18n:learn", "", ["verstopt filter"]),
        ("nl", "de gekozen filter", "i18n:learn", "", []),
        ("nl", "Schuif de kernel over de invoer.", "i18n:signals", "", ["kernel"]),
        ("nl", "Schuif de kernel over de invoer.", "i18n:signals", "fold", []),
        ("nl", "k = cl.kernel('sharpen')", "notebooks", "code", []),
        (
            "nl",
            "Het filter wordt eerst gespiegeld.",
            "i18n:player",
            "",
            ["het filter", "gespiegeld"],
        ),
        ("nl", "De filter wordt eerst 180° gedraaid.", "i18n:player", "", []),
        ("nl", "spiegelen (rand herhaald)", "i18n:player", "", []),
        ("nl", "Convolutie: de filter eerst spiegelen", "i18n:explorer", "", ["spiegelen"]),
        ("nl", "de spreiding (dilation)", "i18n:arithmetic", "", ["spreiding", "dilation"]),
        ("nl", "de dilatatie (dilation)", "i18n:arithmetic", "", []),
        ("nl", "De fout wordt kleiner.", "i18n:learn", "", ["fout"]),
        ("nl", "fout", "i18n:network", "", []),
        ("nl", "Aantal rondes (epochs)", "i18n:network", "", []),
        ("nl", "Na 3 epochs", "i18n:network", "", ["epochs"]),
        ("nl", "Hoe fout (cross-entropy)", "i18n:network", "", ["fout", "cross-entropy"]),
        ("nl", "een spiegelbeeld", "i18n:learn", "", []),
        ("nl", "de stapgrootte (stride)", "i18n:player", "", []),
        ("en", "Slide the kernel.", "i18n:signals", "", ["kernel"]),
        ("en", "the filter flipped first", "i18n:explorer", "", ["flipped"]),
        ("en", "mirror (edge repeated)", "i18n:player", "", []),
        ("en", "the mean of the squared error", "i18n:learn", "", ["error"]),
        ("en", "Something went wrong", "i18n:learn", "", []),
        ("en", "look at the spread (±)", "i18n:when", "", ["spread"]),
        ("en", "3 rounds (epochs)", "i18n:network", "", []),
    ],
)
def test_the_matcher(lang, text, source, context, expected):
    got = [f.variant.lower() for f in find_banned(text, lang, source, context=context)]
    assert sorted(got) == sorted(expected)


def test_segments_keep_code_and_folds_apart():
    text = "De `kernel` hier.\n<details><summary>Meer</summary>kernel en `x`</details>\n```\nkernel\n```"
    parts = segments(text)
    assert any(c == "code" and "kernel" in t for t, c in parts)
    assert any(c == "fold" and "kernel en" in t for t, c in parts)
    plain = " ".join(t for t, c in parts if c == "")
    assert "kernel" not in plain and "hier" in plain


def test_every_source_is_scanned():
    assert len(list(i18n_texts())) > 500
    assert len(list(OBJECTS.glob("**/index.md"))) >= 8
    notebooks = notebook_sources()
    assert {p.parent.name for p in notebooks} == {"nl", "en"}
    assert any(p.is_relative_to(NOTEBOOKS) for p in notebooks)


def test_i18n_strings_use_the_glossary():
    problems = findings(i18n_texts())
    assert not problems, f"{len(problems)} banned variants:\n" + "\n".join(problems)


def test_learning_objects_use_the_glossary():
    problems = findings(object_texts())
    assert not problems, f"{len(problems)} banned variants:\n" + "\n".join(problems)


def test_notebooks_use_the_glossary():
    problems = findings(notebook_texts())
    assert not problems, f"{len(problems)} banned variants:\n" + "\n".join(problems)


def message_texts():
    """The core's error catalogue (``data/messages/{nl,en}.json``), without its ``{fields}``
    (parameter names and values) and code such as ``convolab.kernels()``."""
    messages = PKG / "data" / "messages"
    code = re.compile(r"\{[^{}]*\}|[\w.]+\([^)]*\)")
    for lang in glossary.LANGS:
        path = messages / f"{lang}.json"
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key.startswith("name."):
                continue  # a parameter's own name (``kernel``), as the library spells it
            for text, c in segments(code.sub(" ", value)):
                yield lang, "messages", f"{path.relative_to(ROOT)} [{key}]", text, c


def test_error_messages_use_the_glossary():
    problems = findings(message_texts())
    assert not problems, f"{len(problems)} banned variants:\n" + "\n".join(problems)
