"""1-D convolutions on real signals: the image part's vocabulary, one row at a time.

>>> from convolab import signals as sg
>>> ecg = sg.signal("ecg")
>>> smooth = sg.correlate1d(ecg, sg.signal_kernel("moving-average", n=9))
>>> smooth.shape == ecg.values.shape
True
"""

from .audio import read_wav, wav_bytes
from .beats import Beats, detect_beats
from .data import Signal, SignalInfo, signal, signal_info, signals
from .kernels import (
    MAX_TAPS,
    SignalKernel,
    as_kernel1d,
    difference,
    gaussian1d,
    moving_average,
    second_difference,
    signal_kernel,
    signal_kernel_ids,
    signal_kernels,
    step,
    template,
)
from .ops import (
    Explanation1D,
    as_signal,
    convolve1d,
    correlate1d,
    delay,
    explain1d,
    output_length,
    steps1d,
    trailing1d,
)
from .view import envelope

__all__ = [
    "MAX_TAPS",
    "Beats",
    "Explanation1D",
    "Signal",
    "SignalInfo",
    "SignalKernel",
    "as_kernel1d",
    "as_signal",
    "convolve1d",
    "correlate1d",
    "delay",
    "detect_beats",
    "difference",
    "envelope",
    "explain1d",
    "gaussian1d",
    "moving_average",
    "output_length",
    "read_wav",
    "second_difference",
    "signal",
    "signal_info",
    "signal_kernel",
    "signal_kernel_ids",
    "signal_kernels",
    "signals",
    "step",
    "steps1d",
    "template",
    "trailing1d",
    "wav_bytes",
]
