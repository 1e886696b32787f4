"""Convolution arithmetic: output_size against PyTorch and brute force; the "same" anchor;
the explained formula in Dutch and English."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import convolab as cl
from convolab.geometry import make_plan


def torch_size(i, k, p, s, d):
    """Output length of torch's conv2d along one axis (shape only, on the meta device)."""
    x = torch.empty(1, 1, i, 1, device="meta")
    w = torch.empty(1, 1, k, 1, device="meta")
    try:
        return F.conv2d(x, w, padding=(p, 0), stride=(s, 1), dilation=(d, 1)).shape[2]
    except RuntimeError:
        return None  # kernel larger than the padded input


def brute_force(i, k, before, after, s, d):
    """Count the window positions: start at 0, s, 2s, ... while the whole dilated kernel fits."""
    n = i + before + after
    starts = [r for r in range(0, n, s) if r + (k - 1) * d < n]
    return len(starts) or None


GRID = list(itertools.product(range(1, 11), range(1, 6), range(0, 4), range(1, 4), range(1, 4)))


def test_output_size_equals_torch_and_brute_force_for_every_combination():
    checked = 0
    for i, k, p, s, d in GRID:
        want = torch_size(i, k, p, s, d)
        assert want == brute_force(i, k, p, p, s, d)
        if want is None:
            with pytest.raises(ValueError, match="larger than the padded input"):
                cl.output_size(i, k, padding=p, stride=s, dilation=d)
            continue
        assert cl.output_size(i, k, padding=p, stride=s, dilation=d) == want, (i, k, p, s, d)
        # the formula, typed here
        assert want == math.floor((i + 2 * p - k - (k - 1) * (d - 1)) / s) + 1
        checked += 1
    assert checked > 1000


@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    p=st.one_of(st.integers(0, 4), st.tuples(st.integers(0, 4), st.integers(0, 4))),
    s=st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))),
    d=st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))),
)
def test_correlate_shape_equals_torch_conv2d_shape(h, w, kh, kw, p, s, d):
    """Rectangular images and kernels, int or (rows, cols) for padding, stride, dilation."""

    def two(v):
        return v if isinstance(v, tuple) else (v, v)

    x = torch.empty(1, 1, h, w, device="meta")
    k = torch.empty(1, 1, kh, kw, device="meta")
    try:
        want = tuple(F.conv2d(x, k, padding=two(p), stride=two(s), dilation=two(d)).shape[2:])
    except RuntimeError:
        with pytest.raises(ValueError, match="larger than the padded image"):
            cl.correlate(np.zeros((h, w)), np.ones((kh, kw)), padding=p, stride=s, dilation=d)
        return
    got = cl.correlate(np.zeros((h, w)), np.ones((kh, kw)), padding=p, stride=s, dilation=d)
    assert got.shape == want
    assert want == (
        cl.output_size(h, kh, padding=two(p)[0], stride=two(s)[0], dilation=two(d)[0]),
        cl.output_size(w, kw, padding=two(p)[1], stride=two(s)[1], dilation=two(d)[1]),
    )


def test_named_paddings():
    for i, k, s, d in itertools.product(range(1, 12), range(1, 7), (1, 2, 3), (1, 2)):
        check_named_paddings(i, k, s, d)


def check_named_paddings(i, k, s, d):
    ke = (k - 1) * d + 1
    assert cl.output_size(i, k, padding="same", stride=s, dilation=d) == math.ceil(i / s)
    assert cl.output_size(i, k, padding="full", stride=s, dilation=d) == (i + ke - 2) // s + 1
    if ke <= i:
        assert cl.output_size(i, k, padding="valid", stride=s, dilation=d) == (i - ke) // s + 1
    else:
        with pytest.raises(ValueError):
            cl.output_size(i, k, padding="valid", stride=s, dilation=d)
    if s == 1:
        assert cl.output_size(i, k, padding="full", dilation=d) == i + ke - 1
    same = cl.explain_output_size(i, k, padding="same", stride=s, dilation=d)
    assert same.pad_before + same.pad_after == ke - 1
    # the anchor is index k // 2: the extra cell of an even (effective) size is padded before
    assert same.pad_before == ke // 2
    assert same.pad_before - same.pad_after == (1 if ke % 2 == 0 else 0)


@pytest.mark.parametrize("border", list(cl.BORDERS))
@pytest.mark.parametrize("k_shape", [(2, 2), (4, 3), (1, 2), (6, 5)])
def test_same_anchor_is_cell_k_over_2(k_shape, border):
    """A kernel with a single 1 at index (kh // 2, kw // 2) is the identity for "same":
    that cell is the one on top of the output pixel."""
    img = np.random.default_rng(3).integers(0, 256, (7, 9)).astype(np.uint8)
    k = np.zeros(k_shape)
    k[k_shape[0] // 2, k_shape[1] // 2] = 1.0
    np.testing.assert_array_equal(cl.correlate(img, k, padding="same", border=border), img)
    # one cell earlier is a shifted image, not the identity
    k2 = np.zeros(k_shape)
    k2[k_shape[0] // 2 - 1, k_shape[1] // 2 - 1] = 1.0
    assert not np.array_equal(cl.correlate(img, k2, padding="same", border=border), img)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
def test_torch_same_puts_the_extra_cell_after():
    """Documented in geometry: PyTorch's padding="same" pads the extra cell of an even
    kernel after; convolab (like scipy.ndimage and cv2.filter2D) pads it before."""
    rng = np.random.default_rng(4)
    img = rng.normal(size=(6, 7))
    k = rng.normal(size=(4, 2))
    x = torch.from_numpy(img)[None, None]
    w = torch.from_numpy(k)[None, None]
    torch_same = F.conv2d(x, w, padding="same")[0, 0].numpy()
    after = F.conv2d(F.pad(x, (0, 1, 1, 2)), w)[0, 0].numpy()  # (left, right, top, bottom)
    before = F.conv2d(F.pad(x, (1, 0, 2, 1)), w)[0, 0].numpy()
    np.testing.assert_allclose(torch_same, after, atol=1e-12)
    np.testing.assert_allclose(cl.correlate(img, k, padding="same"), before, atol=1e-12)
    assert not np.allclose(torch_same, before)


def test_docstring_numbers():
    assert cl.output_size(5, 3) == 3
    assert cl.output_size(5, 3, padding=1, stride=2) == 3
    assert cl.output_size(7, 3, padding="same", stride=2) == 4


def test_explain_output_size_whole_division():
    e = cl.explain_output_size(7, 3, padding=1, stride=2)
    assert (e.i, e.k, e.pad_before, e.pad_after, e.stride, e.dilation) == (7, 3, 1, 1, 2, 1)
    assert (e.effective, e.numerator, e.value, e.remainder, e.exact) == (3, 6, 4, 0, True)
    assert e.formula() == "o = ⌊(7 + 2·1 − 3 − (3−1)·(1−1)) / 2⌋ + 1 = ⌊6 / 2⌋ + 1 = 4"
    assert e.text("nl") == f"Uitvoergrootte: {e.formula()}."
    assert e.text("en") == f"Output size: {e.formula()}."


def test_explain_output_size_remainder_nl_en():
    e = cl.explain_output_size(10, 3, padding=0, stride=3, dilation=2)
    # effective size (3-1)*2+1 = 5; 10 - 5 = 5; 5 // 3 = 1 rest 2; o = 2
    assert (e.effective, e.numerator, e.value, e.remainder, e.exact) == (5, 5, 2, 2, False)
    assert "⌊5 / 3⌋ + 1 = 2" in e.formula()
    nl, en = e.text("nl"), e.text("en")
    assert "gaat niet op" in nl and "rest 2" in nl and "laatste 2" in nl
    assert "not whole" in en and "remainder 2" in en and "last 2" in en
    assert nl != en
    d = e.to_dict()
    assert d["value"] == 2 and d["remainder"] == 2 and d["exact"] is False
    assert d["text_nl"] == nl and d["text_en"] == en and d["formula"] == e.formula()


def test_remainder_counts_the_cells_no_window_covers():
    """remainder = cells at the end of the padded input that no window uses."""
    for i, k, p, s, d in GRID:
        try:
            e = cl.explain_output_size(i, k, padding=p, stride=s, dilation=d)
        except ValueError:
            continue
        n = i + 2 * p
        covered = set()
        for r in range(e.value):
            covered |= {r * s + j * d for j in range(k)}
        last = max(covered)
        assert n - 1 - last == e.remainder, (i, k, p, s, d)


def test_unequal_pads_in_formula():
    e = cl.explain_output_size(6, 4, padding="same")
    assert (e.pad_before, e.pad_after) == (2, 1)
    assert "6 + 2 + 1 − 4" in e.formula()


def test_make_plan_rectangular():
    plan = make_plan((10, 20), (3, 4), padding=(1, 2), stride=(2, 3), dilation=(1, 2))
    assert plan.pads == (1, 1, 2, 2)
    assert plan.effective == (3, 7)
    assert plan.out_shape == (
        cl.output_size(10, 3, padding=1, stride=2),
        cl.output_size(20, 4, padding=2, stride=3, dilation=2),
    )


@pytest.mark.parametrize(
    "kwargs,exc,pattern",
    [
        (dict(i=0, k=3), ValueError, r"i \(input size\) must be >= 1"),
        (dict(i=5, k=0), ValueError, r"k \(kernel size\) must be >= 1"),
        (dict(i=5.0, k=3), TypeError, r"i \(input size\) must be a whole number"),
        (dict(i=True, k=3), TypeError, r"i \(input size\)"),
        (dict(i=5, k=3, stride=0), ValueError, "stride must be >= 1"),
        (dict(i=5, k=3, dilation=0), ValueError, "dilation must be >= 1"),
        (dict(i=5, k=3, stride=1.5), TypeError, "stride must be a whole number"),
        (dict(i=5, k=3, padding=-1), ValueError, "padding must be >= 0"),
        (dict(i=5, k=3, padding=1.5), TypeError, "padding"),
        (dict(i=5, k=3, padding="sam"), ValueError, r"padding.*'valid'.*Did you mean 'same'"),
        (dict(i=5, k=3, padding=(1, 2)), TypeError, "padding for one axis"),
        (dict(i=2, k=5, padding="valid"), ValueError, "larger than the padded input"),
        (dict(i=2, k=3, dilation=3, padding=1), ValueError, "effective size 7"),
    ],
)
def test_output_size_errors(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        cl.output_size(**kwargs)
    with pytest.raises(exc, match=pattern):
        cl.explain_output_size(**kwargs)


def test_text_language_error():
    with pytest.raises(ValueError, match=r"lang.*'nl'.*'en'"):
        cl.explain_output_size(5, 3).text("de")
