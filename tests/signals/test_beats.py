"""Heartbeat detection with convolutions vs an established detector (neurokit2)."""

import numpy as np
import pytest

from convolab.signals import detect_beats, signal

TOLERANCE_S = 0.050


def matched(ref, found, rate):
    """Fraction of ``ref`` beats with a detected beat within 50 ms."""
    d = np.abs(np.asarray(ref)[:, None] - np.asarray(found)[None, :]).min(axis=1)
    return float(np.mean(d <= TOLERANCE_S * rate))


def test_beats_agree_with_neurokit2_on_record_208():
    nk = pytest.importorskip("neurokit2", reason="test dependency: pip install neurokit2")
    ecg = signal("ecg")
    _, info = nk.ecg_peaks(ecg.values, sampling_rate=360)
    ref = info["ECG_R_Peaks"]
    beats = detect_beats(ecg)
    assert matched(ref, beats.peaks, 360) >= 0.95  # sensitivity
    assert matched(beats.peaks, ref, 360) >= 0.95  # and no flood of false beats
    assert beats.bpm == pytest.approx(60 * (len(ref) - 1) / ((ref[-1] - ref[0]) / 360), rel=0.03)


@pytest.mark.parametrize("heart_rate", [55, 80, 120])
def test_heart_rate_of_a_simulated_ecg(heart_rate):
    nk = pytest.importorskip("neurokit2", reason="test dependency: pip install neurokit2")
    x = nk.ecg_simulate(
        duration=30, sampling_rate=360, heart_rate=heart_rate, noise=0.05, random_state=7
    )
    beats = detect_beats(x, rate=360)
    assert beats.bpm == pytest.approx(heart_rate, rel=0.05)
    assert beats.bpm_between(5, 25) == pytest.approx(heart_rate, rel=0.08)


def test_stages_are_convolutions_of_the_signal():
    ecg = signal("ecg")
    b = detect_beats(ecg)
    assert b.difference.shape == b.squared.shape == b.window.shape == ecg.values.shape
    np.testing.assert_allclose(b.squared, b.difference**2)
    assert (b.window >= 0).all() and (b.threshold > 0).all()
    assert b.kernels["window"].size == round(0.150 * 360)
    assert np.diff(b.peaks).min() >= 0.25 * 360 * 0.5
    d = b.to_dict()
    assert d["count"] == len(d["times"]) == b.peaks.size and 60 < d["bpm"] < 140


def test_other_sample_rates_scale_the_kernels():
    ecg = signal("ecg").values
    half = ecg[::2]  # 180 Hz
    b360, b180 = detect_beats(ecg, rate=360), detect_beats(half, rate=180)
    assert b180.kernels["window"].size == 27
    assert b180.bpm == pytest.approx(b360.bpm, rel=0.03)


@pytest.mark.parametrize(
    "args, message",
    [
        (([0.0] * 1000,), "rate"),
        (([0.0] * 1000, 0), "rate"),
        (([0.0] * 1000, -360), "rate"),
        (([0.0] * 1000, float("nan")), "rate"),
        (([0.0] * 1000, 10), "at least 50"),
        (([0.0] * 100, 360), "at least 1 second"),
        (([], 360), "empty"),
        (([0.0, np.nan] * 400, 360), "NaN"),
    ],
)
def test_bad_input(args, message):
    with pytest.raises((ValueError, TypeError), match=message):
        detect_beats(*args)
