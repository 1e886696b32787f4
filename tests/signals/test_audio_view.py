"""WAV encoding in memory, filters as heard (low-pass / high-pass), and the drawing envelope."""

import io
import wave

import numpy as np
import pytest

from convolab.signals import correlate1d, envelope, read_wav, signal, signal_kernel, wav_bytes


def band_energy(x, rate, lo, hi):
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(x.size, 1 / rate)
    return spec[(f >= lo) & (f < hi)].sum()


def test_wav_round_trip():
    s = signal("speech")
    data = wav_bytes(s.values, s.rate, normalise=False)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
    back, rate = read_wav(data)
    assert rate == 16000
    np.testing.assert_allclose(back, s.values, atol=1 / 32767)


def test_normalised_wav_uses_the_range():
    back, _ = read_wav(wav_bytes(np.sin(np.arange(8000) / 5) * 0.01, 8000))
    assert np.abs(back).max() == pytest.approx(0.9, abs=1e-3)


def test_smoothing_muffles_and_difference_thins_speech():
    s = signal("speech")
    ratio = band_energy(s.values, 16000, 3000, 8000) / band_energy(s.values, 16000, 50, 1000)
    low = correlate1d(s, signal_kernel("moving-average", n=9))
    high = correlate1d(s, "difference")
    r_low = band_energy(low, 16000, 3000, 8000) / band_energy(low, 16000, 50, 1000)
    r_high = band_energy(high, 16000, 3000, 8000) / band_energy(high, 16000, 50, 1000)
    assert r_low < ratio / 10  # high tones mostly gone: muffled
    assert r_high > ratio * 10  # low tones mostly gone: thin


@pytest.mark.parametrize(
    "data, message",
    [(b"", "WAV"), (b"RIFF0000WAVEfmt garbage", "WAV"), (b"\x89PNG\r\n", "WAV"), ("x", "bytes")],
)
def test_bad_wav(data, message):
    with pytest.raises((ValueError, TypeError), match=message):
        read_wav(data)


def test_wav_needs_a_positive_rate():
    for rate in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="rate"):
            wav_bytes([0.0, 1.0], rate)


def test_envelope_keeps_every_extreme():
    x = np.random.default_rng(5).normal(size=108_000)
    e = envelope(x, 1000, 90_000, bins=700)
    assert len(e["lo"]) <= 700 and e["index"][0] == 1000
    assert min(e["lo"]) == x[1000:90_000].min() and max(e["hi"]) == x[1000:90_000].max()
    step = e["step"]
    for i in (0, 123, len(e["lo"]) - 1):
        a = e["index"][i]
        part = x[a : min(a + step, 90_000)]
        assert (e["lo"][i], e["hi"][i]) == (part.min(), part.max())


def test_envelope_small_range_is_every_sample():
    e = envelope([3, 1, 2], bins=10)
    assert e["lo"] == e["hi"] == [3, 1, 2] and e["step"] == 1


@pytest.mark.parametrize(
    "kw, message",
    [(dict(start=5, stop=5), "smaller"), (dict(bins=0), "bins"), (dict(start=-1), "start")],
)
def test_envelope_bad_input(kw, message):
    with pytest.raises(ValueError, match=message):
        envelope(np.arange(10.0), **kw)
