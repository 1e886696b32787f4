"""Signal kernels: what each does to real-looking signals, and bad parameters."""

import numpy as np
import pytest

from convolab.signals import (
    as_kernel1d,
    correlate1d,
    signal_kernel,
    signal_kernel_ids,
    signal_kernels,
    template,
)


def test_catalogue_has_the_promised_kernels_in_both_languages():
    ids = signal_kernel_ids()
    for want in [
        "moving-average",
        "gaussian",
        "difference",
        "second-difference",
        "step",
        "template",
    ]:
        assert want in ids
    for entry in signal_kernels():
        for key in ("name_nl", "name_en", "about_nl", "about_en"):
            assert entry[key].strip(), (entry["id"], key)
        assert entry["name_nl"] != entry["about_nl"]


def test_moving_average_lowers_noise_by_sqrt_n():
    noise = np.random.default_rng(1).normal(size=200_000)
    for n in (4, 16, 64):
        out = correlate1d(noise, signal_kernel("moving-average", n=n), padding="valid")
        assert out.std() == pytest.approx(1 / np.sqrt(n), rel=0.05)


def test_gaussian_is_a_normalised_bell():
    g = signal_kernel("gaussian", size=21, sigma=3.0).values
    assert g.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(g, g[::-1])
    assert g.argmax() == 10
    centre = np.arange(21) - 10
    assert np.sqrt((g * centre**2).sum()) == pytest.approx(3.0, rel=0.02)


def test_differences_of_polynomials():
    t = np.arange(50.0)
    ramp = correlate1d(3 * t + 1, "difference", padding="valid")
    np.testing.assert_allclose(ramp, 3.0)
    bend = correlate1d(0.5 * t**2, "second-difference", padding="valid")
    np.testing.assert_allclose(bend, 1.0)


def test_step_detector_peaks_at_the_jump():
    x = np.r_[np.zeros(100), np.full(100, 4.0)] + np.random.default_rng(2).normal(0, 0.3, 200)
    out = correlate1d(x, signal_kernel("step", m=8), border="replicate")
    assert abs(int(out.argmax()) - 100) <= 2
    assert out.max() == pytest.approx(4.0, abs=0.5)


def test_matched_filter_finds_the_copies_of_its_template():
    rng = np.random.default_rng(3)
    shape = np.sin(np.linspace(0, 3 * np.pi, 40)) * np.hanning(40)
    x = rng.normal(0, 0.3, 3000)
    where = [200, 900, 1500, 2600]
    for w in where:
        x[w : w + 40] += shape
    k = signal_kernel("template", signal=x, start=200, length=40)
    assert k.values.mean() == pytest.approx(0, abs=1e-12)
    assert np.linalg.norm(k.values) == pytest.approx(1.0)
    out = correlate1d(x, k, padding="valid")
    # the best match near each copy lies at the copy (to within 2 samples of noise)
    best = [int(np.argmax(out[w - 30 : w + 30])) + w - 30 for w in where]
    assert np.abs(np.subtract(best, where)).max() <= 2
    # and the copies stand far above everything else
    others = np.delete(out, np.concatenate([np.arange(w - 40, w + 40) for w in where]))
    assert out[best].min() > 2 * others.max()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: signal_kernel("moving-average", n=0), "n must be from 1"),
        (lambda: signal_kernel("moving-average", n=2.5), "whole number"),
        (lambda: signal_kernel("gaussian", sigma=0), "sigma"),
        (lambda: signal_kernel("step", width=3), "unknown parameter"),
        (lambda: signal_kernel("gausian"), "Did you mean 'gaussian'"),
        (lambda: signal_kernel("template"), "needs signal="),
        (lambda: signal_kernel("difference", signal=[1, 2]), "only used by"),
        (lambda: template([1, 1, 1, 1], 0, 3), "flat"),
        (lambda: template([1, 2, 3, 4], 2, 5), "length must be"),
        (lambda: template([1, 2, 3, 4], 9, 2), "start must be"),
        (lambda: as_kernel1d("template"), "cut from a signal"),
        (lambda: as_kernel1d(None), "missing"),
        (lambda: signal_kernel(3), "string"),
    ],
)
def test_bad_kernel_arguments(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
