"""Bad input: ValueError / TypeError naming the parameter and what is allowed, never a bare
error from inside numpy or OpenCV (issue 2, "Bad input")."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convolab as cl

SCALE = int(os.environ.get("HYPOTHESIS_SCALE", "1"))  # more examples: see conftest.py

IMG = np.arange(30, dtype=np.uint8).reshape(5, 6)
K3 = np.ones((3, 3))


def fns():
    """correlate, convolve, explain and steps with the same (image, kernel, **kw) call."""
    return {
        "correlate": lambda img, k, **kw: cl.correlate(img, k, **kw),
        "convolve": lambda img, k, **kw: cl.convolve(img, k, **kw),
        "explain": lambda img, k, **kw: cl.explain(img, k, (0, 0), **kw),
        "steps": lambda img, k, **kw: next(cl.steps(img, k, **kw)),
    }


BAD = [
    # (image, kernel, kwargs, exception, regex naming the parameter)
    (IMG, [], {}, ValueError, r"kernel must be 2-D"),
    (IMG, [[]], {}, ValueError, r"kernel is empty"),
    (IMG, np.zeros((0, 3)), {}, ValueError, r"kernel is empty"),
    (IMG, [[1, 2], [3]], {}, ValueError, r"kernel must be a rectangular 2-D grid"),
    (IMG, [[1, np.nan], [1, 1]], {}, ValueError, r"kernel contains NaN"),
    (IMG, [[1, np.inf]], {}, ValueError, r"kernel contains inf"),
    (IMG, [[1, "a"], [2, 3]], {}, ValueError, r"kernel must be a .*grid of numbers"),
    (IMG, [1, 2, 3], {}, ValueError, r"kernel must be 2-D \(rows x columns\); got 1-D"),
    (IMG, np.ones((3, 3, 3)), {}, ValueError, r"kernel must be 2-D"),
    (IMG, np.ones((32, 3)), {}, ValueError, r"kernel is 32 x 3; allowed sizes are 1 x 1 up to"),
    (IMG, None, {}, TypeError, r"kernel is missing"),
    (IMG, "sharpn", {}, ValueError, r"unknown filter 'sharpn'.*Did you mean 'sharpen'"),
    (IMG, 7, {}, ValueError, r"kernel must be 2-D"),
    (IMG, np.ones((6, 3)), dict(padding="valid"), ValueError, r"filter \(6 rows.*larger than"),
    (IMG, np.ones((3, 7)), dict(padding="valid"), ValueError, r"7 columns.*padded image \(6"),
    (IMG, K3, dict(padding="valid", dilation=3), ValueError, r"dilation 3.*larger than"),
    (IMG, K3, dict(stride=0), ValueError, r"stride must be >= 1; got 0"),
    (IMG, K3, dict(stride=-2), ValueError, r"stride must be >= 1"),
    (IMG, K3, dict(stride=(1, 0)), ValueError, r"stride must be >= 1"),
    (IMG, K3, dict(stride=1.5), TypeError, r"stride must be a whole number"),
    (IMG, K3, dict(stride="2"), TypeError, r"stride must be a whole number"),
    (IMG, K3, dict(stride=True), TypeError, r"stride must be a whole number"),
    (IMG, K3, dict(stride=(1, 2, 3)), ValueError, r"stride must be an int or a \(rows, cols\)"),
    (IMG, K3, dict(dilation=0), ValueError, r"dilation must be >= 1"),
    (IMG, K3, dict(dilation=(2, 0.5)), TypeError, r"dilation must be a whole number"),
    (IMG, K3, dict(border="reflct"), ValueError, r"unknown border 'reflct'.*'zero'.*'reflect'\?"),
    (IMG, K3, dict(border="mirror"), ValueError, r"unknown border 'mirror'; allowed: 'zero'"),
    (IMG, K3, dict(border=None), TypeError, r"border must be a string"),
    (IMG, K3, dict(padding="sane"), ValueError, r"unknown padding 'sane'.*Did you mean 'same'"),
    (IMG, K3, dict(padding=-1), ValueError, r"padding must be >= 0"),
    (IMG, K3, dict(padding=(1, -1)), ValueError, r"padding must be >= 0"),
    (IMG, K3, dict(padding=1.5), TypeError, r"padding"),
    (IMG, K3, dict(padding=None), TypeError, r"padding must be 'valid', 'same', 'full'"),
    (IMG, K3, dict(padding=(1, 2, 3)), ValueError, r"padding must be an int or a \(rows, cols\)"),
    (np.zeros(5), K3, {}, ValueError, r"image must be 2-D .* got 1-D"),
    (np.zeros((2, 3, 3, 1)), K3, {}, ValueError, r"image must be 2-D .* got 4-D"),
    (np.zeros((4, 4, 2)), K3, {}, ValueError, r"image with 3 dimensions must be H x W x C"),
    (np.zeros((4, 4, 5)), K3, {}, ValueError, r"C = 3 \(RGB\) or 4 \(RGBA\)"),
    (np.zeros((0, 4)), K3, {}, ValueError, r"image is empty"),
    (np.array(5.0), K3, {}, ValueError, r"image must be 2-D"),
    (np.array([[1.0, np.nan]]), K3, {}, ValueError, r"image contains NaN"),
    (np.array([[1.0, -np.inf]]), K3, {}, ValueError, r"image contains inf"),
    ([[1, 2], [3]], K3, {}, ValueError, r"image .*(rectangular|could not be read)"),
    (np.array([[True]]), K3, {}, TypeError, r"image must hold integers or floats"),
    (np.array([[1 + 2j]]), K3, {}, TypeError, r"image must hold integers or floats"),
    (np.array([["a"]]), K3, {}, TypeError, r"image must hold integers or floats"),
    ("photo.png", K3, {}, TypeError, r"image must be an array of pixels.*load_image"),
    (b"\x89PNG", K3, {}, TypeError, r"image must be an array of pixels"),
    (None, K3, {}, ValueError, r"image must be"),
]


@pytest.mark.parametrize("name", list(fns()))
@pytest.mark.parametrize("image,kernel,kwargs,exc,pattern", BAD)
def test_bad_arguments(name, image, kernel, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fns()[name](image, kernel, **kwargs)


def test_lists_of_lists_are_fine():
    out = cl.correlate([[1, 2], [3, 4]], [[1]])
    assert out.tolist() == [[1, 2], [3, 4]]


def test_unknown_engine_and_mode():
    with pytest.raises(ValueError, match=r"unknown engine 'cuda'; allowed: 'auto'"):
        cl.correlate(IMG, K3, engine="cuda")
    with pytest.raises(ValueError, match=r"unknown mode 'conv'; allowed: 'correlate', 'convolve'"):
        cl.explain(IMG, K3, (0, 0), mode="conv")


@pytest.mark.parametrize(
    "kwargs",
    [dict(padding=10**7), dict(dilation=10**7), dict(padding=(10**7, 10**7), stride=10**6)],
    ids=["padding", "dilation", "padding+stride"],
)
def test_absurd_sizes_are_refused_not_a_memory_error(kwargs):
    """A padded image of 10^14 cells cannot be made; say so (naming the parameter)
    instead of letting numpy raise MemoryError deep inside."""
    with pytest.raises(ValueError, match="padding|dilation"):
        cl.correlate(IMG, K3, **kwargs)


# ---------------------------------------------------------------- fuzzing

WEIRD = st.sampled_from(
    [None, "", "x", b"", 1.5, -1, 0, True, 10**12, float("nan"), (), (1,), (1, 2, 3), [], {}]
)
images = st.one_of(
    st.sampled_from(
        [
            IMG,
            IMG.astype(np.float32),
            IMG.astype(np.int64) * 10**15,
            IMG.astype(np.float16),
            np.dstack([IMG] * 4).astype(np.uint16),
            np.ones((1, 1)),
            np.zeros((0, 0)),
            np.ones((3, 3, 1)),
            np.full((2, 2), np.nan),
            [[1, 2], [3, 4]],
            [[1, 2], [3]],
            [["1", "2"]],
            IMG[::-1, ::2],
            IMG.T,
        ]
    ),
    WEIRD,
)
kernels = st.one_of(
    st.sampled_from(
        [
            K3,
            [[1]],
            np.ones((31, 31)),
            np.ones((2, 7)),
            [[1, 2], [3]],
            [["1/9"]],
            "blur",
            "nope",
            np.full((3, 3), np.inf),
            np.ones((3, 3), dtype=np.int8),
            [[1e308, 1e308]],
        ]
    ),
    WEIRD,
)
ints = st.one_of(st.integers(-2, 4), st.tuples(st.integers(-1, 3), st.integers(-1, 3)), WEIRD)
paddings = st.one_of(st.sampled_from(["valid", "same", "full", "SAME", "half"]), ints)
borders = st.one_of(st.sampled_from(["zero", "reflect", "symmetric", "replicate", "wrap"]), WEIRD)
mappings = st.one_of(st.sampled_from(["clip", "abs", "offset", "rescale", "Clip"]), WEIRD)
PARAMS = ("image", "kernel", "filter", "padding", "border", "stride", "dilation", "engine",
          "mode", "mapping", "at", "value_range")  # fmt: skip


def check_error(exc: Exception):
    assert isinstance(exc, (ValueError, TypeError)), f"{type(exc).__name__}: {exc}"
    msg = str(exc)
    assert any(p in msg for p in PARAMS), f"message names no parameter: {msg!r}"


@settings(max_examples=300 * SCALE)
@given(
    image=images,
    kernel=kernels,
    padding=paddings,
    border=borders,
    stride=ints,
    dilation=ints,
    mapping=mappings,
    at=st.one_of(st.tuples(st.integers(-1, 6), st.integers(-1, 6)), WEIRD),
    which=st.sampled_from(["correlate", "convolve", "explain", "to_display"]),
)
def test_fuzz_only_clear_errors(image, kernel, padding, border, stride, dilation, mapping, at,
                                which):  # fmt: skip
    try:
        if which == "explain":
            e = cl.explain(image, kernel, at, padding=padding, border=border, stride=stride,
                           dilation=dilation, mapping=mapping)  # fmt: skip
            assert np.all(np.isfinite(e.sum))
            return
        fn = cl.convolve if which == "convolve" else cl.correlate
        out = fn(image, kernel, padding=padding, border=border, stride=stride, dilation=dilation)
        assert out.dtype == np.float64 and out.ndim in (2, 3)
        if which == "to_display":
            shown = cl.to_display(out, mapping)
            assert shown.dtype == np.uint8
    except MemoryError:  # 10**12 cells: test_absurd_sizes_are_refused_not_a_memory_error
        return
    except Exception as exc:  # noqa: BLE001 - what matters is which kind
        check_error(exc)


@pytest.mark.parametrize(
    "call",
    [
        lambda: cl.output_size("5", 3),
        lambda: cl.output_size(5, None),
        lambda: cl.kernel(None),
        lambda: cl.kernel(""),
        lambda: cl.as_kernel({"a": 1}),
        lambda: cl.parse_kernel(b"1 2"),
        lambda: cl.gaussian(None),
        lambda: cl.box(-3),
        lambda: cl.motion_blur("9"),
        lambda: cl.laplacian_of_gaussian(9, "wide"),
        lambda: cl.to_display("not an array"),
        lambda: cl.to_display(None),
        lambda: cl.value_range(np.zeros((0, 3))),
        lambda: cl.sample(""),
        lambda: cl.load_image(b"\x00" * 100),
        lambda: cl.load_image("/definitely/not/here.png"),
        lambda: cl.encode_image(None),
        lambda: cl.save_image("out.xyz", IMG),
    ],
)
def test_every_public_function_fails_clearly(call):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    msg = str(info.value)
    assert len(msg) > 15 and "Traceback" not in msg, msg
