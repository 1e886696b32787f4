"""Build the shipped "Convoluties in Python" notebooks from their jupytext sources.

    .venv/bin/python notebooks/build.py           # build, execute and write the four .ipynb
    .venv/bin/python notebooks/build.py --check   # only check that they match the sources

The sources are Python files in jupytext's percent format, one per language:
``notebooks/nl/convoluties_in_python.py`` and ``notebooks/en/convolutions_in_python.py``.
Edit those (they are plain Python: lint them, run them, diff them), never the .ipynb files.

Cell tags in the sources decide who gets a cell:

- ``pupil``: only in the pupil notebook (an exercise's scaffold that runs as it is);
- ``teacher``: only in the teacher notebook (the exercise's answer);
- ``teacher-note``: a note only in the teacher notebook;
- every other cell is in both. The role tags are removed from the built notebooks; ``answer``,
  ``exercise-N`` and ``teacher-note`` stay (the tests and the web view read them).

The built notebooks are executed ahead (offline, in a scratch folder) so that the web page and
a download show the outputs and figures without running anything per request; images are
re-encoded as small palette PNGs. They are package data (``src/convolab/content/notebooks``),
found through ``convolab.content.notebook.notebooks_dir()``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET = REPO / "src" / "convolab" / "content" / "notebooks"
SOURCES = {
    "nl": HERE / "nl" / "convoluties_in_python.py",
    "en": HERE / "en" / "convolutions_in_python.py",
}
FILES = {
    ("nl", "pupil"): TARGET / "nl" / "convoluties_in_python.ipynb",
    ("nl", "teacher"): TARGET / "nl" / "convoluties_in_python_leraar.ipynb",
    ("en", "pupil"): TARGET / "en" / "convolutions_in_python.ipynb",
    ("en", "teacher"): TARGET / "en" / "convolutions_in_python_teacher.ipynb",
}
ROLES = ("pupil", "teacher")
ROLE_TAGS = {"pupil": "teacher", "teacher": "pupil"}  # the role tag each role leaves out
TIMEOUT = 300  # seconds per cell while building
MAX_IMAGE_WIDTH = 480  # pixels; wider figures are scaled down (low resolution, small files)
GREY_LEVELS = 24  # grey levels of a re-encoded grey figure (most are grey photos)
PALETTE = 48  # colours of a re-encoded colour figure


def _rel(path: Path) -> str:
    try:
        return path.relative_to(REPO).as_posix()
    except ValueError:
        return path.as_posix()


def read_source(lang: str) -> nbformat.NotebookNode:
    return jupytext.read(SOURCES[lang], fmt="py:percent")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def build(lang: str, role: str, source: nbformat.NotebookNode | None = None):
    """The notebook for one language and role, not executed."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    src = source if source is not None else read_source(lang)
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
        "convolab": {
            "lang": lang,
            "role": role,
            "built_from": _rel(SOURCES[lang]),
        },
    }
    for cell in src.cells:
        tags = _tags(cell)
        if ROLE_TAGS[role] in tags or (role == "pupil" and "teacher-note" in tags):
            continue
        kept = [t for t in tags if t not in ROLES]
        meta = {"tags": kept} if kept else {}
        if cell.cell_type == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source, metadata=meta))
        elif cell.cell_type == "code":
            nb.cells.append(nbformat.v4.new_code_cell(cell.source, metadata=meta))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: the files only change when the content does
    nbformat.validate(nb)
    return nb


def skeleton(nb) -> list[tuple[str, str, str, list[str]]]:
    """What must equal between a shipped notebook and its source: ids, kinds, code, tags."""
    return [(c.get("id", ""), c.cell_type, c.source, _tags(c)) for c in nb.cells]


def _shrink_png(data: str) -> str:
    import numpy as np
    from PIL import Image

    img = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    if img.width > MAX_IMAGE_WIDTH:
        h = round(img.height * MAX_IMAGE_WIDTH / img.width)
        img = img.resize((MAX_IMAGE_WIDTH, h), Image.Resampling.LANCZOS)
    a = np.asarray(img)
    if (a[..., 0] == a[..., 1]).all() and (a[..., 1] == a[..., 2]).all():
        img = img.convert("L").quantize(GREY_LEVELS)
    else:
        img = img.quantize(PALETTE, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii")


def shrink_images(nb) -> None:
    """Re-encode every PNG output as a small palette PNG (at most MAX_IMAGE_WIDTH wide)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                data["image/png"] = _shrink_png(data["image/png"])
                out.get("metadata", {}).pop("image/png", None)  # the old size hint


def execute(nb) -> None:
    """Run the notebook in a scratch folder with this Python's kernel (offline)."""
    from nbclient import NotebookClient

    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    with tempfile.TemporaryDirectory(prefix="convolab-nb-") as folder:
        NotebookClient(
            nb,
            timeout=TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": folder}},
            store_widget_state=False,  # the widgets' pictures would double the file
            record_timing=False,  # no timestamps: a rebuild changes only what really changed
        ).execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                raise RuntimeError(f"a cell failed while building:\n{cell.source[:200]}")
    nb.metadata["language_info"] = {"name": "python"}  # no machine-specific versions


def render(nb) -> str:
    """The .ipynb text as written to disk."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def check() -> list[str]:
    """Shipped notebooks that differ from their sources (empty: all up to date)."""
    stale = []
    for (lang, role), path in FILES.items():
        if not path.is_file():
            stale.append(f"{_rel(path)} is missing")
            continue
        shipped = nbformat.read(str(path), as_version=4)
        if skeleton(shipped) != skeleton(build(lang, role)):
            stale.append(f"{_rel(path)} differs from {SOURCES[lang].name}")
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = check()
        for line in stale:
            print(line, file=sys.stderr)
        return 1 if stale else 0
    for (lang, role), path in FILES.items():
        nb = build(lang, role)
        execute(nb)
        shrink_images(nb)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(nb), encoding="utf-8")
        print(f"wrote {_rel(path)} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
