"""The compiled exact sums (src/convolab/_sums.c, called by convolab.engine).

They must give the numpy engine's values bit for bit (whole-number sums, one IEEE
division), for every geometry, and refuse any call that would read or write outside
its buffers.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convolab as cl
from convolab import engine
from convolab.exact import exact_plan

needs_sums = pytest.mark.skipif(
    engine._sums is None and os.environ.get("CI") != "true",
    reason="convolab._sums is not built here (no C compiler when it was installed)",
)


def test_the_compiled_sums_are_built_where_ci_runs():
    """CI installs with a C compiler: the module must be there, or the engine silently
    falls back to OpenCV's passes (same values, slower)."""
    if os.environ.get("CI") != "true" and engine._sums is None:
        pytest.skip("not built here")
    assert engine._sums is not None
    assert callable(engine._sums.correlate_u8) and callable(engine._sums.separable_u8)


def _spy(monkeypatch):
    taken = []
    for name in ("_compiled_integer", "_compiled_separable"):
        real = getattr(engine, name)
        monkeypatch.setattr(engine, name, lambda *a, _r=real, _n=name: taken.append(_n) or _r(*a))
    return taken


@st.composite
def cases(draw):
    h, w = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    channels = draw(st.sampled_from([None, 1, 2, 3]))
    shape = (h, w) if channels is None else (h, w, channels)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, shape).astype(np.uint8)
    kind = draw(st.sampled_from(["dense", "sparse", "separable", "ones", "float"]))
    top = 11 if kind == "float" else 15  # float kernels: compiled up to 11 x 11
    kh, kw = draw(st.integers(1, top)), draw(st.integers(1, top))
    divisor = draw(st.sampled_from([1, 2, 3, 7, 9, 16, 100, 256, 4591, 2**30]))
    if kind == "float":  # no exact form: the trace's sequential sum
        k = rng.standard_normal((kh, kw)) * draw(st.sampled_from([1e-3, 0.5, 1.0, 40.0]))
        k[rng.random((kh, kw)) < draw(st.sampled_from([0.0, 0.5]))] = 0.0
        if not np.any(k) or draw(st.booleans()):
            k.flat[0] = 0.1  # never all zero
    elif kind == "separable":
        k = np.outer(rng.integers(-40, 41, kh), rng.integers(-40, 41, kw)) / divisor
    elif kind == "ones":
        k = np.ones((kh, kw)) / divisor
    else:
        num = rng.integers(-9, 10, (kh, kw))
        if kind == "sparse":
            num = num * (rng.random((kh, kw)) < 0.2)
        k = num / divisor
    opts = {
        "padding": draw(st.sampled_from(["same", "valid", "full"])),
        "border": draw(st.sampled_from(["zero", "reflect", "symmetric", "replicate", "wrap"])),
        "stride": draw(st.integers(1, 3)),
        "dilation": draw(st.integers(1, 3)),
        "flip": draw(st.booleans()),
    }
    return img, k, opts


@needs_sums
@settings(max_examples=300, deadline=None)
@given(cases())
def test_compiled_sums_equal_the_numpy_engine_bit_for_bit(case):
    """Whole numbers over a divisor (exact sums, one division) and float kernels (the trace's
    sequential sum) through the compiled code: the numpy engine's float64 bits."""
    img, k, opts = case
    taken = []
    names = ("_compiled_integer", "_compiled_separable", "_compiled_sequential")
    real = {name: getattr(engine, name) for name in names}
    for name in names:
        setattr(engine, name, lambda *a, _n=name: taken.append(_n) or real[_n](*a))
    try:
        try:
            got = engine.apply(img, k, **opts)
        except ValueError:
            return  # a geometry the plan refuses (kernel larger than the padded image)
    finally:
        for name in names:
            setattr(engine, name, real[name])
    want = engine.apply(img, k, engine="numpy", **opts)
    assert got.shape == want.shape and got.dtype == np.float64
    assert np.array_equal(got, want)
    assert got.tobytes() == want.tobytes()  # the same bits, -0.0 included
    if np.any(k):
        assert taken, "the compiled sums were not used"


@needs_sums
@pytest.mark.parametrize("name", [k.id for k in cl.kernels()])
@pytest.mark.parametrize("colour", [False, True])
def test_catalogue_filters_on_a_photo(name, colour, monkeypatch):
    """The sample photo with every catalogue filter through the compiled sums: the numpy
    engine's values bit for bit; for a filter of whole numbers over a divisor also OpenCV's
    exact passes' values, and for a float filter the same shown pixels as OpenCV's float sum
    with its ties settled (``engine="opencv"``, and "auto" without the module)."""
    img = cl.sample("astronaut" if colour else "camera")[:200, :230]
    k = cl.kernel(name).values
    taken = _spy(monkeypatch)
    real_seq = engine._compiled_sequential
    monkeypatch.setattr(
        engine, "_compiled_sequential", lambda *a: taken.append("seq") or real_seq(*a)
    )
    got = cl.correlate(img, name, border="reflect")
    assert taken  # every catalogue filter fits (float ones of more than 25 cells: no)
    assert got.tobytes() == cl.correlate(img, name, border="reflect", engine="numpy").tobytes()
    opencv = cl.correlate(img, name, border="reflect", engine="opencv")
    monkeypatch.setattr(engine, "_sums", None)
    fallback = cl.correlate(img, name, border="reflect")
    if exact_plan(img, k) is not None:
        assert got.tobytes() == opencv.tobytes() == fallback.tobytes()
    else:
        assert taken == ["seq"]
        assert np.allclose(got, opencv, rtol=0, atol=1e-9)
        shown = cl.to_display(got, cl.kernel(name).display)
        assert np.array_equal(shown, cl.to_display(opencv, cl.kernel(name).display))
        assert np.array_equal(shown, cl.to_display(fallback, cl.kernel(name).display))


@needs_sums
def test_which_kernels_the_compiled_sums_take():
    img = np.zeros((4, 4), np.uint8)

    def way(k):
        return engine._compiled_way(exact_plan(img, np.asarray(k, float)))

    assert way(cl.kernel("blur").values) == "direct"  # 9 taps: one pass of all of them
    assert way(cl.box(15)) == "separable"
    assert way(np.outer(np.arange(1, 8), np.arange(-3, 4))) == "separable"
    rng = np.random.default_rng(0)
    assert way(rng.integers(1, 9, (15, 15))) == "direct"  # the explorer's largest
    assert way(rng.integers(1, 9, (17, 17))) is None  # OpenCV's DFT, quicker there
    float_img = np.zeros((4, 4))
    assert exact_plan(float_img, cl.box(3)) is not None
    # only uint8 images: other whole-number images keep OpenCV's float passes
    taken = []
    real = engine._compiled_integer
    engine._compiled_integer = lambda *a: taken.append(1) or real(*a)
    try:
        cl.correlate(np.arange(20.0).reshape(4, 5), cl.box(3))
    finally:
        engine._compiled_integer = real
    assert taken == []


# ---------------------------------------------------------------- the module's own checks


SRC = np.arange(30, dtype=np.uint8).reshape(5, 6)  # a 5 x 6 image, read "valid" below
GEOMETRY = {"src_row": 6, "rows": 3, "cols": 4, "channels": 1, "sh": 1, "sw": 1}


def _call(f, buffers: dict, divisor: float, change: dict) -> np.ndarray:
    """``f`` with its buffers, the 3 x 4 "valid" geometry of a 3 x 3 kernel on SRC, the
    divisor, and ``change`` applied; returns the output buffer."""
    args = {"src": SRC, "out": np.empty((3, 4)), **buffers, **GEOMETRY, "divisor": divisor}
    args.update(change)
    f(*args.values())
    return args["out"]


@needs_sums
def test_the_direct_sums_check_their_buffers():
    taps = {
        "offsets": np.array([0, 1, 2, 6, 7, 8, 12, 13, 14], np.int64),
        "weights": np.ones(9, np.int32),
    }

    def call(**change):
        return _call(engine._sums.correlate_u8, taps, 9.0, change)

    want = cl.correlate(SRC, cl.box(3), padding="valid")
    assert call().tobytes() == want.tobytes()
    bad = [
        ({"offsets": np.array([0, 1, 2, 6, 7, 8, 12, 13, 15], np.int64)}, "outside the source"),
        ({"offsets": np.array([-1] + [0] * 8, np.int64)}, "outside the source"),
        ({"rows": 4, "out": np.empty((4, 4))}, "outside the source"),
        ({"out": np.empty((3, 3))}, "too small"),
        ({"weights": np.ones(8, np.int32)}, "one int64 offset"),
        ({"offsets": np.zeros(0, np.int64), "weights": np.zeros(0, np.int32)}, "one int64"),
        ({"weights": np.full(9, 2**30, np.int32)}, "fit int32"),
        ({"sw": 0}, ">= 1"),
        ({"divisor": 0.5}, ">= 1"),
    ]
    for change, message in bad:
        with pytest.raises(ValueError, match=message):
            call(**change)
    ro = np.empty((3, 4))
    ro.flags.writeable = False
    with pytest.raises(TypeError):  # a read-only output
        call(out=ro)


@needs_sums
def test_the_separable_sums_check_their_buffers():
    taps = {
        "co": np.array([0, 1, 2], np.int64),
        "cw": np.array([1, 2, 1], np.int32),
        "ro": np.array([0, 2], np.int64),
        "rw": np.array([-1.0, 1.0]),
    }

    def call(**change):
        return _call(engine._sums.separable_u8, taps, 1.0, change)

    k = np.outer([1, 2, 1], [-1, 0, 1]).astype(float)
    assert call().tobytes() == cl.correlate(SRC, k, padding="valid").tobytes()
    bad = [
        ({"co": np.array([0, 1, 3], np.int64)}, "outside the source"),
        ({"ro": np.array([0, 3], np.int64)}, "outside the source"),
        ({"out": np.empty((2, 4))}, "too small"),
        ({"rw": np.array([-1.5, 1.0])}, "whole numbers"),
        ({"cw": np.array([1, 2], np.int32)}, "column taps"),
        ({"cw": np.full(3, 2**30, np.int32)}, "fit int32"),
        ({"rw": np.array([-(2.0**45), 2.0**45])}, "2\\*\\*53"),
    ]
    for change, message in bad:
        with pytest.raises(ValueError, match=message):
            call(**change)


@needs_sums
def test_the_sequential_sums_check_their_buffers():
    taps = {
        "rt": np.array([0, 0, 1, 2], np.int64),
        "ct": np.array([0, 2, 1, 0], np.int64),
        "w": np.array([0.1, -0.25, 1 / 3, 2.0]),
    }

    def call(**change):
        args = {"src": SRC, "out": np.empty((3, 4)), **taps, **GEOMETRY}
        args.update(change)
        engine._sums.sequential_u8(*args.values())
        return args["out"]

    k = np.zeros((3, 3))
    for r, c, v in zip(taps["rt"], taps["ct"], taps["w"], strict=True):
        k[r, c] = v
    got = call(rt=np.repeat([0, 1, 2], 3), ct=np.tile([0, 1, 2], 3), w=k.reshape(-1))
    assert got.tobytes() == engine.apply(SRC, k, padding="valid", engine="numpy").tobytes()
    bad = [
        ({"rt": np.array([0, 0, 1, 3], np.int64)}, "outside the source"),
        ({"ct": np.array([0, 3, 1, 0], np.int64)}, "outside the source"),
        ({"ct": np.array([0, -1, 1, 0], np.int64)}, "outside the source"),
        ({"out": np.empty((3, 3))}, "too small"),
        ({"w": np.array([0.1, 0.2, 0.3])}, "one int64 row"),
        ({"ct": np.array([0, 2, 1], np.int64)}, "one int64 row"),
        ({"w": np.array([0.1, np.inf, 0.3, 0.4])}, "finite"),
        ({"sh": 0}, ">= 1"),
    ]
    for change, message in bad:
        with pytest.raises(ValueError, match=message):
            call(**change)


@needs_sums
@pytest.mark.parametrize("k", ["sharpen", "blur", "random-float", "box-7"])
def test_a_large_photo_is_summed_in_two_halves_with_the_same_values(k, monkeypatch):
    """From 2 M output values the top and bottom halves run at once (engine._in_two); the
    seam between them changes nothing, with a stride too."""
    img = np.random.default_rng(4).integers(0, 256, (1001, 700, 3), dtype=np.uint8)
    kernel = {
        "random-float": np.random.default_rng(5).standard_normal((3, 3)),
        "box-7": cl.box(7),
    }.get(k, k)
    halves = []
    real = engine._in_two
    monkeypatch.setattr(engine, "_in_two", lambda a, b: halves.append(1) or real(a, b))
    for stride in (1, 3):
        got = cl.correlate(img, kernel, border="reflect", stride=stride)
        want = cl.correlate(img, kernel, border="reflect", stride=stride, engine="numpy")
        assert got.tobytes() == want.tobytes()
    assert len(halves) == 1  # only the full-size output is large enough
