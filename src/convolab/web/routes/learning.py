"""The learning pages: the seed's learning object made whole, the path overview, every other
learning object, and the notebook (download + read-only view).

Pages (Dutch / English):
- ``/``, ``/leren/convolutie`` / ``/en``, ``/en/learn/convolution``: the seed's object;
- ``/leren`` / ``/en/learn``: the path overview (objects in order, time, target ages);
- ``/leren/<hruid>`` / ``/en/learn/<hruid>``: every other object of the path;
- ``/leren/notebook`` / ``/en/learn/notebook``: the notebook rendered read-only.

Teacher mode (``convolab.web.teacher``: the teacher code entered once on ``/leraar``): objects
with ``teacher_exclusive: true`` are listed (marked) and shown, and the answer notebooks
(``*_leraar.ipynb``, ``*_teacher.ipynb``) download. Without it they are left out of the overview
and their pages, assets, JSON and downloads answer 403 ``teacher_only`` in the one error shape.

JSON twins: ``/api/learning/path``, ``/api/learning/objects/<hruid>``, ``/api/learning/notebook``
(``?lang=nl|en``). Files: ``/content/objects/<hruid>/<lang>/img/...`` (an object's assets),
``/content/paths/img/...`` and ``/notebooks/<lang>/<name>.ipynb`` (download).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from convolab import content

from ..errors import ApiError
from ..i18n import LANGS, t
from ..pages import PAGES, link, page, render
from ..teacher import is_teacher, require_teacher

router = APIRouter()

HOME_ID = "home"
PATH_ID = "learn"
NOTEBOOK_ID = "learn_notebook"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TEACHER_NOTEBOOK_RE = re.compile(r"_(leraar|teacher)\.ipynb$")


# --- objects and URLs -------------------------------------------------------------------------


def object_page_id(hruid: str) -> str:
    return HOME_ID if hruid == content.SEED_HRUID else f"lo_{hruid}"


def object_url(obj: content.LearningObject) -> str:
    """The page of an object; for the seed its lesson URL (``/leren/convolutie``), not ``/``."""
    urls = PAGES[object_page_id(obj.hruid)].urls[obj.language]
    return urls[-1]


def asset_base(obj: content.LearningObject) -> str:
    return f"/content/objects/{obj.hruid}/{obj.language}"


def resolve_object_link(hruid: str, lang: str, version: str) -> str | None:
    """The page of ``@learning-object/<hruid>/<lang>/<version>`` (None: no such page)."""
    obj = content.library().get(hruid, lang, version)
    if obj is None or object_page_id(obj.hruid) not in PAGES:
        return None
    return object_url(obj)


@lru_cache(maxsize=64)
def _rendered(hruid: str, lang: str) -> str:
    obj = content.library().get(hruid, lang)
    return content.render_object(
        obj, asset_base=asset_base(obj), resolve_object=resolve_object_link
    )


def format_ages(ages: list[int], lang: str) -> str:
    if not ages:
        return ""
    ages = sorted(ages)
    if ages == list(range(ages[0], ages[-1] + 1)) and len(ages) > 1:
        return t("learning.ages", lang, lo=ages[0], hi=ages[-1])
    return t("learning.ages_list", lang, ages=", ".join(map(str, ages)))


def path_entries(lang: str, teacher: bool) -> list[dict]:
    """The path's objects in order, for the overview and the prev/next links."""
    entries = []
    for node, obj in content.library().path_objects(content.PATH_HRUID, lang):
        if obj.teacher_exclusive and not teacher:
            continue
        if not obj.available:
            continue
        entries.append(
            {
                "hruid": obj.hruid,
                "title": obj.title,
                "description": obj.description,
                "instruction": node.get("instruction", ""),
                "estimated_time": obj.estimated_time,
                "minutes": t("learning.minutes", lang, n=_num(obj.estimated_time)),
                "target_ages": obj.target_ages,
                "ages": format_ages(obj.target_ages, lang),
                "teacher_exclusive": obj.teacher_exclusive,
                "url": object_url(obj),
            }
        )
    return entries


def _num(x: int | float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_lang(value: str | None) -> str:
    lang = value or "nl"
    if lang not in LANGS:
        raise ApiError.key(400, "invalid_lang", "learning.err_lang", value=lang)
    return lang


# --- pages ----------------------------------------------------------------------------------


def _object_page(request: Request, lang: str, hruid: str):
    lib = content.library()
    obj = lib.get(hruid, lang)
    if obj.teacher_exclusive:
        require_teacher(request)
    teacher = is_teacher(request)
    entries = path_entries(lang, teacher)
    urls = [e["url"] for e in entries]
    here = object_url(obj)
    index = urls.index(here) if here in urls else None
    lp = lib.path(content.PATH_HRUID, lang)
    return render(
        request,
        "learning/object.html",
        lang=lang,
        page_id=object_page_id(hruid),
        obj=obj,
        body_html=_rendered(hruid, lang),
        teacher=teacher,
        is_seed=hruid == content.SEED_HRUID,
        path=lp,
        position=(index + 1) if index is not None else None,
        total=len(entries),
        previous=entries[index - 1] if index else None,
        next=entries[index + 1] if index is not None and index + 1 < len(entries) else None,
        minutes=t("learning.minutes_long", lang, n=_num(obj.estimated_time)),
        ages=format_ages(obj.target_ages, lang),
        notebook_url=link(NOTEBOOK_ID, lang),
        notebook_api=f"/api/learning/notebook?lang={lang}",
    )


@page(HOME_ID, nl=("/", "/leren/convolutie"), en=("/en", "/en/learn/convolution"), nav=10)
def learning_home(request: Request, lang: str):
    return _object_page(request, lang, content.SEED_HRUID)


@page(PATH_ID, nl="/leren", en="/en/learn", nav=15)
def learning_path(request: Request, lang: str):
    lp = content.library().path(content.PATH_HRUID, lang)
    teacher = is_teacher(request)
    entries = path_entries(lang, teacher)
    total = sum(e["estimated_time"] for e in entries)
    return render(
        request,
        "learning/path.html",
        lang=lang,
        page_id=PATH_ID,
        path=lp,
        entries=entries,
        teacher=teacher,
        total=t("learning.total_time", lang, n=_num(total)),
        image_url=f"/content/paths/{lp.image}" if lp.image else None,
    )


@page(NOTEBOOK_ID, nl="/leren/notebook", en="/en/learn/notebook")
def learning_notebook(request: Request, lang: str):
    """The executed notebook (built ahead, shipped with convolab) to read; ``?role=teacher``
    shows the teacher's version with the answers, in teacher mode only (else 403)."""
    role = request.query_params.get("role", "pupil")
    if role not in ("pupil", "teacher"):
        raise ApiError.key(400, "invalid_role", "learning.err_notebook_role", value=role)
    teacher = is_teacher(request)
    if role == "teacher":
        require_teacher(request)
    return render(
        request,
        "learning/notebook.html",
        lang=lang,
        page_id=NOTEBOOK_ID,
        notebook_html=notebook_html(lang, teacher=role == "teacher"),
        download_url=_download_url(lang, teacher=role == "teacher"),
        role=role,
        teacher=teacher,
        teacher_view_url=link(NOTEBOOK_ID, lang) + "?role=teacher",
        pupil_view_url=link(NOTEBOOK_ID, lang),
        teacher_download_url=_download_url(lang, teacher=True) if teacher else None,
    )


def _register_object_pages() -> None:
    """One page per learning object of the path (the seed is the home page)."""
    lib = content.library()
    hruids = sorted({o.hruid for o in lib.objects if o.hruid != content.SEED_HRUID})
    for hruid in hruids:
        if not all(lib.get(hruid, lang) for lang in LANGS):
            continue  # a page needs both languages for the language switch

        def view(request: Request, lang: str, _hruid: str = hruid):
            return _object_page(request, lang, _hruid)

        view.__name__ = f"learning_object_{hruid.replace('-', '_')}"
        page(object_page_id(hruid), nl=f"/leren/{hruid}", en=f"/en/learn/{hruid}")(view)


_register_object_pages()


# the seed by its hruid, convolab's own and the Dwengo original's it is based on
for _hruid in (content.SEED_HRUID, content.DWENGO_SEED_HRUID):

    @router.get("/leren/" + _hruid, include_in_schema=False)
    async def seed_by_hruid_nl():
        return RedirectResponse(PAGES[HOME_ID].urls["nl"][-1], status_code=307)

    @router.get("/en/learn/" + _hruid, include_in_schema=False)
    async def seed_by_hruid_en():
        return RedirectResponse(PAGES[HOME_ID].urls["en"][-1], status_code=307)


# --- files ----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _notebook_html_cached(path: str, mtime_ns: int) -> str:
    return content.render_notebook(path)


def notebook_html(lang: str, *, teacher: bool = False) -> str | None:
    """The rendered notebook (cached until the file changes), or None when it is missing."""
    path = content.notebook_path(lang, teacher=teacher)
    if not path.is_file():
        return None
    return _notebook_html_cached(str(path), path.stat().st_mtime_ns)


def _download_url(lang: str, *, teacher: bool = False) -> str:
    path = content.notebook_path(lang, teacher=teacher)
    return "/notebooks/" + path.relative_to(content.notebooks_dir()).as_posix()


@router.get("/content/objects/{hruid}/{lang}/{asset:path}", include_in_schema=False)
async def object_asset(request: Request, hruid: str, lang: str, asset: str):
    obj = content.library().get(hruid, lang) if lang in LANGS else None
    if obj is None:
        raise ApiError.key(404, "not_found", "learning.err_object_missing")
    if obj.teacher_exclusive:
        require_teacher(request)
    file = obj.asset_path(asset)
    if file is None:
        raise ApiError.key(404, "not_found", "learning.err_asset_missing")
    return FileResponse(file)


@router.get("/content/paths/{asset:path}", include_in_schema=False)
async def path_asset(asset: str):
    base = content.PATHS_DIR.resolve()
    file = (base / asset).resolve()
    if ".." in Path(asset).parts or base not in file.parents or not file.is_file():
        raise ApiError.key(404, "not_found", "learning.err_asset_missing")
    if file.suffix == ".json":
        raise ApiError.key(404, "not_found", "learning.err_asset_missing")
    return FileResponse(file)


@router.get("/notebooks/{lang}/{name}", include_in_schema=False)
async def notebook_download(request: Request, lang: str, name: str):
    """Download a notebook (``notebooks/<lang>/<name>.ipynb``); the teacher versions with the
    answers (``*_leraar.ipynb``, ``*_teacher.ipynb``) only in teacher mode (else 403)."""
    if lang not in LANGS or not _NAME_RE.match(name) or not name.endswith(".ipynb"):
        raise ApiError.key(404, "not_found", "learning.err_notebook_missing")
    if _TEACHER_NOTEBOOK_RE.search(name):
        require_teacher(request)
    file = content.notebooks_dir() / lang / name
    if not file.is_file():
        raise ApiError.key(404, "not_found", "learning.err_notebook_missing")
    return FileResponse(file, media_type="application/x-ipynb+json", filename=name)


# --- JSON twins -----------------------------------------------------------------------------


@router.get("/api/learning/path")
async def api_path(request: Request, lang: str = "nl"):
    """The learning path in order (teacher-only objects only in teacher mode)."""
    lang = _check_lang(lang)
    lp = content.library().path(content.PATH_HRUID, lang)
    teacher = is_teacher(request)
    return {
        "ok": True,
        "hruid": lp.hruid,
        "language": lang,
        "title": lp.title,
        "description": lp.description,
        "teacher": teacher,
        "objects": path_entries(lang, teacher),
    }


@router.get("/api/learning/objects/{hruid}")
async def api_object(request: Request, hruid: str, lang: str = "nl"):
    """One learning object: its front matter and its body rendered to safe HTML."""
    lang = _check_lang(lang)
    obj = content.library().get(hruid, lang)
    if obj is None:
        raise ApiError.key(404, "not_found", "learning.err_object_missing")
    if obj.teacher_exclusive:
        require_teacher(request)
    return {"ok": True, "metadata": obj.to_dict(), "html": _rendered(hruid, lang)}


@router.get("/api/learning/notebook")
async def api_notebook(lang: str = "nl"):
    """The learning page's notebook rendered read-only, and where to download it."""
    lang = _check_lang(lang)
    html = await run_in_threadpool(notebook_html, lang)
    if html is None:
        raise ApiError.key(404, "notebook_missing", "learning.err_notebook_missing")
    return {"ok": True, "html": html, "download_url": _download_url(lang)}
