"""Every Dutch rewording of a core error matches the message the real core raises."""

import numpy as np
import pytest

import convolab as cl
from convolab.web.core_messages import _PATTERNS, dutch


def _noise_jpeg() -> bytes:
    rng = np.random.default_rng(0)
    return cl.encode_image(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), "jpg")


CASES = [
    (lambda: cl.parse_kernel("1 a"), ["rij 1, kolom 2", "'a' is geen getal", "1/9"]),
    (lambda: cl.parse_kernel("1/0"), ["rij 1, kolom 1", "deelt door nul"]),
    (lambda: cl.parse_kernel("1 2; 3"), ["rij 2 heeft 1 getallen maar rij 1 heeft er 2"]),
    (lambda: cl.parse_kernel("  "), ["het filter is leeg"]),
    (lambda: cl.as_kernel(np.ones((40, 33))), ["het filter is 40 × 33", "31 × 31"]),
    (
        lambda: cl.correlate(np.ones((3, 9)), np.ones((5, 3)), padding="valid"),
        ["het filter (5 rijen met dilation 1)", "(3 rijen)", "padding='valid'"],
    ),
    (
        lambda: cl.correlate(np.ones((9, 3)), np.ones((3, 3)), padding="valid", dilation=(1, 2)),
        ["(5 kolommen met dilation 2)", "(3 kolommen)"],
    ),
    (lambda: cl.kernel("sobl-x"), ["onbekende filter 'sobl-x'", "Bedoel je 'sobel-x'?"]),
    (lambda: cl.kernel("zzzzzz"), ["onbekende filter 'zzzzzz'."]),
    (lambda: cl.sample("kat"), ["onbekende voorbeeldfoto 'kat'"]),
    (lambda: cl.correlate(np.ones((3, 3)), "blur", border="mirror"), ["onbekende rand 'mirror'"]),
    (lambda: cl.correlate(np.ones((3, 3)), "blur", padding="half"), ["onbekende padding 'half'"]),
    (lambda: cl.to_display(np.ones((2, 2)), "abss"), ["onbekende weergave 'abss'", "'abs'"]),
    (lambda: cl.explain(np.ones((3, 3)), "blur", (0, 0), mode="flip"), ["onbekende modus 'flip'"]),
    (lambda: cl.correlate(np.ones((3, 3)), "blur", stride=0), ["stride moet minstens 1 zijn"]),
    (lambda: cl.correlate(np.ones((3, 3)), [[np.nan]]), ["kernel bevat NaN"]),
    (lambda: cl.load_image(b"not an image"), ["geen afbeelding", "PNG, JPEG"]),
    (lambda: cl.load_image(_noise_jpeg()[:500]), ["beschadigd"]),
    (
        lambda: cl.load_image(cl.encode_image(np.zeros((40, 50)), "png"), max_pixels=1000),
        ["50 × 40 = 2.000 pixels", "grens is 1.000 pixels"],
    ),
]


@pytest.mark.parametrize("call, words", CASES)
def test_the_real_core_message_is_reworded_in_dutch(call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    nl = dutch(str(info.value))
    assert nl != str(info.value), f"no Dutch wording for: {info.value}"
    for w in words:
        assert w in nl, (w, nl)
    for english in (" is not ", " allowed", "unknown ", " must be ", "Did you mean"):
        assert english not in nl


def test_every_pattern_is_exercised_by_a_real_core_message():
    used = set()
    for call, _ in CASES:
        try:
            call()
        except (ValueError, TypeError) as exc:
            used |= {i for i, (p, _) in enumerate(_PATTERNS) if p.match(str(exc))}
    assert used == set(range(len(_PATTERNS)))


def test_unknown_messages_pass_through_unchanged():
    assert dutch("something the core may say one day") == "something the core may say one day"


def test_the_api_answers_a_dutch_page_in_dutch_and_an_english_page_in_english(client):
    body = {"sample": "camera", "filter": "sobl-x"}
    nl = client.post("/api/apply", json=body).json()
    en = client.post("/api/apply?lang=en", json=body).json()
    assert nl["status"] == en["status"] == 400 and nl["code"] == en["code"]
    assert nl["error"] == "Ongeldige invoer: onbekende filter 'sobl-x'. Bedoel je 'sobel-x'?"
    assert en["error"].startswith("Invalid input: unknown filter 'sobl-x'")
