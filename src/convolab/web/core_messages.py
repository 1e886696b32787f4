"""Dutch wording for the core's error messages that pupils can cause.

The core (a library for programmers) words its ``ValueError``/``TypeError``
in English. The web app shows them to pupils, Dutch first: each pattern below
recognises one of the core's messages and rewords it in Dutch with the same
numbers and names. ``tests/web/test_core_messages.py`` triggers every one of
them in the real core, so a changed core message fails a test instead of
silently falling back to English. Messages with no pattern are shown as the
core words them.
"""

from __future__ import annotations

import re

_AXIS = {"rows": "rijen", "columns": "kolommen"}
_NAMES = {
    "filter": "filter",
    "sample": "voorbeeldfoto",
    "border": "rand",
    "padding": "padding",
    "mapping": "weergave",
    "mode": "modus",
}

_PATTERNS: list[tuple[re.Pattern, object]] = [
    (
        re.compile(r"^row (\d+), column (\d+): '(.*)' is not a number; allowed: .*$"),
        "rij {0}, kolom {1}: '{2}' is geen getal; toegestaan zijn getallen zoals 2, -0,5 of 1e-3 "
        "en breuken zoals 1/9",
    ),
    (
        re.compile(r"^row (\d+), column (\d+): '(.*)' divides by zero$"),
        "rij {0}, kolom {1}: '{2}' deelt door nul",
    ),
    (
        re.compile(r"^row (\d+) has (\d+) values but row 1 has (\d+); .*$"),
        "rij {0} heeft {1} getallen maar rij 1 heeft er {2}; elke rij moet evenveel getallen "
        "hebben",
    ),
    (
        re.compile(r"^kernel text is empty; .*$"),
        "het filter is leeg; typ rijen getallen, bijvoorbeeld '0 -1 0; -1 5 -1; 0 -1 0'",
    ),
    (
        re.compile(r"^kernel is (\d+) x (\d+); allowed sizes are 1 x 1 up to (\d+) x (\d+)$"),
        "het filter is {0} × {1}; toegestaan is 1 × 1 tot en met {2} × {3}",
    ),
    (
        re.compile(
            r"^the kernel \((\d+) (rows|columns) with dilation (\d+)\) is larger than the padded "
            r"image \((\d+) (?:rows|columns)\) with padding=(.*?); .*$"
        ),
        lambda m: (
            f"het filter ({m[1]} {_AXIS[m[2]]} met dilation {m[3]}) is groter dan de opgevulde "
            f"afbeelding ({m[4]} {_AXIS[m[2]]}) met padding={m[5]}; kies een kleiner filter, "
            "minder dilation, of padding 'same' of 'full'"
        ),
    ),
    (
        re.compile(r"^unknown (filter|sample|border|padding|mapping|mode) '(.*?)'[;.](.*)$"),
        lambda m: _unknown(m[1], m[2], m[3]),
    ),
    (
        re.compile(r"^(\w+) must be >= (\d+); got (.*)$"),
        "{0} moet minstens {1} zijn; je gaf {2}",
    ),
    (
        re.compile(r"^(\w+) contains (NaN|inf); .*$"),
        "{0} bevat {1}; alle waarden moeten gewone getallen zijn",
    ),
    (
        re.compile(r"^.* is not an image convolab can read .*$"),
        "dit bestand is geen afbeelding die convolab kan lezen; toegestaan: PNG, JPEG, WebP, GIF, "
        "BMP, TIFF",
    ),
    (
        re.compile(r"^.* is damaged or truncated and cannot be decoded: .*$"),
        "de afbeelding is beschadigd of onvolledig en kan niet gelezen worden",
    ),
    (
        re.compile(r"^.* is (\d+) x (\d+) = ([\d,]+) pixels; the limit is ([\d,]+) pixels$"),
        lambda m: (
            f"de afbeelding is {m[1]} × {m[2]} = {m[3].replace(',', '.')} pixels; "
            f"de grens is {m[4].replace(',', '.')} pixels"
        ),
    ),
]


def _unknown(kind: str, value: str, rest: str) -> str:
    allowed = re.search(r"allowed: (.*?)\.(?: Did you mean|$)", rest)
    hint = re.search(r"Did you mean '(.*?)'\?", rest)
    return (
        f"onbekende {_NAMES[kind]} '{value}'"
        + (f"; toegestaan: {allowed[1]}" if allowed else "")
        + "."
        + (f" Bedoel je '{hint[1]}'?" if hint else "")
    )


def dutch(message: str) -> str:
    """The Dutch wording of a core error message, or the message itself if unknown."""
    for pattern, template in _PATTERNS:
        m = pattern.match(message)
        if m:
            return template(m) if callable(template) else template.format(*m.groups())
    return message
