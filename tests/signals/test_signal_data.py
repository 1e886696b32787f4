"""Shipped signals: they load offline, match their sources, and stay small."""

from pathlib import Path

import numpy as np
import pytest

import convolab
from convolab.signals import signal, signal_info, signals

DATA = Path(convolab.__file__).parent / "data"


def test_every_signal_loads_with_a_time_axis():
    for info in signals():
        s = signal(info.id)
        assert s.values.ndim == 1 and s.values.size > 50 and np.isfinite(s.values).all()
        assert s.rate is not None or s.dates is not None
        assert s.times.size == s.values.size
        d = s.to_dict()
        assert d["length"] == s.values.size and d["source"] and d["licence"]
        assert d["name_nl"] and d["name_en"] and d["about_nl"] and d["about_en"]


def test_ecg_is_record_208_in_millivolt():
    ecg = signal("ecg")
    assert ecg.rate == 360 and ecg.values.size == 5 * 60 * 360
    assert abs(np.median(ecg.values)) < 0.5  # baseline near 0 mV
    assert 1.0 < np.percentile(ecg.values, 99.9) < 5.0  # R peaks of 1-5 mV
    # 11-bit ADC at 200 steps per mV: every value is a multiple of 1/200 mV
    np.testing.assert_allclose(ecg.values * 200, np.round(ecg.values * 200), atol=1e-9)


def test_speech_is_four_seconds_at_16_khz():
    s = signal("speech")
    assert s.rate == 16000 and s.values.size == 64000
    assert 0.1 < np.abs(s.values).max() <= 1.0


def test_csv_signals_equal_vega_datasets():
    vega = pytest.importorskip("vega_datasets").local_data
    t = signal("temperature")
    ref = vega.sf_temps()
    np.testing.assert_allclose(t.values, (ref.temp.to_numpy() - 32) * 5 / 9)
    assert (t.dates == ref.date.to_numpy().astype("datetime64[m]")).all()
    stocks = vega.stocks()
    for sym in ("AAPL", "AMZN", "GOOG", "IBM", "MSFT"):
        s = signal(f"price-{sym.lower()}")
        part = stocks[stocks.symbol == sym]
        np.testing.assert_allclose(s.values, part.price.to_numpy())
        assert (s.dates == part.date.to_numpy().astype("datetime64[m]")).all()
        assert (np.diff(s.dates) > np.timedelta64(27, "D")).all()


def test_shipped_files_are_small_and_documented():
    files = [p for p in (DATA / "signals").iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1_000_000
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for p in files:
        if p.suffix != ".txt":
            assert f"`{p.name}`" in readme, p.name
    assert "Carnegie Mellon University" in (DATA / "signals" / "arctic_COPYING.txt").read_text()


def test_loaded_values_cannot_be_changed_by_accident():
    with pytest.raises(ValueError):
        signal("ecg").values[0] = 1.0


@pytest.mark.parametrize(
    "name, message",
    [
        ("ekg", "Did you mean 'ecg'"),
        ("temprature", "Did you mean 'temperature'"),
        ("", "unknown signal"),
    ],
)
def test_unknown_signal_name(name, message):
    with pytest.raises(ValueError, match=message):
        signal(name)


def test_signal_name_must_be_text():
    with pytest.raises(TypeError, match="string"):
        signal_info(3)
