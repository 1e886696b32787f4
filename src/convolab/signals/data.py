"""Real signals shipped with the package (``convolab/data/signals/``, < 1 MB in all).

Each comes with a sample rate (samples per second) or a time axis of dates,
its unit, and its source and licence (also in ``convolab/data/README.md``).

>>> ecg = signal("ecg")
>>> ecg.rate, ecg.values.size, ecg.unit
(360.0, 108000, 'mV')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from ..errors import InvalidType, InvalidValue, suggestion


@dataclass(frozen=True)
class SignalInfo:
    id: str
    name_nl: str
    name_en: str
    about_nl: str
    about_en: str
    kind: str  # "ecg", "audio", "sensor", "price"
    unit: str
    step_nl: str  # the time between two samples, in words
    step_en: str
    file: str
    source: str
    licence: str

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Signal:
    """A loaded signal: values plus their time axis and metadata."""

    info: SignalInfo
    values: np.ndarray  # float64, read-only
    rate: float | None  # samples per second; None when the spacing is in months
    dates: np.ndarray | None = None  # datetime64[m] per sample, for dated series

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def unit(self) -> str:
        return self.info.unit

    @property
    def times(self) -> np.ndarray:
        """Seconds since the first sample (for signals with a rate), else the dates."""
        if self.dates is not None:
            return self.dates
        return np.arange(self.values.size) / self.rate

    @property
    def duration(self) -> float:
        """Seconds from the first to the last sample."""
        if self.dates is not None:
            return float((self.dates[-1] - self.dates[0]) / np.timedelta64(1, "s"))
        return (self.values.size - 1) / self.rate

    def epoch_ms(self) -> np.ndarray | None:
        """Dates as milliseconds since 1970 (what JavaScript's Date takes), or None."""
        if self.dates is None:
            return None
        return self.dates.astype("datetime64[ms]").astype(np.int64)

    def to_dict(self) -> dict:
        d = self.info.to_dict()
        d.update(
            rate=self.rate,
            length=int(self.values.size),
            duration_s=self.duration,
            dated=self.dates is not None,
            start=str(self.dates[0]) if self.dates is not None else None,
            end=str(self.dates[-1]) if self.dates is not None else None,
            min=float(self.values.min()),
            max=float(self.values.max()),
        )
        return d


_PRICES = {"aapl": "Apple", "amzn": "Amazon", "goog": "Google", "ibm": "IBM", "msft": "Microsoft"}
_VEGA = "vega_datasets 0.9.0 (github.com/altair-viz/vega_datasets)"

_INFO: dict[str, SignalInfo] = {
    i.id: i
    for i in [
        SignalInfo(
            "ecg",
            "hartfilmpje (ECG)",
            "heart recording (ECG)",
            "5 minuten van een elektrocardiogram, 360 metingen per seconde. Elke piek is een "
            "hartslag; er zit ruis en een paar afwijkende slagen in.",
            "5 minutes of an electrocardiogram, 360 samples per second. Each spike is a "
            "heartbeat; there is noise and some abnormal beats in it.",
            "ecg",
            "mV",
            "1/360 seconde",
            "1/360 second",
            "ecg_mitbih208.npz",
            "MIT-BIH Arrhythmia Database, record 208 (lead MLII, 19:35-24:35), PhysioNet; "
            "file ecg.dat from SciPy 1.11.4 (scipy.misc.electrocardiogram)",
            "ODC-By 1.0 (Open Data Commons Attribution)",
        ),
        SignalInfo(
            "speech",
            "gesproken zin",
            "spoken sentence",
            "Een Engelse zin uit de CMU ARCTIC-spraakdatabank, 16 000 metingen per seconde.",
            "An English sentence from the CMU ARCTIC speech database, 16,000 samples per second.",
            "audio",
            "",
            "1/16 000 seconde",
            "1/16,000 second",
            "arctic_a0007.wav",
            "CMU ARCTIC database, arctic_a0007.wav, from the pysptk 1.0.1 source distribution "
            "(pysptk/example_audio_data); notice in arctic_COPYING.txt",
            "CMU ARCTIC licence: free for any use, notice kept (see arctic_COPYING.txt)",
        ),
        SignalInfo(
            "temperature",
            "temperatuur San Francisco",
            "temperature San Francisco",
            "De temperatuur in San Francisco elk uur van 2010 (8 759 metingen): dag en nacht "
            "zie je als golfjes, de seizoenen als een trage golf.",
            "The temperature in San Francisco every hour of 2010 (8,759 readings): day and "
            "night show as ripples, the seasons as a slow wave.",
            "sensor",
            "°C",
            "1 uur",
            "1 hour",
            "sf_temps_2010.csv",
            f"{_VEGA}, sf-temps (NOAA data, public domain); converted here from °F to °C",
            "MIT (vega_datasets); underlying NOAA data public domain",
        ),
    ]
    + [
        SignalInfo(
            f"price-{sym}",
            f"aandelenkoers {name}",
            f"share price {name}",
            f"De koers van het aandeel {name} op de eerste dag van elke maand, 2000-2010.",
            f"The price of a {name} share on the first day of each month, 2000-2010.",
            "price",
            "USD",
            "1 maand",
            "1 month",
            "stocks_2000_2010.csv",
            f"{_VEGA}, stocks",
            "MIT (vega_datasets)",
        )
        for sym, name in _PRICES.items()
    ]
}


def signals() -> list[SignalInfo]:
    """The shipped signals (metadata only; load one with :func:`signal`)."""
    return list(_INFO.values())


def signal_info(name: str) -> SignalInfo:
    if not isinstance(name, str):
        raise InvalidType("signal_name_not_string", type=type(name).__name__)
    key = name.strip().lower()
    if key not in _INFO:
        raise InvalidValue(
            "unknown_signal", value=name, choices=list(_INFO), suggestion=suggestion(key, _INFO)
        )
    return _INFO[key]


def signal(name: str) -> Signal:
    """Load a shipped signal by name (see :func:`signals`)."""
    return _load(signal_info(name).id)


def _file(name: str):
    return resources.files("convolab").joinpath("data", "signals", name)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.flags.writeable = False
    return a


@cache
def _load(key: str) -> Signal:
    info = _INFO[key]
    if key == "ecg":
        with _file(info.file).open("rb") as f:
            raw = np.load(f)["ecg"]
        # SciPy's conversion: ADC units (11 bit, 200 per mV, 1024 at 0 mV) to mV
        return Signal(info, _readonly((raw.astype(np.float64) - 1024) / 200), 360.0)
    if key == "speech":
        from .audio import read_wav

        values, rate = read_wav(_file(info.file).read_bytes())
        return Signal(info, _readonly(values), float(rate))
    with _file(info.file).open("r", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if key == "temperature":
        dates = np.array([r["time"] for r in rows], dtype="datetime64[m]")
        temp_c = (np.array([float(r["temp_f"]) for r in rows]) - 32) * 5 / 9
        return Signal(info, _readonly(temp_c), 1 / 3600, dates)
    sym = key.split("-", 1)[1].upper()
    rows = [r for r in rows if r["symbol"] == sym]
    dates = np.array([r["date"] for r in rows], dtype="datetime64[m]")
    return Signal(info, _readonly([float(r["price"]) for r in rows]), None, dates)
