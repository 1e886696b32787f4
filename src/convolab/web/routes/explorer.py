"""The filter explorer: pick an image and a filter, see the output, get the Python code.

Pages: ``/convolutie`` and ``/en/convolution``. JSON API (every error in the one shape):

- ``GET /api/kernels``: the filter catalogue, border modes and output mappings.
- ``GET /api/samples``, ``GET /api/samples/{name}.png``: the sample photos (``?thumb=1``,
  ``?grey=1``).
- ``POST /api/image``: upload an image once (the file's bytes as the body, any image
  content type, ``?filename=``; or JSON ``{"data": base64, "filename": ...}``). It is checked
  (at most 10 MB and 25 megapixels, and not much smaller than its header claims, refused
  before decoding), decoded in a worker thread and reduced to at most 1024 pixels on its
  longest side. The working copy stays in memory (``convolab.web.images.STORE``, bounded,
  never on disk); the answer is its id and size (see ``api_image``).
- ``GET /api/image/{image_id}.png`` (``?grey=1``): the working copy as PNG.
- ``POST /api/apply``: image (``image_id``, ``sample`` or an inline ``upload``) + kernel +
  options -> the output pixels with the raw result's range, a legend of the output mapping and
  the Python code (convolab, and plain numpy) that reproduces the output exactly, as one
  binary body (see ``api_apply``): no base64, no large JSON.

The route validates, calls the core (``load_image``, ``sample``, ``correlate``/``convolve``,
``to_display``) and serialises; the maths lives in the core.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import time
from functools import cache
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from ..._validate import choice
from ...exact import exact_plan
from ...imageio import WEB_FORMATS
from ...samples import SAMPLES
from .. import images
from ..clients import client_id
from ..errors import ApiError, core_call, request_lang
from ..i18n import t
from ..pages import PAGES, page, render

router = APIRouter()

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_PIXELS = 25_000_000
MAX_UPLOAD_SIDE = 10_000  # a 100000 x 1 "image" is refused, not squeezed
WORK_SIDE = 1024  # the page works on at most this many pixels on the longest side
MAX_KERNEL = 15  # the grid editor goes from 1 x 1 to 15 x 15
THUMB_SIDE = 96
DEFAULT_SAMPLE = "chelsea"
DEFAULT_FILTER = "sharpen"
MODES = ("correlate", "convolve")
STEPS_MAX_KERNEL = 7  # the step-by-step player shows kernels up to 7 x 7
STEPS_CROP = 8  # and a crop of 8 x 8 pixels
LEGEND_STEPS = 256

Cell = StrictStr | StrictInt | StrictFloat


class ImageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: StrictStr = Field(description="the image file, base64 (PNG, JPEG, WebP or GIF)")
    filename: StrictStr | None = Field(None, max_length=200, description="shown in the code")


class ApplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    image_id: StrictStr | None = Field(
        None, max_length=64, description="a working copy's id from POST /api/image"
    )
    sample: StrictStr | None = Field(None, description="a sample photo id (see /api/samples)")
    upload: StrictStr | None = Field(None, description="an image file, base64 (inline)")
    filename: StrictStr | None = Field(None, max_length=200, description="shown in the code")
    filter: StrictStr | None = Field(None, description="a catalogue filter id (/api/kernels)")
    kernel: list[list[Cell]] | None = Field(
        None, description="rows of cells: numbers or text such as '1/9' (overrides filter)"
    )
    mode: Literal["correlate", "convolve"] = "correlate"
    border: StrictStr = "zero"
    mapping: StrictStr | None = Field(None, description="clip, abs, offset or rescale")
    colour: StrictBool = True
    format: Literal["pixels", "png"] = Field(
        "pixels",
        description=(
            "pixels: the raw uint8 bytes (height x width x channels, row by row);"
            " png: a PNG file of the same pixels (both after the JSON part of the answer)"
        ),
    )
    original_size: list[StrictInt] | None = Field(
        None,
        min_length=2,
        max_length=2,
        description="(rows, cols) of the original upload, from /api/image; only for the code",
    )


# --- pages ----------------------------------------------------------------------------------


@page("explorer", nl="/convolutie", en="/en/convolution", nav=20)
def explorer_page(request: Request, lang: str):
    import convolab as cl

    return render(
        request,
        "explorer/index.html",
        lang=lang,
        page_id="explorer",
        limits={
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "max_upload_mp": MAX_UPLOAD_PIXELS // 1_000_000,
            "max_kernel": MAX_KERNEL,
            "steps_max_kernel": STEPS_MAX_KERNEL,
            "steps_crop": STEPS_CROP,
            "work_side": WORK_SIDE,
        },
        defaults={"sample": DEFAULT_SAMPLE, "filter": DEFAULT_FILTER},
        steps_url=PAGES["player"].url(lang) if "player" in PAGES else "",
        borders=[
            {"id": b.name, "example": b.example, "label": getattr(b, lang)}
            for b in cl.BORDERS.values()
        ],
        mappings=list(cl.MAPPINGS),
    )


# --- catalogue and samples ----------------------------------------------------------------


@cache
def _kernels_json(lang: str) -> bytes:
    """The catalogue answer of ``/api/kernels`` in ``lang``, made once: the catalogue is
    fixed, and building it takes about 5 ms, which every pupil's page load would otherwise
    cost the event loop."""
    import convolab as cl

    out = []
    for k in cl.kernels():
        d = k.to_dict()
        d["name"] = k.name(lang)
        d["about"] = k.about(lang)
        out.append(d)
    borders = [
        {"id": b.name, "example": b.example, "label": getattr(b, lang), "numpy": b.numpy}
        for b in cl.BORDERS.values()
    ]
    body = {"ok": True, "kernels": out, "borders": borders, "mappings": list(cl.MAPPINGS)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@router.get("/api/kernels", tags=["explorer"])
async def api_kernels(request: Request):
    """The filter catalogue in the request's language, plus border modes and mappings."""
    return Response(_kernels_json(request_lang(request)), media_type="application/json")


@router.get("/api/samples", tags=["explorer"])
async def api_samples(request: Request):
    """The sample photos with their source and licence."""
    import convolab as cl

    lang = request_lang(request)
    items = await core_call(lambda: [s.to_dict() for s in cl.samples()])
    for d in items:
        d["name"] = d["name_en"] if lang == "en" else d["name_nl"]
        d["url"] = f"/api/samples/{d['id']}.png"
        d["thumb"] = f"/api/samples/{d['id']}.png?thumb=1"
    return {"ok": True, "samples": items}


@router.get(
    "/api/samples/{name}.png",
    tags=["explorer"],
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def api_sample_png(
    name: str,
    thumb: Annotated[bool, Query(description="a small thumbnail")] = False,
    grey: Annotated[bool, Query(description="greyscale (as the page uses it)")] = False,
):
    """A sample photo as PNG: exactly the pixels ``convolab.sample(name, grey=grey)`` gives."""
    import convolab as cl

    names = [s.id for s in cl.samples()]
    if name not in names:
        raise ApiError.key(
            404,
            "unknown_sample",
            "explorer.err_unknown_sample",
            name=name,
            allowed=", ".join(names),
        )
    data = await core_call(_sample_png, name, thumb, grey)
    return Response(data, media_type="image/png", headers={"Cache-Control": "public, max-age=3600"})


@cache
def _sample_png(name: str, thumb: bool, grey: bool) -> bytes:
    import convolab as cl

    img = cl.sample(name, grey=grey)
    if thumb:
        from PIL import Image

        im = Image.fromarray(img)
        im.thumbnail((THUMB_SIDE, THUMB_SIDE))
        img = np.asarray(im)
    return _png(img)


# --- images -----------------------------------------------------------------------------------

#: The answer header giving the length of the JSON part of a binary ``/api/apply`` answer.
META_LENGTH_HEADER = "X-Meta-Length"
QUEUE_AHEAD_HEADER = "X-Queue-Ahead"
APPLY_MEDIA_TYPE = "application/octet-stream"


def _png(img: np.ndarray) -> bytes:
    """Lossless PNG of a uint8 H x W or H x W x 3 image (OpenCV: the fastest encoder here)."""
    import cv2

    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", img)
    if not ok:  # pragma: no cover - OpenCV fails only on unsupported arrays
        raise ValueError("the image could not be encoded as PNG")
    return buf.tobytes()


def _decode_base64(data: str, field: str) -> bytes:
    """Base64 (optionally a data: URL) -> bytes, refusing more than 10 MB before decoding."""
    if data.startswith("data:"):
        data = data.partition(",")[2]
    if len(data) * 3 // 4 > MAX_UPLOAD_BYTES + 3:
        raise ApiError.key(
            413,
            "upload_too_large",
            "explorer.err_upload_too_large",
            mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError.key(400, "invalid_base64", "explorer.err_base64", field=field) from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ApiError.key(
            413,
            "upload_too_large",
            "explorer.err_upload_too_large",
            mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        )
    return raw


def working_size(h: int, w: int) -> tuple[int, int]:
    """The size the page works at: at most WORK_SIDE on the longest side."""
    scale = WORK_SIDE / max(h, w)
    if scale >= 1:
        return h, w
    return max(1, round(h * scale)), max(1, round(w * scale))


def load_upload(data: bytes, colour: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """Decode an upload with the core's limits (checked before decoding), then reduce it to
    the working size. Returns (image, original (h, w)). The code panel repeats these steps."""
    import cv2

    import convolab as cl

    img = images.decode(
        cl.load_image,
        data,
        colour="rgb",
        max_pixels=MAX_UPLOAD_PIXELS,
        max_side=MAX_UPLOAD_SIDE,
        formats=WEB_FORMATS,  # only what the page offers: ICO, TGA, PPM, PCX, ... are refused
    )
    original = img.shape[:2]
    h, w = working_size(*original)
    if (h, w) != original:
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
    if not colour:
        img = _grey(img)
    return img, original


def _grey(rgb: np.ndarray) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(rgb).convert("L"))


def _store_upload(raw: bytes, filename: str | None) -> tuple[str, images.Working]:
    img, original = load_upload(raw, True)
    working = images.Working(img, tuple(original), filename)
    return images.STORE.put(working), working


def _upload_from_json(body: bytes) -> tuple[bytes, str | None]:
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    try:
        req = ImageRequest.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
    return _decode_base64(req.data, "data"), req.filename


@router.post(
    "/api/image",
    tags=["explorer"],
    openapi_extra={
        "requestBody": {
            "content": {
                "image/*": {"schema": {"type": "string", "format": "binary"}},
                "application/json": {"schema": ImageRequest.model_json_schema()},
            }
        }
    },
)
async def api_image(
    request: Request,
    filename: Annotated[str | None, Query(max_length=200, description="shown in the code")] = None,
):
    """Upload an image once; answer the id of its working copy.

    Body: the file's bytes (``Content-Type`` ``image/png``, ``image/jpeg``, ... or
    ``application/octet-stream``; the name in ``?filename=``), or JSON
    ``{"data": "<base64 or data: URL>", "filename": "..."}``. Decoding runs in a worker thread
    (at most ``images.DECODE_SLOTS`` at once); the working copy (RGB, at most 1024 pixels on the
    longest side) stays in the in-memory cache ``images.STORE``. Answer::

        {"ok": true, "image_id": "...", "url": "/api/image/<id>.png",
         "url_grey": "/api/image/<id>.png?grey=1", "pixels": "/api/image/<id>/pixels",
         "pixels_grey": "/api/image/<id>/pixels?grey=1", "width": W, "height": H,
         "original_width": OW, "original_height": OH, "resized": bool}

    ``POST /api/apply`` then takes ``{"image_id": "...", ...}``. A copy pushed out of the cache
    answers 404 ``image_expired``: upload the file again.
    """
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        data, name = await core_call(_upload_from_json, raw)
        filename = name if name is not None else filename
    else:
        if len(raw) > MAX_UPLOAD_BYTES:
            raise ApiError.key(
                413,
                "upload_too_large",
                "explorer.err_upload_too_large",
                mb=MAX_UPLOAD_BYTES // (1024 * 1024),
            )
        data = raw
    image_id, w = await core_call(_store_upload, data, filename)
    oh, ow = w.original
    return {
        "ok": True,
        "image_id": image_id,
        "url": f"/api/image/{image_id}.png",
        "url_grey": f"/api/image/{image_id}.png?grey=1",
        "pixels": f"/api/image/{image_id}/pixels",
        "pixels_grey": f"/api/image/{image_id}/pixels?grey=1",
        "width": int(w.rgb.shape[1]),
        "height": int(w.rgb.shape[0]),
        "original_width": int(ow),
        "original_height": int(oh),
        "resized": w.resized,
    }


def _working_png(image_id: str, grey: bool) -> bytes:
    w = images.STORE.get(image_id)
    return _png(w.grey if grey else w.rgb)


@router.get(
    "/api/image/{image_id}.png",
    tags=["explorer"],
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def api_image_png(
    image_id: str,
    grey: Annotated[bool, Query(description="greyscale (as the page uses it)")] = False,
):
    """The working copy of an upload as PNG (what ``/api/apply`` computes on)."""
    data = await core_call(_working_png, image_id, grey)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=600"})


def _working_pixels(image_id: str, grey: bool) -> tuple[bytes, int]:
    w = images.STORE.get(image_id)
    img = w.grey if grey else w.rgb
    meta = {
        "ok": True,
        "width": int(img.shape[1]),
        "height": int(img.shape[0]),
        "channels": 1 if img.ndim == 2 else int(img.shape[2]),
    }
    head = json.dumps(meta, separators=(",", ":")).encode()
    return head + np.ascontiguousarray(img).tobytes(), len(head)


@router.get(
    "/api/image/{image_id}/pixels",
    tags=["explorer"],
    response_class=Response,
    responses={200: {"content": {APPLY_MEDIA_TYPE: {}}}},
)
async def api_image_pixels(
    image_id: str,
    grey: Annotated[bool, Query(description="greyscale (as the page uses it)")] = False,
):
    """The working copy of an upload as raw pixels, the way ``/api/apply`` answers: a JSON
    part of ``X-Meta-Length`` bytes (``width``, ``height``, ``channels``), then the uint8
    pixels row by row. What the explorer draws (encoding a PNG would cost the server about
    25 ms per photo; ``.png`` is there for downloads)."""
    data, n = await core_call(_working_pixels, image_id, grey)
    return Response(
        data,
        media_type=APPLY_MEDIA_TYPE,
        headers={META_LENGTH_HEADER: str(n), "Cache-Control": "private, max-age=600"},
    )


# --- apply ------------------------------------------------------------------------------------


def _cell_text(v) -> str:
    if isinstance(v, str):
        return v.strip()
    return repr(float(v)) if isinstance(v, float) else str(v)


def resolve_kernel(body: ApplyRequest):
    """(kernel values, catalogue Kernel or None, cell texts or None) from the request."""
    import convolab as cl

    cat = cl.kernel(body.filter) if body.filter is not None else None
    if body.kernel is None:
        if cat is None:
            raise ApiError.key(422, "missing_kernel", "explorer.err_missing_kernel")
        values = cat.values
        cells = None
    else:
        rows = len(body.kernel)
        cols = max((len(r) for r in body.kernel), default=0)
        if rows > MAX_KERNEL or cols > MAX_KERNEL:
            raise ApiError.key(
                400,
                "kernel_too_large",
                "explorer.err_kernel_too_large",
                rows=rows,
                cols=cols,
                max=MAX_KERNEL,
            )
        from convolab.kernels import parse_cell

        cells = [[_cell_text(v) for v in row] for row in body.kernel]
        values = cl.as_kernel(
            [
                [parse_cell(c, (r, k)) for k, c in enumerate(row, 1)]
                for r, row in enumerate(cells, 1)
            ]
        )
        if cat is not None and np.array_equal(values, cat.values):
            cells = None  # the catalogue filter as it is
    return values, cat, cells


def compute(body: ApplyRequest, lang: str) -> dict:
    """All the work of one apply request (runs in the thread pool)."""
    import convolab as cl
    from convolab.display import display_values, value_stats

    t0 = time.perf_counter()
    upload = _decode_base64(body.upload, "upload") if body.upload is not None else None
    given = [x is not None for x in (body.sample, upload, body.image_id)]
    if sum(given) != 1:
        raise ApiError.key(422, "missing_image", "explorer.err_missing_image")
    working = images.STORE.get(body.image_id) if body.image_id is not None else None
    values, cat, cells = resolve_kernel(body)
    mapping = body.mapping if body.mapping is not None else (cat.display if cat else "clip")
    choice("mapping", mapping, cl.MAPPINGS)  # the core's coded error for an unknown name
    original = None
    filename = body.filename
    if working is not None:
        img = working.rgb if body.colour else working.grey
        original = working.original
        filename = body.filename if body.filename is not None else working.filename
        colour_source = True
    elif upload is not None:
        img, original = load_upload(upload, body.colour)
        colour_source = True
        if body.original_size is not None:
            original = tuple(body.original_size)
    else:
        img = cl.sample(body.sample, grey=not body.colour)
        colour_source = img.ndim == 3 or SAMPLES[body.sample].colour
    fn = cl.convolve if body.mode == "convolve" else cl.correlate
    raw = fn(img, values, border=body.border)
    plan = exact_plan(img, values)
    form = plan.form if plan is not None else None
    lo, hi, negatives = value_stats(raw)
    if body.format == "png":
        payload = _png(display_values(raw, mapping, lo, hi))
    else:  # the pixels go straight into the answer's buffer (see ``envelope``)
        payload = functools.partial(display_values, raw, mapping, lo, hi)
    m = max(abs(lo), abs(hi)) or 1.0
    ramp = np.linspace(-m, m, LEGEND_STEPS)
    source = {
        "sample": body.sample,
        "filename": _safe_filename(filename) if body.sample is None else None,
        "original": original,
        "working": tuple(img.shape[:2]),
        "colour_source": colour_source,
    }
    meta = {
        "ok": True,
        "format": body.format,
        "width": int(raw.shape[1]),
        "height": int(raw.shape[0]),
        "channels": 1 if raw.ndim == 2 else int(raw.shape[2]),
        "min": lo,
        "max": hi,
        "negative_fraction": negatives / raw.size,
        "mapping": mapping,
        "mode": body.mode,
        "border": body.border,
        "kernel_shape": list(values.shape),
        "legend": {
            "domain": [-m, m],
            "values": display_values(ramp, mapping, lo, hi).tolist(),
            "zero": int(display_values(0.0, mapping, lo, hi)),
        },
        "code": {
            "convolab": convolab_code(body, cat, cells, values, mapping, source, lang),
            "numpy": numpy_code(
                body, cat, cells, values, mapping, source, (lo, hi), lang, form=form
            ),
        },
    }
    return meta, payload, raw.shape, t0


def envelope(meta: dict, payload, shape: tuple, t0: float) -> tuple[bytes | memoryview, int]:
    """One binary body: the JSON part (UTF-8) followed by the image bytes.

    ``payload``: PNG bytes, or a function that writes the uint8 pixels of ``shape`` into a
    given array; that array is then a view of the answer's own buffer (no copies of the
    pixels). ``meta["ms"]`` is the time since ``t0``, the work included."""
    if isinstance(payload, bytes):
        meta["ms"] = round((time.perf_counter() - t0) * 1000, 2)
        head = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()
        return head + payload, len(head)
    n = math.prod(shape)
    meta["ms"] = 0.0
    head = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()
    buf = bytearray(len(head) + 16 + n)  # 16 bytes of room: the "ms" value gets longer than 0.0
    payload(out=np.frombuffer(buf, np.uint8, n, len(head) + 16).reshape(shape))
    meta["ms"] = round((time.perf_counter() - t0) * 1000, 2)
    head = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode()
    start = len(buf) - n - len(head)  # the JSON part right before the pixels
    buf[start : len(buf) - n] = head
    return memoryview(buf)[start:], len(head)


def split_envelope(body: bytes, meta_length: int) -> tuple[dict, bytes]:
    """The inverse of ``envelope`` (for Python callers: tests, benchmarks)."""
    return json.loads(body[:meta_length]), body[meta_length:]


def _apply_answer(body: ApplyRequest, lang: str) -> tuple[bytes | memoryview, int]:
    return envelope(*compute(body, lang))


@router.post(
    "/api/apply",
    tags=["explorer"],
    response_class=Response,
    responses={200: {"content": {APPLY_MEDIA_TYPE: {}}}},
)
async def api_apply(body: ApplyRequest, request: Request):
    """Apply a filter: the output image, the raw range, a legend and the Python code.

    The image: ``image_id`` (from ``POST /api/image``; the usual way), ``sample`` (a sample
    photo) or ``upload`` (an inline base64 file, decoded for this request only); exactly one.

    The answer is one binary body (``Content-Type: application/octet-stream``): first a JSON
    object of ``X-Meta-Length`` bytes (UTF-8) with ``ok``, ``format``, ``width``, ``height``,
    ``channels`` (1 = grey, 3 = RGB), ``min``, ``max``, ``negative_fraction``, ``mapping``,
    ``mode``, ``border``, ``kernel_shape``, ``legend``, ``code`` and ``ms``; then the image:
    with ``"format": "pixels"`` (default) the raw uint8 bytes of ``to_display``'s result,
    ``height x width x channels`` row by row, exactly ``height * width * channels`` bytes (the
    page puts them into a canvas as they are); with ``"format": "png"`` a PNG file of the same
    pixels. Errors are JSON in the one error shape. All the work, the JSON part included, runs
    in the compute pool behind a fair queue (``images.compute_call``, ``web/fair.py``): per
    client (its address) at most ``CONVOLAB_APPLY_PER_CLIENT`` applies (default 2) are held,
    running or waiting; a newer apply supersedes that client's older waiting one, which is
    answered 409 ``superseded`` (the page only needs the newest result); with nothing of that
    client waiting the new one gets 429 ``too_many_applies``. Clients take turns
    (round-robin). ``X-Queue-Ahead``: applies of other clients started while this one waited.
    """
    (data, meta_length), ahead = await images.compute_call(
        client_id(request), _apply_answer, body, request_lang(request)
    )
    return Response(
        data,
        media_type=APPLY_MEDIA_TYPE,
        headers={
            META_LENGTH_HEADER: str(meta_length),
            QUEUE_AHEAD_HEADER: str(ahead),
            "Cache-Control": "no-store",
        },
    )


# --- the Python code panel ----------------------------------------------------------------


def _safe_filename(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    keep = "".join(c for c in name if c.isalnum() or c in "._- ")
    return keep or "mijn_afbeelding.png"


def _point(cell: str) -> str:
    """A valid cell with its Dutch decimal commas (0,5) written as points."""
    return cell.replace(",", ".")


def _num(x: float) -> str:
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _py_cell(text: str) -> str:
    """A cell as a Python expression with the same float value ``parse_cell`` gives."""
    from convolab.kernels import parse_cell

    if "/" in text:
        a, _, b = text.partition("/")
        if "/" not in b:
            return f"{_num(parse_cell(a))}/{_num(parse_cell(b))}"
    return _num(parse_cell(text))


def _kernel_literal(values: np.ndarray, cells, indent: str) -> str:
    rows = (
        [[_py_cell(c) for c in row] for row in cells]
        if cells is not None
        else [[_num(v) for v in row] for row in values]
    )
    width = max(len(c) for row in rows for c in row)
    lines = [indent + "[" + ", ".join(c.rjust(width) for c in row) + "]," for row in rows]
    return "[\n" + "\n".join(lines) + "\n]"


def _int_literal(n: np.ndarray, indent: str) -> str:
    rows = [[str(int(v)) for v in row] for row in n]
    width = max(len(c) for row in rows for c in row)
    lines = [indent + "[" + ", ".join(c.rjust(width) for c in row) + "]," for row in rows]
    return "[\n" + "\n".join(lines) + "\n]"


def _c(key: str, lang: str, **params) -> str:
    return "# " + t(f"explorer.{key}", lang, **params)


def _load_lines(body: ApplyRequest, source: dict, lang: str) -> list[str]:
    if source["filename"] is None:
        grey = ", grey=True" if not body.colour and source["colour_source"] else ""
        return [f'img = cl.sample("{source["sample"]}"{grey})']
    lines = [f'img = cl.load_image("{source["filename"]}", colour="rgb")']
    lines += _resize_lines(source, lang)
    if not body.colour:
        lines.append(
            'img = np.asarray(Image.fromarray(img).convert("L"))  ' + _c("code_grey", lang)
        )
    return lines


def _resize_lines(source: dict, lang: str) -> list[str]:
    (oh, ow), (h, w) = source["original"], source["working"]
    if (oh, ow) == (h, w):
        return []
    return [
        _c("code_resize", lang, side=WORK_SIDE),
        f"img = cv2.resize(img, ({w}, {h}), interpolation=cv2.INTER_AREA)",
    ]


def convolab_code(body, cat, cells, values, mapping, source, lang) -> str:
    load = _load_lines(body, source, lang)
    head = ["import convolab as cl"]
    if any("cv2." in ln for ln in load):
        head.append("import cv2")
    if any("np." in ln for ln in load):
        head += ["import numpy as np", "from PIL import Image"]
    if cells is None and cat is not None:
        kernel = f'kernel = cl.kernel("{cat.id}").values'
    elif cells is not None:
        text = "; ".join(" ".join(_point(c) for c in row) for row in cells)
        kernel = f'kernel = cl.parse_kernel("{text}")'
    else:  # pragma: no cover - a request has a filter or a kernel
        kernel = "kernel = " + _kernel_literal(values, None, "    ")
    border = f', border="{body.border}"' if body.border != "zero" else ""
    lines = [
        *head,
        "",
        *load,
        kernel,
        f"raw = cl.{body.mode}(img, kernel{border})  " + _c("code_raw", lang),
        f'out = cl.to_display(raw, "{mapping}")  ' + _c("code_shown", lang),
        'cl.save_image("resultaat.png", out)',
    ]
    return "\n".join(lines) + "\n"


def numpy_code(body, cat, cells, values, mapping, source, value_range, lang, form=None) -> str:
    """Plain numpy that reproduces the shown pixels with the engine's arithmetic: ``form``
    (:class:`convolab.exact.IntegerForm`, when the engine sums exactly) writes the filter
    as whole numbers and one division; otherwise the products are added tap by tap in
    raster order, as the step trace does. Rounding is half up, as on the screen."""
    import convolab as cl

    np_mode = cl.BORDERS[body.border].numpy
    head = ["import numpy as np", "from PIL import Image"]
    if source["filename"] is None:
        head.append("from skimage import data")
        load = [f"img = data.{source['sample']}()"]
        if not body.colour and source["colour_source"]:
            load.append(
                'img = np.asarray(Image.fromarray(img).convert("L"))  ' + _c("code_grey", lang)
            )
    else:
        head[1] = "from PIL import Image, ImageOps"
        fname = source["filename"]
        load = [
            f'img = ImageOps.exif_transpose(Image.open("{fname}"))  ' + _c("code_exif", lang),
            'img = np.asarray(img.convert("RGB"))',
        ]
        resize = _resize_lines(source, lang)
        if resize:
            head.append("import cv2")
        load += resize
        if not body.colour:
            load.append(
                'img = np.asarray(Image.fromarray(img).convert("L"))  ' + _c("code_grey", lang)
            )
    if form is not None:  # whole numbers over a divisor: the engine's exact sum
        k = "k = np.array(" + _int_literal(form.numerators, "    ") + ", dtype=float)"
        divide = [] if form.divisor == 1 else [f"divisor = {form.divisor}  " + _c(
            "code_divisor", lang, divisor=form.divisor)]  # fmt: skip
    else:
        k = "k = np.array(" + _kernel_literal(values, cells, "    ") + ", dtype=float)"
        divide = []
    flip = ["k = k[::-1, ::-1]  " + _c("code_flip", lang)] if body.mode == "convolve" else []
    lines = [
        *head,
        "",
        *load,
        "img = img.astype(float)",
        k,
        *divide,
        *flip,
        "kh, kw = k.shape",
        "top, left = kh // 2, kw // 2  " + _c("code_anchor", lang),
        "pads = [(top, kh - 1 - top), (left, kw - 1 - left)] + [(0, 0)] * (img.ndim - 2)",
        f'padded = np.pad(img, pads, mode="{np_mode}")  '
        + _c("code_border", lang, border=body.border),
        "h, w = img.shape[:2]",
        "raw = np.zeros(img.shape)",
        "for i in range(kh):  " + _c("code_sum", lang),
        "    for j in range(kw):",
        "        raw += k[i, j] * padded[i : i + h, j : j + w]",
        *(["raw = raw / divisor  " + _c("code_divide", lang)] if divide else []),
        *_mapping_lines(mapping, value_range, lang),
        'Image.fromarray(out).save("resultaat.png")',
    ]
    return "\n".join(lines) + "\n"


def _mapping_lines(mapping: str, value_range, lang: str) -> list[str]:
    """The engine's display mapping (:func:`convolab.display.display_values`), same
    operations in the same order, then rounding half up (28.5 -> 29)."""
    lo, hi = value_range
    last = [
        "f = np.floor(y)",
        "y = f + (y - f >= 0.5)  " + _c("code_round", lang),
        "out = np.clip(y, 0, 255).astype(np.uint8)  " + _c("code_shown", lang),
    ]
    if mapping == "clip":
        return ["y = raw", *last]
    if mapping == "abs":
        return ["y = np.abs(raw)", *last]
    if mapping == "offset":
        if max(abs(lo), abs(hi)) == 0:
            return ["y = np.full_like(raw, 128.0)", *last]
        return [
            "m = np.abs(raw).max()",
            "y = raw * (127.0 / m) + 128.0  " + _c("code_offset", lang),
            *last,
        ]
    if hi <= lo:
        return ["y = np.zeros_like(raw)", *last]
    return [
        "lo, hi = raw.min(), raw.max()",
        "y = (raw - lo) * (255.0 / (hi - lo))  " + _c("code_rescale", lang),
        *last,
    ]
