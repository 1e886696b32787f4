"""Open the "Convoluties in Python" notebooks in JupyterLab: ``convolab notebook [DIR]``.

The notebooks are package data of convolab (found by ``convolab.content.notebooks_dir()``,
the one place that knows where they are), so this works from a source checkout and from an
installed wheel alike. :func:`open_notebooks` copies them into a folder the user chooses and starts JupyterLab
there, so the originals stay clean. A copy that already exists is never overwritten: the
user may have edited it.

JupyterLab is the optional extra ``notebook`` (``pip install -e ".[notebook]"``); without
it nothing is copied and a clear :class:`NotebookError` says what to install. The copies
are the executed notebooks (with their outputs): a pupil sees what to expect before running
a cell, and "Run all" replaces the outputs with their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConvolabError

LANGS = ("nl", "en")
ROLES = ("pupil", "teacher")

_MESSAGES = {
    "nl": {
        "copied": "gekopieerd: {name}",
        "unchanged": "al aanwezig (ongewijzigd): {name}",
        "kept": "overgeslagen: {name} bestaat al en is aangepast; jouw versie blijft staan",
        "start": "JupyterLab start in {folder}. Stoppen: Ctrl+C.",
        "stopped": "JupyterLab is gestopt.",
    },
    "en": {
        "copied": "copied: {name}",
        "unchanged": "already there (unchanged): {name}",
        "kept": "skipped: {name} already exists and was edited; your version is kept",
        "start": "Starting JupyterLab in {folder}. Stop it with Ctrl+C.",
        "stopped": "JupyterLab has stopped.",
    },
}


class NotebookError(ConvolabError, OSError):
    """Something the notebooks need is missing (the notebooks folder, or JupyterLab)."""


@dataclass
class CopyReport:
    """What :func:`copy_notebooks` did, file by file (paths inside the target folder)."""

    folder: Path
    copied: list[Path] = field(default_factory=list)  # new copies
    unchanged: list[Path] = field(default_factory=list)  # already there, same as the original
    kept: list[Path] = field(default_factory=list)  # already there and different: left alone

    def lines(self, lang: str = "nl") -> list[str]:
        """One line per file, in Dutch or English."""
        m = _MESSAGES[_lang(lang)]
        out = [m["copied"].format(name=p.name) for p in self.copied]
        out += [m["unchanged"].format(name=p.name) for p in self.unchanged]
        out += [m["kept"].format(name=p.name) for p in self.kept]
        return out


def _lang(lang) -> str:
    if not isinstance(lang, str):
        raise TypeError(f"lang must be a string, one of {', '.join(LANGS)}; got {lang!r}")
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang


def notebooks_source() -> Path:
    """The folder with the shipped ``nl/`` and ``en/`` notebooks (convolab's package data)."""
    from .content.notebook import notebooks_dir

    folder = notebooks_dir()
    if not any((folder / lang).is_dir() for lang in LANGS):
        raise NotebookError("notebooks_folder_missing", folder=str(folder))
    return folder


def notebook_role(path: Path) -> str:
    """'pupil' or 'teacher', from the notebook's metadata (``metadata.convolab.role``)."""
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError) as exc:
        raise NotebookError("notebook_unreadable", path=str(path), detail=str(exc)) from None
    role = meta.get("convolab", {}).get("role", "pupil")
    return role if role in ROLES else "pupil"


def notebook_files(lang: str = "nl", *, teacher: bool = False, source=None) -> list[Path]:
    """The notebooks of one language: the pupils' ones, plus the teacher's if ``teacher``."""
    lang = _lang(lang)
    folder = (Path(source) if source is not None else notebooks_source()) / lang
    files = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    files = [f for f in files if teacher or notebook_role(f) == "pupil"]
    if not files:
        raise NotebookError("notebooks_none", folder=str(folder))
    return files


def copy_notebooks(folder, lang: str = "nl", *, teacher: bool = False, source=None) -> CopyReport:
    """Copy the notebooks of ``lang`` into ``folder`` (created if needed).

    An existing file is never overwritten: it is reported as ``unchanged`` when it equals
    the original and as ``kept`` when it differs (the user's edited copy).
    """
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"folder must be a path; got {type(folder).__name__}")
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise NotebookError("notebooks_target_is_file", target=str(target))
    files = notebook_files(lang, teacher=teacher, source=source)
    target.mkdir(parents=True, exist_ok=True)
    report = CopyReport(target)
    for src in files:
        dest = target / src.name
        data = src.read_bytes()
        try:
            with open(dest, "xb") as fh:  # "x": fails if the file exists, never overwrites
                fh.write(data)
        except FileExistsError:
            (report.unchanged if dest.read_bytes() == data else report.kept).append(dest)
        else:
            report.copied.append(dest)
    return report


def has_jupyterlab(python=None) -> bool:
    """Whether the Python interpreter ``python`` (default: this one) can run JupyterLab."""
    cmd = [
        str(python or sys.executable),
        "-c",
        "import importlib.util, sys; sys.exit(importlib.util.find_spec('jupyterlab') is None)",
    ]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def open_notebooks(
    folder,
    lang: str = "nl",
    browser: bool = True,
    *,
    teacher: bool = False,
    start: bool = True,
    python=None,
) -> CopyReport:
    """Copy the notebooks into ``folder`` and start JupyterLab there.

    ``browser=False`` starts JupyterLab without opening a browser (it prints the address).
    ``teacher=True`` also copies the teacher notebooks (with the answers).
    ``start=False`` only copies. ``python`` is the interpreter that runs JupyterLab
    (default: this one). Blocks until JupyterLab stops.
    """
    lang = _lang(lang)
    python = str(python or sys.executable)
    if start and not has_jupyterlab(python):
        raise NotebookError("jupyter_missing", python=str(python))
    report = copy_notebooks(folder, lang, teacher=teacher)
    for line in report.lines(lang):
        print(line)
    if not start:
        return report
    print(_MESSAGES[lang]["start"].format(folder=report.folder))
    cmd = [python, "-m", "jupyterlab", f"--notebook-dir={report.folder}"]
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # e.g. in a container; JupyterLab refuses root otherwise
    proc = subprocess.Popen(cmd)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        # Ctrl+C: ask JupyterLab to shut down its kernels and stop (SIGTERM), without the
        # "Shutdown this Jupyter server (y/[n])?" question it asks on a single Ctrl+C.
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        print(_MESSAGES[lang]["stopped"])
        return report
    if code != 0:
        raise NotebookError("jupyter_exit", exit_code=code)
    return report
