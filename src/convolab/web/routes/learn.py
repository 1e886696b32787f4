"""Learn a filter: a convolutional layer finds a hidden filter, live in the browser.

Page: ``/convolutie/leren`` (``/en/convolution/learn``). API:

- ``POST /api/learn/runs`` starts a run for this browser session (cookie ``convolab_session``)
  with a target filter, a photo and the settings; answers ``201`` with the run's id.
- ``GET /api/learn/runs/{id}/events``: Server-Sent Events, one JSON object per ``data:`` line
  (``init``, ``status``, ``frame``, ``snapshot``, ``settings``, ``problem``, ``end``).
- ``POST /api/learn/runs/{id}/control`` with ``{"action": "play" | "pause" | "step" | "reset"
  | "configure" | "stop", ...}``; ``GET`` / ``DELETE /api/learn/runs/{id}``.

Runs are made and stepped by ``convolab.learn`` (the only place that imports PyTorch, loaded
on the first request so the app starts fast). The helpers here (session cookie, run managers,
the event stream) are shared with ``routes/network.py``.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import secrets
import threading
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

import convolab as cl

from ..errors import ApiError, core_call
from ..pages import page, render

router = APIRouter()

SESSION_COOKIE = "convolab_session"
_SESSION_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: how many runs of each kind may compute at once (the rest wait in a queue)
LIMITS = {"network": ("CONVOLAB_MAX_RUNS", 2), "filter": ("CONVOLAB_MAX_FILTER_RUNS", 4)}
_managers_lock = threading.Lock()
HEARTBEAT = 10.0  # seconds between keep-alive comments on an idle stream
POLL = 0.05


# -- sessions and run managers (shared with network.py) ----------------------------------------
def session_id(request: Request) -> str | None:
    value = request.cookies.get(SESSION_COOKIE, "")
    return value if _SESSION_RE.fullmatch(value) else None


def ensure_session(request: Request, response: Response) -> str:
    """This browser's session id; a new one is set as a cookie when there is none."""
    sid = session_id(request)
    if sid is None:
        sid = secrets.token_urlsafe(24)
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="lax", path="/")
    return sid


def _limit(kind: str) -> int:
    env, default = LIMITS[kind]
    raw = os.environ.get(env, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{env} must be a whole number >= 1; got {raw!r}") from None
    if value < 1:
        raise ValueError(f"{env} must be a whole number >= 1; got {raw!r}")
    return value


def _make_managers(app) -> dict:
    from convolab.learn.runs import RunManager  # imports PyTorch: only when first needed

    with _managers_lock:
        managers = getattr(app.state, "learn_runs", None)
        if managers is None:
            managers = {kind: RunManager(_limit(kind)) for kind in LIMITS}
            app.state.learn_runs = managers
        return managers


async def manager(request: Request, kind: str):
    """The app's run manager for ``kind`` (``"filter"`` or ``"network"``)."""
    managers = getattr(request.app.state, "learn_runs", None)
    if managers is None:
        managers = await run_in_threadpool(_make_managers, request.app)
    return managers[kind]


def shutdown_runs(app) -> None:
    for m in (getattr(app.state, "learn_runs", None) or {}).values():
        m.shutdown()


async def find_run(request: Request, kind: str, run_id: str):
    """The run if it exists *and* belongs to this session, else 404."""
    sid = session_id(request)
    run = (await manager(request, kind)).get(run_id, sid) if sid else None
    if run is None:
        raise ApiError.key(404, "run_not_found", "learn.err_run_not_found")
    return run


async def start_run(request: Request, response: Response, kind: str, make_job, play: bool):
    """Make the job (bad settings: 400/422 naming the setting) and start its run."""
    from convolab.learn.runs import RunLimitError

    sid = ensure_session(request, response)
    job = await core_call(make_job)
    mgr = await manager(request, kind)
    try:
        run = await run_in_threadpool(mgr.create, sid, job, play=play)
    except RunLimitError as exc:
        raise ApiError.key(503, "server_busy", "learn.err_server_busy") from exc
    response.status_code = 201
    return run


def run_answer(run, base: str) -> dict:
    info = run.info()
    return {"ok": True, "run": info, "events": f"{base}/{run.id}/events"}


def _clean(value):
    """NaN and inf are not JSON: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _dumps(event: dict) -> str:
    try:
        return json.dumps(event, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(_clean(event), allow_nan=False, separators=(",", ":"))


def event_stream(request: Request, run) -> StreamingResponse:
    """Server-Sent Events for one run. When the browser goes away, the stream ends and the
    run notices it has no watcher; it stops a couple of seconds later."""
    last = request.headers.get("last-event-id", "")

    async def stream():
        seq = run.subscribe()
        try:
            if last.isdigit() and int(last) <= seq:
                seq = int(last)  # a reconnecting EventSource continues where it was
            else:
                run.command("snapshot")  # everything so far, then live events
            yield "retry: 2000\n\n"
            quiet = 0.0
            while True:
                events, closed = run.events_after(seq)
                for s, event in events:
                    seq = s
                    yield f"id: {s}\ndata: {_dumps(event)}\n\n"
                if closed and not events:
                    # the last word, also for a stream that came after the run ended
                    info = run.info()
                    final = {"type": "status", "status": info["status"], "position": None}
                    final.update(reason=info["end_reason"], error=info["error"])
                    yield f"data: {_dumps(final)}\n\n"
                    yield 'data: {"type":"end"}\n\n'
                    return
                if events:
                    quiet = 0.0
                    continue
                await asyncio.sleep(POLL)
                quiet += POLL
                if quiet >= HEARTBEAT:
                    quiet = 0.0
                    yield ": ping\n\n"
        finally:
            run.unsubscribe()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# -- learn a filter -------------------------------------------------------------------------------
OPTIMIZERS = ("adam", "sgd")
INITS = ("random", "zero")
SPEEDS = ("slow", "normal", "fast", "max")
NON_CONVOLUTION = ("threshold", "mirror")
MAX_LEARN_KERNEL = 9


class FilterRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field("sharpen", max_length=40)
    kernel: str | None = Field(None, max_length=2000)  # typed numbers, used when target="custom"
    image: str = Field("grass", max_length=40)
    size: int = 64
    kernel_size: int = 3
    lr: float = 0.1
    optimizer: Literal["adam", "sgd"] = "adam"
    init: Literal["random", "zero"] = "random"
    seed: int = Field(0, ge=0, le=2**31 - 1)
    speed: Literal["slow", "normal", "fast", "max"] = "normal"
    max_steps: int = 1000
    play: bool = False


class ControlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["play", "pause", "step", "reset", "configure", "stop"]
    lr: float | None = None
    optimizer: Literal["adam", "sgd"] | None = None
    init: Literal["random", "zero"] | None = None
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    speed: Literal["slow", "normal", "fast", "max"] | None = None


def _check_lr(lr: float) -> float:
    if not math.isfinite(lr) or lr <= 0 or lr > 10:
        raise ApiError.key(400, "invalid_lr", "learn.err_lr", value=lr)
    return lr


def _filter_job(body: FilterRunIn):
    from convolab.learn.jobs import FilterJob

    target = body.target
    if target == "custom":
        if not body.kernel:
            raise ApiError.key(400, "missing_kernel", "learn.err_kernel_missing")
        target = body.kernel
    return FilterJob(
        target=target,
        image=body.image,
        size=body.size,
        kernel_size=body.kernel_size,
        lr=body.lr,
        optimizer=body.optimizer,
        init=body.init,
        seed=body.seed,
        speed=body.speed,
        max_steps=body.max_steps,
    )


@router.post("/api/learn/runs", tags=["learn"], status_code=201)
async def create_filter_run(body: FilterRunIn, request: Request, response: Response):
    _check_lr(body.lr)
    run = await start_run(request, response, "filter", lambda: _filter_job(body), body.play)
    return run_answer(run, "/api/learn/runs")


@router.get("/api/learn/runs/{run_id}", tags=["learn"])
async def get_filter_run(run_id: str, request: Request):
    run = await find_run(request, "filter", run_id)
    return {"ok": True, "run": run.info()}


@router.get("/api/learn/runs/{run_id}/events", tags=["learn"])
async def filter_events(run_id: str, request: Request):
    return event_stream(request, await find_run(request, "filter", run_id))


@router.post("/api/learn/runs/{run_id}/control", tags=["learn"])
async def control_filter_run(run_id: str, body: ControlIn, request: Request):
    run = await find_run(request, "filter", run_id)
    if body.lr is not None:
        _check_lr(body.lr)
    settings = {
        k: v
        for k, v in body.model_dump(exclude={"action"}).items()
        if v is not None and (body.action != "configure" or k in ("lr", "optimizer", "speed"))
    }
    if body.action == "configure":
        run.command("configure", **settings)
    elif body.action == "reset":
        run.command("reset", **{k: v for k, v in settings.items() if k != "speed"})
        if "speed" in settings:
            run.command("configure", speed=settings["speed"])
    else:
        run.command(body.action)
    return {"ok": True, "run": run.info()}


@router.delete("/api/learn/runs/{run_id}", tags=["learn"])
async def stop_filter_run(run_id: str, request: Request):
    run = await find_run(request, "filter", run_id)
    run.stop("stopped")
    return {"ok": True, "run": run.info()}


# -- the page --------------------------------------------------------------------------------------
def _targets(lang: str) -> list[dict]:
    out = []
    for k in cl.kernels():
        if max(k.shape) <= MAX_LEARN_KERNEL:
            out.append({"id": k.id, "name": k.name(lang), "shape": list(k.shape)})
    return out


def _samples(lang: str) -> list[dict]:
    return [{"id": s.id, "name": s.name_en if lang == "en" else s.name_nl} for s in cl.samples()]


@page("learn_filter", nl="/convolutie/leren", en="/en/convolution/learn", nav=50)
def learn_page(request: Request, lang: str):
    response = render(
        request,
        "learn/index.html",
        lang=lang,
        page_id="learn_filter",
        targets=_targets(lang),
        non_convolution=NON_CONVOLUTION,
        samples=_samples(lang),
        speeds=SPEEDS,
        optimizers=OPTIMIZERS,
        inits=INITS,
    )
    ensure_session(request, response)
    return response
