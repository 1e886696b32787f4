"""correlate / convolve against scipy, OpenCV and PyTorch (issue 2, "Engines").

Every comparison allows an error of 1e-9 times the output's scale
(sum |kernel| x max |image|), in float64. The oracles resolve padding from the
rules written in :mod:`convolab.geometry` and pad with ``np.pad`` (its modes are
pinned in tests/test_borders.py), so they share no code with the engines.
"""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage, signal

import convolab as cl
from convolab.borders import BORDERS
from convolab.engine import prepare
from convolab.errors import ConvolabError

ENGINES = ("auto", "opencv", "numpy")
BORDER_NAMES = tuple(BORDERS)
TOL = 1e-9
# HYPOTHESIS_SCALE=20 pytest tests/test_engine.py: twenty times more examples, to hunt bugs
SCALE = int(os.environ.get("HYPOTHESIS_SCALE", "1"))


# ---------------------------------------------------------------- helpers


def scale(image, kernel) -> float:
    img = np.asarray(image, dtype=np.float64)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    return float(np.abs(np.asarray(kernel, dtype=np.float64)).sum() * np.abs(img).max())


def assert_close(got, want, image, kernel):
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL * scale(image, kernel))


def pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def eff(k, d):
    return (k - 1) * d + 1


def pads_for(padding, k_shape, dilation):
    """(top, bottom, left, right) as geometry's docstring defines them."""
    d = pair(dilation)
    out = []
    for axis in (0, 1):
        ke = eff(k_shape[axis], d[axis])
        if padding == "valid":
            out += [0, 0]
        elif padding == "same":
            out += [ke // 2, ke - 1 - ke // 2]  # anchor at index k // 2: extra cell before
        elif padding == "full":
            out += [ke - 1, ke - 1]
        else:
            p = pair(padding)[axis]
            out += [p, p]
    return tuple(out)


def dilate(k, dilation):
    dh, dw = pair(dilation)
    k = np.asarray(k, dtype=np.float64)
    out = np.zeros((eff(k.shape[0], dh), eff(k.shape[1], dw)))
    out[::dh, ::dw] = k
    return out


def fits(image_shape, k_shape, padding, dilation) -> bool:
    t, b, left, r = pads_for(padding, k_shape, dilation)
    dh, dw = pair(dilation)
    return image_shape[0] + t + b >= eff(k_shape[0], dh) and image_shape[1] + left + r >= eff(
        k_shape[1], dw
    )


def channels(image):
    img = np.asarray(image, dtype=np.float64)
    return [img] if img.ndim == 2 else [img[..., c] for c in range(min(img.shape[2], 3))]


def oracle_signal(image, kernel, *, flip, padding, border, stride, dilation):
    """np.pad with the border's numpy mode, then scipy.signal in 'valid' mode, then stride."""
    t, b, left, r = pads_for(padding, np.shape(kernel), dilation)
    kd = dilate(kernel, dilation)
    sh, sw = pair(stride)
    mode = BORDERS[border].numpy
    outs = []
    for ch in channels(image):
        p = np.pad(ch, ((t, b), (left, r)), mode=mode)
        f = signal.convolve2d if flip else signal.correlate2d
        outs.append(f(p, kd, mode="valid")[::sh, ::sw])
    return outs[0] if len(outs) == 1 else np.stack(outs, axis=2)


# ---------------------------------------------------------------- strategies

float_cells = st.one_of(
    st.floats(-300, 300, allow_nan=False, allow_infinity=False).filter(
        lambda v: v == 0 or abs(v) > 1e-100
    ),
    st.integers(0, 255).map(float),
)
# integers and decimals as pupils type them (-10.00 .. 10.00); no 1e-300 curiosities, which
# scipy.ndimage flushes to zero
kernel_cells = st.one_of(
    st.integers(-9, 9).map(float), st.integers(-1000, 1000).map(lambda v: v / 100)
)


@st.composite
def images(draw, max_side=9, colours=(None, 3, 4), dtypes=("uint8", "float64")):
    h = draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side))
    c = draw(st.sampled_from(colours))
    shape = (h, w) if c is None else (h, w, c)
    if draw(st.sampled_from(dtypes)) == "uint8":
        return draw(arrays(np.uint8, shape, elements=st.integers(0, 255)))
    return draw(arrays(np.float64, shape, elements=float_cells))


@st.composite
def kernels_(draw, max_k=6):
    kh = draw(st.integers(1, max_k))
    kw = draw(st.integers(1, max_k))
    return draw(arrays(np.float64, (kh, kw), elements=kernel_cells))


ints_or_pairs = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 14),  # up to wider than the image
    st.tuples(st.integers(0, 14), st.integers(0, 14)),
)


@st.composite
def cases(draw, **kw):
    return dict(
        image=draw(images(**kw)),
        kernel=draw(kernels_()),
        padding=draw(paddings),
        border=draw(st.sampled_from(BORDER_NAMES)),
        stride=draw(ints_or_pairs),
        dilation=draw(ints_or_pairs),
    )


def run(fn, case, engine):
    return fn(
        case["image"],
        case["kernel"],
        padding=case["padding"],
        border=case["border"],
        stride=case["stride"],
        dilation=case["dilation"],
        engine=engine,
    )


# ---------------------------------------------------------------- property tests


@pytest.mark.parametrize("flip", [False, True], ids=["correlate", "convolve"])
@settings(max_examples=150 * SCALE)
@given(case=cases())
def test_matches_padded_scipy_signal(case, flip):
    """Every padding, border, stride, dilation, kernel shape, dtype and colour; all engines."""
    fn = cl.convolve if flip else cl.correlate
    opts = {k: case[k] for k in ("padding", "border", "stride", "dilation")}
    if not fits(case["image"].shape, case["kernel"].shape, case["padding"], case["dilation"]):
        for engine in ENGINES:
            with pytest.raises(ValueError, match="larger than the padded image"):
                run(fn, case, engine)
        return
    want = oracle_signal(case["image"], case["kernel"], flip=flip, **opts)
    for engine in ENGINES:
        got = run(fn, case, engine)
        if case["image"].ndim == 3 and case["image"].shape[2] == 4:
            assert got.shape[2] == 4
            got = got[..., :3]
        assert_close(got, want, case["image"], case["kernel"])


@settings(max_examples=80 * SCALE)
@given(case=cases())
def test_engines_agree(case):
    if not fits(case["image"].shape, case["kernel"].shape, case["padding"], case["dilation"]):
        return
    a = run(cl.correlate, case, "numpy")
    b = run(cl.correlate, case, "opencv")
    c = run(cl.correlate, case, "auto")
    assert_close(b, a, case["image"], case["kernel"])
    assert_close(c, a, case["image"], case["kernel"])


@settings(max_examples=80 * SCALE)
@given(case=cases())
def test_convolve_is_correlate_with_flipped_kernel(case):
    if not fits(case["image"].shape, case["kernel"].shape, case["padding"], case["dilation"]):
        return
    flipped = dict(case, kernel=case["kernel"][::-1, ::-1])
    for engine in ("numpy", "opencv"):
        np.testing.assert_array_equal(
            run(cl.convolve, case, engine), run(cl.correlate, flipped, engine)
        )


@pytest.mark.parametrize("flip", [False, True], ids=["correlate", "convolve"])
@settings(max_examples=80 * SCALE)
@given(
    image=images(max_side=12),
    kernel=kernels_(max_k=5),
    border=st.sampled_from(BORDER_NAMES),
    stride=ints_or_pairs,
    dilation=ints_or_pairs,
    engine=st.sampled_from(ENGINES),
)
def test_same_matches_scipy_ndimage(image, kernel, border, stride, dilation, engine, flip):
    """padding="same": scipy.ndimage with the border's scipy mode, the dilated kernel and,
    for stride s, every s-th output. ndimage anchors an even kernel at index k // 2 for
    correlate; its convolve needs origin -1 along even axes to use the same cells."""
    kd = dilate(kernel, dilation)
    mode = BORDERS[border].scipy
    sh, sw = pair(stride)
    outs = []
    for ch in channels(image):
        if flip:
            origin = [-1 if n % 2 == 0 else 0 for n in kd.shape]
            ref = ndimage.convolve(ch, kd, mode=mode, cval=0.0, origin=origin)
        else:
            ref = ndimage.correlate(ch, kd, mode=mode, cval=0.0)
        outs.append(ref[::sh, ::sw])
    want = outs[0] if len(outs) == 1 else np.stack(outs, axis=2)
    fn = cl.convolve if flip else cl.correlate
    got = fn(image, kernel, padding="same", border=border, stride=stride, dilation=dilation,
             engine=engine)  # fmt: skip
    if image.ndim == 3 and image.shape[2] == 4:
        got = got[..., :3]
    assert_close(got, want, image, kernel)


@settings(max_examples=80 * SCALE)
@given(
    image=images(max_side=12, colours=(None, 3)),
    kernel=kernels_(max_k=5),
    border=st.sampled_from([b for b in BORDER_NAMES if b != "wrap"]),
    engine=st.sampled_from(ENGINES),
)
def test_same_matches_cv2_filter2d(image, kernel, border, engine):
    """cv2.filter2D (float64, default anchor = kernel centre (k // 2), OpenCV's border
    constant from BORDERS). OpenCV's filter2D has no wrap border."""
    want = cv2.filter2D(
        image.astype(np.float64), cv2.CV_64F, kernel, borderType=BORDERS[border].opencv
    )
    got = cl.correlate(image, kernel, padding="same", border=border, engine=engine)
    assert_close(got, want, image, kernel)


@settings(max_examples=100 * SCALE)
@given(
    image=images(max_side=10, colours=(None, 3)),
    kernel=kernels_(max_k=6),
    padding=paddings,
    stride=ints_or_pairs,
    dilation=ints_or_pairs,
    engine=st.sampled_from(ENGINES),
)
def test_zero_border_matches_torch_conv2d(image, kernel, padding, stride, dilation, engine):
    """PyTorch's conv2d is a cross-correlation with zero padding: same values, same shape."""
    x = torch.from_numpy(np.asarray(image, dtype=np.float64))
    x = x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[:, None]
    w = torch.from_numpy(kernel)[None, None]
    t, b, left, r = pads_for(padding, kernel.shape, dilation)
    x = F.pad(x, (left, r, t, b))  # torch pads (left, right, top, bottom)
    if x.shape[2] < eff(kernel.shape[0], pair(dilation)[0]) or x.shape[3] < eff(
        kernel.shape[1], pair(dilation)[1]
    ):
        with pytest.raises(ValueError):
            cl.correlate(image, kernel, padding=padding, stride=stride, dilation=dilation)
        return
    y = F.conv2d(x, w, stride=pair(stride), dilation=pair(dilation))[:, 0].numpy()
    want = y[0] if image.ndim == 2 else np.moveaxis(y, 0, 2)
    got = cl.correlate(
        image, kernel, padding=padding, stride=stride, dilation=dilation, engine=engine
    )
    assert_close(got, want, image, kernel)


@settings(max_examples=80 * SCALE)
@given(
    image=images(max_side=10, colours=(None,)),
    kernel=kernels_(max_k=6),
    p=st.one_of(st.integers(0, 6), st.tuples(st.integers(0, 6), st.integers(0, 6))),
    stride=ints_or_pairs,
    dilation=ints_or_pairs,
)
def test_torch_int_padding_directly(image, kernel, p, stride, dilation):
    """Integer padding means exactly torch's ``padding=`` argument (no F.pad)."""
    x = torch.from_numpy(image.astype(np.float64))[None, None]
    w = torch.from_numpy(kernel)[None, None]
    try:
        y = F.conv2d(x, w, padding=pair(p), stride=pair(stride), dilation=pair(dilation))
    except RuntimeError:
        with pytest.raises(ValueError, match="filter"):
            cl.correlate(image, kernel, padding=p, stride=stride, dilation=dilation)
        return
    got = cl.correlate(image, kernel, padding=p, stride=stride, dilation=dilation)
    assert_close(got, y[0, 0].numpy(), image, kernel)


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@settings(max_examples=60 * SCALE)
@given(image=images(max_side=10, colours=(None,)), kernel=kernels_(max_k=6))
def test_zero_border_matches_scipy_signal_modes(mode, image, kernel):
    """convolve == scipy.signal.convolve2d in every mode, even kernels included.

    correlate2d's "same" anchors an even kernel at index (k - 1) // 2 (one cell
    earlier than convolab and scipy.ndimage), so for correlate we compare with
    the matching slice of its "full" output instead: output row y sits at full
    row y + (k - 1) - k // 2.
    """
    kh, kw = kernel.shape
    h, w = image.shape
    if mode == "valid" and (kh > h or kw > w):
        with pytest.raises(ValueError, match="larger than the padded image"):
            cl.convolve(image, kernel, padding=mode)
        return
    assert_close(
        cl.convolve(image, kernel, padding=mode),
        signal.convolve2d(image.astype(float), kernel, mode=mode),
        image,
        kernel,
    )
    full = signal.correlate2d(image.astype(float), kernel, mode="full")
    if mode == "same":
        a, b = kh - 1 - kh // 2, kw - 1 - kw // 2
        want = full[a : a + h, b : b + w]
    elif mode == "valid":
        want = full[kh - 1 : h, kw - 1 : w]
    else:
        want = full
    assert_close(cl.correlate(image, kernel, padding=mode), want, image, kernel)
    if kh % 2 and kw % 2:  # odd kernels: scipy's own "same" is the same thing
        assert_close(
            cl.correlate(image, kernel, padding="same"),
            signal.correlate2d(image.astype(float), kernel, mode="same"),
            image,
            kernel,
        )


# ---------------------------------------------------------------- colour and alpha


@settings(max_examples=40 * SCALE)
@given(
    image=images(max_side=9, colours=(4,)),
    kernel=kernels_(max_k=5),
    border=st.sampled_from(BORDER_NAMES),
    stride=ints_or_pairs,
    engine=st.sampled_from(ENGINES),
)
def test_alpha_passed_through(image, kernel, border, stride, engine):
    """RGBA: RGB filtered per channel, alpha untouched (with stride: every s-th pixel)."""
    got = cl.correlate(image, kernel, border=border, stride=stride, engine=engine)
    sh, sw = pair(stride)
    np.testing.assert_array_equal(got[..., 3], image[::sh, ::sw, 3].astype(np.float64))
    rgb = cl.correlate(image[..., :3], kernel, border=border, stride=stride, engine=engine)
    np.testing.assert_array_equal(got[..., :3], rgb)


def test_alpha_values_come_from_the_input_for_any_padding():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (7, 6, 4), dtype=np.uint8)
    for padding in ("valid", "full", 3, (0, 5)):
        out = cl.correlate(img, np.ones((3, 2)), padding=padding, stride=2)
        assert set(np.unique(out[..., 3])) <= set(np.unique(img[..., 3]).astype(float))


def test_colour_is_per_channel():
    img = cl.sample("astronaut")[100:140, 200:250]
    k = cl.kernel("emboss").values
    out = cl.correlate(img, k)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], cl.correlate(img[..., c], k))


# ---------------------------------------------------------------- big kernels and pads


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("border", BORDER_NAMES)
@pytest.mark.parametrize("k_shape", [(31, 31), (31, 4), (1, 31), (8, 8), (7, 10), (10, 5)])
def test_large_kernel_uint8_exact(k_shape, border, engine):
    """Kernels of >= 50 cells: OpenCV switches to a DFT (float32 for uint8 input).
    The result must still be exact to 1e-9 of the scale, also with padding "full"
    (pads wider than the image along the kernel's long axis)."""
    rng = np.random.default_rng(sum(k_shape))
    img = rng.integers(0, 256, (24, 37), dtype=np.uint8)
    k = rng.integers(-9, 10, k_shape).astype(np.float64) / 7
    for padding in ("same", "full", 20):
        got = cl.correlate(img, k, padding=padding, border=border, engine=engine)
        want = oracle_signal(
            img, k, flip=False, padding=padding, border=border, stride=1, dilation=1
        )
        assert_close(got, want, img, k)


@pytest.mark.parametrize("border", BORDER_NAMES)
def test_pads_much_wider_than_the_image(border):
    img = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    k = np.arange(1.0, 10.0).reshape(3, 3)
    for engine in ENGINES:
        got = cl.correlate(img, k, padding=(9, 11), border=border, engine=engine)
        want = oracle_signal(img, k, flip=False, padding=(9, 11), border=border, stride=1,
                             dilation=1)  # fmt: skip
        assert got.shape == (2 + 18 - 2, 3 + 22 - 2)
        assert_close(got, want, img, k)


def test_dilation_spreads_taps():
    img = np.zeros((9, 9))
    img[4, 4] = 1.0
    k = np.arange(1.0, 10.0).reshape(3, 3)
    out = cl.correlate(img, k, dilation=2)
    # an impulse shows the kernel (flipped, as correlation does), taps 2 cells apart
    np.testing.assert_array_equal(out[::2, ::2][1:4, 1:4], k[::-1, ::-1])
    assert np.count_nonzero(out) == 9


def test_float_inputs_and_float32_are_float64_out():
    img = cl.sample("camera")[:40, :40]
    for src in (img, img.astype(np.float32), img.astype(np.int16), img.astype(np.uint16)):
        out = cl.correlate(src, "sharpen")
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out, cl.correlate(img.astype(np.float64), "sharpen"))


def test_negatives_kept():
    out = cl.correlate(cl.sample("camera"), "edge")
    assert out.min() < -100 and out.max() > 100


def test_non_contiguous_input():
    img = cl.sample("camera")[::3, ::2]
    assert not img.flags.c_contiguous
    for engine in ENGINES:
        assert_close(
            cl.correlate(img, "blur", engine=engine),
            ndimage.correlate(img.astype(float), np.full((3, 3), 1 / 9), mode="constant"),
            img,
            np.full((3, 3), 1 / 9),
        )


def test_input_not_modified():
    img = cl.sample("coins")[:30, :30]
    before = img.copy()
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    cl.convolve(img, k, border="reflect", padding=5)
    np.testing.assert_array_equal(img, before)
    np.testing.assert_array_equal(k, [[1, 2], [3, 4]])


# ---------------------------------------------------------------- the two conventions


@pytest.mark.parametrize(
    "name",
    ["edge", "vertical-lines", "diagonal-down", "diagonal-up", "smooth", "sharpen", "emboss",
     "blur", "gaussian-3", "edge-strong", "sobel-x", "sobel-top", "line-45", "kirsch-east",
     "corners"],
)  # fmt: skip
def test_kiks_notebook_convention(name):
    """The KIKS notebook: scipy.signal.convolve2d(img, k) (mode 'full') on a grey photo."""
    img = cl.sample("camera")
    k = cl.kernel(name).values
    assert_close(cl.convolve(img, name, padding="full"), signal.convolve2d(img, k), img, k)


DWENGO = {
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "outline": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}


@pytest.mark.parametrize("name", DWENGO)
def test_dwengo_convention(name):
    """The Dwengo demo: correlate each RGB channel (no flip), clamp to 0..255. It leaves
    a 1-pixel border empty, so only the interior (padding "valid") is compared."""
    img = cl.sample("astronaut")[::4, ::4]
    k = np.array(DWENGO[name], dtype=float)
    want = np.empty((img.shape[0] - 2, img.shape[1] - 2, 3), dtype=np.uint8)
    h, w = want.shape[:2]
    for c in range(3):
        acc = np.zeros((h, w))
        for i in range(3):
            for j in range(3):
                acc += k[i, j] * img[i : i + h, j : j + w, c]
        want[..., c] = np.clip(np.rint(acc), 0, 255)
    got = cl.to_display(cl.correlate(img, name, padding="valid"), "clip")
    np.testing.assert_array_equal(got, want)


def test_conventions_differ_only_for_asymmetric_kernels():
    img = cl.sample("camera")[200:260, 200:260]
    for name in ("edge", "blur", "sharpen", "outline", "gaussian-3"):
        np.testing.assert_array_equal(cl.correlate(img, name), cl.convolve(img, name))
    for name in ("emboss", "sobel-x", "diagonal-down"):
        assert not np.allclose(cl.correlate(img, name), cl.convolve(img, name))


# ---------------------------------------------------------------- arguments


def test_kernel_by_name_and_by_object():
    img = cl.sample("camera")[:20, :20]
    want = cl.correlate(img, cl.kernel("sobel-x").values)
    np.testing.assert_array_equal(cl.correlate(img, "sobel-x"), want)
    np.testing.assert_array_equal(cl.correlate(img, cl.kernel("sobel-x")), want)
    np.testing.assert_array_equal(cl.correlate(img, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), want)


def test_unknown_engine():
    with pytest.raises(ValueError, match="engine.*'numpy'"):
        cl.correlate(np.ones((3, 3)), [[1]], engine="nunpy")


# ---------------------------------------------------------------- even kernels: the anchors


def test_even_kernel_anchors_are_pinned():
    """correlate "same" anchors an even kernel at index k // 2, as scipy.ndimage.correlate
    and cv2.filter2D; convolve "same" is scipy.signal.convolve2d(..., "same"), which is
    NOT scipy.ndimage.convolve (that one anchors the flipped kernel one cell later)."""
    img = np.arange(1.0, 26.0).reshape(5, 5)
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    # correlate: output (r, c) reads rows r-1..r and columns c-1..c (anchor at (1, 1))
    got = cl.correlate(img, k)
    assert got[2, 2] == 1 * img[1, 1] + 2 * img[1, 2] + 3 * img[2, 1] + 4 * img[2, 2]
    assert got[0, 0] == 4 * img[0, 0]
    np.testing.assert_array_equal(got, ndimage.correlate(img, k, mode="constant"))
    np.testing.assert_array_equal(got, cv2.filter2D(img, cv2.CV_64F, k,
                                                    borderType=cv2.BORDER_CONSTANT))  # fmt: skip
    # convolve: the kernel rotated by 180° on the same cells (rows r-1..r, columns c-1..c)
    conv = cl.convolve(img, k)
    assert conv[2, 2] == 4 * img[1, 1] + 3 * img[1, 2] + 2 * img[2, 1] + 1 * img[2, 2]
    np.testing.assert_array_equal(conv, signal.convolve2d(img, k, mode="same"))
    assert not np.array_equal(conv, ndimage.convolve(img, k, mode="constant"))
    np.testing.assert_array_equal(
        conv, ndimage.convolve(img, k, mode="constant", origin=-1)
    )  # ndimage needs origin -1 along even axes to use the same cells
    np.testing.assert_array_equal(conv, cl.correlate(img, k[::-1, ::-1]))


@pytest.mark.parametrize("boundary", ["wrap", "symm"])
@pytest.mark.parametrize("k_shape", [(3, 3), (4, 6), (5, 10), (8, 8), (15, 15), (2, 31)])
def test_convolve_same_matches_scipy_signal_boundaries(boundary, k_shape):
    """scipy.signal.convolve2d(img, k, "same", boundary) for its two non-zero boundaries,
    small and >= 50-cell kernels (where the engine once took OpenCV's DFT and missed by
    3e-11). Whole numbers: scipy's direct sum is exact too, so both agree bit for bit; over
    a divisor convolab divides the exact sum once, scipy sums the fractions (its error)."""
    border = {"wrap": "wrap", "symm": "symmetric"}[boundary]
    rng = np.random.default_rng(sum(k_shape))
    img = rng.integers(0, 256, (33, 40), dtype=np.uint8)
    n = rng.integers(-9, 10, k_shape).astype(np.float64)
    want = signal.convolve2d(img.astype(float), n, mode="same", boundary=boundary)
    for engine in ENGINES:
        got = cl.convolve(img, n, padding="same", border=border, engine=engine)
        np.testing.assert_array_equal(got, want)  # whole numbers: exact on both sides
        half = cl.convolve(img, n / 2, padding="same", border=border, engine=engine)
        np.testing.assert_array_equal(half, want / 2)
        sevenths = cl.convolve(img, n / 7, padding="same", border=border, engine=engine)
        np.testing.assert_array_equal(sevenths, want / 7)  # divided once, like ours
        ref = signal.convolve2d(img.astype(float), n / 7, mode="same", boundary=boundary)
        assert_close(sevenths, ref, img, n / 7)


def _wrap_reference(img, k, dilation):
    """The wrap border the plain way: np.pad(mode="wrap"), then the sum of slices."""
    kd = np.zeros(((k.shape[0] - 1) * dilation + 1, (k.shape[1] - 1) * dilation + 1))
    kd[::dilation, ::dilation] = k
    (kh, kw), (h, w) = kd.shape, img.shape[:2]
    pads = [(kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)] + [(0, 0)] * (img.ndim - 2)
    p = np.pad(img.astype(np.float64), pads, mode="wrap")
    out = np.zeros(img.shape)
    for i, j in zip(*np.nonzero(kd), strict=True):
        out += kd[i, j] * p[i : i + h, j : j + w]
    return out


@pytest.mark.parametrize(
    "kernel",
    [
        "sharpen",  # int16 sums
        "blur",  # separable, int16
        np.outer(np.arange(1.0, 16.0), np.arange(-7.0, 8.0)),  # separable, float32 passes
        np.arange(1.0, 13.0).reshape(3, 4) / 7,  # even, a real divisor
        np.arange(64.0).reshape(8, 8) - 30,  # 64 cells: OpenCV's float64 DFT, then rounded
        "gaussian-5",  # a float column x row
        np.array([[0.3, -1.1], [2.7, 0.05]]),  # a float kernel, one pass
    ],
)
@pytest.mark.parametrize("shape", [(40, 33), (9, 15, 3), (8, 8)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_wrap_border_by_strips_equals_padding_the_image(kernel, shape, dilation, monkeypatch):
    """OpenCV has no wrap border: the engine filters the image as it is and refilters the
    output's frame from small wrapped pieces (engine._wrapped_by_strips). Every pixel equals
    the padded image's sum (bit for bit for exact kernels), also where the kernel is as
    large as the image (the pieces then wrap more than once)."""
    from convolab import engine

    k = cl.kernel(kernel).values if isinstance(kernel, str) else kernel
    kh, kw = (k.shape[0] - 1) * dilation + 1, (k.shape[1] - 1) * dilation + 1
    rng = np.random.default_rng(sum(shape) + kh)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    calls = []
    real = engine._wrapped_by_strips
    monkeypatch.setattr(engine, "_wrapped_by_strips", lambda *a: calls.append(1) or real(*a))
    got = cl.correlate(img, k, border="wrap", dilation=dilation, engine="opencv")
    assert bool(calls) == (kh <= shape[0] and kw <= shape[1])
    want = _wrap_reference(img, k, dilation)
    if engine.exact_plan(img, k) is not None:
        np.testing.assert_array_equal(got, cl.correlate(img, k, border="wrap",
                                                        dilation=dilation, engine="numpy"))  # fmt: skip
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9 * np.abs(k).sum() * 255)
    else:
        assert_close(got, want, img, k)
        np.testing.assert_array_equal(
            cl.to_display(got),
            cl.to_display(cl.correlate(img, k, border="wrap", dilation=dilation, engine="numpy")),
        )


# The exact path sums into per-thread scratch buffers (int16/float32 sums, the row pass of
# a separable kernel) and divides large images in two halves at once: a result must never
# share memory with those buffers, nor change when the next image is filtered.
@pytest.mark.parametrize(
    "kernel",
    [
        "edge",  # int16 sum, divisor 1
        "sharpen",  # five taps, divisor 1: OpenCV's float64 sum, no scratch
        "blur",  # separable, int16, divisor 9
        np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256,  # separable, power-of-two divisor
        np.outer([float(c) for c in (1, 14, 91, 364, 1001, 2002, 3003, 3432)] * 2, [1.0] * 15)[:15]
        / 4.0**14,  # two passes: float32 rows, float64 columns
    ],
    ids=["int16", "few-taps", "separable", "power-of-two", "two-passes"],
)
@pytest.mark.parametrize("stride", [1, 2])
def test_results_do_not_share_the_engines_scratch(kernel, stride):
    rng = np.random.default_rng(3)
    a = rng.integers(0, 256, (1100, 1000, 3), dtype=np.uint8)  # large: divided in halves
    b = rng.integers(0, 256, (1100, 1000, 3), dtype=np.uint8)
    ra = cl.correlate(a, kernel, stride=stride)
    keep = ra.copy()
    rb = cl.correlate(b, kernel, stride=stride)
    assert not np.shares_memory(ra, rb)
    np.testing.assert_array_equal(ra, keep)  # b's sums did not land in a's result
    np.testing.assert_array_equal(ra, cl.correlate(a, kernel, stride=stride, engine="numpy"))
    np.testing.assert_array_equal(rb, cl.correlate(b, kernel, stride=stride, engine="numpy"))


def test_threads_filtering_at_once_get_their_own_results():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(4)
    imgs = [rng.integers(0, 256, (900, 1200, 3), dtype=np.uint8) for _ in range(6)]
    want = [cl.correlate(im, "blur", engine="numpy") for im in imgs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda im: cl.correlate(im, "blur"), imgs * 3))
    for i, g in enumerate(got):
        np.testing.assert_array_equal(g, want[i % len(imgs)])


def test_opencv_division_and_scaling_are_exact():
    """engine._divide leans on two OpenCV operations: a float64 array divided by a number is
    one IEEE division per value, and int16 or float32 whole numbers times a power of two come
    out exact in float64. Checked against numpy over the values the engine can hand them."""
    rng = np.random.default_rng(11)
    s = rng.integers(-(2**53), 2**53, 200_000).astype(np.float64).reshape(400, 500)
    s[0, :5] = [0, 1, -1, 2**53, -(2**53)]
    for d in (3, 7, 9, 10, 13, 25, 49, 81, 255, 273, 1000, 3**20, 2**40 - 1):
        got = cv2.divide(s.copy(), float(d))
        np.testing.assert_array_equal(got, s / d)
    ints16 = np.arange(-(2**15), 2**15, dtype=np.int16).reshape(256, 256)
    ints32 = rng.integers(-(2**24), 2**24 + 1, 200_000).astype(np.float32).reshape(400, 500)
    for e in (0, 1, 4, 8, 28, 40):
        scale = 2.0**-e
        for a in (ints16, ints32):
            got = cv2.multiply(a, scale, dtype=cv2.CV_64F)
            np.testing.assert_array_equal(got, a.astype(np.float64) * scale)


@pytest.mark.parametrize("shape", [(300, 400), (300, 400, 3), (1100, 1000, 3)])
@pytest.mark.parametrize("divisor", [1, 9, 16])
def test_every_way_to_divide_agrees_with_numpy(shape, divisor):
    # small and large images take different routes through _divide (OpenCV, numpy halves)
    rng = np.random.default_rng(divisor)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    k = rng.integers(-4, 5, (3, 3)) / divisor
    np.testing.assert_array_equal(cl.correlate(img, k), cl.correlate(img, k, engine="numpy"))


def test_remembered_kernels_follow_the_callers_array():
    img = np.arange(36, dtype=np.uint8).reshape(6, 6)
    k = np.zeros((3, 3))
    k[1, 1] = 1.0
    first = cl.correlate(img, k)
    k[1, 1] = 2.0  # the same array, changed in place: a new kernel
    np.testing.assert_array_equal(cl.correlate(img, k), 2 * first)
    _, applied, _, _ = prepare(img, k, flip=True)
    assert not applied.flags.writeable  # shared by later calls: nobody may change it
    with pytest.raises(ConvolabError):
        cl.correlate(img, np.full((3, 3), np.nan))  # a bad kernel is never remembered


def test_threads_filling_the_remembered_kernels_at_once():
    # more kernels than are remembered (256), from four threads at once: the caches evict
    # while others add, and every result is still the right one
    from concurrent.futures import ThreadPoolExecutor

    img = np.random.default_rng(5).integers(0, 256, (40, 50), dtype=np.uint8)

    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(100):
            k = rng.integers(-9, 10, (3, 3)) / rng.integers(1, 30)
            got = cl.correlate(img, k)
            want = ndimage.correlate(img.astype(float), k, mode="constant")
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
        return True

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(4)))
