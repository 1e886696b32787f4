"""Kernels are data: the catalogue of named filters and factories for more.

Nothing here applies a kernel; :mod:`convolab.engine` does that. Each
catalogue entry carries its grid of numbers (integers and a divisor, so that
"1/9" is shown as pupils know it), Dutch and English names, a one-line
explanation in both languages, where it comes from, and the output mapping
that shows it best (an edge filter must not come out black).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ._validate import MAX_KERNEL_SIZE, finite_array, positive_int
from .errors import InvalidType, InvalidValue, TooLarge, suggestion

MAPPINGS = ("clip", "abs", "offset", "rescale")


@dataclass(frozen=True)
class Kernel:
    """One named filter: values plus what a learner needs to know about it."""

    id: str
    name_nl: str
    name_en: str
    about_nl: str
    about_en: str
    grid: tuple[tuple[float, ...], ...]  # numbers as written, before the divisor
    divisor: float = 1
    display: str = "clip"  # default output mapping, one of MAPPINGS
    source: str = ""  # where pupils may have met it
    aliases: tuple[str, ...] = field(default=())

    @property
    def values(self) -> np.ndarray:
        v = np.array(self.grid, dtype=np.float64) / self.divisor
        v.flags.writeable = False
        return v

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.grid), len(self.grid[0])

    def name(self, lang: str = "nl") -> str:
        return self.name_en if lang == "en" else self.name_nl

    def about(self, lang: str = "nl") -> str:
        return self.about_en if lang == "en" else self.about_nl

    def cells(self) -> list[list[str]]:
        """The grid as a pupil writes it: '1/9' when there is a divisor."""
        return [[_cell_text(x, self.divisor) for x in row] for row in self.grid]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name_nl": self.name_nl,
            "name_en": self.name_en,
            "about_nl": self.about_nl,
            "about_en": self.about_en,
            "values": self.values.tolist(),
            "cells": self.cells(),
            "grid": [list(r) for r in self.grid],
            "divisor": self.divisor,
            "shape": list(self.shape),
            "display": self.display,
            "source": self.source,
            "aliases": list(self.aliases),
        }


def _cell_text(x: float, divisor: float) -> str:
    if divisor == 1:
        return _num(x)
    if float(x).is_integer() and float(divisor).is_integer():
        f = Fraction(int(x), int(divisor))
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    return _num(x / divisor)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def _g(text: str) -> tuple[tuple[float, ...], ...]:
    """'1 2 1 / 2 4 2 / 1 2 1' -> nested tuples."""
    return tuple(tuple(float(v) for v in row.split()) for row in text.split("/"))


_CATALOGUE: list[Kernel] = [
    Kernel(
        "identity",
        "Identiteit",
        "Identity",
        "Verandert niets: elke pixel blijft zichzelf.",
        "Changes nothing: every pixel stays itself.",
        _g("0 0 0 / 0 1 0 / 0 0 0"),
        source="Setosa",
    ),
    Kernel(
        "edge",
        "Randdetectie",
        "Edge detection",
        "Maakt randen in alle richtingen zichtbaar; vlakke stukken worden zwart.",
        "Shows edges in every direction; flat areas turn black.",
        _g("-1 -1 -1 / -1 8 -1 / -1 -1 -1"),
        display="abs",
        source="Dwengo demo, KIKS notebook, Setosa (outline)",
    ),
    Kernel(
        "blur",
        "Vervagen",
        "Blur",
        "Het gemiddelde van 3×3 buren: de afbeelding wordt zachter.",
        "The average of 3×3 neighbours: the image gets softer.",
        _g("1 1 1 / 1 1 1 / 1 1 1"),
        divisor=9,
        source="Dwengo demo, KIKS notebook (gemiddelde)",
        aliases=("mean", "box-3"),
    ),
    Kernel(
        "sharpen",
        "Verscherpen",
        "Sharpen",
        "Versterkt het verschil met de buren: details worden scherper.",
        "Boosts the difference with the neighbours: details get sharper.",
        _g("0 -1 0 / -1 5 -1 / 0 -1 0"),
        source="Dwengo demo, KIKS notebook, Setosa",
    ),
    Kernel(
        "emboss",
        "Reliëf",
        "Emboss",
        "Laat de afbeelding eruitzien alsof ze in reliëf gedrukt is, belicht van linksboven.",
        "Makes the image look pressed into relief, lit from the top left.",
        _g("-2 -1 0 / -1 1 1 / 0 1 2"),
        source="Dwengo demo, KIKS notebook, Setosa",
    ),
    Kernel(
        "outline",
        "Omtrek",
        "Outline",
        "Vergelijkt een pixel met zijn 4 directe buren: omtrekken lichten op.",
        "Compares a pixel with its 4 direct neighbours: outlines light up.",
        _g("0 1 0 / 1 -4 1 / 0 1 0"),
        display="abs",
        source="Dwengo demo",
        aliases=("laplacian",),
    ),
    Kernel(
        "vertical-lines",
        "Verticale lijnen",
        "Vertical lines",
        "Reageert op verticale randen: links donker en rechts licht, of omgekeerd.",
        "Responds to vertical edges: dark on the left and light on the right, or the other way.",
        _g("-1 0 1 / -1 0 1 / -1 0 1"),
        display="offset",
        source="KIKS notebook",
        aliases=("prewitt-x",),
    ),
    Kernel(
        "horizontal-lines",
        "Horizontale lijnen",
        "Horizontal lines",
        "Reageert op horizontale randen: boven donker en onder licht, of omgekeerd.",
        "Responds to horizontal edges: dark above and light below, or the other way.",
        _g("-1 -1 -1 / 0 0 0 / 1 1 1"),
        display="offset",
        source="KIKS notebook (oefening)",
        aliases=("prewitt-y",),
    ),
    Kernel(
        "diagonal-down",
        "Diagonaal ↘",
        "Diagonal ↘",
        "Vergelijkt linksboven met rechtsonder: randen die schuin lopen vallen op.",
        "Compares top left with bottom right: slanted edges stand out.",
        _g("-5 0 0 / 0 0 0 / 0 0 5"),
        display="offset",
        source="KIKS notebook",
    ),
    Kernel(
        "diagonal-up",
        "Diagonaal ↗",
        "Diagonal ↗",
        "Vergelijkt rechtsboven met linksonder: randen in de andere schuine richting.",
        "Compares top right with bottom left: edges slanting the other way.",
        _g("0 0 -5 / 0 0 0 / 5 0 0"),
        display="offset",
        source="KIKS notebook",
    ),
    Kernel(
        "smooth",
        "Gladstrijken",
        "Smooth",
        "Een gewogen gemiddelde dat de pixel zelf zwaarder laat tellen: zacht vervagen.",
        "A weighted average that counts the pixel itself more: a gentle blur.",
        _g("1 1 1 / 1 5 1 / 1 1 1"),
        divisor=13,
        source="KIKS notebook",
    ),
    Kernel(
        "gaussian-3",
        "Gaussisch vervagen 3×3",
        "Gaussian blur 3×3",
        "Vervagen waarbij dichte buren zwaarder wegen dan verre: natuurlijker dan gewoon gemiddelde.",
        "Blur where near neighbours weigh more than far ones: more natural than a plain average.",
        _g("1 2 1 / 2 4 2 / 1 2 1"),
        divisor=16,
        source="KIKS notebook, Setosa (blur)",
    ),
    Kernel(
        "edge-strong",
        "Sterke randen",
        "Strong edges",
        "Zoals randdetectie, maar directe buren tellen dubbel: scherpere randen.",
        "Like edge detection, but direct neighbours count double: crisper edges.",
        _g("-1 -2 -1 / -2 12 -2 / -1 -2 -1"),
        display="abs",
        source="KIKS notebook",
    ),
    Kernel(
        "sobel-x",
        "Sobel rechts",
        "Sobel right",
        "Sterkte van verticale randen, licht waar het naar rechts lichter wordt.",
        "Strength of vertical edges, light where the image gets lighter to the right.",
        _g("-1 0 1 / -2 0 2 / -1 0 1"),
        display="offset",
        source="KIKS notebook, Setosa (right sobel)",
        aliases=("sobel-right",),
    ),
    Kernel(
        "sobel-left",
        "Sobel links",
        "Sobel left",
        "Sterkte van verticale randen, licht waar het naar links lichter wordt.",
        "Strength of vertical edges, light where the image gets lighter to the left.",
        _g("1 0 -1 / 2 0 -2 / 1 0 -1"),
        display="offset",
        source="Setosa (left sobel)",
    ),
    Kernel(
        "sobel-y",
        "Sobel onder",
        "Sobel bottom",
        "Sterkte van horizontale randen, licht waar het naar onder lichter wordt.",
        "Strength of horizontal edges, light where the image gets lighter downwards.",
        _g("-1 -2 -1 / 0 0 0 / 1 2 1"),
        display="offset",
        source="Setosa (bottom sobel)",
        aliases=("sobel-bottom",),
    ),
    Kernel(
        "sobel-top",
        "Sobel boven",
        "Sobel top",
        "Sterkte van horizontale randen, licht waar het naar boven lichter wordt.",
        "Strength of horizontal edges, light where the image gets lighter upwards.",
        _g("1 2 1 / 0 0 0 / -1 -2 -1"),
        display="offset",
        source="KIKS notebook, Setosa (top sobel)",
    ),
    Kernel(
        "line-45",
        "Lijnen onder 45°",
        "Lines at 45°",
        "Reageert op randen die onder een hoek van 45° lopen.",
        "Responds to edges running at an angle of 45°.",
        _g("1 1 1 / -1 -2 1 / -1 -1 1"),
        display="offset",
        source="KIKS notebook",
    ),
    Kernel(
        "kirsch-east",
        "Kirsch oost",
        "Kirsch east",
        "Een sterk richtingsfilter: licht waar de rechterkant veel lichter is dan de linkerkant.",
        "A strong directional filter: light where the right side is much lighter than the left.",
        _g("-3 -3 5 / -3 0 5 / -3 -3 5"),
        display="offset",
        source="KIKS notebook",
    ),
    Kernel(
        "corners",
        "Hoeken",
        "Corners",
        "Vergelijkt de vier hoeken van het 3×3 venster: hoeken en kruisende randen vallen op.",
        "Compares the four corners of the 3×3 window: corners and crossing edges stand out.",
        _g("1 0 -1 / 0 0 0 / -1 0 1"),
        display="offset",
        source="KIKS notebook",
    ),
]


def gaussian(size=5, sigma: float = 1.0) -> np.ndarray:
    """A normalised Gaussian blur kernel (sums to 1).

    >>> gaussian(3, 1.0).round(3)
    array([[0.075, 0.124, 0.075],
           [0.124, 0.204, 0.124],
           [0.075, 0.124, 0.075]])
    """
    h, w = _size("size", size)
    sigma = _positive_float("sigma", sigma)
    y = np.arange(h) - (h - 1) / 2
    x = np.arange(w) - (w - 1) / 2
    g = np.exp(-(y[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


def box(size=3) -> np.ndarray:
    """A box blur: every cell 1 / (number of cells)."""
    h, w = _size("size", size)
    return np.full((h, w), 1.0 / (h * w))


def motion_blur(length: int = 9, angle: float = 0.0) -> np.ndarray:
    """Blur along a line of ``length`` cells at ``angle`` degrees (0 = horizontal,
    counter-clockwise), as if the camera moved while taking the photo."""
    n = positive_int("length", length)
    if n > MAX_KERNEL_SIZE:
        raise InvalidValue("must_be_between", param="length", low=1, high=MAX_KERNEL_SIZE, value=n)
    angle = _finite_float("angle", angle)
    k = np.zeros((n, n))
    c = (n - 1) / 2
    t = math.radians(angle)
    for s in np.linspace(-c, c, 4 * n + 1):
        r = int(round(c - s * math.sin(t)))
        q = int(round(c + s * math.cos(t)))
        k[r, q] = 1.0
    return k / k.sum()


def laplacian_of_gaussian(size=9, sigma: float = 1.4) -> np.ndarray:
    """Laplacian of Gaussian ("Mexican hat", negated): blob and edge detector.

    Shifted so that it sums to exactly 0: flat areas give 0.
    """
    h, w = _size("size", size)
    sigma = _positive_float("sigma", sigma)
    y = np.arange(h) - (h - 1) / 2
    x = np.arange(w) - (w - 1) / 2
    r2 = y[:, None] ** 2 + x[None, :] ** 2
    k = (r2 - 2 * sigma**2) / sigma**4 * np.exp(-r2 / (2 * sigma**2))
    return k - k.mean()


def _generated() -> list[Kernel]:
    def grid(a):
        return tuple(tuple(float(v) for v in row) for row in a)

    return [
        Kernel(
            "gaussian-5",
            "Gaussisch vervagen 5×5",
            "Gaussian blur 5×5",
            "Sterker vervagen met een groter Gaussisch venster (σ = 1).",
            "Stronger blur with a larger Gaussian window (σ = 1).",
            grid(gaussian(5, 1.0)),
            source="gaussian(5, 1.0)",
        ),
        Kernel(
            "box-5",
            "Gemiddelde 5×5",
            "Mean 5×5",
            "Het gemiddelde van 25 buren: sterk vervagen.",
            "The average of 25 neighbours: a strong blur.",
            grid(np.ones((5, 5))),
            divisor=25,
            source="box(5)",
        ),
        Kernel(
            "motion-blur",
            "Bewegingsonscherpte",
            "Motion blur",
            "Vervaagt in één richting, alsof de camera bewoog tijdens de foto.",
            "Blurs in one direction, as if the camera moved while taking the photo.",
            grid(np.ones((1, 9))),
            divisor=9,
            source="box((1, 9)): motion_blur(9, 0) without the empty rows",
        ),
        Kernel(
            "log",
            "Laplaciaan van Gauss",
            "Laplacian of Gaussian",
            "Eerst vervagen, dan randen zoeken, in één filter: vlekken en randen zonder ruis.",
            "Blur first, then look for edges, in one filter: blobs and edges without the noise.",
            grid(laplacian_of_gaussian(9, 1.4)),
            display="offset",
            source="laplacian_of_gaussian(9, 1.4)",
        ),
    ]


def kernels() -> list[Kernel]:
    """All catalogue filters, in display order."""
    return list(_CATALOGUE)


def kernel(name: str) -> Kernel:
    """A catalogue filter by id (or alias), e.g. ``kernel("sobel-x")``."""
    if not isinstance(name, str):
        raise InvalidType("filter_name_not_string", type=type(name).__name__)
    key = name.strip().lower()
    if key not in _BY_NAME:
        raise InvalidValue(
            "unknown_filter",
            value=name,
            count=len(_CATALOGUE),
            suggestion=suggestion(key, _BY_NAME),
        )
    return _BY_NAME[key]


def as_kernel(kernel, param: str = "kernel", *, max_shape=None) -> np.ndarray:
    """Any accepted kernel form -> a checked 2-D float64 array (a fresh copy).

    ``max_shape`` (rows, cols) defaults to 31 x 31; the 1-D module passes a
    longer single row for signal kernels.
    """
    if isinstance(kernel, Kernel):
        return kernel.values.copy()
    if isinstance(kernel, str):
        return globals()["kernel"](kernel).values.copy()
    if kernel is None:
        raise InvalidType("kernel_missing", param=param)
    try:
        arr = np.array(kernel, dtype=np.float64)
    except (ValueError, TypeError):
        raise InvalidValue("kernel_not_grid", param=param) from None
    if arr.ndim != 2:
        raise InvalidValue("kernel_ndim", param=param, ndim=arr.ndim, shape=arr.shape)
    if arr.size == 0:
        raise InvalidValue("kernel_empty", param=param)
    mh, mw = max_shape or (MAX_KERNEL_SIZE, MAX_KERNEL_SIZE)
    if arr.shape[0] > mh or arr.shape[1] > mw:
        raise InvalidValue(
            "kernel_too_large",
            param=param,
            rows=arr.shape[0],
            cols=arr.shape[1],
            max_rows=mh,
            max_cols=mw,
        )
    finite_array(param, arr)
    return arr


_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_CELL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


#: Longest cell ``parse_cell`` reads (characters): ``0.1111111111111111`` fits easily.
MAX_CELL_CHARS = 40
#: Longest kernel text ``parse_kernel`` reads: the largest kernel with the longest cells.
MAX_KERNEL_TEXT = MAX_KERNEL_SIZE * MAX_KERNEL_SIZE * (MAX_CELL_CHARS + 1)


def _where(where) -> dict:
    """``(row, column)`` -> error params; anything else is a label such as ``"cell"``."""
    if isinstance(where, tuple) and len(where) == 2:
        return {"row": where[0], "col": where[1]}
    return {"row": None, "col": None}


def parse_cell(text: str, where=None) -> float:
    """One cell as a pupil types it: ``2``, ``-0.5``, ``0,5``, ``.25``, ``1/9``, ``-1/16``.

    ``where`` is ``(row, column)`` (1-based) for the error message, or ``None``.
    A cell holds at most one ``/`` and ``MAX_CELL_CHARS`` characters.
    """
    s = str(text).strip()
    at = _where(where)
    code = "cell_" if at["row"] is not None else "value_"
    if len(s) > MAX_CELL_CHARS:
        raise InvalidValue(code + "too_long", **at, length=len(s), limit=MAX_CELL_CHARS)
    if _DECIMAL_COMMA.match(s):  # one cell: a comma can only be the Dutch decimal comma
        s = s.replace(",", ".")
    if "/" in s:
        if s.count("/") > 1:
            raise InvalidValue(code + "two_slashes", **at, text=s)
        num, _, den = s.partition("/")
        a, b = _number(num.strip(), s, at, code), _number(den.strip(), s, at, code)
        if b == 0:
            raise InvalidValue(code + "divides_by_zero", **at, text=s)
        return a / b
    return _number(s, s, at, code)


def _number(s: str, cell: str, at: dict, code: str) -> float:
    if _DECIMAL_COMMA.match(s):
        s = s.replace(",", ".")
    if not _CELL.match(s):
        raise InvalidValue(code + "not_a_number", **at, text=cell)
    v = float(s)
    if not math.isfinite(v):
        raise InvalidValue(code + "too_large", **at, text=cell)
    return v


def parse_kernel(text: str) -> np.ndarray:
    """Read a kernel as a pupil types it.

    Rows are separated by ``;`` or new lines, values by spaces or commas; a
    cell may be a fraction such as ``1/9``. Nested lists (``[[1, 2], [3, 4]]``)
    work too. Decimals use a point (``0.5``); a Dutch decimal comma (``0,5``)
    is understood where values are separated by spaces only (``0,5 0,25``).

    >>> parse_kernel("0 -1 0; -1 5 -1; 0 -1 0")[1]
    array([-1.,  5., -1.])
    >>> parse_kernel("1/9 1/9\\n1/9 1/9").round(3).tolist()
    [[0.111, 0.111], [0.111, 0.111]]
    """
    if not isinstance(text, str):
        raise InvalidType("kernel_text_not_string", type=type(text).__name__)
    s = text.strip()
    if not s:
        raise InvalidValue("kernel_text_empty")
    if len(s) > MAX_KERNEL_TEXT:
        raise TooLarge("kernel_text_too_long", length=len(s), limit=MAX_KERNEL_TEXT)
    if s.startswith("["):
        rows = _bracket_rows(s)
    else:
        lines = [ln for ln in re.split(r"[;\n]", s) if ln.strip()]
        rows = [_split_row(ln) for ln in lines]
    values = []
    for r, row in enumerate(rows, 1):
        if len(row) != len(rows[0]):
            raise InvalidValue("kernel_ragged", row=r, count=len(row), first=len(rows[0]))
        values.append([parse_cell(c, (r, c_i)) for c_i, c in enumerate(row, 1)])
    return as_kernel(values)


def _split_row(line: str) -> list[str]:
    """Values of one typed row. Commas separate values, except in a row like
    ``0,5 0,25`` where values are separated by spaces and every comma stands
    between digits: there they are Dutch decimal commas."""
    line = line.strip()
    if (
        re.search(r"\s", line)
        and re.search(r"\d,\d", line)
        and not re.search(r",\s|\s,|,\D|\D,|^,|,$", line)
    ):
        return [c.replace(",", ".") for c in line.split()]
    return [c for c in re.split(r"[,\s]+", line) if c]


_TOKEN = re.compile(r'"[^"]*"|\'[^\']*\'|[^,\s]+')
_BRACKET_ERROR = "kernel_brackets"


def _bracket_rows(s: str) -> list[list[str]]:
    """Cells of ``[[1, 1/9], [2, 3]]`` or ``[1, 2, 3]`` as text (fractions allowed)."""
    if not s.endswith("]"):
        raise InvalidValue(_BRACKET_ERROR)
    inner = s[1:-1].strip()
    groups = re.findall(r"\[([^\[\]]*)\]", inner)
    if groups:
        if re.sub(r"\[[^\[\]]*\]", "", inner).strip(" ,\n\t"):
            raise InvalidValue(_BRACKET_ERROR)
    elif "[" in inner or "]" in inner:
        raise InvalidValue(_BRACKET_ERROR)
    else:
        groups = [inner]
    # a quoted cell is one cell whatever it holds ("0,5" is a Dutch decimal)
    return [[c.strip("'\"") for c in _TOKEN.findall(g)] for g in groups]


def _size(param, size) -> tuple[int, int]:
    from ._validate import int_pair

    h, w = int_pair(param, size, minimum=1)
    if max(h, w) > MAX_KERNEL_SIZE:
        raise InvalidValue("must_be_between", param=param, low=1, high=MAX_KERNEL_SIZE, value=size)
    return h, w


def _finite_float(param, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidType("not_a_number", param=param, value=value)
    v = float(value)
    if not math.isfinite(v):
        raise InvalidValue("not_finite_number", param=param, value=v)
    return v


def _positive_float(param, value) -> float:
    v = _finite_float(param, value)
    if v <= 0:
        raise InvalidValue("must_be_positive", param=param, value=v)
    return v


_CATALOGUE += _generated()
_BY_NAME: dict[str, Kernel] = {}
for _k in _CATALOGUE:
    for _name in (_k.id, *_k.aliases):
        _BY_NAME[_name] = _k
