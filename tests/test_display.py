"""to_display: from raw results (float64, negatives kept) to uint8 pixels."""

from __future__ import annotations

from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import convolab as cl

RAW = np.array([[-300.0, -10.0, -0.4, 0.0, 10.0, 127.5, 254.6, 300.0]])


def rnd(x):
    """Round half up, as pupils learn it (28.5 -> 29, -0.5 -> 0), with exact decimals."""
    a = np.asarray(x, dtype=float)
    return np.array(
        [float(Decimal(v).to_integral_value(ROUND_HALF_UP_SIGNED(v))) for v in a.ravel()]
    ).reshape(a.shape)


def ROUND_HALF_UP_SIGNED(v):  # noqa: N802 - a rounding mode, named like decimal's
    """Half up means towards +infinity: decimal's ROUND_HALF_UP goes away from zero, so
    negative values take ROUND_HALF_DOWN (-0.5 -> 0, -1.5 -> -1)."""
    return ROUND_HALF_UP if v >= 0 else ROUND_HALF_DOWN


def test_clip():
    out = cl.to_display(RAW, "clip")
    assert out.dtype == np.uint8 and out.shape == RAW.shape
    assert out.tolist() == [[0, 0, 0, 0, 10, 128, 255, 255]]
    assert cl.to_display(RAW).tolist() == out.tolist()  # "clip" is the default
    # halves go up, as pupils learn it (not to the even neighbour, as np.rint does)
    assert cl.to_display(np.array([[0.5, 1.5, 2.5, 3.5, 28.5, -0.5]])).tolist() == [
        [1, 2, 3, 4, 29, 0]
    ]


def test_round_half_up():
    from convolab.display import round_half_up

    x = [28.5, 28.49, 2.5, -0.5, -1.5, -2.5, -2.51, 0.49999999999999994, 2.0**52 + 1, -0.0]
    assert round_half_up(x).tolist() == [29, 28, 3, 0, -1, -2, -3, 0, 2.0**52 + 1, 0]
    assert round_half_up([np.inf, -np.inf]).tolist() == [np.inf, -np.inf]  # no warning
    # floor(x + 0.5) would turn the largest float below 0.5 into 1
    assert np.floor(0.49999999999999994 + 0.5) == 1.0


@given(arrays(np.float64, 50, elements=st.floats(-1e6, 1e6) | st.integers(-600, 600).map(
    lambda v: v / 2)))  # fmt: skip
def test_round_half_up_matches_decimal(x):
    from convolab.display import round_half_up

    np.testing.assert_array_equal(round_half_up(x), rnd(x))


def test_abs():
    assert cl.to_display(RAW, "abs").tolist() == [[255, 10, 0, 0, 10, 128, 255, 255]]


def test_offset():
    m = 300.0
    want = np.clip(rnd(128 + 127 * RAW / m), 0, 255)
    assert cl.to_display(RAW, "offset").tolist() == want.tolist()
    assert cl.to_display(RAW, "offset").tolist() == [[1, 124, 128, 128, 132, 182, 236, 255]]
    # asymmetric range: the larger side reaches the end, zero stays mid-grey
    x = np.array([[-50.0, 0.0, 25.0, 100.0]])
    assert cl.to_display(x, "offset").tolist() == [[65, 128, 160, 255]]  # 64.5 -> 65


def test_rescale():
    x = np.array([[-50.0, 0.0, 25.0, 100.0]])
    assert cl.to_display(x, "rescale").tolist() == [[0, 85, 128, 255]]
    want = rnd((RAW - RAW.min()) * 255 / (RAW.max() - RAW.min()))
    assert cl.to_display(RAW, "rescale").tolist() == want.tolist()


def test_flat_results():
    flat = np.full((3, 4), 42.0)
    assert np.all(cl.to_display(flat, "clip") == 42)
    assert np.all(cl.to_display(flat, "abs") == 42)
    assert np.all(cl.to_display(flat, "offset") == 128 + 127)  # 42 is the largest |x|
    assert np.all(cl.to_display(np.zeros((3, 4)), "offset") == 128)
    assert np.all(cl.to_display(flat, "rescale") == 0)


def test_value_range_is_used_for_offset_and_rescale():
    x = np.array([[-10.0, 0.0, 10.0, 50.0]])
    assert cl.to_display(x, "rescale", value_range=(-10, 10)).tolist() == [[0, 128, 255, 255]]
    assert cl.to_display(x, "offset", value_range=(-20, 20)).tolist() == [[65, 128, 192, 255]]
    # clip and abs ignore it
    assert cl.to_display(x, "clip", value_range=(0, 1)).tolist() == [[0, 0, 10, 50]]
    # a window of a result shown with the whole result's range gives the same pixels
    full = cl.correlate(cl.sample("camera")[:64, :64], "sobel-x")
    for mapping in cl.MAPPINGS:
        whole = cl.to_display(full, mapping)
        part = cl.to_display(full[10:20, 5:30], mapping, value_range=cl.value_range(full))
        np.testing.assert_array_equal(part, whole[10:20, 5:30])


def test_colour_and_alpha():
    raw = np.zeros((2, 2, 4))
    raw[..., 0] = [[-10, 10], [0, 5]]
    raw[..., 1] = 3.0
    raw[..., 2] = -4.0
    raw[..., 3] = [[300, -5], [100.4, 254.6]]
    assert cl.value_range(raw) == (-10.0, 10.0)  # alpha excluded
    for mapping in cl.MAPPINGS:
        out = cl.to_display(raw, mapping)
        assert out.shape == (2, 2, 4) and out.dtype == np.uint8
        assert out[..., 3].tolist() == [[255, 0], [100, 255]]  # only cut to 0..255
        np.testing.assert_array_equal(out[..., :3], cl.to_display(raw[..., :3], mapping))
    out = cl.to_display(raw, "rescale")
    assert out[0, 0, 0] == 0 and out[0, 1, 0] == 255  # the range ignored alpha's 300


def test_rgb_and_single_channel_and_ints():
    rgb = np.stack([RAW, RAW / 2, -RAW], axis=2)
    out = cl.to_display(rgb, "offset")
    assert out.shape == rgb.shape
    np.testing.assert_array_equal(out[..., 2], 256 - out[..., 0].astype(int))
    assert cl.to_display(RAW[..., None], "abs").shape == RAW.shape + (1,)
    img = cl.sample("coins")
    np.testing.assert_array_equal(cl.to_display(img), img)
    np.testing.assert_array_equal(cl.to_display(img.astype(np.int32), "abs"), img)


@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 6)),
        elements=st.floats(-1e6, 1e6, allow_nan=False),
    ),
    st.sampled_from(["clip", "offset", "rescale"]),
)
def test_monotone_and_in_range(raw, mapping):
    """A brighter raw value never shows darker (for |x| with "abs")."""
    out = cl.to_display(raw, mapping).astype(int).ravel()
    order = np.argsort(raw.ravel(), kind="stable")
    assert np.all(np.diff(out[order]) >= 0)
    a = cl.to_display(raw, "abs").astype(int).ravel()
    order = np.argsort(np.abs(raw.ravel()), kind="stable")
    assert np.all(np.diff(a[order]) >= 0)
    if mapping == "rescale" and raw.max() > raw.min():
        assert out.min() == 0 and out.max() == 255


@pytest.mark.parametrize(
    "raw,kwargs,exc,pattern",
    [
        (RAW, dict(mapping="clipp"), ValueError, r"unknown mapping 'clipp'.*Did you mean 'clip'"),
        (RAW, dict(mapping="resale"), ValueError, r"Did you mean 'rescale'"),
        (RAW, dict(mapping=None), TypeError, "mapping must be a string"),
        (np.array([["a", "b"]]), {}, TypeError, "raw must be an array of numbers"),
        (np.array([[True, False]]), {}, TypeError, "raw must be an array of numbers"),
        (np.zeros(5), {}, ValueError, "raw must be H x W or H x W x 3/4"),
        (np.zeros((2, 2, 2, 2)), {}, ValueError, "raw must be H x W"),
        (np.zeros((2, 2, 2)), {}, ValueError, "raw must be H x W"),
        (np.zeros((0, 3)), {}, ValueError, "not empty"),
        (np.array([[1.0, np.nan]]), {}, ValueError, "raw contains NaN"),
        (np.array([[1.0, -np.inf]]), {}, ValueError, "raw contains inf"),
        (RAW, dict(value_range=(1,)), TypeError, "value_range must be a pair"),
        (RAW, dict(value_range=5), TypeError, "value_range must be a pair"),
        (RAW, dict(value_range=("a", "b")), TypeError, "value_range must be a pair"),
        (RAW, dict(value_range=(1, 2, 3)), TypeError, "value_range must be a pair"),
        (RAW, dict(value_range=(5, 1)), ValueError, "lo <= hi"),
        (RAW, dict(value_range=(0, np.inf)), ValueError, "value_range must be finite"),
    ],
)
def test_errors(raw, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        cl.to_display(raw, **kwargs)


@pytest.mark.parametrize("mapping", ["clip", "abs", "offset", "rescale"])
@pytest.mark.parametrize("value_range", [(-612.0, 400.0), (0.0, 0.0), (5.0, 5.0), (-3.0, 0.0)])
def test_scaled_values_are_the_step_before_rounding(mapping, value_range):
    """What the player spells out: scaled_values, then round and cut, is display_values."""
    from convolab.display import display_values, scaled_values

    rng = np.random.default_rng(7)
    lo, hi = value_range
    x = np.concatenate([rng.uniform(lo - 50, hi + 50, 500), [lo, hi, 0.0, 28.5, -0.5, 255.5]])
    y = scaled_values(x, mapping, lo, hi)
    assert y.shape == x.shape
    np.testing.assert_array_equal(
        display_values(y, "clip", 0, 0), display_values(x, mapping, lo, hi)
    )
    if mapping == "offset" and max(abs(lo), abs(hi)) > 0:
        m = max(abs(lo), abs(hi))
        assert scaled_values(m, mapping, lo, hi) == pytest.approx(255.0)
        assert scaled_values(0.0, mapping, lo, hi) == 128.0
    if mapping == "rescale" and hi > lo:
        assert scaled_values(np.array([lo, hi]), mapping, lo, hi).tolist() == [0.0, 255.0]


# display_values rounds with three passes (fl(y + c), cut, truncate; see _cut_and_truncate):
# it must give what round_half_up and the cut give, for every float, near every x.5 too.
_HALVES = np.arange(-3.0, 259.0) + 0.5
_NEAR_HALVES = np.concatenate(
    [
        _HALVES,
        np.nextafter(_HALVES, np.inf),
        np.nextafter(_HALVES, -np.inf),
        [0.5 - 2.0**-54, 0.5 - 2.0**-53, 5e-324, -5e-324, -0.0, 1e300, -1e300, 2.0**53, 255.0],
    ]
)


def _slow_shown(y):
    from convolab.display import round_half_up

    return np.clip(round_half_up(y), 0, 255).astype(np.uint8)


def test_cut_and_truncate_near_every_half():
    from convolab.display import display_values

    np.testing.assert_array_equal(
        display_values(_NEAR_HALVES, "clip", 0, 0), _slow_shown(_NEAR_HALVES)
    )


@given(
    arrays(
        np.float64,
        st.integers(1, 70_000),
        elements=st.floats(-400, 400)
        | st.integers(-600, 600).map(lambda v: v / 2)
        | st.floats(-1e-300, 1e-300),
    ),  # fmt: skip
    st.sampled_from(["clip", "abs", "offset", "rescale"]),
)
def test_display_values_is_round_half_up_of_the_scaled_values(x, mapping):
    from convolab.display import display_values, scaled_values

    lo, hi = float(x.min()), float(x.max())
    want = _slow_shown(scaled_values(x, mapping, lo, hi))
    np.testing.assert_array_equal(display_values(x, mapping, lo, hi), want)


@pytest.mark.parametrize(
    "shape",
    [(3, 4), (512, 300), (700, 500, 3), (400, 400, 4), (1, 131072 * 2 + 5)],
)
def test_value_stats_is_min_max_and_negatives_of_the_colour_channels(shape):
    from convolab.display import value_stats

    def colour(a):  # alpha (a 4th channel) is not counted
        return a[..., :3] if a.ndim == 3 and a.shape[2] == 4 else a

    rng = np.random.default_rng(sum(shape))
    raw = rng.normal(20.0, 50.0, shape)
    colour(raw)[-1, -1] = -1234.5  # the smallest value in the last of several blocks
    lo, hi, neg = value_stats(raw)
    c = colour(raw)
    assert (lo, hi, neg) == (float(c.min()), float(c.max()), int(np.count_nonzero(c < 0)))
    assert lo == -1234.5
    assert cl.value_range(raw) == (lo, hi)
    view = raw[:, ::2]  # not contiguous: numpy's own reductions
    v = colour(view)
    assert value_stats(view) == (float(v.min()), float(v.max()), int(np.count_nonzero(v < 0)))
    assert value_stats(np.abs(raw))[2] == 0


def test_the_compiled_loops_are_built_where_ci_runs():
    import os

    from convolab import display

    if os.environ.get("CI") != "true" and display._compiled is None:
        pytest.skip("convolab._display is not built here (no C compiler at install)")
    assert display._compiled is not None


@pytest.mark.parametrize("mapping", ["clip", "abs", "offset", "rescale"])
def test_compiled_and_numpy_pixels_and_stats_agree(mapping, monkeypatch):
    """``_display.c`` (large arrays) and the numpy blocks give the same pixels and stats for
    ties, values one float off a tie, signed zeros, huge values, infinities and NaN."""
    from convolab import display

    if display._compiled is None:
        pytest.skip("convolab._display is not built here")
    rng = np.random.default_rng(hash(mapping) % 2**32)
    n = 20_000
    halves = rng.integers(-600, 600, n) / 2.0
    x = np.concatenate(
        [
            halves,
            np.nextafter(halves, np.inf),
            np.nextafter(halves, -np.inf),
            rng.normal(0, 300, n),
            np.array([0.49999999999999994, -0.0, 0.0, 1e300, -1e300, np.inf, -np.inf] * 100),
        ]
    )
    rng.shuffle(x)
    finite = x[np.isfinite(x)]
    for lo, hi in ((float(finite.min()), float(finite.max())), (-3.0, 3.0), (2.0, 2.0)):
        got = display.display_values(x, mapping, lo, hi)
        monkeypatch.setattr(display, "_compiled", None)
        want = display.display_values(x, mapping, lo, hi)
        monkeypatch.undo()
        np.testing.assert_array_equal(got, want)
    for raw in (finite, np.abs(finite), np.where(finite == 0, -0.0, finite)):
        got = display.value_stats(raw)
        monkeypatch.setattr(display, "_compiled", None)
        assert display.value_stats(raw) == got
        monkeypatch.undo()
        assert got == (float(raw.min()) + 0.0, float(raw.max()) + 0.0, int((raw < 0).sum()))
    with_nan = finite.copy()
    with_nan[7] = np.nan
    lo, hi, _ = display.value_stats(with_nan)  # numpy's answer: NaN
    assert np.isnan(lo) and np.isnan(hi)
