"""Sample photos: real, offline, with source and licence."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import skimage.data

import convolab as cl

IDS = [s.id for s in cl.samples()]


def test_the_issue_examples_are_there():
    assert {"camera", "astronaut", "coins", "chelsea", "coffee"} <= set(IDS)
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("name", IDS)
def test_sample_loads(name):
    img = cl.sample(name)
    assert img.dtype == np.uint8
    assert img.ndim in (2, 3) and (img.ndim == 2 or img.shape[2] == 3)
    assert min(img.shape[:2]) >= 100
    assert img.std() > 10, "a real photo, not a flat test card"
    np.testing.assert_array_equal(img, getattr(skimage.data, name)())


@pytest.mark.parametrize("s", cl.samples(), ids=lambda s: s.id)
def test_source_and_licence_match_scikit_image(s):
    """The licence we state is the one scikit-image's own documentation gives."""
    assert s.name_nl and s.name_en and s.source and s.licence
    doc = " ".join(getattr(skimage.data, s.loader).__doc__.split()).lower()
    lic = s.licence.lower()
    if "cc0" in lic:  # CC0 is a public-domain dedication
        assert "cc0" in doc or "public domain" in doc, f"{s.id}: {s.licence!r} vs {doc[-300:]}"
    if "public domain" in lic:
        assert "public domain" in doc, s.id
    if "no known copyright" in lic:
        assert "no known copyright" in doc, s.id
    d = s.to_dict()
    json.dumps(d)
    assert d["id"] == s.id and d["licence"] == s.licence and d["source"] == s.source
    assert d["shape"] == list(cl.sample(s.id).shape)
    assert d["colour"] == (cl.sample(s.id).ndim == 3)


def test_samples_work_offline():
    """In a fresh interpreter where every network connection fails, all samples load."""
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "import convolab as cl\n"
        "print(sum(cl.sample(s.id).size > 0 for s in cl.samples()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout) == len(IDS)


def test_sample_is_a_fresh_copy():
    a = cl.sample("camera")
    a[:] = 0
    assert cl.sample("camera").max() > 0
    assert cl.sample("camera").flags.writeable


def test_grey_option():
    from PIL import Image

    rgb = cl.sample("astronaut")
    grey = cl.sample("astronaut", grey=True)
    assert grey.shape == rgb.shape[:2] and grey.dtype == np.uint8
    np.testing.assert_array_equal(grey, np.asarray(Image.fromarray(rgb).convert("L")))
    np.testing.assert_array_equal(cl.sample("camera", grey=True), cl.sample("camera"))


def test_unknown_sample_suggests():
    with pytest.raises(ValueError, match=r"unknown sample 'camra'.*Did you mean 'camera'\?"):
        cl.sample("camra")
    with pytest.raises(ValueError, match=r"allowed: camera, astronaut"):
        cl.sample("zebra")
    with pytest.raises(TypeError, match="sample name must be a string"):
        cl.sample(None)
