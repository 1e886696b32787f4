"""Teacher mode: what only the teacher may see (teaching notes, answer notebooks, teacher-only
learning objects), switched on with a short code that pupils do not know.

- The code is ``CONVOLAB_TEACHER_CODE`` when set, else one generated when the server starts
  (``convolab serve`` prints it; a server started otherwise logs it once, when first needed). Letters and digits; case, spaces and dashes do not matter.
- The teacher enters it once on the teacher page (``/leraar``, ``/en/teacher``); the answer is
  the cookie ``convolab_teacher`` holding an HMAC of the code. Without the code nobody can make
  that value, and a new code (a restart without ``CONVOLAB_TEACHER_CODE``) ends every old cookie.
- Wrong codes are counted per client (``clients.client_id`` when it exists, else the address):
  after ``MAX_FAILURES`` within ``FAILURE_WINDOW_S`` seconds the next tries get a 429.

Routes use ``is_teacher(request)`` to show or hide, and ``require_teacher(request)`` to refuse
with a 403 ``teacher_only`` in the one error shape.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections import deque

from starlette.requests import Request

from .errors import ApiError

ENV_CODE = "CONVOLAB_TEACHER_CODE"
COOKIE = "convolab_teacher"
COOKIE_MAX_AGE = 30 * 24 * 3600
#: Letters and digits that cannot be mistaken for each other when read off a screen.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_FAILURES = 5
FAILURE_WINDOW_S = 60.0

log = logging.getLogger("convolab.web.teacher")
_generated: str | None = None
_lock = threading.Lock()
_failures: dict[str, deque[float]] = {}


def normalise(code: str) -> str:
    """A code as compared: upper case, without spaces and dashes."""
    return "".join(ch for ch in str(code).upper() if ch not in " -_\t")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def teacher_code() -> str:
    """The current code (``CONVOLAB_TEACHER_CODE``, else one generated for this process)."""
    global _generated
    env = normalise(os.environ.get(ENV_CODE, ""))
    if env:
        return env
    with _lock:
        if _generated is None:
            _generated = new_code()
            # a server not started by `convolab serve` (uvicorn directly): say the code once
            log.warning("teacher code / leraarcode: %s", display_code(_generated))
        return _generated


def display_code(code: str | None = None) -> str:
    """The code as printed: ``ABCD-EFGH``."""
    code = normalise(code or teacher_code())
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def ensure_code() -> str:
    """Make the code fixed for this process and its children (sets ``CONVOLAB_TEACHER_CODE``);
    returns it. ``convolab serve`` calls this and prints the code."""
    code = teacher_code()
    os.environ[ENV_CODE] = code
    return code


def _token(code: str) -> str:
    return hmac.new(code.encode(), b"convolab teacher mode", hashlib.sha256).hexdigest()


def is_teacher(request: Request) -> bool:
    """Whether the request carries a valid teacher cookie."""
    value = request.cookies.get(COOKIE)
    if not value:
        return False
    return hmac.compare_digest(value.encode(), _token(teacher_code()).encode())


def require_teacher(request: Request) -> None:
    """Raise a 403 ``teacher_only`` ApiError unless the request is in teacher mode."""
    if not is_teacher(request):
        raise ApiError.key(403, "teacher_only", "teacher.err_teacher_only")


def _client(request: Request) -> str:
    try:
        from .clients import client_id  # owned by the run limits; may not exist yet
    except ImportError:
        return request.client.host if request.client else "?"
    return client_id(request)


def check_code(request: Request, code: str) -> bool:
    """Compare an entered code; counts failures per client and refuses (429) too many."""
    who = _client(request)
    now = time.monotonic()
    with _lock:
        recent = _failures.setdefault(who, deque())
        while recent and now - recent[0] > FAILURE_WINDOW_S:
            recent.popleft()
        if len(recent) >= MAX_FAILURES:
            wait = int(FAILURE_WINDOW_S - (now - recent[0])) + 1
            raise ApiError.key(429, "teacher_wait", "teacher.err_wait", seconds=wait)
    ok = hmac.compare_digest(normalise(code).encode(), teacher_code().encode())
    if not ok:
        with _lock:
            _failures.setdefault(who, deque()).append(now)
            if len(_failures) > 10_000:  # bounded: forget the oldest clients
                for key in list(_failures)[:5_000]:
                    del _failures[key]
    return ok


def turn_on(response) -> None:
    response.set_cookie(
        COOKIE,
        _token(teacher_code()),
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        path="/",
    )


def turn_off(response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
