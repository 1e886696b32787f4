"""The "Convoluties in Python" notebooks: built by notebooks/build.py from their jupytext
sources, shipped executed (outputs and small figures), the same in Dutch and English, every
filter they name exists, and each runs top to bottom, offline, in under two minutes, with
working widgets, and again in any order a pupil would use."""

from __future__ import annotations

import base64
import os
import re
import sys
import time

import nbformat
import pytest
from _nbtools import (
    code_skeleton,
    filter_names,
    filter_names_in_code,
    filter_names_in_markdown,
    load_build,
    notebook_paths,
    read,
    tags,
)

import convolab as cl

PATHS = notebook_paths()
IDS = [f"{lang}-{role}" for lang, role in PATHS]
TIME_LIMIT = 120  # seconds per notebook, kernel start included

# What the self-check cells of exercises 7 and 8 print, per language.
NOT_FILLED_IN = {"nl": "Nog niet ingevuld.", "en": "Not filled in yet."}
RIGHT = {"nl": "Juist!", "en": "Correct!"}


def test_the_four_notebooks_exist_with_their_language_and_role():
    assert set(PATHS) == {(lang, role) for lang in ("nl", "en") for role in ("pupil", "teacher")}
    for (lang, role), path in PATHS.items():
        meta = read(path).metadata
        assert meta["convolab"]["lang"] == lang, path
        assert meta["convolab"]["role"] == role, path
        assert meta["kernelspec"]["name"] == "python3", path


@pytest.mark.parametrize("key", list(PATHS), ids=IDS)
def test_shipped_notebook_is_built_from_its_source(key):
    build = load_build()
    shipped = read(PATHS[key])
    assert build.skeleton(shipped) == build.skeleton(build.build(*key)), (
        f"{PATHS[key].name} differs from {build.SOURCES[key[0]].name}: edit the source and run "
        "`.venv/bin/python notebooks/build.py`"
    )
    assert shipped.metadata["convolab"]["built_from"].startswith("notebooks/")


def test_the_build_check_notices_an_edited_source(tmp_path, monkeypatch):
    build = load_build()
    assert build.check() == []
    source = build.read_source("nl")
    source.cells[0].source += "\nnog een zin"
    edited = tmp_path / "edited.py"
    import jupytext

    jupytext.write(source, edited, fmt="py:percent")
    monkeypatch.setitem(build.SOURCES, "nl", edited)
    stale = build.check()
    assert len(stale) == 2 and all("differs from edited.py" in line for line in stale)


def test_sources_are_percent_files_with_known_tags():
    build = load_build()
    known = {"exercise", "answer", "pupil", "teacher", "teacher-note"}
    for lang, path in build.SOURCES.items():
        text = path.read_text(encoding="utf-8")
        assert "format_name: percent" in text and "# %%" in text, path
        source = build.read_source(lang)
        for cell in source.cells:
            extra = set(tags(cell)) - known
            assert all(t.startswith("exercise-") for t in extra), (path.name, tags(cell))
            if "pupil" in tags(cell) or "teacher" in tags(cell):
                assert "answer" in tags(cell), cell.source[:60]
        # every answer comes as a pupil cell followed by its teacher cell
        answers = [c for c in source.cells if "answer" in tags(c)]
        assert len(answers) % 2 == 0 and len(answers) >= 18
        for pupil, teacher in zip(answers[::2], answers[1::2], strict=True):
            assert "pupil" in tags(pupil) and "teacher" in tags(teacher)
            assert set(tags(pupil)) - {"pupil"} == set(tags(teacher)) - {"teacher"}


@pytest.mark.parametrize("key", list(PATHS), ids=IDS)
def test_notebooks_are_shipped_executed_with_small_figures(key):
    nb = read(PATHS[key])
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    images = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 15
    for data in images:
        png = base64.b64decode(data)
        assert png.startswith(b"\x89PNG")
        width = int.from_bytes(png[16:20], "big")
        assert width <= load_build().MAX_IMAGE_WIDTH
    assert PATHS[key].stat().st_size < 1_500_000, f"{PATHS[key].name} is too large"


def test_dutch_notebooks_show_no_english_output():
    """What the code prints in a Dutch notebook is Dutch (the step table, the learner's status)."""
    english = re.compile(r"\b(window|kernel|products|sum|converged|learning|diverged|error)\b")
    for role in ("pupil", "teacher"):
        nb = read(PATHS["nl", role])
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for out in cell.outputs:
                if "application/vnd.jupyter.widget-view+json" in out.get("data", {}):
                    continue  # a widget: Jupyter draws it, its text form is never shown
                text = out.get("text", "") or out.get("data", {}).get("text/plain", "")
                found = english.findall(text)
                assert not found, f"{found} in the output of:\n{cell.source[:120]}"


@pytest.mark.parametrize("role", ["pupil", "teacher"])
def test_dutch_and_english_have_the_same_structure(role):
    nl, en = read(PATHS["nl", role]), read(PATHS["en", role])
    assert [c.cell_type for c in nl.cells] == [c.cell_type for c in en.cells]
    assert [tags(c) for c in nl.cells] == [tags(c) for c in en.cells]
    code_nl = [c.source for c in nl.cells if c.cell_type == "code"]
    code_en = [c.source for c in en.cells if c.cell_type == "code"]
    assert len(code_nl) == len(code_en) > 10
    for i, (a, b) in enumerate(zip(code_nl, code_en, strict=True)):
        assert code_skeleton(a) == code_skeleton(b), f"code cell {i} differs:\n{a}\n---\n{b}"


def test_code_skeleton_ignores_comments_and_strings_but_not_code():
    assert code_skeleton('show(x, titles=["foto"])  # toon') == code_skeleton(
        'show(x, titles=["photo"])  # show'
    )
    assert code_skeleton('f"{a} rijen"') == code_skeleton('f"{b} rows"')
    assert code_skeleton("show(x)") != code_skeleton("show(y)")
    assert code_skeleton("a = 1") != code_skeleton("a = 2")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pupil_and_teacher_notebooks_differ_only_in_the_answers(lang):
    pupil = read(PATHS[lang, "pupil"])
    teacher = read(PATHS[lang, "teacher"])
    assert not any("teacher-note" in tags(c) for c in pupil.cells)
    assert any("teacher-note" in tags(c) for c in teacher.cells)
    teacher_cells = [c for c in teacher.cells if "teacher-note" not in tags(c)]
    assert len(teacher_cells) == len(pupil.cells)
    answers = 0
    for p, t in zip(pupil.cells, teacher_cells, strict=True):
        assert tags(p) == tags(t)
        if "answer" in tags(p):
            answers += 1
            assert p.source != t.source, f"the teacher's answer equals the pupil cell {p.id}"
        else:
            assert p.source == t.source
    assert answers >= 9


@pytest.mark.parametrize("key", list(PATHS), ids=IDS)
def test_every_exercise_is_followed_by_its_answer_cell(key):
    cells = [c for c in read(PATHS[key]).cells if "teacher-note" not in tags(c)]
    exercises = [i for i, c in enumerate(cells) if "exercise" in tags(c)]
    assert len(exercises) >= 9
    for n, i in enumerate(exercises, start=1):
        nxt = cells[i + 1]
        assert nxt.cell_type == "code" and "answer" in tags(nxt), cells[i].source[:60]
        assert f"exercise-{n}" in tags(nxt)


def test_every_filter_name_the_notebooks_mention_exists():
    for path in PATHS.values():
        names = filter_names(read(path))
        assert len(names) >= 5, f"{path.name}: only found {sorted(names)}"
        for name in sorted(names):
            cl.kernel(name)  # raises ValueError for an unknown name


def test_the_filter_name_check_finds_names_in_code_and_text():
    code = 'k = cl.kernel("sobel-x")\nout = cl.correlate(img, "embos", padding="valid")\n'
    code += 'cl.explain(img, kernel="blurr", at=(0, 0))\nprint("edge")'
    assert filter_names_in_code(code) == {"sobel-x", "embos", "blurr"}
    text = 'Gebruik `cl.kernel("sobel-y")` of `cl.correlate(foto, "sharpn")`.'
    assert filter_names_in_markdown(text) == {"sobel-y", "sharpn"}
    with pytest.raises(ValueError, match="unknown filter"):
        cl.kernel("embos")


# --------------------------------------------------------------------------------------
# Running the notebooks
# --------------------------------------------------------------------------------------

# Runs first: refuse any network connection that leaves this machine, and check that the
# kernel is this virtualenv's Python.
GUARD = f"""
import socket, sys
assert sys.prefix == {sys.prefix!r}, sys.prefix

_connect = socket.socket.connect

def _local_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and self.family != socket.AF_UNIX:
        raise OSError(f"the notebook tried to reach {{address!r}}: notebooks must work offline")
    return _connect(self, address)

socket.socket.connect = _local_only
"""

# Runs last: drive the widgets the way a pupil would, and check what they show.
WIDGETS = """
import datetime

filter_choice.value = "sobel-x"
sobel = cl.kernel("sobel-x")
assert filter_info.value == sobel.about(LANG), filter_info.value
shown = cl.load_image(filter_result.value)
assert np.array_equal(shown, cl.to_display(cl.correlate(piece, sobel), sobel.display))

try:
    cl.parse_kernel("1 2; 3")
except ValueError as error:
    expected_error = message(error, LANG)
kernel_text.value = "1 2; 3"
assert expected_error in kernel_message.value, kernel_message.value
display_choice.value = "offset"
kernel_text.value = "1/9 1/9 1/9\\n1/9 1/9 1/9\\n1/9 1/9 1/9"
assert "3 × 3" in kernel_message.value and expected_error not in kernel_message.value
shown = cl.load_image(kernel_result.value)
assert np.array_equal(shown, cl.to_display(cl.correlate(piece, cl.box(3)), "offset"))

mode_choice.value = "convolve"
position.value = 4
assert step_info.value.endswith(f"= {cl.convolve(M, K, padding='valid')[1, 1]:g}"), step_info.value
mode_choice.value = "correlate"
position.value = out_rows * out_cols - 1
assert step_info.value.endswith(f"= {cl.correlate(M, K, padding='valid')[-1, -1]:g}")
assert "<pre>" in step_table.value

png = cl.encode_image(cl.sample("coins")[:50, :60])
upload.value = ({"name": "own.png", "type": "image/png", "size": len(png), "content": memoryview(png),
                 "last_modified": datetime.datetime.now(datetime.timezone.utc)},)
assert own_photo().shape == (50, 60)
print("widgets ok")
"""


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("key", list(PATHS), ids=IDS)
def test_notebook_runs_top_to_bottom_offline(key, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    lang, role = key
    nb = read(PATHS[key])
    n = len(nb.cells)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    nb.cells.append(nbformat.v4.new_code_cell(WIDGETS))
    client = NotebookClient(
        nb,
        timeout=TIME_LIMIT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    print(f"{PATHS[key].name}: {seconds:.1f} s")
    assert seconds < TIME_LIMIT

    cells = nb.cells[1 : n + 1]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{cell.source[:80]}\n{out}"
            assert out.get("name") != "stderr", f"{cell.source[:80]}\n{out.get('text')}"
    assert "widgets ok" in _stdout(nb.cells[-1])

    # Every cell that draws with show(...) at top level produced a picture.
    drawn = [c for c in cells if c.cell_type == "code" and "\nshow(" in "\n" + c.source]
    assert len(drawn) >= 10
    for cell in drawn:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source[:80]

    # Exercises 7 and 8 check the pupil's number: empty for pupils, right for teachers.
    for number in (7, 8):
        (answer,) = [c for c in cells if f"exercise-{number}" in tags(c)]
        expected = NOT_FILLED_IN[lang] if role == "pupil" else RIGHT[lang]
        assert expected in _stdout(answer), _stdout(answer)

    if role == "teacher":  # exercise 9 saves a picture in the working folder
        assert any(p.suffix == ".png" for p in tmp_path.iterdir())
    else:
        assert not any(tmp_path.iterdir()), os.listdir(tmp_path)


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_cells_run_again_in_the_order_a_pupil_would_use(lang, tmp_path, monkeypatch):
    """After the whole notebook, a pupil scrolls back and runs a cell again, any cell, without
    the ones above it: every code cell, from the last to the first (section 5 after section
    11, the step-by-step widget after the PyTorch loop, ...). No name a later section uses
    may break an earlier one."""
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = read(PATHS[lang, "pupil"])
    code = [nbformat.v4.new_code_cell(c.source) for c in nb.cells if c.cell_type == "code"]
    again = [nbformat.v4.new_code_cell(c.source) for c in reversed(code)]
    nb.cells = [nbformat.v4.new_code_cell(GUARD), *code, *again]
    NotebookClient(
        nb,
        timeout=TIME_LIMIT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{cell.source[:80]}\n{out}"
    # the smoothing cell of section 5, run again after section 11, draws the same picture
    (noise,) = [c for c in code if "edges_smoothed" in c.source]
    (noise_again,) = [c for c in again if "edges_smoothed" in c.source]
    pictures = [o["data"]["image/png"] for o in noise.outputs if "image/png" in o.get("data", {})]
    assert pictures
    assert pictures == [
        o["data"]["image/png"] for o in noise_again.outputs if "image/png" in o.get("data", {})
    ]
