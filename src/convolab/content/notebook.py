"""Find convolab's notebooks and render one read-only to HTML (no nbconvert needed).

The notebooks are package data, ``convolab/content/notebooks/{nl,en}/*.ipynb``, built and
executed ahead from their sources in the repository (``notebooks/build.py``), so they work the
same from a source checkout and from an installed wheel. :func:`notebooks_dir` is the one
place that finds them (through ``importlib.resources``); the environment variable
``CONVOLAB_NOTEBOOKS_DIR`` points it at another folder.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

from .render import render_markdown, sanitize_html

NOTEBOOKS = {
    "nl": "nl/convoluties_in_python.ipynb",
    "en": "en/convolutions_in_python.ipynb",
}
TEACHER_NOTEBOOKS = {
    "nl": "nl/convoluties_in_python_leraar.ipynb",
    "en": "en/convolutions_in_python_teacher.ipynb",
}
ENV_DIR = "CONVOLAB_NOTEBOOKS_DIR"
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_WIDGET = "application/vnd.jupyter.widget-view+json"
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def notebooks_dir() -> Path:
    """The folder holding the ``nl/`` and ``en/`` notebooks (package data of convolab)."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    # a regular (not zipped) install: the package's files are files on disk
    return Path(str(resources.files("convolab.content") / "notebooks"))


def notebook_path(lang: str, *, teacher: bool = False) -> Path:
    """The path of the learning page's notebook in ``lang`` ('nl' or 'en'); ``teacher=True``:
    the teacher's version with the answers."""
    if lang not in NOTEBOOKS:
        raise ValueError(f"lang must be one of {', '.join(NOTEBOOKS)}, got {lang!r}")
    return notebooks_dir() / (TEACHER_NOTEBOOKS if teacher else NOTEBOOKS)[lang]


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _image(mime: str, data: Any) -> str | None:
    raw = _text(data).strip()
    if mime == "image/svg+xml":
        raw = base64.b64encode(raw.encode("utf-8")).decode("ascii")
    else:
        raw = "".join(raw.split())
        try:
            base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return None
    # shown through <img>: an SVG loaded as an image cannot run scripts
    return f'<img class="nb-image" alt="" src="data:{mime};base64,{raw}">'


def _output(out: dict[str, Any]) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        cls = "nb-stderr" if out.get("name") == "stderr" else "nb-stdout"
        return f'<pre class="nb-output {cls}">{html.escape(_text(out.get("text")))}</pre>'
    if kind == "error":
        trace = _ANSI_RE.sub("", "\n".join(out.get("traceback") or []))
        text = trace or f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
        return f'<pre class="nb-output nb-error">{html.escape(text)}</pre>'
    if kind in ("execute_result", "display_data"):
        data = out.get("data") or {}
        if _WIDGET in data:
            return ""  # an interactive widget: it only works in a running notebook
        for mime in _IMAGE_TYPES:
            if mime in data:
                img = _image(mime, data[mime])
                if img:
                    return f'<div class="nb-output">{img}</div>'
        if "text/html" in data:
            return f'<div class="nb-output nb-html">{sanitize_html(_text(data["text/html"]))}</div>'
        if "text/markdown" in data:
            return f'<div class="nb-output">{render_markdown(_text(data["text/markdown"]))}</div>'
        if "text/plain" in data:
            return f'<pre class="nb-output">{html.escape(_text(data["text/plain"]))}</pre>'
    return ""


def render_notebook(source: Path | str | dict[str, Any]) -> str:
    """Render an .ipynb (a path or the parsed JSON) to read-only HTML.

    Markdown cells go through the same sanitiser as learning objects; code is escaped; saved
    outputs (text, images, sanitised HTML) are shown below their cell.
    """
    if isinstance(source, dict):
        nb = source
    else:
        p = Path(source)
        try:
            nb = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"notebook not found: {p}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{p}: not a valid .ipynb (JSON) file: {exc}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("a notebook must be a JSON object with a 'cells' list (nbformat 4)")
    lang = (nb.get("metadata") or {}).get("language_info", {}).get("name", "python")
    parts = ['<div class="notebook-view">']
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        src = _text(cell.get("source"))
        if kind == "markdown":
            parts.append(f'<div class="nb-cell nb-markdown">{render_markdown(src)}</div>')
        elif kind == "code":
            code = html.escape(src)
            cls = html.escape(str(lang))
            outs = "".join(_output(o) for o in cell.get("outputs") or [] if isinstance(o, dict))
            parts.append(
                f'<div class="nb-cell nb-code"><pre class="nb-input"><code class="language-{cls}">'
                f"{code}</code></pre>{outs}</div>"
            )
        elif kind == "raw":
            parts.append(f'<pre class="nb-cell nb-raw">{html.escape(src)}</pre>')
    parts.append("</div>")
    return "\n".join(parts)
