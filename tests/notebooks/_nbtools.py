"""Helpers for the notebook tests: where the notebooks are, their code without comments and
strings, and the catalogue filter names they mention."""

from __future__ import annotations

import ast
import functools
import importlib.util
import io
import re
import sys
import tokenize
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"


@functools.cache
def load_build():
    """The module notebooks/build.py (the one source of the four notebooks)."""
    name = "convolab_notebooks_build"
    spec = importlib.util.spec_from_file_location(name, NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def notebook_paths() -> dict[tuple[str, str], Path]:
    """(lang, role) -> path, as listed by build.py."""
    return dict(load_build().FILES)


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


_STRING_PARTS = {"FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"}  # Python >= 3.12


def code_skeleton(source: str) -> list[tuple[str, str]]:
    """The tokens of ``source`` without comments, with every string literal as 'STR'.

    Two cells with the same skeleton run the same code, whatever language their comments,
    titles and messages are in.
    """
    out: list[tuple[str, str]] = []
    in_fstring = 0
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        name = tokenize.tok_name[tok.type]
        if name in ("COMMENT", "NL", "ENCODING", "ENDMARKER"):
            continue
        if name == "FSTRING_START":
            in_fstring += 1
            if in_fstring == 1:
                out.append(("STRING", "STR"))
            continue
        if name == "FSTRING_END":
            in_fstring -= 1
            continue
        if in_fstring or name in _STRING_PARTS:
            continue
        out.append((name, "STR" if name == "STRING" else tok.string))
    return out


_CALLS_WITH_KERNEL_ARG = {"correlate": 1, "convolve": 1, "explain": 1, "steps": 1, "kernel": 0}
_MD_KERNEL = re.compile(r"""cl\.kernel\(\s*["']([^"']+)["']\s*\)""")
_MD_APPLY = re.compile(r"""cl\.(?:correlate|convolve)\([^,()]+,\s*["']([^"']+)["']""")


def filter_names_in_code(source: str) -> set[str]:
    """Names passed as a kernel to ``cl.kernel/correlate/convolve/explain/steps``."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "cl"):
            continue
        pos = _CALLS_WITH_KERNEL_ARG.get(node.func.attr)
        if pos is None:
            continue
        candidates = node.args[pos : pos + 1]
        candidates += [kw.value for kw in node.keywords if kw.arg in ("kernel", "name")]
        for arg in candidates:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
    return names


def filter_names_in_markdown(text: str) -> set[str]:
    return set(_MD_KERNEL.findall(text)) | set(_MD_APPLY.findall(text))


def filter_names(nb) -> set[str]:
    """Every catalogue filter name a notebook mentions in code or in its text."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            names |= filter_names_in_code(cell.source)
        names |= filter_names_in_markdown(cell.source)
    return names
