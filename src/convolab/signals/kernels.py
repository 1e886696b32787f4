"""Kernels for signals are data: a small catalogue plus the factories behind it.

Nothing here applies a kernel (:mod:`convolab.signals.ops` does, through the
core 2-D engine). Each entry has Dutch and English names, a one-line
explanation in both languages, its parameters with defaults and limits, and a
factory that builds the taps. The taps are written for ``correlate1d`` (the
kernel slides as it is, like in the image part and in every deep-learning
framework)::

    moving-average n=5   1/5 1/5 1/5 1/5 1/5   the mean of 5 neighbours
    difference           -1 1                  this sample minus the previous one
    second-difference    1 -2 1                how fast the slope changes
    step m=3             -1 -1 -1 1 1 1        (right half) minus (left half)

The matched filter (``template``) is cut from a signal itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np

from .._validate import finite_array
from ..errors import InvalidType, InvalidValue, TooLarge, suggestion

#: The longest kernel a signal function accepts (a 1-D kernel is one row, so a
#: long one is cheap; the 2-D limit of 31 x 31 is for grids pupils type).
MAX_TAPS = 8191


@dataclass(frozen=True)
class Param:
    """One parameter of a catalogue kernel."""

    name: str
    default: float
    minimum: float
    maximum: float
    integer: bool = True
    label_nl: str = ""
    label_en: str = ""

    def check(self, value) -> float | int:
        if isinstance(value, bool) or not isinstance(value, Real):
            raise InvalidType(
                "kernel_param_type",
                param=self.name,
                low=float(self.minimum),
                high=float(self.maximum),
                value=value,
            )
        if self.integer and not isinstance(value, Integral):
            if float(value).is_integer():
                value = int(value)
            else:
                raise InvalidType("must_be_whole", param=self.name, value=value)
        if not math.isfinite(float(value)) or not self.minimum <= value <= self.maximum:
            raise InvalidValue(
                "kernel_param_range",
                param=self.name,
                low=float(self.minimum),
                high=float(self.maximum),
                value=value,
            )
        return int(value) if self.integer else float(value)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "default": self.default,
            "min": self.minimum,
            "max": self.maximum,
            "integer": self.integer,
            "label_nl": self.label_nl,
            "label_en": self.label_en,
        }


@dataclass(frozen=True)
class SignalKernel:
    """A 1-D kernel with what a learner needs to know about it."""

    id: str
    name_nl: str
    name_en: str
    about_nl: str
    about_en: str
    values: np.ndarray  # 1-D float64 taps, read-only
    params: dict = field(default_factory=dict)  # the parameter values it was built with
    kind: str = "smooth"  # "smooth" (low-pass), "detail" (high-pass), "detect"

    def __post_init__(self):
        v = np.array(self.values, dtype=np.float64)
        v.flags.writeable = False
        object.__setattr__(self, "values", v)

    @property
    def size(self) -> int:
        return int(self.values.size)

    def name(self, lang: str = "nl") -> str:
        return self.name_en if lang == "en" else self.name_nl

    def about(self, lang: str = "nl") -> str:
        return self.about_en if lang == "en" else self.about_nl

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name_nl": self.name_nl,
            "name_en": self.name_en,
            "about_nl": self.about_nl,
            "about_en": self.about_en,
            "values": self.values.tolist(),
            "size": self.size,
            "params": dict(self.params),
            "kind": self.kind,
        }


# --- factories: build taps, never apply them ---------------------------------


def moving_average(n: int = 5) -> np.ndarray:
    """n equal taps 1/n: the mean of n neighbouring samples (a low-pass filter).

    >>> moving_average(4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    n = _PARAMS["moving-average"][0].check(n)
    return np.full(n, 1.0 / n)


def gaussian1d(size: int = 9, sigma: float = 2.0) -> np.ndarray:
    """A bell curve that sums to 1: smooths like a moving average, without ringing.

    >>> round(float(gaussian1d(7, 1.0).sum()), 12)
    1.0
    """
    size = _PARAMS["gaussian"][0].check(size)
    sigma = _PARAMS["gaussian"][1].check(sigma)
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-0.5 * (x / sigma) ** 2)
    return g / g.sum()


def difference() -> np.ndarray:
    """[-1, 1]: each sample minus the one before it (with padding 'same')."""
    return np.array([-1.0, 1.0])


def second_difference() -> np.ndarray:
    """[1, -2, 1]: the difference of the difference; large where the slope bends."""
    return np.array([1.0, -2.0, 1.0])


def step(m: int = 5) -> np.ndarray:
    """m times -1, then m times 1 (divided by m): the mean on the right minus the mean
    on the left. Large where the signal jumps up, negative where it drops.

    >>> step(2)
    array([-0.5, -0.5,  0.5,  0.5])
    """
    m = _PARAMS["step"][0].check(m)
    return np.concatenate([np.full(m, -1.0), np.full(m, 1.0)]) / m


def template(signal, start: int, length: int, *, normalise: bool = True) -> np.ndarray:
    """A matched filter: the piece ``signal[start:start + length]``.

    With ``normalise`` (the default) the mean is removed and the taps are
    scaled to unit length, so that correlating with it measures how much each
    stretch of the signal looks like the piece (and not how high it lies).
    """
    from .ops import as_signal

    x = as_signal(signal)
    for name, v in (("start", start), ("length", length)):
        if isinstance(v, bool) or not isinstance(v, Integral):
            raise InvalidType("must_be_whole", param=name, value=v)
    if not 0 <= start < x.size:
        raise InvalidValue("template_start", last=x.size - 1)
    if not 2 <= length <= min(MAX_TAPS, x.size - start):
        raise InvalidValue(
            "template_length", high=min(MAX_TAPS, x.size - start), start=start, value=length
        )
    piece = np.array(x[start : start + length], dtype=np.float64)
    if normalise:
        piece -= piece.mean()
        norm = float(np.sqrt((piece**2).sum()))
        if norm == 0:
            raise InvalidValue("template_flat")
        piece /= norm
    return piece


# --- the catalogue -----------------------------------------------------------

_PARAMS: dict[str, tuple[Param, ...]] = {
    "moving-average": (Param("n", 5, 1, MAX_TAPS, True, "aantal waarden n", "number of values n"),),
    "gaussian": (
        Param("size", 9, 1, MAX_TAPS, True, "lengte", "length"),
        Param("sigma", 2.0, 0.1, 2000.0, False, "breedte σ", "width σ"),
    ),
    "difference": (),
    "second-difference": (),
    "step": (Param("m", 5, 1, MAX_TAPS // 2, True, "halve breedte m", "half width m"),),
    "template": (
        Param("start", 0, 0, 10**9, True, "begin (monster)", "start (sample)"),
        Param("length", 100, 2, MAX_TAPS, True, "lengte (monsters)", "length (samples)"),
    ),
}


@dataclass(frozen=True)
class _Entry:
    id: str
    name_nl: str
    name_en: str
    about_nl: str
    about_en: str
    kind: str
    build: Callable[..., np.ndarray]


_ENTRIES: tuple[_Entry, ...] = (
    _Entry(
        "moving-average",
        "voortschrijdend gemiddelde",
        "moving average",
        "Elke waarde wordt het gemiddelde van n buren: snelle schommelingen verdwijnen "
        "(een laagdoorlaatfilter).",
        "Each value becomes the mean of n neighbours: fast wiggles disappear (a low-pass filter).",
        "smooth",
        moving_average,
    ),
    _Entry(
        "gaussian",
        "Gaussisch gladstrijken",
        "Gaussian smoothing",
        "Een gewogen gemiddelde met een klokvorm: dichte buren tellen meer mee dan verre.",
        "A weighted mean shaped like a bell: close neighbours count more than distant ones.",
        "smooth",
        gaussian1d,
    ),
    _Entry(
        "difference",
        "verschil",
        "difference",
        "Deze waarde min de vorige: groot waar het signaal snel stijgt, negatief waar het "
        "daalt (een hoogdoorlaatfilter).",
        "This value minus the previous one: large where the signal rises fast, negative "
        "where it falls (a high-pass filter).",
        "detail",
        difference,
    ),
    _Entry(
        "second-difference",
        "tweede verschil",
        "second difference",
        "Het verschil van het verschil: groot waar de helling plots verandert, zoals bij een piek.",
        "The difference of the difference: large where the slope changes suddenly, as at a peak.",
        "detail",
        second_difference,
    ),
    _Entry(
        "step",
        "sprongdetector",
        "step detector",
        "Het gemiddelde rechts min het gemiddelde links: groot waar het signaal een "
        "sprong omhoog maakt.",
        "The mean on the right minus the mean on the left: large where the signal jumps up.",
        "detect",
        step,
    ),
    _Entry(
        "template",
        "sjabloon (matched filter)",
        "template (matched filter)",
        "Een stukje uit het signaal zelf: de uitkomst is groot waar het signaal op dat "
        "stukje lijkt.",
        "A piece cut from the signal itself: the result is large where the signal looks "
        "like that piece.",
        "detect",
        template,
    ),
)
_BY_ID = {e.id: e for e in _ENTRIES}
_ALIASES = {
    "ma": "moving-average",
    "mean": "moving-average",
    "average": "moving-average",
    "gauss": "gaussian",
    "diff": "difference",
    "derivative": "difference",
    "diff2": "second-difference",
    "edge": "step",
    "matched": "template",
    "matched-filter": "template",
}


def signal_kernel_ids() -> list[str]:
    return [e.id for e in _ENTRIES]


def signal_kernel_params(name: str) -> tuple[Param, ...]:
    return _PARAMS[_resolve(name)]


def _resolve(name) -> str:
    if not isinstance(name, str):
        raise InvalidType("signal_kernel_name_not_string", type=type(name).__name__)
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    key = _ALIASES.get(key, key)
    if key not in _BY_ID:
        raise InvalidValue(
            "unknown_signal_kernel",
            value=name,
            choices=list(_BY_ID),
            suggestion=suggestion(key, list(_BY_ID) + list(_ALIASES)),
        )
    return key


def signal_kernel(name: str, *, signal=None, **params) -> SignalKernel:
    """A catalogue kernel built with ``params`` (defaults for the ones not given).

    ``"template"`` also needs ``signal=`` (the signal to cut the piece from).

    >>> signal_kernel("moving-average", n=3).values.round(3)
    array([0.333, 0.333, 0.333])
    >>> signal_kernel("second-difference").values
    array([ 1., -2.,  1.])
    """
    key = _resolve(name)
    entry = _BY_ID[key]
    known = {p.name: p for p in _PARAMS[key]}
    unknown = sorted(set(params) - set(known))
    if unknown:
        allowed = ", ".join(known) or "none"
        raise InvalidValue("unknown_kernel_params", names=unknown, kernel=key, allowed=allowed)
    values = {n: p.check(params[n]) if n in params else p.default for n, p in known.items()}
    if key == "template":
        if signal is None:
            raise InvalidValue("template_needs_signal")
        taps = template(signal, int(values["start"]), int(values["length"]))
    else:
        if signal is not None:
            raise InvalidValue("signal_only_for_template", kernel=key)
        taps = entry.build(**values)
    return SignalKernel(
        key,
        entry.name_nl,
        entry.name_en,
        entry.about_nl,
        entry.about_en,
        taps,
        values,
        entry.kind,
    )


def signal_kernels() -> list[dict]:
    """The catalogue as plain data: id, names, explanations, kind, parameters."""
    return [
        {
            "id": e.id,
            "name_nl": e.name_nl,
            "name_en": e.name_en,
            "about_nl": e.about_nl,
            "about_en": e.about_en,
            "kind": e.kind,
            "params": [p.to_dict() for p in _PARAMS[e.id]],
        }
        for e in _ENTRIES
    ]


def as_kernel1d(kernel, param: str = "kernel") -> np.ndarray:
    """Any accepted 1-D kernel form -> a checked 1-D float64 array (a fresh copy).

    Accepted: a :class:`SignalKernel`, a catalogue name (default parameters),
    or a 1-D sequence of numbers (a single row or column of a 2-D grid too).
    """
    if isinstance(kernel, SignalKernel):
        return kernel.values.copy()
    if isinstance(kernel, str):
        if _resolve(kernel) == "template":
            raise InvalidValue("template_by_name")
        return signal_kernel(kernel).values.copy()
    if kernel is None:
        raise InvalidType("taps_missing", param=param)
    try:
        arr = np.array(kernel, dtype=np.float64)
    except (ValueError, TypeError):
        raise InvalidValue("taps_not_numbers", param=param) from None
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise InvalidValue("taps_ndim", param=param, shape=arr.shape)
    if arr.size == 0:
        raise InvalidValue("taps_empty", param=param)
    if arr.size > MAX_TAPS:
        raise TooLarge("taps_too_many", param=param, count=arr.size, limit=MAX_TAPS)
    finite_array(param, arr)
    return arr
