"""The read-only notebook view: markdown sanitised, code escaped, saved outputs shown."""

from __future__ import annotations

import base64
import io

import nbformat
import pytest
from PIL import Image

from convolab import content
from convolab.content import render_notebook

from .test_render import assert_safe, parse


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (4, 3), 128).save(buf, format="PNG")
    return buf.getvalue()


def make_notebook() -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Convoluties\n\nUitleg <script>alert(1)</script>"),
        nbformat.v4.new_code_cell(
            "import convolab as cl\nprint('<b>', 1 < 2)",
            outputs=[
                nbformat.v4.new_output("stream", name="stdout", text="<b> True\n"),
                nbformat.v4.new_output(
                    "display_data", data={"image/png": base64.b64encode(png_bytes()).decode()}
                ),
                nbformat.v4.new_output(
                    "execute_result",
                    data={"text/html": "<b>vet</b><script>alert(2)</script>", "text/plain": "x"},
                    execution_count=1,
                ),
                nbformat.v4.new_output(
                    "error",
                    ename="ValueError",
                    evalue="kapot",
                    traceback=["\x1b[31mValueError\x1b[0m: kapot"],
                ),
            ],
        ),
        nbformat.v4.new_raw_cell("<i>raw</i>"),
    ]
    return nbformat.from_dict(nb)


def test_cells_and_outputs_are_shown_safely(tmp_path):
    file = tmp_path / "n.ipynb"
    nbformat.write(make_notebook(), str(file))
    html = render_notebook(file)
    assert "<script" not in html
    assert_safe(html.replace('src="data:image/png', 'src="/x'))  # data: images are the outputs
    doc = parse(html)
    text = "".join(doc.text)
    assert "import convolab as cl" in text and "print('<b>', 1 < 2)" in text  # escaped, shown
    assert "<b> True" in text
    assert "ValueError: kapot" in text and "\x1b" not in text
    imgs = [a["src"] for t, a in doc.tags if t == "img"]
    assert len(imgs) == 1 and base64.b64decode(imgs[0].split(",", 1)[1]) == png_bytes()
    assert ("b", {}) in doc.tags  # the HTML output keeps its safe part
    assert "<i>raw</i>" not in html and "&lt;i&gt;raw" in html
    assert [t for t, _ in doc.tags if t == "h1"] == ["h1"]


def test_bad_image_data_is_left_out():
    nb = make_notebook()
    nb.cells[1].outputs = [
        nbformat.v4.new_output(
            "display_data", data={"image/png": "not base64 !!", "text/plain": "fallback"}
        )
    ]
    html = render_notebook(nb)
    assert "<img" not in html and "fallback" in html


def test_bad_notebooks(tmp_path):
    with pytest.raises(ValueError, match="notebook not found"):
        render_notebook(tmp_path / "missing.ipynb")
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not a valid .ipynb"):
        render_notebook(bad)
    with pytest.raises(ValueError, match="'cells' list"):
        render_notebook({"nbformat": 4})
    with pytest.raises(ValueError, match="lang must be one of nl, en"):
        content.notebook_path("de")


def test_notebooks_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVOLAB_NOTEBOOKS_DIR", str(tmp_path))
    assert content.notebook_path("en") == tmp_path / "en" / "convolutions_in_python.ipynb"
    monkeypatch.delenv("CONVOLAB_NOTEBOOKS_DIR")
    # package data beside the objects, found through importlib.resources (works from a wheel)
    assert content.notebooks_dir() == content.OBJECTS_DIR.parent / "notebooks"
    assert content.notebook_path("nl", teacher=True).name == "convoluties_in_python_leraar.ipynb"


def test_the_notebooks_are_found_in_one_place_only():
    """One function finds the notebooks; nothing else guesses a path to them."""
    import inspect

    from convolab import notebooks

    assert notebooks.notebooks_source() == content.notebooks_dir()
    assert "parents[" not in inspect.getsource(notebooks)
    assert "parents[" not in inspect.getsource(content.notebook)


def test_widget_outputs_are_left_out_of_the_view():
    nb = nbformat.v4.new_notebook()
    widget = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "w = widgets.IntSlider()\ndisplay(w)",
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        "application/vnd.jupyter.widget-view+json": widget,
                        "text/plain": "IntSlider(value=0)",
                    },
                )
            ],
        )
    ]
    html = render_notebook(nb)
    assert "IntSlider(value=0)" not in html and "w = widgets.IntSlider()" in html


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_real_notebook_renders(lang):
    path = content.notebook_path(lang)
    assert path.is_file(), f"{path} is missing"
    html = render_notebook(path)
    assert "<script" not in html
    assert html.count('class="nb-cell') == len(nbformat.read(str(path), as_version=4).cells)
