"""correlate1d / convolve1d / explain1d against numpy and scipy, for every option."""

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

from convolab.signals import (
    as_signal,
    convolve1d,
    correlate1d,
    delay,
    explain1d,
    moving_average,
    output_length,
    signal_kernel,
    steps1d,
    trailing1d,
)

BORDERS = ["zero", "reflect", "symmetric", "replicate", "wrap"]
# the same border in numpy's and scipy.ndimage's words (written out here, independently of
# convolab.borders, so a wrong mapping there would show up)
NP_MODE = {
    "zero": "constant",
    "reflect": "reflect",
    "symmetric": "symmetric",
    "replicate": "edge",
    "wrap": "wrap",
}
NDI_MODE = {
    "zero": "constant",
    "reflect": "mirror",
    "symmetric": "reflect",
    "replicate": "nearest",
    "wrap": "wrap",
}


def reference(x, k, padding, border, stride, dilation, flip=False):
    """Plain numpy: pad with np.pad, spread the taps, np.correlate, take every stride-th."""
    x, k = np.asarray(x, float), np.asarray(k, float)
    if flip:
        k = k[::-1]
    span = (k.size - 1) * dilation + 1
    if padding == "valid":
        before = after = 0
    elif padding == "same":
        before, after = span // 2, span - 1 - span // 2
    elif padding == "full":
        before = after = span - 1
    else:
        before = after = padding
    xp = np.pad(x, (before, after), mode=NP_MODE[border])
    kd = np.zeros(span)
    kd[::dilation] = k
    return np.correlate(xp, kd, mode="valid")[::stride]


def scale(x, k):
    return max(1.0, np.abs(k).sum() * np.abs(x).max())


@st.composite
def cases(draw, max_taps=40):
    n = draw(st.integers(1, 60))
    x = draw(st.lists(st.floats(-100, 100, allow_nan=False), min_size=n, max_size=n))
    k = draw(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=max_taps))
    padding = draw(st.sampled_from(["valid", "same", "full", 0, 1, 3, 7]))
    border = draw(st.sampled_from(BORDERS))
    stride = draw(st.integers(1, 4))
    dilation = draw(st.integers(1, 3))
    return np.array(x), np.array(k), padding, border, stride, dilation


def _fits(x, k, padding, dilation):
    span = (k.size - 1) * dilation + 1
    pad = {"valid": 0, "same": span - 1, "full": 2 * (span - 1)}.get(padding)
    pad = 2 * padding if pad is None else pad
    return x.size + pad >= span


@given(cases())
def test_agrees_with_numpy_for_every_option(case):
    x, k, padding, border, stride, dilation = case
    opts = dict(padding=padding, border=border, stride=stride, dilation=dilation)
    if not _fits(x, k, padding, dilation):
        with pytest.raises(ValueError, match="longer than the signal"):
            correlate1d(x, k, **opts)
        return
    tol = 1e-9 * scale(x, k)
    for flip, fn in ((False, correlate1d), (True, convolve1d)):
        want = reference(x, k, padding, border, stride, dilation, flip=flip)
        for engine in ("auto", "numpy"):
            got = fn(x, k, engine=engine, **opts)
            assert got.dtype == np.float64
            n_out = output_length(x.size, k.size, padding=padding, stride=stride, dilation=dilation)
            assert got.shape == want.shape == (n_out,)
            np.testing.assert_allclose(got, want, rtol=0, atol=tol)


@pytest.mark.parametrize("taps", [32, 101, 1001])
def test_long_kernels_beyond_the_2d_limit_agree_with_numpy(taps):
    """Signal kernels may be far longer than the 31 x 31 of image kernels: one engine."""
    rng = np.random.default_rng(taps)
    x = rng.standard_normal(5000)
    k = rng.standard_normal(taps)
    np.testing.assert_allclose(
        convolve1d(x, k, padding="full"),
        np.convolve(x, k, mode="full"),
        rtol=0,
        atol=1e-9 * np.abs(k).sum() * np.abs(x).max(),
    )
    e = explain1d(x, k, at=1234, mode="convolve", padding="full")
    assert e.sum == pytest.approx(
        np.convolve(x, k, mode="full")[1234], abs=1e-9 * np.abs(k).sum() * 5
    )


def _same(a, b):
    for f in ("positions", "sources", "padded", "window", "kernel"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    np.testing.assert_allclose(a.products, b.products)
    assert a.sum == pytest.approx(b.sum, abs=1e-9 * max(1, np.abs(a.products).sum()))


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("taps", [1, 2, 3, 4, 8, 33, 101])
def test_same_padding_agrees_with_scipy_ndimage(border, taps):
    rng = np.random.default_rng(taps)
    x = rng.normal(size=257)
    k = rng.normal(size=taps)
    want = ndi.correlate1d(x, k, mode=NDI_MODE[border])
    np.testing.assert_allclose(correlate1d(x, k, border=border), want, atol=1e-9 * scale(x, k))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("taps", [1, 2, 5, 6, 40, 101])
def test_zero_border_agrees_with_numpy_and_scipy_signal(mode, taps):
    rng = np.random.default_rng(100 + taps)
    x = rng.normal(size=500)
    k = rng.normal(size=taps)
    tol = 1e-9 * scale(x, k)
    np.testing.assert_allclose(convolve1d(x, k, padding=mode), np.convolve(x, k, mode), atol=tol)
    np.testing.assert_allclose(
        correlate1d(x, k, padding=mode), ss.correlate(x, k, mode=mode, method="direct"), atol=tol
    )
    np.testing.assert_allclose(convolve1d(x, k, padding=mode), ss.oaconvolve(x, k, mode), atol=tol)


@given(cases())
def test_explain_sum_equals_result_everywhere(case):
    x, k, padding, border, stride, dilation = case
    opts = dict(padding=padding, border=border, stride=stride, dilation=dilation)
    if not _fits(x, k, padding, dilation):
        return
    for mode, fn in (("correlate", correlate1d), ("convolve", convolve1d)):
        out = fn(x, k, **opts)
        trace = list(steps1d(x, k, mode=mode, **opts))
        assert len(trace) == out.size
        for i, e in enumerate(trace):
            assert e.at == i
            assert e.sum == pytest.approx(out[i], abs=1e-9 * scale(x, k))
            np.testing.assert_array_equal(e.products, e.window * e.kernel)
            inside = ~e.padded
            np.testing.assert_array_equal(e.window[inside], x[e.positions[inside]])


def test_explain_shows_padding_and_flip():
    e = explain1d([1, 2, 3, 4], [10, 20, 30], at=0, mode="convolve", border="zero")
    assert e.positions.tolist() == [-1, 0, 1]
    assert e.padded.tolist() == [True, False, False]
    assert e.window.tolist() == [0, 1, 2]
    assert e.kernel.tolist() == [30, 20, 10]  # reversed for convolve
    assert e.sum == 0 * 30 + 1 * 20 + 2 * 10
    e = explain1d([1, 2, 3, 4], [10, 20, 30], at=3, border="wrap")
    assert e.sources.tolist() == [2, 3, 0] and e.window.tolist() == [3, 4, 1]
    assert e.anchor == 3


def test_explain_on_a_long_signal_is_one_window():
    x = np.random.default_rng(0).normal(size=200_000)
    e = explain1d(x, signal_kernel("moving-average", n=54), at=123_456, border="reflect")
    assert e.window.size == 54
    assert e.sum == pytest.approx(x[123_456 - 27 : 123_456 + 27].mean())
    d = e.to_dict()
    assert d["sum"] == pytest.approx(e.sum) and len(d["products"]) == 54


def test_catalogue_names_accepted_as_kernel():
    x = np.arange(10.0) ** 2
    np.testing.assert_allclose(
        correlate1d(x, "second-difference", padding="valid"), np.full(8, 2.0)
    )


@pytest.mark.parametrize(
    "signal, message",
    [
        ([], "signal is empty"),
        ([1.0, np.nan, 2.0], "NaN"),
        ([1.0, 2.0, np.inf], "inf"),
        ([[1, 2], [3, 4]], "1-D"),
        ("1 2 3", "sequence of numbers"),
        ([True, False], "numbers"),
    ],
)
def test_bad_signal(signal, message):
    with pytest.raises((ValueError, TypeError), match=message):
        correlate1d(signal, [1, 1])


def test_nan_message_names_the_sample():
    with pytest.raises(ValueError, match="sample 2"):
        as_signal([0.0, 1.0, np.nan])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(kernel=[1] * 6, padding="valid"), "longer than the signal"),
        (dict(kernel=[1, 1, 1], padding="valid", dilation=3), "longer than the signal"),
        (dict(kernel=[]), "empty"),
        (dict(kernel=[1, np.nan]), "NaN"),
        (dict(kernel=[[1, 2], [3, 4]]), "1-D"),
        (dict(kernel="moving-avrage"), "Did you mean 'moving-average'"),
        (dict(kernel=[1], padding="middle"), "padding"),
        (dict(kernel=[1], padding=(1, 2)), "padding"),
        (dict(kernel=[1], padding=-1), "padding"),
        (dict(kernel=[1], border="mirror"), "border"),
        (dict(kernel=[1], stride=0), "stride"),
        (dict(kernel=[1], dilation=1.5), "dilation"),
        (dict(kernel=[1], engine="fast"), "engine"),
        (dict(kernel=np.ones(9000)), "taps"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        correlate1d([1, 2, 3, 4, 5], **kwargs)


def test_bad_explain_position():
    with pytest.raises(ValueError, match="outside the result"):
        explain1d([1, 2, 3], [1, 1], at=3)
    with pytest.raises(TypeError, match="whole number"):
        explain1d([1, 2, 3], [1, 1], at=1.5)
    with pytest.raises(ValueError, match="mode"):
        explain1d([1, 2, 3], [1, 1], at=1, mode="flip")


def test_trailing_filter_uses_only_the_past_and_lags():
    rng = np.random.default_rng(8)
    x = rng.normal(size=300)
    k = rng.normal(size=7)
    out = trailing1d(x, k, border="zero")
    # output n is the window x[n-6 .. n] (zeros before the start)
    xp = np.r_[np.zeros(6), x]
    want = np.array([np.dot(k, xp[n : n + 7]) for n in range(300)])
    np.testing.assert_allclose(out, want, atol=1e-9 * scale(x, k))
    # changing the future does not change the past
    y = x.copy()
    y[200:] += 100
    np.testing.assert_array_equal(trailing1d(y, k, border="zero")[:200], out[:200])
    ramp = 2.0 * np.arange(100)
    for n in (4, 12):
        lagged = trailing1d(ramp, signal_kernel("moving-average", n=n))
        np.testing.assert_allclose(ramp[50:] - lagged[50:], 2.0 * delay(moving_average(n)))
        assert delay(moving_average(n)) == (n - 1) / 2


def test_delay_needs_a_smoothing_kernel():
    with pytest.raises(ValueError, match="add up to 0"):
        delay([-1, 1])
