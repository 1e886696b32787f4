"""Core errors: a code and parameters, worded in Dutch and English from one catalogue."""

from __future__ import annotations

import ast
import pickle
import re
import string
from pathlib import Path

import numpy as np
import pytest
from english_words import english_words

import convolab as cl
from convolab import errors
from convolab.errors import ConvolabError, InvalidType, InvalidValue, message

SRC = Path(cl.__file__).parent


def _noise_jpeg() -> bytes:
    rng = np.random.default_rng(0)
    return cl.encode_image(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), "jpg")


def _ico() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (16, 16)).save(buf, format="ICO")
    return buf.getvalue()


# (a call into the real core that a user can get wrong, Dutch words its message must hold)
CASES = [
    (lambda: cl.parse_kernel("1 a"), ["rij 1, kolom 2", "'a' is geen getal", "1/9"]),
    (lambda: cl.parse_kernel("1/0"), ["rij 1, kolom 1", "deelt door nul"]),
    (lambda: cl.parse_kernel("1 2; 3"), ["rij 2 heeft 1 getallen maar rij 1 heeft er 2"]),
    (lambda: cl.parse_kernel("  "), ["de filter is leeg"]),
    (lambda: cl.parse_kernel("1" + "/1" * 1000), ["rij 1, kolom 1", "hoogstens 40"]),
    (lambda: cl.parse_kernel("1/2/3"), ["meer dan één '/'"]),
    (lambda: cl.parse_kernel("[1, 2"), ["begint met '['"]),
    (lambda: cl.parse_kernel(5), ["als tekst"]),
    (lambda: cl.as_kernel(np.ones((40, 33))), ["de filter is 40 × 33", "31 × 31"]),
    (lambda: cl.as_kernel([[]]), ["de filter is leeg"]),
    (lambda: cl.as_kernel([[1, 2], [3]]), ["rechthoekig"]),
    (
        lambda: cl.correlate(np.ones((3, 9)), np.ones((5, 3)), padding="valid"),
        ["de filter (5 rijen met dilatatie 1)", "(3 rijen)", "opvulling 'valid'"],
    ),
    (
        lambda: cl.correlate(np.ones((9, 3)), np.ones((3, 3)), padding="valid", dilation=(1, 2)),
        ["(5 kolommen met dilatatie 2)", "(3 kolommen)"],
    ),
    (lambda: cl.kernel("sobl-x"), ["onbekende filter 'sobl-x'", "Bedoel je 'sobel-x'?"]),
    (lambda: cl.kernel("zzzzzz"), ["onbekende filter 'zzzzzz'"]),
    (lambda: cl.sample("kat"), ["onbekende voorbeeldfoto 'kat'", "camera"]),
    (lambda: cl.correlate(np.ones((3, 3)), "blur", border="mirror"), ["onbekende rand 'mirror'"]),
    (
        lambda: cl.correlate(np.ones((3, 3)), "blur", padding="half"),
        ["onbekende opvulling 'half'"],
    ),
    (lambda: cl.correlate(np.ones((3, 3)), "blur", padding=1.5), ["de opvulling moet"]),
    (lambda: cl.to_display(np.ones((2, 2)), "abss"), ["onbekende weergave 'abss'", "'abs'"]),
    (lambda: cl.explain(np.ones((3, 3)), "blur", (0, 0), mode="flip"), ["onbekende modus 'flip'"]),
    (lambda: cl.explain(np.ones((3, 3)), "blur", (5, 1)), ["ligt buiten de uitvoer", "3 rijen"]),
    (lambda: cl.correlate(np.ones((3, 3)), "blur", stride=0), ["stapgrootte moet minstens 1"]),
    (lambda: cl.correlate(np.ones((3, 3)), "blur", stride=1.5), ["stapgrootte moet een geheel"]),
    (lambda: cl.correlate(np.ones((3, 3)), [[np.nan]]), ["de filter bevat NaN"]),
    (lambda: cl.correlate("camera", "blur"), ["rooster van pixels"]),
    (lambda: cl.correlate(np.ones((2, 2, 5)), "blur"), ["met 3 dimensies", "(2, 2, 5)"]),
    (lambda: cl.correlate(np.ones((0, 3)), "blur"), ["is leeg"]),
    (lambda: cl.gaussian(3, sigma=0), ["groter dan 0"]),
    (lambda: cl.box(40), ["tussen 1 en 31"]),
    (lambda: cl.load_image(b"not an image"), ["geen afbeelding", "PNG, JPEG"]),
    (lambda: cl.load_image(b""), ["leeg (0 bytes)"]),
    (lambda: cl.load_image(_noise_jpeg()[:500]), ["beschadigd"]),
    (lambda: cl.load_image(_ico()), ["ICO-bestand", "PNG, JPEG, WebP, GIF"]),
    (
        lambda: cl.load_image(cl.encode_image(np.zeros((40, 50)), "png"), max_pixels=1000),
        ["50 × 40 = 2.000 pixels", "grens is 1.000 pixels"],
    ),
    (lambda: cl.save_image("/tmp/x.pdf", np.zeros((2, 2))), ["extensie", ".png"]),
]


@pytest.mark.parametrize("call, words", CASES)
def test_a_core_error_is_worded_in_dutch_from_the_catalogue(call, words):
    with pytest.raises(ConvolabError) as info:
        call()
    exc = info.value
    assert isinstance(exc, (ValueError, TypeError))
    assert re.fullmatch(r"[a-z][a-z0-9_]*", exc.code)
    nl, en = message(exc, "nl"), message(exc, "en")
    assert en == str(exc) and nl != en
    for w in words:
        assert w in nl, (w, nl)
    assert english_words(nl) == [], nl
    assert english_words(en), en  # the detector does see English


def test_values_of_both_kinds():
    assert issubclass(InvalidValue, ValueError) and issubclass(InvalidType, TypeError)
    with pytest.raises(ValueError, match="stride must be >= 1; got 0"):
        cl.correlate(np.ones((3, 3)), "blur", stride=0)
    with pytest.raises(TypeError, match="whole number"):
        cl.correlate(np.ones((3, 3)), "blur", stride="2")


def test_errors_survive_pickling():
    exc = InvalidValue("must_be_at_least", param="stride", minimum=1, value=0)
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is InvalidValue and back.code == exc.code and back.params == exc.params
    assert str(back) == str(exc)


def test_numbers_are_written_the_dutch_way():
    exc = InvalidValue("must_be_positive", param="sigma", value=-0.5)
    assert message(exc, "nl") == "standaardafwijking moet groter dan 0 zijn; je gaf -0,5"
    assert str(exc) == "sigma must be > 0; got -0.5"


def test_a_long_value_is_cut_short():
    exc = InvalidType("not_a_number", param="angle", value="x" * 10_000)
    assert len(str(exc)) < 120 and str(exc).endswith("...")


def test_other_exceptions_keep_their_text():
    assert message(ValueError("plain"), "nl") == "plain"
    assert message(KeyError(), "nl") == "KeyError"


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_both_catalogues_have_the_same_codes_and_dutch_asks_no_new_parameters():
    nl, en = errors.catalogue("nl"), errors.catalogue("en")
    codes = {k for k in en if not k.startswith("name.")}
    assert codes == {k for k in nl if not k.startswith("name.")}
    for code in codes:
        base = lambda f: f.split("!")[0].split(":")[0]  # noqa: E731
        assert {base(f) for f in _fields(nl[code])} <= {base(f) for f in _fields(en[code])}, code
        assert english_words(errors.render(code, _dummy(en[code]), "nl")) == [], code


def _dummy(template: str) -> dict:
    return {f.split("!")[0].split(":")[0]: 1 for f in _fields(template)}


def _codes_raised_in_the_source() -> set[str]:
    """Every code given as a literal to an error class (``code + "x"`` counts both forms)."""
    classes = {
        "InvalidValue",
        "InvalidType",
        "TooLarge",
        "ConvolabError",
        "DatasetError",
        "NotebookError",
    }
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            arg = node.args[0]
            if name not in classes:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
            elif isinstance(arg, ast.BinOp) and isinstance(arg.right, ast.Constant):
                found |= {"cell_" + arg.right.value, "value_" + arg.right.value}
    return found


def test_every_code_raised_in_the_source_has_a_message():
    codes = _codes_raised_in_the_source()
    assert len(codes) > 40
    missing = sorted(c for c in codes if not errors.has(c, "en") or not errors.has(c, "nl"))
    assert missing == []
