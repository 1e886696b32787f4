"""Learn a filter: a convolutional layer finds a hidden filter, live in the browser.

Page: ``/convolutie/leren`` (``/en/convolution/learn``). API:

- ``POST /api/learn/runs`` starts a run for this browser session (cookie ``convolab_session``)
  with a target filter, a photo and the settings; answers ``201`` with the run's id.
- ``GET /api/learn/runs/{id}/events``: Server-Sent Events, one JSON object per ``data:`` line
  (``init``, ``status``, ``frame``, ``snapshot``, ``settings``, ``problem``, ``end``).
- ``POST /api/learn/runs/{id}/control`` with ``{"action": "play" | "pause" | "step" | "reset"
  | "configure" | "stop", ...}``; ``GET`` / ``DELETE /api/learn/runs/{id}``.
- ``GET /api/learn/runs``: this session's newest run still kept (or ``"run": null``), so a
  page that opens again reattaches to it (a run whose viewers left pauses and is kept
  ``CONVOLAB_RUN_KEEP`` seconds, 15 minutes by default).

Limits count per client (``convolab.web.clients.client_id``: the computer's address), not
per cookie: ``CONVOLAB_RUNS_PER_CLIENT`` runs of each kind (429 ``too_many_runs``),
``CONVOLAB_STREAMS_PER_RUN`` streams per run and ``CONVOLAB_STREAMS_PER_CLIENT`` in all
(429 ``too_many_streams``). The server as a whole: 503 ``server_busy``.

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

from ...errors import render as core_render
from .. import images
from ..clients import StreamSlots, client_id
from ..errors import ApiError, core_call, request_lang
from ..pages import page, render

router = APIRouter()

SESSION_COOKIE = "convolab_session"
_SESSION_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: how many runs of each kind may compute at once (the rest wait in a queue)
LIMITS = {
    "network": ("CONVOLAB_MAX_RUNS", 2),
    "filter": ("CONVOLAB_MAX_FILTER_RUNS", 4),
    "emotions": ("CONVOLAB_MAX_EMOTION_RUNS", 2),  # the emotions page's CNN (routes/emotions.py)
}
_managers_lock = threading.Lock()
HEARTBEAT = 10.0  # seconds between keep-alive comments on an idle stream
RUNS_PER_CLIENT = 6  # runs of each kind one computer may hold (CONVOLAB_RUNS_PER_CLIENT)
STREAMS_PER_RUN = 4  # viewers of one run (CONVOLAB_STREAMS_PER_RUN)
STREAMS_PER_CLIENT = 12  # open streams of one computer (CONVOLAB_STREAMS_PER_CLIENT)
KEEP = 900.0  # seconds a run is kept after its last viewer left (CONVOLAB_RUN_KEEP)


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


def _setting(env: str, default: float, *, whole: bool = True, minimum: float = 1) -> float:
    raw = os.environ.get(env, "")
    kind = "whole number" if whole else "number"
    try:
        value = (int(raw) if whole else float(raw)) if raw else default
    except ValueError:
        raise ValueError(f"{env} must be a {kind} >= {minimum}; got {raw!r}") from None
    if not value >= minimum:
        raise ValueError(f"{env} must be a {kind} >= {minimum}; got {raw!r}")
    return value


def _limit(kind: str) -> int:
    env, default = LIMITS[kind]
    return _setting(env, default)


def check_settings() -> None:
    """Read the run settings (``CONVOLAB_*_RUNS``, ``_RUNS_PER_CLIENT``, ``_STREAMS_PER_RUN``,
    ``_RUN_KEEP``): a bad value raises ``ValueError`` with one line when the app is made,
    not when the first run is asked for."""
    for kind in LIMITS:
        _limit(kind)
    _setting("CONVOLAB_RUNS_PER_CLIENT", RUNS_PER_CLIENT)
    _setting("CONVOLAB_STREAMS_PER_RUN", STREAMS_PER_RUN)
    _setting("CONVOLAB_RUN_KEEP", KEEP, whole=False, minimum=0)


def _make_managers(app) -> dict:
    from convolab.learn.runs import RunManager  # imports PyTorch: only when first needed

    with _managers_lock:
        managers = getattr(app.state, "learn_runs", None)
        if managers is None:
            managers = {
                kind: RunManager(
                    _limit(kind),
                    max_per_client=_setting("CONVOLAB_RUNS_PER_CLIENT", RUNS_PER_CLIENT),
                    max_streams=_setting("CONVOLAB_STREAMS_PER_RUN", STREAMS_PER_RUN),
                    keep=_setting("CONVOLAB_RUN_KEEP", KEEP, whole=False, minimum=0),
                    yield_to=images.APPLY_QUEUE.busy,  # trainings step aside for applies
                )
                for kind in LIMITS
            }
            app.state.learn_runs = managers
        return managers


async def manager(request: Request, kind: str):
    """The app's run manager for ``kind`` (``"filter"`` or ``"network"``)."""
    managers = getattr(request.app.state, "learn_runs", None)
    if managers is None:
        managers = await run_in_threadpool(_make_managers, request.app)
    return managers[kind]


def shutdown_runs(app) -> None:
    """End every run of the app (its shutdown): the next start makes new managers."""
    with _managers_lock:
        managers = getattr(app.state, "learn_runs", None) or {}
        app.state.learn_runs = None
    for m in managers.values():
        m.shutdown()


def stream_slots(app) -> StreamSlots:
    """Open event streams per client (all runs of the app together)."""
    with _managers_lock:
        slots = getattr(app.state, "stream_slots", None)
        if slots is None:
            slots = StreamSlots(_setting("CONVOLAB_STREAMS_PER_CLIENT", STREAMS_PER_CLIENT))
            app.state.stream_slots = slots
        return slots


async def find_run(request: Request, kind: str, run_id: str):
    """The run if it exists *and* belongs to this session, else 404."""
    sid = session_id(request)
    run = (await manager(request, kind)).get(run_id, sid) if sid else None
    if run is None:
        raise ApiError.key(404, "run_not_found", "learn.err_run_not_found")
    return run


async def start_run(
    request: Request,
    response: Response,
    kind: str,
    make_job,
    play: bool,
    meta: dict | None = None,
):
    """Make the job (bad settings: 400/422 naming the setting) and start its run; ``meta``:
    the settings as asked (answered again to a page that reattaches)."""
    from convolab.learn.runs import RunLimitError

    sid = ensure_session(request, response)
    client = client_id(request)
    job = await core_call(make_job)
    mgr = await manager(request, kind)
    try:
        run = mgr.create(sid, job, play=play, client=client, meta=meta)  # bookkeeping: quick
    except RunLimitError as exc:
        job.close()
        if exc.scope == "client":
            raise ApiError.key(
                429, "too_many_runs", "learn.err_too_many_runs", n=mgr.max_per_client
            ) from exc
        raise ApiError.key(503, "server_busy", "learn.err_server_busy") from exc
    response.status_code = 201
    return run


def run_answer(run, base: str) -> dict:
    info = run.info()
    return {"ok": True, "run": info, "events": f"{base}/{run.id}/events"}


async def latest_run_answer(request: Request, kind: str, base: str) -> dict:
    """This session's newest run of ``kind`` kept by the server (a page reattaches to it)."""
    sid = session_id(request)
    run = (await manager(request, kind)).latest(sid) if sid else None
    if run is None:
        return {"ok": True, "run": None, "events": None}
    return run_answer(run, base)


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


def worded(event: dict, lang: str) -> dict:
    """``event`` with ``message``: its coded error (``code`` + ``params``) worded in ``lang``
    from the core catalogue. ``error`` stays the English text; events without a code are
    returned unchanged (the page shows their ``error``)."""
    code = event.get("code")
    if not code or not event.get("error"):
        return event
    try:
        text = core_render(code, event.get("params") or {}, lang)
    except (KeyError, IndexError, ValueError):
        return event
    return {**event, "message": text}


def run_error(run, lang: str) -> str | None:
    """A run's final error in ``lang`` (the English text when it has no code)."""
    info = run.info()
    worded_info = worded(
        {
            "error": info["error"],
            "code": info.get("error_code"),
            "params": info.get("error_params"),
        },
        lang,
    )
    return worded_info.get("message", info["error"])


class _RunEvents(StreamingResponse):
    """A stream that gives its viewer place back when it ends, however it ends."""

    def __init__(self, body, on_close):
        super().__init__(
            body,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._on_close = on_close

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._on_close()


def event_stream(request: Request, run) -> StreamingResponse:
    """Server-Sent Events for one run. The stream sleeps until the run publishes something
    (no polling); when the browser goes away the stream ends and the run learns it has one
    viewer less (with none left it pauses, see ``convolab.learn.runs``). Too many streams for
    this run or from this client: 429."""
    from convolab.learn.runs import StreamLimitError

    last = request.headers.get("last-event-id", "")
    lang = request_lang(request)
    client = client_id(request)
    slots = stream_slots(request.app)
    if not slots.take(client):
        raise ApiError.key(429, "too_many_streams", "learn.err_too_many_streams", n=slots.limit)
    loop = asyncio.get_running_loop()
    news = asyncio.Event()

    def notify() -> None:  # called from worker threads, without any lock held
        try:
            loop.call_soon_threadsafe(news.set)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            pass

    try:
        seq = run.subscribe(notify)
    except StreamLimitError as exc:
        slots.give_back(client)
        raise ApiError.key(
            429, "too_many_streams", "learn.err_too_many_viewers", n=run.manager.max_streams
        ) from exc

    def close() -> None:
        slots.give_back(client)
        run.unsubscribe(notify)

    async def stream():
        nonlocal seq
        if last.isdigit() and int(last) <= seq:
            seq = int(last)  # a reconnecting EventSource continues where it was
        else:
            run.command("snapshot")  # everything so far, then live events
        yield "retry: 2000\n\n"
        while True:
            news.clear()
            events, closed = run.events_after(seq)
            for s, event in events:
                seq = s
                yield f"id: {s}\ndata: {_dumps(worded(event, lang))}\n\n"
            if closed and not events:
                # the last word, also for a stream that came after the run ended
                info = run.info()
                final = {"type": "status", "status": info["status"], "position": None}
                final.update(reason=info["end_reason"], error=info["error"])
                if info.get("error_code"):
                    final.update(code=info["error_code"], params=info["error_params"])
                yield f"data: {_dumps(worded(final, lang))}\n\n"
                yield 'data: {"type":"end"}\n\n'
                return
            if events:
                continue
            try:
                await asyncio.wait_for(news.wait(), HEARTBEAT)
            except TimeoutError:
                yield ": ping\n\n"

    return _RunEvents(stream(), close)


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
    meta = body.model_dump(exclude={"play"})
    run = await start_run(request, response, "filter", lambda: _filter_job(body), body.play, meta)
    return run_answer(run, "/api/learn/runs")


@router.get("/api/learn/runs", tags=["learn"])
async def latest_filter_run(request: Request):
    """This browser's newest filter run that the server still keeps (``run`` is null when
    there is none): a page that opens again reattaches to it."""
    return await latest_run_answer(request, "filter", "/api/learn/runs")


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
