"""One error type, one handler, one JSON shape for every API error.

``{"ok": false, "status": <int>, "code": "<snake_case>", "error": "<message>"}``

The message is in the request's language: the ``lang`` query parameter (``nl`` default, ``en``),
or ``en`` for pages under ``/en``. Routes ``raise ApiError(status, code, message)``; a message
may be a plain string, a ``{"nl": ..., "en": ...}`` dict, or (``ApiError.key``) an i18n key.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ConvolabError
from ..errors import has as has_message
from ..errors import message as core_message
from ..errors import render as render_message
from .i18n import DEFAULT_LANG, LANGS, t

log = logging.getLogger("convolab.web")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error answered as JSON in the one shape.

    ``message``: a string, or a dict with one string per language.
    """

    def __init__(self, status: int, code: str, message: str | dict[str, str], **params):
        if not 400 <= int(status) <= 599:
            raise ValueError(f"status must be an HTTP error status 400..599; got {status!r}")
        super().__init__(message if isinstance(message, str) else message.get("en", code))
        self.status = int(status)
        self.code = code
        self.message = message
        self.params = params
        self.i18n_key: str | None = None

    @classmethod
    def key(cls, status: int, code: str, key: str, **params) -> ApiError:
        """An error whose message is the i18n key ``key`` (``"feature.name"``), filled in."""
        err = cls(status, code, key, **params)
        err.i18n_key = key
        return err

    def text(self, lang: str) -> str:
        if self.i18n_key is not None:
            return t(self.i18n_key, lang, **self.params)
        if isinstance(self.message, dict):
            return self.message.get(lang) or next(iter(self.message.values()))
        return self.message


def request_lang(request: Request) -> str:
    """The language of a request: ``?lang=``, else ``en`` under ``/en``, else Dutch."""
    lang = request.query_params.get("lang")
    if lang in LANGS:
        return lang
    path = request.url.path
    if path == "/en" or path.startswith("/en/"):
        return "en"
    return DEFAULT_LANG


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "status": status, "code": code, "error": message}


def _wants_html(request: Request) -> bool:
    """Browsers navigating to a page (not an API call) get an HTML error page."""
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path.startswith("/static/"):
        return False
    if request.method != "GET":
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str):
    if _wants_html(request):
        from .pages import render_error  # late: pages imports this module

        return render_error(request, status, code, message)
    return JSONResponse(error_body(status, code, message), status_code=status)


#: At most this many problems are listed in one validation error message.
MAX_LISTED_PROBLEMS = 3

#: pydantic error types worded by the catalogue's ``request_<type>`` entries; any other type
#: gets ``request_invalid`` (the field name only), so no pydantic English reaches a page.
_SAME_AS = {
    "int_type": "int_parsing",
    "int_from_float": "int_parsing",
    "float_type": "float_parsing",
    "bool_type": "bool_parsing",
    "string_unicode": "string_type",
    "dict_type": "model_type",
    "model_attributes_type": "model_type",
    "enum": "literal_error",
    "finite_number": "float_parsing",
    "tuple_type": "list_type",
    "set_type": "list_type",
    "json_type": "json_invalid",
    "too_long": "too_long",
    "bytes_type": "string_type",
}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def _expected(text: str, lang: str) -> str:
    """pydantic's ``expected`` (``"'a', 'b' or 'c'"``) with the language's word for "or"."""
    if lang == "nl" and " or " in text:
        head, _, last = text.rpartition(" or ")
        return f"{head} of {last}"
    return text


def problem_message(err: dict, lang: str) -> str:
    """One pydantic problem (an item of ``errors()``) worded from the catalogue."""
    kind = str(err.get("type", ""))
    ctx = dict(err.get("ctx") or {})
    field = _field_name(err.get("loc", ()))
    if kind == "value_error" and isinstance(ctx.get("error"), BaseException):
        return f"{field}: {core_message(ctx['error'], lang)}"
    kind = _SAME_AS.get(kind, kind)
    code = f"request_{kind}"
    if not has_message(code, lang):
        return render_message("request_invalid", {"field": field}, lang)
    params = {k: v for k, v in ctx.items() if isinstance(v, (int, float, str))}
    if "expected" in params:
        params["expected"] = _expected(str(params["expected"]), lang)
    try:
        return render_message(code, {**params, "field": field}, lang)
    except (KeyError, IndexError, ValueError):
        return render_message("request_invalid", {"field": field}, lang)


def validation_message(exc: RequestValidationError, lang: str) -> str:
    """At most :data:`MAX_LISTED_PROBLEMS` problems, each worded in ``lang``."""
    errors = exc.errors()
    msgs = [problem_message(err, lang) for err in errors[:MAX_LISTED_PROBLEMS]]
    if len(errors) > MAX_LISTED_PROBLEMS:
        msgs.append(
            render_message("request_more_problems", {"n": len(errors) - MAX_LISTED_PROBLEMS}, lang)
        )
    return " ".join(msgs) or t("common.err_bad_request", lang)


async def _api_error(request: Request, exc: ApiError):
    lang = request_lang(request)
    return error_response(request, exc.status, exc.code, exc.text(lang))


async def _validation_error(request: Request, exc: RequestValidationError):
    lang = request_lang(request)
    return error_response(request, 422, "invalid_request", validation_message(exc, lang))


async def _http_error(request: Request, exc: StarletteHTTPException):
    lang = request_lang(request)
    status = exc.status_code
    code = _STATUS_CODES.get(status, "http_error")
    key = f"common.err_{code}"
    try:
        message = t(key, lang)
    except KeyError:
        message = str(exc.detail)
    response = error_response(request, status, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected_error(request: Request, exc: Exception):
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    lang = request_lang(request)
    return error_response(request, 500, "internal_error", t("common.err_internal_error", lang))


#: The one error shape, as the OpenAPI document lists it for every 4xx answer.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["ok", "status", "code", "error"],
    "additionalProperties": False,
    "properties": {
        "ok": {"type": "boolean", "enum": [False]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "error": {"type": "string", "description": "the message, in the request's language"},
    },
}
_DESCRIPTIONS = {
    400: "Bad input: the core's coded error (what is wrong, what is allowed), or an odd "
    "request (NUL byte, invalid UTF-8, too deep or too large JSON)",
    403: "Teacher mode needed",
    404: "Not found (or no longer there)",
    409: "Not possible in the current state",
    413: "Too large (body, upload or image)",
    415: "Unsupported content type",
    422: "The request does not match its model (types, ranges, names, missing or extra fields)",
    429: "Too many at once for this computer",
    503: "The server is busy; try again",
}
_RAISES = re.compile(r"\b(?:ApiError(?:\.key)?|error|_err)\(\s*(\d{3})\b")
_IMPORTS = re.compile(r"^from \.\.(\w+) import|^from \.\. import ([\w, ]+)", re.M)


@functools.cache
def _module_statuses(module: str) -> frozenset[int]:
    """The 4xx statuses a route module (and the web modules it imports) raises by name."""
    import importlib
    import inspect

    found: set[int] = set()
    try:
        src = inspect.getsource(importlib.import_module(module))
    except (ImportError, OSError, TypeError):
        return frozenset()
    found |= {int(x) for x in _RAISES.findall(src)}
    package = module.rsplit(".", 2)[0]  # convolab.web
    for one, many in _IMPORTS.findall(src):
        for name in [one] if one else [n.strip() for n in many.split(",")]:
            if name and name not in ("errors", "i18n", "pages"):
                found |= _module_statuses(f"{package}.{name}")
    return frozenset(s for s in found if 400 <= s < 500 or s == 503)


def operation_statuses(route, method: str) -> list[int]:
    """The error statuses one operation can answer."""
    statuses = {400, 422} | set(_module_statuses(route.endpoint.__module__))
    if method.upper() in ("POST", "PUT", "PATCH"):
        statuses.add(413)  # the body limit
    if "{" in route.path:
        statuses.add(404)
    return sorted(statuses)


def _api_routes(routes, kind, prefix: str = ""):
    """``(prefix, route)`` of every API route, also inside included routers."""
    for r in routes:
        if isinstance(r, kind):
            yield prefix, r
        inner = getattr(r, "original_router", None)
        if inner is not None:
            context = getattr(r, "include_context", None)
            yield from _api_routes(inner.routes, kind, prefix + getattr(context, "prefix", ""))


def document_errors(app: FastAPI) -> None:
    """List in the OpenAPI document, for every operation, the error statuses it answers,
    each with :data:`ERROR_SCHEMA` (replacing FastAPI's own 422 schema)."""
    from fastapi.routing import APIRoute

    original = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for prefix, route in _api_routes(app.routes, APIRoute):
            if not route.include_in_schema:
                continue
            path = schema["paths"].get(prefix + route.path_format, {})
            for method in route.methods:
                op = path.get(method.lower())
                if op is None:
                    continue
                responses = op.setdefault("responses", {})
                for status in operation_statuses(route, method):
                    responses[str(status)] = {
                        "description": _DESCRIPTIONS.get(status, "Error"),
                        "content": ref,
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


def install_error_handlers(app: FastAPI) -> None:
    document_errors(app)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


async def core_call(fn: Callable[..., Any], /, *args, **kwargs) -> Any:
    """Run CPU work (a core call) in the thread pool, off the event loop.

    A core error becomes an :class:`ApiError` (:func:`from_core`): its code is the core's
    code and its message comes from the core's catalogue in the request's language.
    ``MemoryError`` becomes a 413.
    """
    try:
        return await run_in_threadpool(functools.partial(fn, *args, **kwargs))
    except ApiError:
        raise
    except (ValueError, TypeError) as exc:
        raise from_core(exc) from exc
    except MemoryError as exc:
        raise ApiError.key(413, "too_large", "common.err_too_large") from exc


def from_core(exc: Exception) -> ApiError:
    """The :class:`ApiError` of a core ``ValueError``/``TypeError``: 422 for a wrong type,
    400 otherwise; a :class:`~convolab.errors.ConvolabError` keeps its code and is worded
    from the catalogue, any other error is a plain ``invalid_value``/``invalid_type``."""
    status = 422 if isinstance(exc, TypeError) else 400
    if isinstance(exc, ConvolabError):
        return ApiError(status, exc.code, {lang: core_message(exc, lang) for lang in LANGS})
    # an error without a code has no Dutch wording: say so plainly, keep the detail in English
    log.warning("core error without a code: %r", exc)
    code = "invalid_type" if status == 422 else "invalid_value"
    return ApiError(
        status,
        code,
        {
            "nl": t("common.err_bad_request", "nl"),
            "en": f"{t('common.err_bad_request', 'en')} {core_message(exc, 'en')}",
        },
    )
