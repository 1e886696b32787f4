"""String catalogues: ``web/i18n/{nl,en}/<feature>.json``, flat objects of keys.

The key ``"x"`` in ``explorer.json`` is ``t("explorer.x", lang)``. Dutch first, English second;
both languages must have the same keys (``tests/web/test_app.py`` checks that).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from markupsafe import Markup

LANGS: tuple[str, ...] = ("nl", "en")
DEFAULT_LANG = "nl"
CATALOG_DIR = Path(__file__).parent / "i18n"


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang


@cache
def catalog(lang: str, feature: str) -> dict[str, str]:
    """All strings of one feature in one language (``{}`` when the file does not exist)."""
    check_lang(lang)
    if not feature.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"feature must be a plain name; got {feature!r}")
    path = CATALOG_DIR / lang / f"{feature}.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path} must be a flat JSON object of strings")
    return data


def features(lang: str = DEFAULT_LANG) -> list[str]:
    """Names of the catalogue files of one language."""
    return sorted(p.stem for p in (CATALOG_DIR / check_lang(lang)).glob("*.json"))


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    feature, _, name = key.partition(".")
    return bool(name) and name in catalog(lang, feature)


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    """Translate ``"feature.key"``; ``{name}`` placeholders are filled from ``params``.

    A missing key raises ``KeyError``: a page using it answers 500, which the page tests catch.
    """
    feature, _, name = key.partition(".")
    if not name:
        raise KeyError(f"i18n key must look like 'feature.key'; got {key!r}")
    strings = catalog(lang, feature)
    if name not in strings:
        raise KeyError(f"missing i18n key {key!r} for language {lang!r}")
    text = strings[name]
    return text.format(**params) if params else text


def i18n_json(feature: str, lang: str) -> Markup:
    """A ``<script type="application/json" id="i18n-<feature>">`` block for the page's JS."""
    payload = json.dumps(catalog(lang, feature), ensure_ascii=False, sort_keys=True)
    # "</" would end the script element early; "<!--" could open a comment.
    payload = payload.replace("</", "<\\/").replace("<!--", "<\\!--")
    return Markup(f'<script type="application/json" id="i18n-{feature}">{payload}</script>')
