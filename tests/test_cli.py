"""The convolab command: real subprocesses where the exit code matters."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import convolab as cl
from convolab.cli import main


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "convolab.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CONVOLAB_LANG": "en"},
    )


def test_filters_lists_every_catalogue_entry_in_dutch_and_english(capsys):
    assert main(["filters"]) == 0
    nl = capsys.readouterr().out
    assert main(["filters", "--lang", "en"]) == 0
    en = capsys.readouterr().out
    for k in cl.kernels():
        assert f"{k.id}  —  {k.name_nl}" in nl
        assert f"{k.id}  —  {k.name_en}" in en
    assert "1/9 1/9 1/9" in nl  # the blur grid as pupils write it


def test_apply_writes_what_the_library_computes(tmp_path):
    out = tmp_path / "edges.png"
    assert main(["apply", "sample:camera", "-f", "edge", "-o", str(out)]) == 0
    expected = cl.to_display(cl.correlate(cl.sample("camera"), "edge"), cl.kernel("edge").display)
    np.testing.assert_array_equal(cl.load_image(out), expected)


def test_apply_typed_kernel_with_options(tmp_path):
    src = tmp_path / "in.png"
    cl.save_image(src, cl.sample("astronaut")[:60, :80])
    out = tmp_path / "o.png"
    args = [
        "apply",
        str(src),
        "--kernel",
        "1 0 -1; 2 0 -2; 1 0 -1",
        "--convolve",
        "--padding",
        "valid",
        "--border",
        "reflect",
        "--stride",
        "2",
        "--dilation",
        "1,2",
        "--mapping",
        "offset",
        "-o",
        str(out),
    ]
    assert main(args) == 0
    raw = cl.convolve(
        cl.load_image(src),
        "sobel-left",
        padding="valid",
        border="reflect",
        stride=2,
        dilation=(1, 2),
    )
    np.testing.assert_array_equal(cl.load_image(out), cl.to_display(raw, "offset"))


def test_apply_folder_writes_one_output_per_image(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("a.png", "b.jpg"):
        cl.save_image(folder / name, cl.sample("coins")[:40, :40])
    (folder / "notes.txt").write_text("not an image")
    out = tmp_path / "out"
    assert main(["apply", str(folder), "-f", "blur", "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["a_blur.png", "b_blur.png"]


def test_explain_prints_window_products_and_the_core_sum(capsys):
    assert main(["explain", "sample:camera", "-f", "sobel-x", "--at", "10,20"]) == 0
    text = capsys.readouterr().out
    total = cl.correlate(cl.sample("camera"), "sobel-x")[10, 20]
    assert f"sum = {int(total)}" in text
    assert "window (input)" in text


@pytest.mark.parametrize(
    "args, words",
    [
        (["apply", "sample:camera", "-f", "edgee", "-o", "x.png"], "Did you mean 'edge'"),
        (["apply", "missing.jpg", "-f", "edge", "-o", "x.png"], "no such file"),
        (["apply", "sample:camera", "--kernel", "1 a", "-o", "x.png"], "not a number"),
        (["apply", "sample:camera", "-f", "edge", "-o", "x.txt"], "image extension"),
        (["apply", "sample:camera", "-f", "edge", "--border", "mirror", "-o", "x.png"], "border"),
        (["apply", "sample:camera", "-f", "edge", "--stride", "0", "-o", "x.png"], "stride"),
        (["explain", "sample:camera", "-f", "edge", "--at", "999,0"], "outside the output"),
        (["explain", "sample:camera", "-f", "edge", "--at", "3"], "--at"),
        (["bogus"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, words, tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "convolab.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("convolab: error:") and words in lines[0]
    assert "Traceback" not in r.stderr


def test_console_script_is_installed_and_runs():
    script = Path(sys.executable).parent / "convolab"
    r = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("convolab ")
    assert run("--version").stdout == r.stdout


def test_export_learning_objects_writes_dwengo_folders(tmp_path, capsys):
    from convolab.content import load_objects

    out = str(tmp_path / "out")
    assert main(["export-learning-objects", out, "--base-url", "https://convolab.example.org"]) == 0
    assert "files)" in capsys.readouterr().out
    exported = load_objects(tmp_path / "out")
    assert {(o.hruid, o.language) for o in exported} == {
        (o.hruid, o.language) for o in load_objects()
    }


def test_export_without_base_url_exits_2_with_one_line(tmp_path):
    r = run("export-learning-objects", str(tmp_path / "o"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--base-url" in r.stderr


def test_export_with_bad_base_url_exits_2(tmp_path):
    r = run("export-learning-objects", str(tmp_path / "o"), "--base-url", "not a url")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
