"""explain / steps: one output position worked out; its sum is the core's result, always."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import convolab as cl
from convolab.borders import BORDERS

SCALE = int(os.environ.get("HYPOTHESIS_SCALE", "1"))  # more examples: see conftest.py


def pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


@st.composite
def cases(draw):
    h, w = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    c = draw(st.sampled_from([None, 3, 4]))
    shape = (h, w) if c is None else (h, w, c)
    if draw(st.booleans()):
        image = draw(arrays(np.uint8, shape, elements=st.integers(0, 255)))
    else:
        image = draw(
            arrays(np.float64, shape, elements=st.integers(-2550, 2550).map(lambda v: v / 10))
        )
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    kernel = draw(arrays(np.float64, (kh, kw), elements=st.integers(-40, 40).map(lambda v: v / 4)))
    return dict(
        image=image,
        kernel=kernel,
        mode=draw(st.sampled_from(["correlate", "convolve"])),
        padding=draw(
            st.one_of(
                st.sampled_from(["valid", "same", "full"]),
                st.integers(0, 9),
                st.tuples(st.integers(0, 9), st.integers(0, 9)),
            )
        ),
        border=draw(st.sampled_from(list(BORDERS))),
        stride=draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))),
        dilation=draw(
            st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
        ),
        mapping=draw(st.sampled_from(list(cl.MAPPINGS))),
    )


def pads_for(padding, k_shape, dilation):
    """(top, bottom, left, right) by the rules in convolab.geometry's docstring."""
    out = []
    for k, d in zip(k_shape, dilation, strict=True):
        ke = (k - 1) * d + 1
        if padding == "valid":
            out += [0, 0]
        elif padding == "same":
            out += [ke // 2, ke - 1 - ke // 2]
        elif padding == "full":
            out += [ke - 1, ke - 1]
        else:
            p = pair(padding)[len(out) // 2]
            out += [p, p]
    return out


def core(case):
    fn = cl.convolve if case["mode"] == "convolve" else cl.correlate
    opts = {k: case[k] for k in ("padding", "border", "stride", "dilation")}
    return fn(case["image"], case["kernel"], **opts)


def opts(case, *keys):
    return {k: case[k] for k in keys}


ALL = ("mode", "padding", "border", "stride", "dilation", "mapping")


@settings(max_examples=150 * SCALE)
@given(case=cases(), data=st.data())
def test_sum_and_value_equal_the_core_result(case, data):
    try:
        raw = core(case)
    except ValueError:  # kernel larger than the padded image: explain refuses too
        with pytest.raises(ValueError, match="larger than the padded image"):
            cl.explain(case["image"], case["kernel"], (0, 0), **opts(case, *ALL))
        return
    oh, ow = raw.shape[:2]
    r = data.draw(st.integers(0, oh - 1), label="row")
    c = data.draw(st.integers(0, ow - 1), label="col")
    e = cl.explain(case["image"], case["kernel"], (r, c), **opts(case, *ALL))
    img = np.asarray(case["image"], dtype=np.float64)
    colour = img.ndim == 3
    want = raw[r, c, :3] if colour else raw[r, c]
    scale = np.abs(case["kernel"]).sum() * np.abs(img[..., :3] if colour else img).max()
    np.testing.assert_allclose(e.sum, want, rtol=0, atol=1e-9 * scale)
    shown = cl.to_display(raw, case["mapping"])
    np.testing.assert_array_equal(e.value, shown[r, c, :3] if colour else shown[r, c])
    assert e.at == (r, c) and e.out_shape == (oh, ow)
    assert e.mode == case["mode"] and e.border == case["border"]
    assert e.mapping == case["mapping"]

    # the window is the padded image (np.pad with the border's numpy mode) under the taps
    (sh, sw), (dh, dw) = pair(case["stride"]), pair(case["dilation"])
    kh, kw = case["kernel"].shape
    top, bottom, left, right = pads_for(case["padding"], (kh, kw), (dh, dw))
    assert e.rows.tolist() == [r * sh - top + i * dh for i in range(kh)]
    assert e.cols.tolist() == [c * sw - left + j * dw for j in range(kw)]
    rgb = img[..., :3] if colour else img
    width = ((top, bottom), (left, right)) + (((0, 0),) if colour else ())
    padded_img = np.pad(rgb, width, mode=BORDERS[case["border"]].numpy)
    rr = [r * sh + i * dh for i in range(kh)]
    cc = [c * sw + j * dw for j in range(kw)]
    np.testing.assert_array_equal(e.window, padded_img[np.ix_(rr, cc)])
    outside = ((e.rows < 0) | (e.rows >= img.shape[0]))[:, None] | (
        (e.cols < 0) | (e.cols >= img.shape[1])
    )[None, :]
    np.testing.assert_array_equal(e.padded, outside)
    if case["border"] == "zero":
        assert np.all(e.window[e.padded] == 0)
    applied = case["kernel"][::-1, ::-1] if case["mode"] == "convolve" else case["kernel"]
    np.testing.assert_array_equal(e.kernel, applied)
    k3 = e.kernel if not colour else e.kernel[..., None]
    np.testing.assert_array_equal(e.products, e.window * k3)
    np.testing.assert_allclose(e.sum, e.products.sum(axis=(0, 1)), rtol=1e-12, atol=1e-9)
    json.dumps(e.to_dict())


def test_real_photo_position():
    img = cl.sample("camera")
    out = cl.correlate(img, "sobel-x")
    e = cl.explain(img, "sobel-x", (10, 20), mapping="offset")
    assert e.sum == out[10, 20]
    assert e.value == cl.to_display(out, "offset")[10, 20]
    assert e.window.tolist() == img[9:12, 19:22].tolist()
    assert not e.padded.any()
    assert e.anchor == (10, 20)
    assert isinstance(e.sum, float) and isinstance(e.value, int)


def test_corner_marks_padding_and_sources():
    img = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)
    e = cl.explain(img, np.ones((3, 3)), (0, 0), border="replicate")
    assert e.padded.tolist() == [[True, True, True], [True, False, False], [True, False, False]]
    assert e.window.tolist() == [[1, 1, 2], [1, 1, 2], [5, 5, 6]]
    assert e.source_rows.tolist() == [0, 0, 1] and e.source_cols.tolist() == [0, 0, 1]
    z = cl.explain(img, np.ones((3, 3)), (0, 0))
    assert z.window.tolist() == [[0, 0, 0], [0, 1, 2], [0, 5, 6]]
    assert z.source_rows.tolist() == [-1, 0, 1]
    assert z.sum == 14.0


def test_convolve_applies_the_flipped_kernel():
    img = np.arange(25, dtype=float).reshape(5, 5)
    k = np.array([[1.0, 2.0], [3.0, 4.0]])
    e = cl.explain(img, k, (2, 2), mode="convolve")
    assert e.kernel.tolist() == [[4.0, 3.0], [2.0, 1.0]]
    assert e.sum == cl.convolve(img, k)[2, 2]


def test_colour_per_channel_and_table():
    img = cl.sample("astronaut")[:20, :20]
    e = cl.explain(img, "emboss", (5, 6))
    assert e.window.shape == (3, 3, 3) and e.products.shape == (3, 3, 3)
    np.testing.assert_array_equal(e.sum, cl.correlate(img, "emboss")[5, 6])
    t = e.table()
    assert "channel R" in t and "channel B" in t and "sum =" in t
    grey = cl.explain(cl.sample("camera"), "blur", (3, 3)).table()
    assert "sum = " in grey and "pixel" in grey and "1/9" not in grey


def test_alpha_is_not_explained():
    img = np.dstack([cl.sample("coffee")[:10, :10], np.full((10, 10), 77, np.uint8)])
    e = cl.explain(img, "sharpen", (4, 4))
    assert e.window.shape == (3, 3, 3) and np.shape(e.value) == (3,)


def test_value_range_given():
    img = cl.sample("camera")[:32, :32]
    raw = cl.correlate(img, "edge")
    vr = cl.value_range(raw)
    for mapping in cl.MAPPINGS:
        e = cl.explain(img, "edge", (7, 9), mapping=mapping, value_range=vr)
        assert e.value == cl.to_display(raw, mapping)[7, 9]
    # a different range gives a different picture, as to_display would
    e = cl.explain(img, "edge", (7, 9), mapping="rescale", value_range=(0, 10_000))
    assert e.value == cl.to_display(raw, "rescale", value_range=(0, 10_000))[7, 9]


@pytest.mark.parametrize(
    "padding,stride,dilation", [("same", 1, 1), ("valid", 2, 1), ("full", (1, 3), 2), (2, 3, 1)]
)
def test_steps_raster_order(padding, stride, dilation):
    img = cl.sample("coins")[:9, :11]
    k = np.arange(6.0).reshape(2, 3)
    raw = cl.correlate(img, k, padding=padding, stride=stride, dilation=dilation)
    trace = list(cl.steps(img, k, padding=padding, stride=stride, dilation=dilation))
    assert len(trace) == raw.shape[0] * raw.shape[1]
    assert [s.at for s in trace] == [
        (r, c) for r in range(raw.shape[0]) for c in range(raw.shape[1])
    ]
    got = np.array([s.sum for s in trace]).reshape(raw.shape)
    np.testing.assert_allclose(got, raw, rtol=0, atol=1e-9 * 255 * 15)
    one = cl.explain(img, k, (1, 2), padding=padding, stride=stride, dilation=dilation)
    twin = trace[raw.shape[1] + 2]
    assert one.to_dict() == twin.to_dict()


def test_steps_is_lazy():
    it = cl.steps(cl.sample("camera"), "blur")
    first = next(it)
    assert first.at == (0, 0)
    assert next(it).at == (0, 1)


@pytest.mark.parametrize(
    "at,pattern",
    [
        ((5, 0), r"outside the output, which has 5 rows and 6 columns"),
        ((0, 6), r"columns 0\.\.5"),
        ((-1, 0), "at must be >= 0"),
        ((0.5, 0), "at must be a whole number"),
        ((1, 2, 3), r"at must be an int or a \(rows, cols\) pair"),
        ("1,2", "at"),
    ],
)
def test_position_errors(at, pattern):
    img = np.zeros((5, 6))
    with pytest.raises((ValueError, TypeError), match=pattern):
        cl.explain(img, "blur", at)


def test_position_after_stride():
    img = np.zeros((5, 6))
    with pytest.raises(ValueError, match="3 rows and 2 columns"):
        cl.explain(img, "blur", (0, 2), stride=(2, 4))


@pytest.mark.parametrize(
    "kwargs,exc,pattern",
    [
        (dict(mode="convolute"), ValueError, r"unknown mode 'convolute'.*Did you mean 'convolve'"),
        (dict(mapping="abss"), ValueError, r"unknown mapping.*Did you mean 'abs'"),
        (dict(border="mirror"), ValueError, "unknown border 'mirror'"),
        (dict(padding="half"), ValueError, "unknown padding 'half'"),
        (dict(stride=0), ValueError, "stride must be >= 1"),
        (dict(dilation=0), ValueError, "dilation must be >= 1"),
        (dict(mapping="offset", value_range=(1, 2, 3)), TypeError, "value_range"),
        (dict(mapping="rescale", value_range="ab"), TypeError, "value_range"),
        (dict(mapping="rescale", value_range=(5, 1)), ValueError, "value_range"),
    ],
)
def test_argument_errors(kwargs, exc, pattern):
    img = np.zeros((5, 6))
    with pytest.raises(exc, match=pattern):
        cl.explain(img, "blur", (0, 0), **kwargs)
    with pytest.raises(exc, match=pattern):
        next(cl.steps(img, "blur", **kwargs))


def test_a_half_rounds_up_and_says_so():
    """28.5 becomes 29 (pupils' rounding, not numpy's half to even), in the trace's data
    and in its text table; 27.5 becomes 28 and 28.25 does not mention the rule."""
    img = np.array([[57, 55, 56]], dtype=np.uint8)
    for at, total, pixel, half in (((0, 0), 28.5, 29, True), ((0, 1), 27.5, 28, True)):
        e = cl.explain(img, [[0.5]], at)
        assert (e.sum, e.value, e.rounded_half, e.divisor, e.whole_sum) == (
            total,
            pixel,
            half,
            2,
            img[at],
        )
        assert f"sum = {total}  →  pixel {pixel}  (at .5 round up)" in e.table()
        assert e.to_dict()["rounded_half"] is True
    e = cl.explain(np.array([[113]], np.uint8), [[0.25]], (0, 0))
    assert (e.sum, e.value, e.rounded_half) == (28.25, 28, False)
    assert "round up" not in e.table()
    rgb = cl.explain(np.array([[[57, 56, 1]]], np.uint8), [[0.5]], (0, 0))
    assert rgb.value.tolist() == [29, 28, 1] and rgb.rounded_half.tolist() == [True, False, True]
