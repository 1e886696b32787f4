"""Convolution arithmetic: padding, stride, dilation and the output size.

For one axis with input size i, kernel size k, padding p_before + p_after,
stride s and dilation d::

    o = floor((i + p_before + p_after - k - (k - 1)(d - 1)) / s) + 1

which is ``floor((i + 2p - k - (k-1)(d-1)) / s) + 1`` for symmetric padding.
The dilated kernel spans ``(k - 1) * d + 1`` cells (its *effective size*).

Padding names:

- ``"valid"``: no padding; the kernel stays inside the image.
- ``"same"``: pad ``effective - 1`` cells in all, so that stride 1 keeps the
  size. With an odd kernel this is symmetric. With an even kernel the anchor
  (the cell whose output position it is) is the cell at index ``k // 2``
  (as in ``scipy.ndimage`` and ``cv2.filter2D``): one more cell is padded
  before (top/left) than after (bottom/right). PyTorch's ``padding="same"``
  puts the extra cell after instead.
- ``"full"``: pad ``effective - 1`` cells on every side; every position where
  kernel and image overlap at all gives an output.
- an int ``p`` or a pair ``(ph, pw)``: that many cells on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

from ._validate import choice, int_pair, positive_int
from .errors import InvalidType, InvalidValue, TooLarge

PADDING_NAMES = ("valid", "same", "full")
# Refuse absurd padding/dilation with a clear error before numpy runs out of memory:
# the padded image may have at most this many cells (or 4 x the image, if larger).
MAX_PADDED_CELLS = 50_000_000


def effective_size(k: int, d: int) -> int:
    """Cells spanned by a kernel of size k with dilation d."""
    return (k - 1) * d + 1


def axis_padding(padding, k: int, d: int, axis: int) -> tuple[int, int]:
    """(before, after) padding along one axis (0 = rows, 1 = cols)."""
    ke = effective_size(k, d)
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "same":
            before = ke // 2
            return before, ke - 1 - before
        if padding == "full":
            return ke - 1, ke - 1
    p = int_pair("padding", padding, minimum=0)[axis]
    return p, p


def check_padding(padding):
    """Validate a padding argument; returns it unchanged."""
    if isinstance(padding, str):
        return choice("padding", padding, PADDING_NAMES)
    if isinstance(padding, (tuple, list)) or isinstance(padding, Integral):
        int_pair("padding", padding, minimum=0)
        return padding
    raise InvalidType("padding_type", value=padding)


@dataclass(frozen=True)
class Plan:
    """Everything the engines need, resolved and checked, for a 2-D operation."""

    in_shape: tuple[int, int]
    k_shape: tuple[int, int]
    pads: tuple[int, int, int, int]  # top, bottom, left, right
    stride: tuple[int, int]
    dilation: tuple[int, int]
    out_shape: tuple[int, int]

    @property
    def effective(self) -> tuple[int, int]:
        return (
            effective_size(self.k_shape[0], self.dilation[0]),
            effective_size(self.k_shape[1], self.dilation[1]),
        )


def make_plan(in_shape, k_shape, *, padding="same", stride=1, dilation=1) -> Plan:
    """Resolve padding/stride/dilation for an image and kernel shape; check the result."""
    check_padding(padding)
    stride = int_pair("stride", stride, minimum=1)
    dilation = int_pair("dilation", dilation, minimum=1)
    pads = []
    out = []
    for axis, name in ((0, "rows"), (1, "columns")):
        before, after = axis_padding(padding, k_shape[axis], dilation[axis], axis)
        ke = effective_size(k_shape[axis], dilation[axis])
        padded = in_shape[axis] + before + after
        if padded < ke:
            raise InvalidValue(
                "kernel_larger_than_padded",
                size=ke,
                axis=name,
                dilation=dilation[axis],
                padded=padded,
                padding=padding,
            )
        pads += [before, after]
        out.append((padded - ke) // stride[axis] + 1)
    ph, pw = in_shape[0] + pads[0] + pads[1], in_shape[1] + pads[2] + pads[3]
    limit = max(MAX_PADDED_CELLS, 4 * in_shape[0] * in_shape[1])
    if ph * pw > limit:
        raise TooLarge(
            "padded_too_large",
            padding=padding,
            dilation=dilation,
            rows=ph,
            cols=pw,
            cells=ph * pw,
            limit=limit,
        )
    return Plan(
        tuple(in_shape[:2]),
        tuple(k_shape),
        tuple(pads),
        stride,
        dilation,
        tuple(out),
    )


def output_size(i: int, k: int, *, padding=0, stride: int = 1, dilation: int = 1) -> int:
    """Output length along one axis.

    >>> output_size(5, 3)
    3
    >>> output_size(5, 3, padding=1, stride=2)
    3
    >>> output_size(7, 3, padding="same", stride=2)
    4
    """
    return explain_output_size(i, k, padding=padding, stride=stride, dilation=dilation).value


@dataclass(frozen=True)
class OutputSize:
    """The output-size formula with the numbers filled in."""

    i: int
    k: int
    pad_before: int
    pad_after: int
    stride: int
    dilation: int
    effective: int  # (k - 1) * d + 1
    numerator: int  # i + p_before + p_after - effective
    value: int  # floor(numerator / s) + 1
    remainder: int  # numerator % s: cells at the end (of the padded input) no window covers

    @property
    def exact(self) -> bool:
        return self.remainder == 0

    def formula(self) -> str:
        pads = (
            f"2·{self.pad_before}"
            if self.pad_before == self.pad_after
            else f"{self.pad_before} + {self.pad_after}"
        )
        return (
            f"o = ⌊({self.i} + {pads} − {self.k} − ({self.k}−1)·({self.dilation}−1)) / "
            f"{self.stride}⌋ + 1 = ⌊{self.numerator} / {self.stride}⌋ + 1 = {self.value}"
        )

    def text(self, lang: str = "nl") -> str:
        """A sentence explaining the result, in Dutch ('nl') or English ('en')."""
        lang = choice("lang", lang, ("nl", "en"))
        if lang == "nl":
            s = f"Uitvoergrootte: {self.formula()}."
            if not self.exact:
                s += (
                    f" De deling {self.numerator} / {self.stride} gaat niet op (rest "
                    f"{self.remainder}): we ronden af naar beneden, dus de laatste "
                    f"{self.remainder} cel(len) aan het einde worden door geen enkel "
                    "venster bedekt."
                )
            return s
        s = f"Output size: {self.formula()}."
        if not self.exact:
            s += (
                f" The division {self.numerator} / {self.stride} is not whole (remainder "
                f"{self.remainder}): we round down, so the last {self.remainder} cell(s) at the "
                "end are never covered by the kernel."
            )
        return s

    def to_dict(self) -> dict:
        return {
            "i": self.i,
            "k": self.k,
            "pad_before": self.pad_before,
            "pad_after": self.pad_after,
            "stride": self.stride,
            "dilation": self.dilation,
            "effective": self.effective,
            "numerator": self.numerator,
            "value": self.value,
            "remainder": self.remainder,
            "exact": self.exact,
            "formula": self.formula(),
            "text_nl": self.text("nl"),
            "text_en": self.text("en"),
        }


def explain_output_size(i: int, k: int, *, padding=0, stride=1, dilation=1) -> OutputSize:
    """The output size along one axis, with every number of the formula."""
    i = positive_int("i (input size)", i)
    k = positive_int("k (kernel size)", k)
    s = positive_int("stride", stride)
    d = positive_int("dilation", dilation)
    check_padding(padding)
    if isinstance(padding, (tuple, list)):
        raise InvalidType("padding_one_axis")
    before, after = axis_padding(padding, k, d, 0)
    ke = effective_size(k, d)
    num = i + before + after - ke
    if num < 0:
        raise InvalidValue("kernel_larger_than_input", size=ke, padded=i + before + after)
    return OutputSize(i, k, before, after, s, d, ke, num, num // s + 1, num % s)
