"""Find English in a message meant for a Dutch page.

A word list, not a comparison with fixed texts: any of these common English words in a
message (outside quotes, which hold what the user typed or a code name, and outside code
such as ``convolab.sample(naam)``) is English.
The words are chosen so that none of them is also a Dutch word.
"""

from __future__ import annotations

import re

ENGLISH_WORDS = frozenset(
    """
    the a an and or not must should allowed got number numbers valid invalid field fields
    required missing unknown value values between least greater less than with empty large
    too only row rows column columns error request string integer expected forbidden
    permitted cannot does exist found image size characters long input please are which
    has have this that when from use more did mean you your unable parse items
    format greyscale colour color each side may limit kernel
    padding stride dilation border mapping mode larger smaller whole divides zero
    """.split()
)

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|‘[^’]*’|“[^”]*”")
#: A single word in parentheses is a technical term after its Dutch word:
#: "Stapgrootte (stride)" (the glossary's style), not an English sentence.
_TERM = re.compile(r"\(\w+\)")
_CODE = re.compile(r"\w+(?:[._]\w+)+(?:\([^)]*\))?")  # convolab.load_image(pad), max_pixels
_WORD = re.compile(r"[A-Za-z]+")


def english_words(text: str) -> list[str]:
    """The English words of ``text`` (quoted parts left out), in order."""
    plain = _CODE.sub(" ", _TERM.sub(" ", _QUOTED.sub(" ", text)))
    return [w for w in _WORD.findall(plain) if w.lower() in ENGLISH_WORDS]
