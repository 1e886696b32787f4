"""Errors with a code and parameters, worded from one nl/en catalogue.

Every error a user can cause in convolab is a :class:`ConvolabError`: it carries a ``code``
(``snake_case``, also the ``code`` of the web's JSON error) and ``params`` (the numbers and
names the message needs). ``str(err)`` is the English message; :func:`message` words it in
Dutch or English from the catalogue ``convolab/data/messages/{nl,en}.json``, so the web app,
the CLI and the notebooks show the same message in the reader's language.

>>> from convolab.errors import InvalidValue, message
>>> err = InvalidValue("must_be_at_least", param="stride", minimum=1, value=0)
>>> str(err)
'stride must be >= 1; got 0'
>>> message(err, "nl")
'stapgrootte moet minstens 1 zijn; je gaf 0'

The classes are also ``ValueError`` / ``TypeError``, so ``except ValueError`` keeps working.

Catalogue templates use ``str.format`` fields with three extra format specs:
``{param:name}`` (a parameter name, translated through the catalogue's ``name.*`` entries),
``{choices:list}`` (a list as ``'a', 'b', 'c'``), ``{formats:plain}`` (``PNG, JPEG``) and ``{n:int}`` (a whole number with the
language's thousands separator). Numbers are written with the language's decimal mark.
A ``suggestion`` parameter adds the catalogue's ``did_you_mean`` sentence.
"""

from __future__ import annotations

import difflib
import json
import string
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("nl", "en")
CATALOGUE_DIR = Path(__file__).parent / "data" / "messages"
#: Longest value repr shown in a message (characters); longer ones are cut with "...".
MAX_SHOWN = 60


class ConvolabError(Exception):
    """An error a user can cause: a ``code`` and ``params``; ``str()`` is the English text."""

    def __init__(self, code: str, /, **params: Any):
        self.code = code
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        try:
            return render(self.code, self.params, "en")
        except Exception:  # never hide the original error behind a catalogue problem
            return f"{self.code} {self.params!r}"

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"nl"`` or ``"en"``)."""
        return render(self.code, self.params, lang)

    def __reduce__(self):
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls, code, params):
    return cls(code, **params)


class InvalidValue(ConvolabError, ValueError):
    """A value of the right kind that is not allowed (unknown name, out of range, ...)."""


class InvalidType(ConvolabError, TypeError):
    """A value of the wrong kind (a string where a number is needed, ...)."""


class TooLarge(InvalidValue):
    """Input larger than convolab will process (pixels, cells, bytes)."""


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All templates of one language (code -> template)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    data = json.loads((CATALOGUE_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{CATALOGUE_DIR / lang}.json must be a flat JSON object of strings")
    return data


def has(code: str, lang: str = "en") -> bool:
    return code in catalogue(lang)


def suggestion(value: Any, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``value`` (for "did you mean ..."), or ``None``."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang
        self.cat = catalogue(lang)

    def _number(self, text: str) -> str:
        if self.lang != "nl":
            return text
        return text.translate(str.maketrans({".": ",", ",": "."}))

    def format_field(self, value: Any, spec: str) -> str:
        if spec == "name":
            return self.cat.get(f"name.{value}", str(value))
        if spec == "list":
            items = value if isinstance(value, (list, tuple)) else [value]
            return ", ".join(
                repr(v) if isinstance(v, str) else self.format_field(v, "") for v in items
            )
        if spec == "plain":
            items = value if isinstance(value, (list, tuple)) else [value]
            return ", ".join(str(v) for v in items)
        if spec == "int":
            return self._number(f"{int(value):,}")
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, float):
            text = format(value, spec) if spec else repr(value)
            return self._number(text)
        if isinstance(value, (tuple, list)) and not spec:
            inner = ", ".join(self.format_field(v, "") for v in value)
            if isinstance(value, tuple):
                return f"({inner},)" if len(value) == 1 else f"({inner})"
            return f"[{inner}]"
        if isinstance(value, int) and spec and "," in spec:
            return self._number(format(value, spec))
        return format(value, spec)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "r":
            text = self._number(repr(value)) if isinstance(value, float) else repr(value)
            return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."
        return super().convert_field(value, conversion)


def render(code: str, params: Mapping[str, Any] | None = None, lang: str = "en") -> str:
    """The message of ``code`` with ``params`` in ``lang``.

    A code missing from the catalogue raises ``KeyError`` (a test checks every code used).
    """
    params = dict(params or {})
    cat = catalogue(lang)
    if code not in cat:
        raise KeyError(f"no message {code!r} in the {lang} catalogue")
    fmt = _Formatter(lang)
    text = fmt.format(cat[code], **params)
    hint = params.get("suggestion")
    if hint:
        text += " " + fmt.format(cat["did_you_mean"], suggestion=hint)
    return text


def message(exc: BaseException, lang: str = "en") -> str:
    """The message of any exception in ``lang``: a :class:`ConvolabError` from the catalogue,
    anything else as its ``str()`` (English, or the exception's class name)."""
    if isinstance(exc, ConvolabError):
        try:
            return exc.message(lang)
        except (KeyError, IndexError, ValueError):
            return str(exc)
    return str(exc) or exc.__class__.__name__


def unknown(param: str, value: Any, choices: Iterable[str], code: str = "unknown_choice"):
    """An :class:`InvalidValue` for a name that is not one of ``choices`` (with a suggestion)."""
    choices = [str(c) for c in choices]
    return InvalidValue(
        code, param=param, value=value, choices=choices, suggestion=suggestion(value, choices)
    )
