"""The teacher page: enter the teacher code once (remembered in a cookie), leave teacher mode,
and, when the server serves a class (``convolab serve --class``), the address pupils type with
its QR code.

Pages: ``/leraar`` / ``/en/teacher`` (``GET``: the page; ``POST`` with the form field ``code``:
turn teacher mode on), ``POST /leraar/uit`` / ``POST /en/teacher/off`` (turn it off).
JSON: ``GET /api/teacher`` ``{"ok": true, "teacher": bool}``; ``POST /api/teacher``
``{"code": "..."}`` turns it on (403 ``teacher_code_wrong`` for a wrong code, 429 after too many);
``DELETE /api/teacher`` turns it off.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from .. import classroom, teacher
from ..errors import ApiError
from ..i18n import t
from ..pages import PAGES, page, render

router = APIRouter()

PAGE_ID = "teacher"
#: Longest form body read for the code (bytes).
MAX_FORM_BYTES = 1024


def _page_url(lang: str) -> str:
    return PAGES[PAGE_ID].url(lang)


def _teacher_page(request: Request, lang: str, *, error: str | None = None, status: int = 200):
    on = teacher.is_teacher(request)
    notebooks = {
        "nl": "/notebooks/nl/convoluties_in_python_leraar.ipynb",
        "en": "/notebooks/en/convolutions_in_python_teacher.ipynb",
    }
    pupil_url = classroom.pupil_url()
    return render(
        request,
        "teacher/index.html",
        lang=lang,
        page_id=PAGE_ID,
        status_code=status,
        teacher=on,
        error=error,
        action=_page_url(lang),
        off_action=_page_url(lang) + ("/uit" if lang == "nl" else "/off"),
        notes_url=f"/leren/{NOTES_HRUID}" if lang == "nl" else f"/en/learn/{NOTES_HRUID}",
        notebook_url=notebooks[lang],
        pupil_url=pupil_url if on else None,
        pupil_qr=classroom.qr_svg(pupil_url) if on and pupil_url else None,
    )


NOTES_HRUID = "convolab-convolutie-lesnotities"


@page(PAGE_ID, nl="/leraar", en="/en/teacher")
def teacher_page(request: Request, lang: str):
    return _teacher_page(request, lang)


async def _form_code(request: Request) -> str:
    """The ``code`` field of a small urlencoded form (read without python-multipart)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise ApiError.key(413, "payload_too_large", "teacher.err_form")
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=5)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError.key(400, "bad_request", "teacher.err_form") from exc
    return (fields.get("code") or [""])[0]


async def _login_form(request: Request, lang: str):
    code = await _form_code(request)
    try:
        ok = teacher.check_code(request, code)
    except ApiError as exc:
        return _teacher_page(request, lang, error=exc.text(lang), status=exc.status)
    if not ok:
        return _teacher_page(request, lang, error=t("teacher.err_code", lang), status=403)
    response = RedirectResponse(_page_url(lang), status_code=303)
    teacher.turn_on(response)
    return response


def _logout_form(lang: str):
    response = RedirectResponse(_page_url(lang), status_code=303)
    teacher.turn_off(response)
    return response


@router.post("/leraar", include_in_schema=False)
async def teacher_login_nl(request: Request):
    return await _login_form(request, "nl")


@router.post("/en/teacher", include_in_schema=False)
async def teacher_login_en(request: Request):
    return await _login_form(request, "en")


@router.post("/leraar/uit", include_in_schema=False)
async def teacher_logout_nl():
    return _logout_form("nl")


@router.post("/en/teacher/off", include_in_schema=False)
async def teacher_logout_en():
    return _logout_form("en")


class CodeIn(BaseModel):
    code: str = Field(max_length=64)


@router.get("/api/teacher")
async def api_teacher(request: Request):
    """Whether this browser is in teacher mode."""
    return {"ok": True, "teacher": teacher.is_teacher(request)}


@router.post("/api/teacher")
async def api_teacher_on(request: Request, body: CodeIn):
    """Turn teacher mode on with the teacher code (remembered in a cookie)."""
    if not teacher.check_code(request, body.code):
        raise ApiError.key(403, "teacher_code_wrong", "teacher.err_code")
    response = JSONResponse({"ok": True, "teacher": True})
    teacher.turn_on(response)
    return response


@router.delete("/api/teacher")
async def api_teacher_off(request: Request):
    """Turn teacher mode off."""
    response = JSONResponse({"ok": True, "teacher": False})
    teacher.turn_off(response)
    return response
