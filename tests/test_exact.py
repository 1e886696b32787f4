"""Exact sums: kernels of whole numbers over a divisor, the float bounds, and one truth:
the shown pixel equals the step trace's pixel equals the explorer's numpy code's pixel."""

from __future__ import annotations

import os
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

import convolab as cl
from convolab import engine
from convolab.borders import BORDERS
from convolab.exact import (
    DFT_BITS,
    FLOAT32_EXACT,
    exact_plan,
    integer_form,
    integer_image_bound,
    sequential_sum,
)
from convolab.explain import trace

CI = os.environ.get("CI") == "true"
SCALE = int(os.environ.get("HYPOTHESIS_SCALE", "1"))


def exact_sums(img, k, border="zero", padding="same", flip=False):
    """The oracle: whole-number sums in Python's unbounded integers, as Fractions."""
    form = integer_form(k)
    n = form.numerators[::-1, ::-1] if flip else form.numerators
    kh, kw = n.shape
    t, left = (kh // 2, kw // 2) if padding == "same" else (kh - 1, kw - 1)
    b, r = (kh - 1 - t, kw - 1 - left) if padding == "same" else (kh - 1, kw - 1)
    p = np.pad(img.astype(object), ((t, b), (left, r)), mode=BORDERS[border].numpy)
    h, w = p.shape[0] - kh + 1, p.shape[1] - kw + 1
    out = np.zeros((h, w), dtype=object)
    for i in range(kh):
        for j in range(kw):
            out += int(n[i, j]) * p[i : i + h, j : j + w]
    return np.vectorize(lambda s: Fraction(int(s), form.divisor))(out)


# ---------------------------------------------------------------- the integer form


@pytest.mark.parametrize(
    ("cells", "divisor", "separable"),
    [
        ("1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9", 9, True),
        ("0,5 0,25", 4, False),  # one row: nothing to separate
        ("1/16 2/16 1/16; 2/16 4/16 2/16; 1/16 2/16 1/16", 16, True),
        ("-1 0 1; -2 0 2; -1 0 1", 1, True),
        ("0.1 0.2; 0.3 -0.7", 10, False),
        ("1/3 1/7; 1/11 0", 231, False),
        ("1/273 4/273; 7/273 26/273", 273, False),
    ],
)
def test_typed_fractions_have_an_integer_form(cells, divisor, separable):
    k = cl.parse_kernel(cells)
    form = integer_form(k)
    assert form.divisor == divisor and form.separable == separable
    np.testing.assert_array_equal(form.numerators / form.divisor, k)
    if separable:
        np.testing.assert_array_equal(np.outer(form.column, form.row), form.numerators)


def test_most_of_the_catalogue_is_exact():
    exact = {k.id for k in cl.kernels() if integer_form(k.values) is not None}
    assert {k.id for k in cl.kernels()} - exact == {"gaussian-5", "log"}  # computed floats
    for name in ("blur", "gaussian-3", "sobel-x", "sobel-y", "box-5", "vertical-lines"):
        assert integer_form(cl.kernel(name).values).separable, name
    for name in ("sharpen", "edge", "emboss", "smooth"):
        assert not integer_form(cl.kernel(name).values).separable, name


def test_floats_without_a_small_fraction_have_no_integer_form():
    assert integer_form(cl.gaussian(5, 1.0)) is None
    assert integer_form(np.array([[np.pi]])) is None
    assert integer_form(np.array([[1 / 10_007]])) is None  # denominator beyond 10,000


def test_image_bounds():
    assert integer_image_bound(np.zeros((2, 2), np.uint8)) == 255
    assert integer_image_bound(np.array([[3.0, -70000.0]])) == 70000
    assert integer_image_bound(np.array([[3.5]])) is None
    late = np.full((100, 100), 7.0)
    late[99, 99] = 7.5  # past the first pixels that are looked at first
    assert integer_image_bound(late) is None
    assert integer_image_bound(late[:, 1::2]) is None  # not contiguous
    assert integer_image_bound(late[:, ::2]) == 7  # the 7.5 is not in it
    assert integer_image_bound(np.full((100, 100), -7.0)) == 7
    assert integer_image_bound(np.array([[2**40]], dtype=np.int64)) == 2**40
    assert exact_plan(np.array([[0.25]]), np.ones((3, 3))) is None  # fractions in the image


# ---------------------------------------------------------------- the float bounds


def test_float32_holds_whole_numbers_up_to_two_to_the_24():
    """The bound in convolab.exact's docstring is tight: one past it, float32 rounds."""
    edge = np.float32(FLOAT32_EXACT)
    assert np.float32(FLOAT32_EXACT - 1) + np.float32(1) == edge
    assert edge + np.float32(1) == edge  # 2**24 + 1 is not a float32
    assert np.float64(2**53) + 1.0 == 2.0**53


@pytest.mark.parametrize("separable", [True, False])
@pytest.mark.parametrize("border", ["zero", "reflect", "wrap"])
def test_exact_at_the_float32_bound(separable, border):
    """Partial sums that reach 2**24 exactly: the float32 path is still exact, and one more
    (bound 2**24 + 2**16) takes float64, also exact."""
    rng = np.random.default_rng(7)
    img = rng.integers(0, 2**16 + 1, (20, 23)).astype(np.float64)
    img[::3, ::2] = 2**16
    if separable:
        k = np.ones((16, 16))  # weight 256: bound 256 * 2**16 = 2**24
    else:
        k = np.array([[100.0, 28, 0], [-60, 0, 30], [0, 0, -38]])  # weight 256
        assert not integer_form(k).separable
    for scale in (1, 1.0 + 1 / 256):
        im = img if scale == 1 else np.where(img == 2**16, 2**16 + 256, img)
        bound = exact_plan(im, k).bound
        assert (bound <= FLOAT32_EXACT) == (scale == 1)
        want = exact_sums(im, k, border)
        for eng in ("auto", "opencv", "numpy"):
            got = cl.correlate(im, k, border=border, engine=eng)
            assert got.tolist() == [[float(v) for v in row] for row in want], eng


def test_large_non_separable_kernels_are_exact_through_the_dft():
    """31 x 31 whole numbers (OpenCV takes a DFT): the nearest integer is the exact sum,
    also with pixels so large that the bound is 2**DFT_BITS."""
    rng = np.random.default_rng(3)
    k = rng.integers(-9, 10, (31, 31)).astype(np.float64)
    assert not integer_form(k).separable
    img = rng.integers(0, 256, (40, 45), dtype=np.uint8)
    want = exact_sums(img, k / 7, "reflect")
    got = cl.correlate(img, k / 7, border="reflect", engine="opencv")
    assert got.tolist() == [[float(v) for v in row] for row in want]
    weight = int(np.abs(k).sum())
    big = (img.astype(np.float64) * ((2**DFT_BITS // weight) // 255)).round()
    assert exact_plan(big, k).bound <= 2**DFT_BITS
    want = exact_sums(big, k)
    got = cl.correlate(big, k, engine="opencv")
    assert got.tolist() == [[float(v) for v in row] for row in want]


def test_the_fast_paths_are_taken():
    """OpenCV's passes (``engine="opencv"``, and "auto" where the compiled sums are not
    built): separable kernels go through two 1-D passes, small sums through float32."""
    calls = []
    real = engine.cv2.sepFilter2D

    def spy(src, ddepth, *a, **kw):
        calls.append(ddepth)
        return real(src, ddepth, *a, **kw)

    engine.cv2.sepFilter2D = spy
    try:
        img = cl.sample("camera")[:50, :60]
        cl.correlate(img, cl.box((15, 15)), engine="opencv")
        cl.correlate(img, "sobel-x", engine="opencv")
    finally:
        engine.cv2.sepFilter2D = real
    assert calls == [engine.cv2.CV_32F, engine.cv2.CV_16S]  # 255 * 225 > 2**15: float32


# ---------------------------------------------------------------- ties


def test_the_issue_example_is_an_exact_tie():
    img = np.array([[7]], np.uint8)
    k = np.full((5, 10), 0.5)
    for eng in ("auto", "opencv", "numpy"):
        raw = cl.correlate(img, k, padding="full", engine=eng)
        assert raw[0, 0] == 3.5
        assert cl.to_display(raw)[0, 0] == 4  # 3.5 rounds up
    ex = cl.explain(img, k, (0, 0), padding="full")
    assert (ex.sum, ex.value, ex.whole_sum, ex.divisor, ex.rounded_half) == (3.5, 4, 7, 2, True)


def test_ties_without_an_exact_form_are_settled_by_the_trace_sum():
    """Float kernels whose sums land within 1e-12 of x.5: the OpenCV result is replaced by
    the trace's sequential sum there, so every engine shows what the trace shows."""
    rng = np.random.default_rng(11)
    img = rng.integers(0, 256, (30, 30), dtype=np.uint8)
    k = rng.integers(-3, 4, (9, 9)) / 2 + rng.standard_normal((9, 9)) * 1e-15
    assert integer_form(k) is None
    ctx = trace(img, k, border="reflect")
    for eng in ("auto", "opencv", "numpy"):
        raw = cl.correlate(img, k, border="reflect", engine=eng)
        shown = cl.to_display(raw)
        for r in range(30):
            for c in range(30):
                e = ctx.at(r, c)
                assert e.value == shown[r, c], (eng, r, c, e.sum, raw[r, c])
                if abs(e.sum - np.floor(e.sum) - 0.5) < 1e-9:
                    assert e.sum == raw[r, c]  # a near tie: the trace's own sum


def _near_tie_rank_one(rng, kh, kw):
    """Odd halves times whole numbers, each cell nudged by about 1e-15: no exact form, one
    column times one row within far less than the engine's limit, and about half of the
    sums on a photo within 1e-12 of an x.5."""
    col = (2 * rng.integers(-2, 2, kh) + 1) / 2
    row = rng.integers(-2, 3, kw).astype(float)
    row[kw // 2] = 1.0
    return np.outer(col, row) + rng.standard_normal((kh, kw)) * 1e-15


@pytest.mark.parametrize(
    ("shape", "opts"),
    [
        ((3, 3), {"border": "zero"}),
        ((5, 5), {"border": "reflect", "mode": "convolve"}),
        ((3, 7), {"border": "wrap", "stride": 2}),
        ((9, 9), {"border": "replicate", "dilation": 2}),  # 81 cells: beyond the DFT's 50
        ((4, 6), {"border": "symmetric", "padding": "full"}),
    ],
)
def test_separable_float_kernels_take_two_passes_and_show_the_trace(shape, opts, monkeypatch):
    """A float kernel that is one column times one row goes through two OpenCV passes
    (``engine="opencv"``; "auto" too beyond 5 x 5, and where the compiled sums are not
    built); the pixels near an x.5 are the trace's own sums, so every pixel shows what the
    trace shows."""
    rng = np.random.default_rng(sum(shape))
    k = _near_tie_rank_one(rng, *shape)
    assert integer_form(k) is None and engine._float_factors(k) is not None
    calls = []
    real = engine._opencv_separable
    monkeypatch.setattr(engine, "_opencv_separable", lambda *a: calls.append(1) or real(*a))
    for img in (rng.integers(0, 256, (26, 23), dtype=np.uint8),
                rng.integers(0, 256, (17, 20, 3), dtype=np.uint8)):  # fmt: skip
        fn = cl.convolve if opts.get("mode") == "convolve" else cl.correlate
        geometry = {key: v for key, v in opts.items() if key != "mode"}
        raw = fn(img, k, **geometry, engine="opencv")
        ctx = trace(img, k, **opts)
        shown = cl.to_display(raw).reshape(raw.shape[:2] + (-1,))
        flat = raw.reshape(shown.shape)
        near = 0
        for pos in np.ndindex(raw.shape[:2]):
            e = ctx.at(*pos)
            sums, values = np.atleast_1d(e.sum), np.atleast_1d(e.value)
            assert values.tolist() == shown[pos].tolist(), pos
            for ch, want in enumerate(sums):
                if abs(want - np.floor(want) - 0.5) < 1e-9:
                    assert flat[pos][ch] == want  # a near tie: the trace's own sum
                    near += 1
        assert near > 0  # the kernels are made to land near ties
    assert len(calls) == 2


@pytest.mark.parametrize("border", ["zero", "reflect", "wrap"])
@pytest.mark.parametrize("colour", [False, True])
def test_two_pass_float_sums_stay_within_the_claimed_distance_of_the_trace(border, colour):
    """The bound that decides which pixels are recomputed holds with room to spare: OpenCV's
    two passes lie within half of it from the sequential sum (uint8 and float photos)."""
    from convolab.kernels import gaussian

    img = cl.sample("astronaut" if colour else "camera")[100:260, 80:300]
    rng = np.random.default_rng(3)
    kernels = [
        gaussian(5, 1.0),
        gaussian(9, 2.0),
        np.outer(rng.standard_normal(5), rng.standard_normal(3)),
        np.outer(rng.standard_normal(7), rng.standard_normal(7)) * 1e3,
    ]
    for src in (img, img.astype(np.float64) * 0.37 - 20.0):
        m = 255.0 if src.dtype == np.uint8 else float(np.abs(src).max())
        for k in kernels:
            factors = engine._float_factors(k)
            assert factors is not None
            _, kk, b, plan = engine.prepare(src, k, border=border)
            out, frac = engine._opencv_separable(src, kk, factors, b, plan)
            seq = engine._numpy_engine(src, kk, b, plan)
            bound = float(np.abs(kk).sum()) * m
            assert 0 < frac < 2.0**-40
            assert np.abs(out - seq).max() <= frac * bound / 2


def test_kernels_that_are_not_one_column_times_one_row_keep_one_pass():
    rng = np.random.default_rng(8)
    assert engine._float_factors(rng.standard_normal((3, 3))) is None
    assert engine._float_factors(cl.kernel("log").values) is None
    assert engine._float_factors(rng.standard_normal((1, 7))) is None  # one row: no gain
    almost = np.outer([1.0, 2.0], [3.0, 1.0])
    almost[1, 1] += 1e-9  # 1e-10 of sum |k|: beyond the limit (2**-36, about 1.5e-11)
    assert engine._float_factors(almost) is None
    almost[1, 1] -= 1e-9 - 1e-12  # 1e-13 of it: within
    assert engine._float_factors(almost) is not None
    assert engine._float_factors(cl.kernel("gaussian-5").values) is not None


def test_sequential_sum_is_the_numpy_engines_order():
    rng = np.random.default_rng(5)
    img = rng.random((6, 7)) * 255
    k = rng.standard_normal((3, 4))
    raw = cl.correlate(img, k, engine="numpy", padding="valid")
    for r in range(raw.shape[0]):
        for c in range(raw.shape[1]):
            assert sequential_sum(img[r : r + 3, c : c + 4], k) == raw[r, c]


# ---------------------------------------------------------------- one truth


def twin(img, k, mode, border, mapping, value_range, folder):
    """Run the explorer's "plain numpy" code for this image and kernel; its pixels."""
    from convolab.web.routes.explorer import numpy_code

    colour = img.ndim == 3
    Image.fromarray(img).save(folder / "in.png")
    body = SimpleNamespace(mode=mode, border=border, colour=colour)
    source = {
        "sample": None,
        "filename": "in.png",
        "original": img.shape[:2],
        "working": img.shape[:2],
        "colour_source": True,
    }
    plan = exact_plan(img, k)
    cells = [[repr(float(v)) for v in row] for row in k]
    code = numpy_code(
        body, None, cells, k, mapping, source, value_range, "nl", form=plan and plan.form
    )
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        exec(compile(code, "code-twin", "exec"), {"__name__": "code_twin"})  # noqa: S102
    finally:
        os.chdir(cwd)
    return np.asarray(Image.open(folder / "resultaat.png"))


@st.composite
def half_integer_cases(draw):
    """Half-integer kernels of 50 cells or more (up to the explorer's 15 x 15) on small
    photos: every sum of an odd number of odd halves is an exact x.5 tie."""
    kh = draw(st.integers(4, 15))
    kw = draw(st.integers(max(1, -(-50 // kh)), 15))
    k = draw(arrays(np.float64, (kh, kw), elements=st.integers(-7, 7).map(lambda v: v / 2)))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    shape = (h, w) if draw(st.booleans()) else (h, w, 3)
    img = draw(arrays(np.uint8, shape, elements=st.integers(0, 255)))
    return dict(
        img=img,
        k=k,
        mode=draw(st.sampled_from(["correlate", "convolve"])),
        border=draw(st.sampled_from(list(BORDERS))),
        mapping=draw(st.sampled_from(list(cl.MAPPINGS))),
        engine=draw(st.sampled_from(["auto", "opencv", "numpy"])),
    )


@settings(max_examples=(2000 if CI else 60) * SCALE)
@given(case=half_integer_cases())
def test_shown_pixel_is_trace_pixel_is_code_twin_pixel(case, tmp_path_factory):
    img, k, mode = case["img"], case["k"], case["mode"]
    assert k.size >= 50
    fn = cl.convolve if mode == "convolve" else cl.correlate
    raw = fn(img, k, border=case["border"], engine=case["engine"])
    lo, hi = cl.value_range(raw)
    shown = cl.to_display(raw, case["mapping"], value_range=(lo, hi))
    ctx = trace(img, k, mode=mode, border=case["border"], mapping=case["mapping"],
                value_range=(lo, hi))  # fmt: skip
    for r in range(raw.shape[0]):
        for c in range(raw.shape[1]):
            e = ctx.at(r, c)
            np.testing.assert_array_equal(e.sum, raw[r, c])  # bit for bit
            np.testing.assert_array_equal(e.value, shown[r, c])
    exact = exact_sums(img if img.ndim == 2 else img[..., 0], k, case["border"],
                       flip=mode == "convolve")  # fmt: skip
    ch0 = raw if raw.ndim == 2 else raw[..., 0]
    assert ch0.tolist() == [[float(v) for v in row] for row in exact]  # ties are exact
    folder = tmp_path_factory.mktemp("twin")
    got = twin(img, k, mode, case["border"], case["mapping"], (lo, hi), folder)
    np.testing.assert_array_equal(got, shown)


@pytest.mark.parametrize("border", ["zero", "reflect", "symmetric", "replicate", "wrap"])
def test_separable_beyond_the_float32_bound_is_exact(border):
    """A 15 x 15 binomial blur over 4**14 (bound 255 * 2**28) and a 15 x 15 Sobel
    (binomial x difference): one pass in float32, the other in float64, still exact."""
    import math

    b = np.array([float(math.comb(14, i)) for i in range(15)])
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, (21, 26, 3), dtype=np.uint8)
    for k in (np.outer(b, b) / 4.0**14, np.outer(b, np.arange(-7.0, 8.0)),
              np.outer(np.arange(-7.0, 8.0), b)):  # fmt: skip
        plan = exact_plan(img, k)
        assert plan.form.separable and plan.bound > FLOAT32_EXACT
        for flip in (False, True):
            fn = cl.convolve if flip else cl.correlate
            got = fn(img, k, border=border, engine="opencv")
            for c in range(3):
                want = exact_sums(img[..., c], k, border, flip=flip)
                assert got[..., c].tolist() == [[float(v) for v in row] for row in want]


@pytest.mark.parametrize(
    "k",
    [
        np.array([[16.0, 16, 16], [16, 0, 16], [16, 16, 16]]),  # not separable
        np.outer([1.0, 6, 1], [2.0, 12, 2]),  # separable
    ],
    ids=["filter2d", "separable"],
)
@pytest.mark.parametrize("eng", ["opencv", "auto"])
def test_exact_at_the_int16_bound(k, eng, monkeypatch):
    """uint8 photos with sums up to 255 * 128 = 32640 <= 2**15 - 1 go through OpenCV's int16
    output (and the compiled sums' int16 accumulators, the same bound): the extreme sums
    come out whole, unsaturated; weight 129 takes float32 (int32 when compiled)."""
    compiled = []
    if eng == "auto":
        if engine._sums is None:
            pytest.skip("convolab._sums is not built here")
        real_c = engine._compiled_integer
        monkeypatch.setattr(
            engine, "_compiled_integer", lambda *a: compiled.append(1) or real_c(*a)
        )
    calls = []
    real_f, real_s = engine.cv2.filter2D, engine.cv2.sepFilter2D

    def spy_f(src, ddepth, *a, **kw):
        calls.append(ddepth)
        return real_f(src, ddepth, *a, **kw)

    def spy_s(src, ddepth, *a, **kw):
        calls.append(ddepth)
        return real_s(src, ddepth, *a, **kw)

    img = np.full((6, 7), 255, np.uint8)
    img[:, 3] = 0
    engine.cv2.filter2D, engine.cv2.sepFilter2D = spy_f, spy_s
    try:
        for sign in (1, -1):
            for kk in (sign * k, sign * k / 7):
                assert int(np.abs(integer_form(kk).numerators).sum()) == 128
                got = cl.correlate(img, kk, border="replicate", engine=eng)
                want = exact_sums(img, kk, "replicate")
                assert got.tolist() == [[float(v) for v in row] for row in want]
                assert np.abs(got).max() * integer_form(kk).divisor == 32640
        assert set(calls) == ({engine.cv2.CV_16S} if eng == "opencv" else set())
        assert len(compiled) == (4 if eng == "auto" else 0)
        calls.clear()
        bigger = k.copy()
        bigger[0, 0] += 1  # weight 129: 32895 does not fit int16
        got = cl.correlate(img, bigger, border="replicate", engine=eng)
        assert got.tolist() == [[float(v) for v in row] for row in exact_sums(img, bigger,
                                                                              "replicate")]  # fmt: skip
        assert engine.cv2.CV_16S not in calls
    finally:
        engine.cv2.filter2D, engine.cv2.sepFilter2D = real_f, real_s


def test_near_ties_are_found_on_both_sides_of_every_half():
    from convolab.engine import _near_ties

    tol = 1e-9
    x = np.array([2.5, -0.5, -2.5, 3.5 - 1e-10, 3.5 + 1e-10, 7.2, 0.0, -1.4999999, 1e12 + 0.5,
                  4.5 - 1e-8, 2.0**40 + 0.5, 0.49999999999999994])  # fmt: skip
    want = [0, 1, 2, 3, 4, 8, 10, 11]
    for bound in (2.0**41, 2.0**60):  # the rounding trick, and the direct distance
        assert _near_ties(x, tol, bound).tolist() == want
    many = np.tile(x, 5000)  # several blocks
    assert _near_ties(many, tol, 2.0**41).size == 8 * 5000
    quiet = np.full(3 * 65536 + 11, 7.2)  # blocks without a near tie are passed over...
    quiet[[5, -1]] = 2.5, 200.5 - 1e-10  # ...until one has one
    for bound in (255.0, 2.0**41):
        assert _near_ties(quiet, tol, bound).tolist() == [5, quiet.size - 1]


@pytest.mark.parametrize("bound", [1.0, 255.0, 2295.0, 2.0**20, 2.0**33, 2.0**44])
def test_near_tie_screen_finds_exactly_the_direct_distance(bound):
    """The bit-mask screen (any bound below 2**45) returns the indices the direct distance
    |x - floor(x) - 0.5| <= tol gives, for values on, just inside and just outside the
    tolerance around halves, and for ordinary values."""
    from convolab.engine import _near_ties

    rng = np.random.default_rng(int(bound) % 1000)
    tol = min(2.0**-30 * bound, 2.0**-12)  # the engine's tolerance, at most 1/4096
    halves = np.floor(rng.uniform(-bound, bound, 3000)) + 0.5
    offs = np.concatenate([np.zeros(500), rng.uniform(-2, 2, 2000) * tol,
                           np.array([tol, -tol] * 250)])  # fmt: skip
    x = np.concatenate([np.clip(halves + offs, -bound, bound), rng.uniform(-bound, bound, 10**5)])
    rng.shuffle(x)
    want = np.flatnonzero(np.abs(x - np.floor(x) - 0.5) <= tol)
    assert 500 <= want.size < x.size // 10
    assert _near_ties(x, tol, bound).tolist() == want.tolist()


@pytest.mark.parametrize("shape", [(3, 3), (5, 5), (2, 7)])
@pytest.mark.parametrize("border", ["zero", "reflect"])
def test_exact_halves_of_small_float_kernels_are_the_trace_sum(shape, border):
    """Small kernels (a direct sum in OpenCV, the tight tolerance): halves of whole numbers plus
    one cell of 1e-300, so there is no integer form while most sums are exactly x.5. Every
    engine shows the trace's value everywhere and has the trace's sum at the exact halves."""
    rng = np.random.default_rng(sum(shape))
    img = rng.integers(0, 256, (25, 27), dtype=np.uint8)
    k = rng.integers(-3, 4, shape) / 2
    k[0, 0] = 1e-300
    assert integer_form(k) is None
    ctx = trace(img, k, border=border)
    halves = 0
    for eng in ("auto", "opencv", "numpy"):
        raw = cl.correlate(img, k, border=border, engine=eng)
        shown = cl.to_display(raw)
        for r in range(25):
            for c in range(27):
                e = ctx.at(r, c)
                assert e.value == shown[r, c], (eng, r, c, e.sum, raw[r, c])
                if e.sum - np.floor(e.sum) == 0.5:
                    halves += 1
                    assert e.sum == raw[r, c], (eng, r, c)
    assert halves > 300
