"""Odd input on the command line: exit code 2 and one line, in Dutch or English.

Real subprocesses: the exit code, stderr and the absence of a traceback are what a user sees.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pytest
from english_words import english_words
from PIL import Image


def run(args, lang="en", **kw):
    env = {**os.environ, "CONVOLAB_LANG": lang}
    return subprocess.run(
        [sys.executable, "-m", "convolab.cli", *args],
        capture_output=True,
        timeout=120,
        env=env,
        **kw,
    )


def one_line(r) -> str:
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2, (r.returncode, err)
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _image_file(tmp_path, fmt: str) -> str:
    path = tmp_path / f"photo.{fmt.lower()}"
    buf = io.BytesIO()
    Image.fromarray(np.full((16, 16, 3), 120, np.uint8)).save(buf, format=fmt)
    path.write_bytes(buf.getvalue())
    return str(path)


ODD = [
    ("slashes", ["--kernel", "1" + "/1" * 1000], ["row 1, column 1", "at most 40"]),
    ("two slashes", ["--kernel", "1/2/3"], ["more than one '/'"]),
    ("huge number", ["--kernel", "1e999"], ["too large"]),
    ("empty kernel", ["--kernel", "  "], ["empty"]),
    ("unknown filter", ["-f", "sobl-x"], ["Did you mean 'sobel-x'?"]),
    ("unknown border", ["-f", "blur", "--border", "mirror"], ["unknown border 'mirror'"]),
]


@pytest.mark.parametrize("name, extra, words", ODD, ids=[o[0] for o in ODD])
def test_odd_kernels_and_options_exit_2_with_one_line(tmp_path, name, extra, words):
    args = ["apply", "sample:camera", *extra, "-o", str(tmp_path / "out.png")]
    en = one_line(run(args))
    assert en.startswith("convolab: error:")
    for w in words:
        assert w in en, en
    nl = one_line(run(args, lang="nl"))
    assert nl.startswith("convolab: fout:") and english_words(nl) == [], nl


@pytest.mark.parametrize("fmt", ["ICO", "TGA", "PPM", "PCX"])
def test_image_formats_not_offered_are_refused_by_name(tmp_path, fmt):
    path = _image_file(tmp_path, fmt)
    args = ["apply", path, "-f", "blur", "-o", str(tmp_path / "out.png")]
    line = one_line(run(args))
    assert f"is a {fmt} file" in line and "PNG, JPEG, WebP, GIF" in line
    nl = one_line(run(args, lang="nl"))
    assert f"{fmt}-bestand" in nl and english_words(nl) == [], nl
    assert not (tmp_path / "out.png").exists()


def test_invalid_utf8_in_an_argument(tmp_path):
    args = [b"apply", b"sample:camera", b"--kernel", b"1 \xff\xfe 1", b"-o", b"out.png"]
    r = subprocess.run(
        [sys.executable.encode(), b"-m", b"convolab.cli", *args],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "CONVOLAB_LANG": "en"},
    )
    assert "is not a number" in one_line(r)


def test_a_path_that_is_not_utf8_or_not_there(tmp_path):
    r = run([b"apply", b"/nonexistent/\xff.png", b"-f", b"blur", b"-o", b"out.png"], cwd=tmp_path)
    assert "no such file" in one_line(r)


def test_damaged_and_empty_files(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x00" * 64)
    for path in (empty, junk):
        line = one_line(run(["apply", str(path), "-f", "blur", "-o", str(tmp_path / "o.png")]))
        assert "not an image" in line or "damaged" in line, line


def test_the_locale_chooses_dutch():
    from convolab.cli import cli_lang

    assert cli_lang({"LANG": "nl_NL.UTF-8"}) == "nl"
    assert cli_lang({"LANG": "en_GB.UTF-8"}) == "en"
    assert cli_lang({"CONVOLAB_LANG": "en", "LANG": "nl_BE.UTF-8"}) == "en"
    assert cli_lang({}) == "en"


def test_a_file_where_the_notebooks_folder_goes_exits_2_in_dutch(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("not a folder")
    args = ["notebook", str(target), "--no-browser"]
    nl = one_line(run(args, lang="nl"))
    assert "notes.txt is een bestand, geen map" in nl and english_words(nl) == []
    assert "is a file, not a folder" in one_line(run(args, lang="en"))
