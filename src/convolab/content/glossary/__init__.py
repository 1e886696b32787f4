"""The pupil vocabulary as data: one word per idea, in Dutch and English.

``nl.yaml`` and ``en.yaml`` list each term with its preferred word, a one-line explanation for a
pupil, where it applies, and the variants that must not appear (regular expressions, with the
places they are allowed: inside a "voor wie meer wil weten" fold or in code). ``find_banned``
finds those variants in a piece of text; ``tests/content/test_glossary.py`` runs it over every
i18n file, learning object and notebook.

>>> [f.variant for f in find_banned("Het filter schuift.", "nl", "i18n:explorer")]
['het filter']
>>> find_banned("De filter schuift.", "nl", "i18n:explorer")
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LANGS = ("nl", "en")
EVERYWHERE = {"overal", "everywhere"}
CONTEXTS = {"fold", "code"}


@dataclass(frozen=True)
class Banned:
    pattern: re.Pattern
    why: str
    allow_in: frozenset[str] = frozenset()
    excepts: tuple[re.Pattern, ...] = ()


@dataclass(frozen=True)
class Term:
    id: str
    preferred: str
    explain: str
    applies: tuple[str, ...] | None  # None: everywhere
    banned: tuple[Banned, ...] = field(default_factory=tuple)

    def applies_to(self, source: str) -> bool:
        return self.applies is None or any(
            source == a or source.startswith(a + ":") or source.startswith(a + "/")
            for a in self.applies
        )


@dataclass(frozen=True)
class Finding:
    term: str
    variant: str  # the text found
    why: str
    start: int


def _applies(value) -> tuple[str, ...] | None:
    if isinstance(value, str):
        if value not in EVERYWHERE:
            raise ValueError(f"applies must be 'everywhere'/'overal' or a list, not {value!r}")
        return None
    return tuple(value)


def _banned(item: dict, default_allow: tuple[str, ...] = ()) -> Banned:
    allow = frozenset(item.get("allow_in", default_allow))
    if not allow <= CONTEXTS:
        raise ValueError(f"allow_in may hold {sorted(CONTEXTS)}, not {sorted(allow)}")
    return Banned(
        pattern=re.compile(item["pattern"], re.IGNORECASE),
        why=item["why"],
        allow_in=allow,
        excepts=tuple(re.compile(e, re.IGNORECASE | re.MULTILINE) for e in item.get("except", ())),
    )


@cache
def terms(lang: str) -> tuple[Term, ...]:
    """The glossary of ``lang`` ("nl" or "en"). The jargon list (technical words kept off
    pupil pages except in a fold or in code) is the last term, id "jargon"."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {list(LANGS)}, not {lang!r}")
    data = yaml.safe_load((HERE / f"{lang}.yaml").read_text(encoding="utf-8"))
    out = [
        Term(
            id=t["id"],
            preferred=t["preferred"],
            explain=t["explain"],
            applies=_applies(t["applies"]),
            banned=tuple(_banned(b) for b in t.get("banned") or ()),
        )
        for t in data["terms"]
    ]
    jargon = data.get("jargon")
    if jargon:
        out.append(
            Term(
                id="jargon",
                preferred="",
                explain="",
                applies=_applies(jargon["applies"]),
                banned=tuple(_banned(b, ("fold", "code")) for b in jargon["banned"]),
            )
        )
    return tuple(out)


def find_banned(text: str, lang: str, source: str, *, context: str = "") -> list[Finding]:
    """Banned variants in ``text`` from ``source`` (e.g. ``"i18n:learn"``,
    ``"object:<hruid>"``, ``"notebooks"``). ``context`` is "fold" or "code" when the whole
    text sits in such a place (variants allowed there are skipped)."""
    found: list[Finding] = []
    seen: set[tuple[int, int]] = set()
    for term in terms(lang):
        if not term.applies_to(source):
            continue
        for b in term.banned:
            if context and context in b.allow_in:
                continue
            allowed = [m.span() for e in b.excepts for m in e.finditer(text)]
            for m in b.pattern.finditer(text):
                if any(s <= m.start() and m.end() <= e for s, e in allowed):
                    continue
                if m.span() in seen:  # one word banned by two terms: report it once
                    continue
                seen.add(m.span())
                found.append(Finding(term.id, m.group(0), b.why, m.start()))
    return found
