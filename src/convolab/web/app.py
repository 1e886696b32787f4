"""The FastAPI app: ``create_app()`` and ``serve()``.

Every module in the package ``convolab.web.routes`` that has a ``router`` (an ``APIRouter``)
is included automatically, so a feature adds a file, not a line here. Pages registered with
``convolab.web.pages.page`` are included after them. Static files are served at ``/static``.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import pages
from .classroom import HostAndHeadersMiddleware
from .errors import error_body, install_error_handlers
from .guard import RequestGuardMiddleware

STATIC_DIR = Path(__file__).parent / "static"

#: Largest request body accepted (bytes). An upload of 10 MB sent as base64 JSON fits.
MAX_BODY_BYTES = 15 * 1024 * 1024


def route_modules() -> list[str]:
    """Names of the modules in ``convolab.web.routes``, sorted."""
    from . import routes

    return sorted(
        f"{routes.__name__}.{m.name}" for m in pkgutil.iter_modules(routes.__path__) if not m.ispkg
    )


@asynccontextmanager
async def lifespan(app: FastAPI):
    """On shutdown, end every training run (their jobs are closed, their workers end)."""
    yield
    from .routes.learn import shutdown_runs

    await run_in_threadpool(shutdown_runs, app)


def check_settings() -> None:
    """Every ``CONVOLAB_*`` setting the routes read later, read now: a bad one raises
    ``ValueError`` (one line: the name, what it got, what is allowed) when the app is
    made, instead of an error on the first drawing or run. ``convolab serve`` prints it."""
    from .routes import emotions, learn

    emotions.drawings_per_minute()
    learn.check_settings()


def create_app() -> FastAPI:
    from .images import tune_malloc

    check_settings()
    tune_malloc()
    app = FastAPI(
        lifespan=lifespan,
        title="convolab",
        summary="See and do convolutions (Dutch and English).",
        openapi_url="/openapi.json",
        docs_url=None,  # /api/docs is routes/docs.py: Swagger UI from /static/vendor
        redoc_url=None,
    )
    install_error_handlers(app)
    for name in route_modules():
        module = importlib.import_module(name)
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)
    app.include_router(pages.router)
    _add_home_redirects(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(RequestGuardMiddleware)  # inside the body limit: checks what it lets in
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(HostAndHeadersMiddleware)
    return app


class ServerTimingMiddleware:
    """Add ``Server-Timing: app;dur=<ms>`` (time until the response starts) to every answer:
    the browser's dev tools show it, and ``bench/bench_web.py`` measures with it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()

        async def timed_send(message):
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - t0) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={ms:.2f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)


def _add_home_redirects(app: FastAPI) -> None:
    """Until a page claims ``/`` (``/en``), send visitors to the first page of the nav."""
    taken = {getattr(r, "path", None) for r in app.router.routes}
    first = min(
        (p for p in pages.PAGES.values() if p.nav is not None),
        key=lambda p: (p.nav, p.id),
        default=None,
    )
    if first is None:
        return
    for lang, home in (("nl", "/"), ("en", "/en")):
        if home in taken:
            continue
        app.add_api_route(
            home, _redirect_to(first.url(lang)), methods=["GET"], include_in_schema=False
        )


def _redirect_to(target: str):
    async def redirect() -> RedirectResponse:
        return RedirectResponse(target, status_code=307)

    return redirect


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with a 413 in the one JSON error shape,
    before reading them (``Content-Length``) or as soon as the limit is passed (chunked)."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                return await self._refuse(scope, send)
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        from starlette.requests import Request

        from .errors import request_lang
        from .i18n import t

        lang = request_lang(Request(scope))
        mb = self.max_bytes // (1024 * 1024)
        body = json.dumps(
            error_body(413, "payload_too_large", t("common.err_body_too_large", lang, mb=mb))
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(StarletteHTTPException):
    """Raised while the body is read: FastAPI passes HTTP exceptions on to the handler."""

    def __init__(self):
        super().__init__(status_code=413)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    classroom: bool = False,
    allowed_hosts: tuple[str, ...] = (),
    out=None,
) -> None:
    """Run the web app with uvicorn (blocking; one process, so all pupils share its state).

    Prints the teacher code (``CONVOLAB_TEACHER_CODE``, else a new one). ``classroom=True``
    listens on every address (``0.0.0.0``) and prints the address pupils type; the teacher page
    shows it with a QR code. ``allowed_hosts``: extra ``Host`` names to serve (a school's DNS
    name); localhost and this machine's addresses are always allowed.
    """
    import os
    import sys

    import uvicorn

    from . import classroom as cls
    from . import teacher

    out = out or sys.stdout
    code = teacher.ensure_code()
    if allowed_hosts:
        extra = [os.environ.get(cls.ENV_ALLOWED, ""), *allowed_hosts]
        os.environ[cls.ENV_ALLOWED] = ",".join(h for h in extra if h)
    if classroom:
        host = "0.0.0.0"
        url = f"http://{cls.lan_address()}:{port}/"
        os.environ[cls.ENV_CLASS_URL] = url
        print(f"convolab for the class / voor de klas: {url}", file=out)
    print(f"teacher code / leraarcode: {teacher.display_code(code)}", file=out)
    print(f"teacher page / leraarpagina: http://127.0.0.1:{port}/leraar", file=out, flush=True)
    # proxy headers are read by convolab.web.clients only, and only when configured
    # (CONVOLAB_TRUSTED_PROXY / --trusted-proxy): uvicorn must not rewrite the client address
    uvicorn.run(
        "convolab.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=False,
        # httptools writes a 2.4 MB apply answer without h11's copy of it on the event loop
        # (docs/benchmarks.md, a class of 30)
        http="httptools",
    )
