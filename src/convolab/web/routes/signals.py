"""The signals page: 1-D convolutions on real signals (ECG, speech, temperature, prices).

JSON APIs (all GET, so that a page state is one link and an ``<audio src>`` works):

- ``/api/signals``: the shipped signals and the signal kernels (names, parameters).
- ``/api/signals/values``: one whole signal (float32, base64) and its dates.
- ``/api/signals/filter``: the whole result (float32, base64), the kernel, where the result
  lies on the time axis, the lag of a causal filter, and for the ECG the detected heartbeats.
  The browser keeps both series and thins them out per pixel column itself while zooming, so
  zooming and panning need no new request.
- ``/api/signals/explain``: window, kernel, products and sum at one or more output positions
  (``convolab.signals.explain1d``), for the step player.
- ``/api/signals/audio.wav``: the original or the filtered sound as a WAV file made in memory.

All maths is done by ``convolab.signals`` (on the core 2-D engine); this module checks the
request, calls it and serialises.
"""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

import convolab as cl
from convolab import signals as sg
from convolab.errors import unknown
from convolab.signals.kernels import signal_kernel_params

from ..errors import ApiError, core_call
from ..i18n import LANGS, t
from ..pages import page, render

router = APIRouter()

MAX_STRIDE = 1000
MAX_DILATION = 100
MAX_PAD = 10_000
MAX_EXPLAIN = 64  # positions per explain request
STAGES = ("", "difference", "squared", "window")
KERNEL_PARAMS = ("n", "size", "sigma", "m", "start", "length")


def _err(status: int, code: str, key: str, **params) -> ApiError:
    """An ApiError with its message in every language (from web/i18n/*/signals.json)."""
    return ApiError(status, code, {lang: t(f"signals.{key}", lang, **params) for lang in LANGS})


class FilterQuery(BaseModel):
    signal: str = Field("ecg", description="signal id, see /api/signals")
    kernel: str = Field("moving-average", description="signal kernel id, or 'custom' (then 'taps')")
    taps: str | None = Field(
        None, description="own taps for kernel 'custom', e.g. '1 2 1' or '1/3 1/3 1/3'"
    )
    n: int | None = Field(None, description="moving-average: number of values")
    size: int | None = Field(None, description="gaussian: length")
    sigma: float | None = Field(None, description="gaussian: width")
    m: int | None = Field(None, description="step: half width")
    start: int | None = Field(None, description="template: first sample")
    length: int | None = Field(None, description="template: number of samples")
    mode: Literal["correlate", "convolve"] = "correlate"
    padding: str = Field("same", description="'same', 'valid', 'full' or a whole number")
    border: str = Field("zero", description="zero, reflect, symmetric, replicate, wrap")
    stride: int = Field(1, description=f"1..{MAX_STRIDE}")
    dilation: int = Field(1, description=f"1..{MAX_DILATION}")
    causal: bool = Field(
        False,
        description="only past values (a trailing filter); needs padding 'same', stride 1 "
        "and mode 'correlate'",
    )
    stage: str = Field(
        "", description="ECG only: answer with a step of the beat detector instead of the result"
    )


class ExplainQuery(FilterQuery):
    at: int = Field(0, description="first output position")
    count: int = Field(1, description=f"number of positions, 1..{MAX_EXPLAIN}")


class AudioQuery(FilterQuery):
    which: Literal["original", "filtered"] = "filtered"


# --- checking a request --------------------------------------------------------


def _signal(name: str) -> sg.Signal:
    return sg.signal(name)  # the core names an unknown signal (code unknown_signal)


def _check_range(name: str, value, lo, hi) -> None:
    if not lo <= value <= hi:
        raise _err(400, "out_of_range", "err_range", name=name, min=lo, max=hi, value=value)


def _kernel(q: FilterQuery, x: sg.Signal) -> sg.SignalKernel:
    if q.kernel == "custom":
        text = (q.taps or "").strip()
        if not text:
            raise _err(400, "invalid_taps", "err_taps_missing")
        # the core's errors name the cell that is wrong, or say the taps are not one row
        grid = sg.as_kernel1d(cl.parse_kernel(text))
        return sg.SignalKernel(
            "custom",
            t("signals.custom", "nl"),
            t("signals.custom", "en"),
            "",
            "",
            grid,
            {},
            "custom",
        )
    ids = sg.signal_kernel_ids()
    if q.kernel not in ids:
        raise unknown("kernel", q.kernel, [*ids, "custom"], code="unknown_signal_kernel")
    params = {}
    for p in signal_kernel_params(q.kernel):
        value = getattr(q, p.name)
        if value is None:
            continue
        hi = p.maximum
        if p.name == "start":
            hi = x.values.size - 2
        _check_range(p.name, value, p.minimum, hi)
        params[p.name] = value
    if q.kernel == "template":
        start = params.get("start", 0)
        length = params.get("length", 100)
        _check_range("length", length, 2, min(sg.MAX_TAPS, x.values.size - start))
        seg = x.values[start : start + length]
        if np.ptp(seg) == 0:
            raise _err(400, "flat_template", "err_flat_template")
        return sg.signal_kernel("template", signal=x.values, **params)
    return sg.signal_kernel(q.kernel, **params)


def _options(q: FilterQuery, x: sg.Signal, k: sg.SignalKernel) -> dict:
    padding: str | int = q.padding.strip().lower()
    if padding.isdigit():
        padding = int(padding)
        _check_range("padding", padding, 0, MAX_PAD)
    # a padding or border name the core does not know is refused by the core itself
    _check_range("stride", q.stride, 1, MAX_STRIDE)
    _check_range("dilation", q.dilation, 1, MAX_DILATION)
    if q.stage and (q.stage not in STAGES or x.info.kind != "ecg"):
        raise _err(400, "invalid_stage", "err_stage", value=q.stage)
    if q.causal and (padding != "same" or q.stride != 1 or q.mode != "correlate"):
        raise _err(400, "invalid_causal", "err_causal")
    return {
        "padding": padding,
        "border": q.border,
        "stride": q.stride,
        "dilation": q.dilation,
    }


# --- computing (in the thread pool) ------------------------------------------


def _b64(values: np.ndarray) -> str:
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


@cache
def _signal_payload(name: str) -> dict:
    """The signal itself: metadata, values (float32, base64) and dates (ms since 1970)."""
    x = sg.signal(name)
    ms = x.epoch_ms()
    return {
        "ok": True,
        "signal": x.to_dict(),
        "values_f32": _b64(x.values),
        "dates_ms": ms.tolist() if ms is not None else None,
    }


def values(name: str) -> dict:
    return _signal_payload(_signal(name).id)


@cache
def _beats(name: str) -> sg.Beats:
    return sg.detect_beats(sg.signal(name))


def _result(q: FilterQuery, x: sg.Signal, k: sg.SignalKernel, opts: dict):
    """(result values, index of the input sample under output 0's centre tap, step)."""
    if q.stage:
        b = _beats(x.id)
        return getattr(b, q.stage), 0, 1
    if q.causal:
        fn = sg.trailing1d
        out = fn(x.values, k, border=opts["border"], dilation=opts["dilation"])
        return out, 0, 1
    fn = sg.convolve1d if q.mode == "convolve" else sg.correlate1d
    out = fn(x.values, k, **opts)
    size = cl.explain_output_size(
        x.values.size,
        k.size,
        padding=opts["padding"],
        stride=opts["stride"],
        dilation=opts["dilation"],
    )
    first = -size.pad_before + (k.size // 2) * opts["dilation"]
    return out, first, opts["stride"]


def compute(q: FilterQuery) -> dict:
    x = _signal(q.signal)
    k = _kernel(q, x)
    opts = _options(q, x, k)
    out, first, step = _result(q, x, k, opts)
    lag = None
    if q.causal and not q.stage and abs(k.values.sum()) > 1e-12 * np.abs(k.values).sum():
        lag = sg.delay(k, dilation=opts["dilation"])
    payload = {
        "ok": True,
        "signal": x.to_dict(),
        "kernel": {
            **k.to_dict(),
            "span": (k.size - 1) * opts["dilation"] + 1,
            "sum": float(k.values.sum()),
        },
        "options": {**opts, "mode": q.mode, "causal": q.causal, "stage": q.stage},
        "result": {
            "values_f32": _b64(out),
            "length": int(out.size),
            "first": int(first),
            "step": int(step),
            "min": float(out.min()),
            "max": float(out.max()),
        },
        "lag": lag,
        "beats": None,
    }
    if x.info.kind == "ecg":
        b = _beats(x.id)
        payload["beats"] = b.to_dict()
        if q.stage == "window":
            payload["result"]["threshold_f32"] = _b64(b.threshold)
    return payload


def explain(q: ExplainQuery) -> dict:
    x = _signal(q.signal)
    k = _kernel(q, x)
    opts = _options(q, x, k)
    if q.stage:
        raise _err(400, "invalid_stage", "err_stage_explain")
    _check_range("count", q.count, 1, MAX_EXPLAIN)
    if q.causal:
        # trailing1d is the "full" result's first N outputs: explain those
        opts = {**opts, "padding": "full", "stride": 1}
        n_out = x.values.size
    else:
        n_out = sg.output_length(
            x.values.size,
            k.size,
            padding=opts["padding"],
            stride=opts["stride"],
            dilation=opts["dilation"],
        )
    _check_range("at", q.at, 0, n_out - 1)
    stop = min(n_out, q.at + q.count)
    steps = sg.steps1d(x.values, k, mode=q.mode, start=q.at, stop=stop, **opts)
    return {"ok": True, "out_len": n_out, "steps": [e.to_dict() for e in steps]}


def audio(q: AudioQuery) -> bytes:
    x = _signal(q.signal)
    if x.info.kind != "audio":
        raise _err(400, "not_audio", "err_not_audio", name=x.id)
    if q.which == "original":
        return sg.wav_bytes(x.values, x.rate)
    k = _kernel(q, x)
    opts = _options(q, x, k)
    out, _, step = _result(q, x, k, opts)
    return sg.wav_bytes(out, x.rate / step)


# --- routes ------------------------------------------------------------------


@router.get("/api/signals", tags=["signals"])
async def api_signals() -> dict:
    """The shipped signals (metadata) and the signal kernels with their parameters."""
    return {
        "ok": True,
        "signals": [s.to_dict() for s in sg.signals()],
        "kernels": sg.signal_kernels(),
    }


@router.get("/api/signals/values", tags=["signals"])
async def api_values(signal: Annotated[str, Query(description="signal id")] = "ecg") -> dict:
    """One whole signal: values as float32 little-endian in base64, dates for dated series."""
    return await core_call(values, signal)


@router.get("/api/signals/filter", tags=["signals"])
async def api_filter(q: Annotated[FilterQuery, Query()]) -> dict:
    """Signal and result (float32 little-endian, base64) plus everything to explain them."""
    return await core_call(compute, q)


@router.get("/api/signals/explain", tags=["signals"])
async def api_explain(q: Annotated[ExplainQuery, Query()]) -> dict:
    """The step trace at output positions at .. at + count - 1."""
    return await core_call(explain, q)


@router.get("/api/signals/audio.wav", tags=["signals"])
async def api_audio(q: Annotated[AudioQuery, Query()]) -> Response:
    """The original or filtered sound, as a 16-bit WAV file made in memory."""
    data = await core_call(audio, q)
    return Response(data, media_type="audio/wav", headers={"Cache-Control": "no-store"})


def template_suggestions() -> dict:
    """A sensible piece to cut as a template, per signal (in samples)."""
    out = {}
    for info in sg.signals():
        x = sg.signal(info.id)
        if info.kind == "ecg":
            peak = int(_beats(info.id).peaks[2])
            out[info.id] = {"start": peak - 36, "length": 90}  # 100 ms before to 150 ms after
        elif info.kind == "audio":
            out[info.id] = {"start": int(0.9 * x.rate), "length": 400}  # 25 ms of a vowel
        elif info.kind == "sensor":
            out[info.id] = {"start": 24 * 7, "length": 24}  # one day
        else:
            out[info.id] = {"start": 0, "length": 12}  # one year
    return out


DEFAULTS = {
    "signal": "ecg",
    "kernel": "moving-average",
    "taps": "1 2 1",
    "n": 9,
    "size": 15,
    "sigma": 3,
    "m": 5,
    "start": -1,
    "length": -1,
    "mode": "correlate",
    "padding": "same",
    "border": "zero",
    "stride": 1,
    "dilation": 1,
    "causal": False,
    "stage": "",
    "from": -1,
    "to": -1,
    "at": -1,
    "scale": "auto",
}


@page("signals", nl="/convolutie/signalen", en="/en/convolution/signals", nav=70)
def signals_page(request: Request, lang: str):
    return render(
        request,
        "signals/index.html",
        lang=lang,
        page_id="signals",
        signals=[(s.id, s.name_en if lang == "en" else s.name_nl, s.kind) for s in sg.signals()],
        kernels=[
            (k["id"], k["name_en" if lang == "en" else "name_nl"]) for k in sg.signal_kernels()
        ],
        borders=list(cl.BORDERS),
        config_json=json.dumps(
            {
                "defaults": DEFAULTS,
                "kernels": sg.signal_kernels(),
                "signals": [s.to_dict() for s in sg.signals()],
                "templates": template_suggestions(),
                "max_explain": MAX_EXPLAIN,
            },
            ensure_ascii=False,
        ),
    )
