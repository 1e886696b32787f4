"""Border modes: every mapping to numpy, scipy and OpenCV pinned by the docstring's example.

The example pads the row ``1 2 3`` by two cells on each side; each library is
asked to do exactly that with the name convolab maps to, and must give the
documented row.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage

import convolab as cl
from convolab import borders
from convolab.borders import BORDERS, border_index, pad

# typed from the module docstring / issue 2
EXPECTED = {
    "zero": [0, 0, 1, 2, 3, 0, 0],
    "reflect": [3, 2, 1, 2, 3, 2, 1],
    "symmetric": [2, 1, 1, 2, 3, 3, 2],
    "replicate": [1, 1, 1, 2, 3, 3, 3],
    "wrap": [2, 3, 1, 2, 3, 1, 2],
}
ROW = np.array([1, 2, 3])


def test_the_five_borders():
    assert set(BORDERS) == set(EXPECTED)
    assert cl.BORDERS is BORDERS


@pytest.mark.parametrize("name", EXPECTED)
def test_example_string_matches(name):
    left, mid, right = BORDERS[name].example.split(" | ")
    assert [int(v) for v in f"{left} {mid} {right}".split()] == EXPECTED[name]
    assert mid == "1 2 3"
    # the docstring shows the same example
    line = next(ln for ln in borders.__doc__.splitlines() if ln.strip().startswith(name + " "))
    assert BORDERS[name].example in line


@pytest.mark.parametrize("name", EXPECTED)
def test_numpy_mapping(name):
    assert np.pad(ROW, 2, mode=BORDERS[name].numpy).tolist() == EXPECTED[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_scipy_mapping(name):
    """scipy.ndimage.correlate1d with a one-hot kernel of 5 (anchor at index 2) reads the
    extended row: output y with the one at index j is extended[y - 2 + j]."""
    row = ROW.astype(float)
    ext = {}
    for y in range(3):
        for j in range(5):
            w = np.zeros(5)
            w[j] = 1.0
            out = ndimage.correlate1d(row, w, mode=BORDERS[name].scipy, cval=0.0)
            ext[y - 2 + j] = out[y]
    assert [ext[i] for i in range(-2, 5)] == EXPECTED[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_opencv_mapping(name):
    src = ROW.astype(np.uint8)[None, :]
    out = cv2.copyMakeBorder(src, 0, 0, 2, 2, BORDERS[name].opencv, value=0)
    assert out[0].tolist() == EXPECTED[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_reference_pad(name):
    assert pad(ROW[None, :], (0, 0, 2, 2), name)[0].tolist() == EXPECTED[name]
    assert pad(ROW[:, None], (2, 2, 0, 0), name)[:, 0].tolist() == EXPECTED[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_border_index_zero_marks_outside(name):
    idx = border_index(np.arange(-2, 5), 3, name)
    if name == "zero":
        assert idx.tolist() == [-1, -1, 0, 1, 2, -1, -1]
    else:
        assert (ROW[idx]).tolist() == EXPECTED[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_names_and_descriptions(name):
    b = BORDERS[name]
    assert b.name == name
    assert b.nl and b.en and b.nl != b.en


@given(
    image=st.integers(1, 6).flatmap(
        lambda h: st.integers(1, 6).flatmap(
            lambda w: st.sampled_from([(h, w), (h, w, 3)]).flatmap(
                lambda s: arrays(np.int16, s, elements=st.integers(-99, 99))
            )
        )
    ),
    pads=st.tuples(*[st.integers(0, 20)] * 4),
    name=st.sampled_from(list(EXPECTED)),
)
def test_pad_any_width_matches_np_pad(image, pads, name):
    """Pads wider than the image (repeatedly mirrored / wrapped) are np.pad's."""
    t, b, left, r = pads
    width = ((t, b), (left, r)) + (((0, 0),) if image.ndim == 3 else ())
    want = np.pad(image, width, mode=BORDERS[name].numpy)
    got = pad(image, pads, name)
    assert got.dtype == image.dtype
    np.testing.assert_array_equal(got, want)


def test_pad_wide_examples():
    # typed by hand: 1 2 3 padded by 5 on the left
    assert pad(ROW[None], (0, 0, 5, 0), "reflect")[0, :5].tolist() == [2, 1, 2, 3, 2]
    assert pad(ROW[None], (0, 0, 5, 0), "symmetric")[0, :5].tolist() == [2, 3, 3, 2, 1]
    assert pad(ROW[None], (0, 0, 5, 0), "wrap")[0, :5].tolist() == [2, 3, 1, 2, 3]
    assert pad(np.array([[7]]), (0, 0, 3, 3), "reflect")[0].tolist() == [7] * 7


def test_pad_unknown_border():
    with pytest.raises(ValueError, match=r"border.*'reflect'.*Did you mean 'reflect'"):
        pad(ROW[None], (1, 1, 1, 1), "reflekt")
    with pytest.raises(TypeError, match="border must be a string"):
        pad(ROW[None], (1, 1, 1, 1), 0)


@pytest.mark.parametrize("name", list(EXPECTED))
@pytest.mark.parametrize(
    "dtype,channels", [(np.uint8, None), (np.uint8, 3), (np.float64, 3), (np.float32, 4)]
)
def test_opencv_padding_is_the_reference_gather(name, dtype, channels):
    from convolab.borders import gather_pad

    rng = np.random.default_rng(1)
    shape = (37, 52) + ((channels,) if channels else ())
    img = (rng.random(shape) * 255).astype(dtype)
    for pads in [(1, 1, 1, 1), (0, 2, 3, 0), (7, 7, 7, 7), (36, 0, 0, 51)]:
        for src in (img, img[:, ::-1]):  # contiguous and not
            got = pad(src, pads, name)
            assert got.dtype == src.dtype and got.shape[2:] == src.shape[2:]
            np.testing.assert_array_equal(got, gather_pad(src, pads, name))
