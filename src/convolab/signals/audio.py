"""WAV in and out, in memory, with the standard library only (16-bit PCM mono)."""

from __future__ import annotations

import io
import wave

import numpy as np

from ..errors import InvalidType, InvalidValue
from .ops import as_signal


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """(samples scaled to -1..1, sample rate) from the bytes of a 16-bit PCM WAV file.

    Stereo is averaged to mono. Anything else raises ``ValueError``.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidType("wav_data_type", type=type(data).__name__)
    try:
        with wave.open(io.BytesIO(bytes(data)), "rb") as w:
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError, ValueError) as exc:
        raise InvalidValue("wav_unreadable", detail=str(exc)) from None
    if width != 2:
        raise InvalidValue("wav_sample_width", bits=8 * width)
    if rate <= 0:
        raise InvalidValue("wav_rate", value=rate)
    x = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    if channels > 1:
        x = x[: x.size - x.size % channels].reshape(-1, channels).mean(axis=1)
    if x.size == 0:
        raise InvalidValue("wav_empty")
    return x, rate


def wav_bytes(signal, rate: float, *, normalise: bool = True) -> bytes:
    """Encode a signal as a 16-bit PCM mono WAV file in memory.

    With ``normalise`` the loudest sample is scaled to 90 % of full scale (a
    filtered sound may be much softer or louder than the original); otherwise
    values are taken as -1..1 and clipped.
    """
    x = as_signal(signal)
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
        raise InvalidType("rate_type", value=rate)
    if not np.isfinite(rate) or rate <= 0:
        raise InvalidValue("rate_positive", value=rate)
    if round(rate) < 1:
        raise InvalidValue("rate_too_low_for_sound", value=rate)
    if normalise:
        peak = float(np.max(np.abs(x)))
        x = x * (0.9 / peak) if peak > 0 else x
    pcm = np.clip(np.rint(x * 32767.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(round(rate)))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
