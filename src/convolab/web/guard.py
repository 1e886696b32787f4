"""Cheap checks on every request before any route or model sees it.

:class:`RequestGuardMiddleware` refuses, with a named 4xx in the one JSON error shape and in
the request's language:

- a NUL byte or invalid UTF-8 in the path or the query string (``%00``, ``%ff``);
- a JSON body that is not UTF-8, not JSON, nested deeper than :data:`MAX_DEPTH`, with an
  object of more than :data:`MAX_KEYS` keys or a list of more than :data:`MAX_ITEMS` items,
  or with a NUL character in a string;
- a kernel (a ``kernel``, ``grid`` or ``taps`` field) with more rows, values or characters
  than the core accepts (the core's own error codes and limits).

So a body of 13 MB of extra keys or a 200,000-cell kernel row is refused after one cheap
pass (in a worker thread, off the event loop), before pydantic could build thousands of
errors for it. A JSON body is parsed here once to check it and handed on unchanged.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from .._validate import MAX_KERNEL_SIZE
from ..errors import ConvolabError, InvalidValue, TooLarge
from ..errors import render as render_message
from ..kernels import MAX_CELL_CHARS, MAX_KERNEL_TEXT
from .errors import ApiError, error_response, from_core, request_lang

MAX_DEPTH = 16  # nesting of objects and lists: the app's bodies need 3
MAX_KEYS = 64  # keys of one object: the largest model has about 20 fields
MAX_ITEMS = 4096  # items of one list: a drawn 28 x 28 digit is 784
KERNEL_FIELDS = frozenset({"kernel", "grid", "taps"})
_JSON_METHODS = frozenset({"POST", "PUT", "PATCH"})


class _Refused(Exception):
    def __init__(self, error: ApiError):
        self.error = error


def _web(status: int, code: str, key: str, **params) -> _Refused:
    return _Refused(ApiError.key(status, code, f"errors.{key}", **params))


def _core(exc: ConvolabError, field: str) -> _Refused:
    """The core's error for ``field``, led by the field's name (translated: ``name.*``)."""
    err = from_core(exc)
    err.message = {
        lang: f"{render_message('field_prefix', {'field': field}, lang)} {text}"
        for lang, text in err.message.items()
    }
    return _Refused(err)


def check_target(raw_path: bytes, query: bytes) -> None:
    """NUL bytes or invalid UTF-8 in the (percent-decoded) path or query string."""
    for part, what in ((raw_path, "path"), (query, "query")):
        if not part:
            continue
        data = unquote_to_bytes(part.replace(b"+", b" ") if what == "query" else part)
        if b"\x00" in data:
            raise _web(400, "nul_byte", f"nul_in_{what}")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _web(400, "invalid_utf8", f"utf8_in_{what}", position=exc.start) from None


def parse_json_body(body: bytes) -> Any:
    """The JSON of a body, or a named refusal (runs in a worker thread)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _web(400, "invalid_utf8", "utf8_in_body", position=exc.start) from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise _web(400, "json_too_deep", "json_too_deep", limit=MAX_DEPTH) from None
    except json.JSONDecodeError as exc:
        raise _web(422, "invalid_json", "json_invalid", line=exc.lineno, column=exc.colno) from None
    check_json(value)
    return value


def check_json(value: Any) -> None:
    """Depth, object and list sizes, NUL characters and kernels of a parsed body.

    Iterative (a stack, not recursion) and one pass over the values.
    """
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        v, depth, path = stack.pop()
        if isinstance(v, dict):
            if depth > MAX_DEPTH:
                raise _web(400, "json_too_deep", "json_too_deep", limit=MAX_DEPTH)
            if len(v) > MAX_KEYS:
                raise _web(400, "too_many_fields", "too_many_fields", count=len(v), limit=MAX_KEYS)
            for k, item in v.items():
                name = f"{path}.{k}" if path else k
                if "\x00" in k:
                    raise _web(400, "nul_byte", "nul_in_body", field=name.replace("\x00", ""))
                if k in KERNEL_FIELDS:
                    check_kernel(item, name)
                stack.append((item, depth + 1, name))
        elif isinstance(v, list):
            if depth > MAX_DEPTH:
                raise _web(400, "json_too_deep", "json_too_deep", limit=MAX_DEPTH)
            if len(v) > MAX_ITEMS:
                raise _web(
                    400,
                    "too_many_items",
                    "too_many_items",
                    field=path or "body",
                    count=len(v),
                    limit=MAX_ITEMS,
                )
            stack.extend((item, depth + 1, f"{path}.{i}") for i, item in enumerate(v))
        elif isinstance(v, str) and "\x00" in v:
            raise _web(400, "nul_byte", "nul_in_body", field=path or "body")


def check_kernel(value: Any, field: str) -> None:
    """A kernel's rows, values and cell lengths within the core's limits (cheap)."""
    try:
        if isinstance(value, str):
            if len(value) > MAX_KERNEL_TEXT:
                raise TooLarge("kernel_text_too_long", length=len(value), limit=MAX_KERNEL_TEXT)
            return
        if not isinstance(value, list):
            return
        if len(value) > MAX_KERNEL_SIZE:
            raise TooLarge("kernel_too_many_rows", rows=len(value), limit=MAX_KERNEL_SIZE)
        rows = value if all(isinstance(r, list) for r in value) else [value]
        for r, row in enumerate(rows, 1):
            if not isinstance(row, list):
                continue
            if len(row) > MAX_KERNEL_SIZE:
                raise TooLarge("kernel_too_many_cells", cells=len(row), limit=MAX_KERNEL_SIZE)
            for c, cell in enumerate(row, 1):
                if isinstance(cell, str) and len(cell.strip()) > MAX_CELL_CHARS:
                    raise InvalidValue(
                        "cell_too_long", row=r, col=c, length=len(cell), limit=MAX_CELL_CHARS
                    )
    except ConvolabError as exc:
        raise _core(exc, field) from None


def _is_json(headers: dict[bytes, bytes]) -> bool:
    ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return ctype == b"application/json" or ctype.endswith(b"+json")


class RequestGuardMiddleware:
    """See the module docstring. Install inside the body-size limit."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            check_target(scope.get("raw_path") or b"", scope.get("query_string") or b"")
        except _Refused as refused:
            return await self._refuse(scope, receive, send, refused.error)
        headers = dict(scope.get("headers") or [])
        if scope.get("method") not in _JSON_METHODS or not _is_json(headers):
            return await self.app(scope, receive, send)
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body:
            try:
                await run_in_threadpool(parse_json_body, body)
            except _Refused as refused:
                return await self._refuse(scope, receive, send, refused.error)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send, error: ApiError):
        request = Request(scope, receive)
        response = error_response(
            request, error.status, error.code, error.text(request_lang(request))
        )
        await response(scope, receive, send)
