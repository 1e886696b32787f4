"""Reading and writing images, safely.

``load_image`` reads the image size from the file header and refuses images
over a pixel limit *before* decoding, so a decompression bomb (a small file
that unpacks to gigapixels) cannot exhaust memory. Bytes are decoded in
memory; nothing is written to disk.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ._validate import as_image, choice
from .display import round_half_up, to_display
from .errors import InvalidType, InvalidValue, TooLarge
from .kernels import MAPPINGS

MAX_PIXELS = 50_000_000
FORMATS = {
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "webp": "WEBP",
    "bmp": "BMP",
    "tif": "TIFF",
    "tiff": "TIFF",
    "gif": "GIF",
}
COLOURS = ("keep", "grey", "rgb", "rgba")
#: Pillow formats ``load_image`` decodes by default: the ones convolab also writes.
#: Anything else Pillow knows (ICO, TGA, PPM, PCX, ...) is refused with a named error.
READ_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")
#: The formats the web app offers for uploads.
WEB_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
_FORMAT_NAMES = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "WEBP": "WebP",
    "GIF": "GIF",
    "BMP": "BMP",
    "TIFF": "TIFF",
}


def load_image(
    source, *, colour="keep", max_pixels=MAX_PIXELS, max_side=None, formats=READ_FORMATS
) -> np.ndarray:
    """Read an image file (path) or its bytes into a uint8 array.

    ``colour``: ``"keep"`` (greyscale stays H x W, colour H x W x 3, with
    transparency H x W x 4), ``"grey"``, ``"rgb"`` or ``"rgba"``. Animated
    images give their first frame. ``formats``: the Pillow format names accepted
    (default :data:`READ_FORMATS`); a file in another format is refused, not decoded.
    """
    choice("colour", colour, COLOURS)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise InvalidValue("image_data_empty")
        fp, label = io.BytesIO(data), "image data"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InvalidValue("image_no_such_file", path=str(path))
        fp, label = path, repr(str(path))
    else:
        raise InvalidType("image_source_type", type=type(source).__name__)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fp) as im:
                if im.format not in formats:
                    raise InvalidValue(
                        "image_format_not_allowed",
                        label=label,
                        format=im.format,
                        allowed=[_FORMAT_NAMES.get(f, f) for f in formats],
                    )
                _check_size(label, im.size, max_pixels, max_side)
                im.seek(0)
                im.load()
                # phone photos: turn as the EXIF orientation says (browsers show them so)
                return _to_array(ImageOps.exif_transpose(im), colour)
    except ValueError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own, larger limit fired while reading the header: name the size anyway.
        w, h = _header_size(fp)
        _check_size(label, (w, h), max_pixels, max_side)
        # only with max_pixels=None or above Pillow's limit
        raise TooLarge(
            "image_too_large_to_decode", label=label, width=w, height=h, pixels=w * h
        ) from None
    except UnidentifiedImageError as exc:
        raise InvalidValue(
            "image_not_readable",
            label=label,
            kind=exc.__class__.__name__,
            allowed=[_FORMAT_NAMES.get(f, f) for f in formats],
        ) from None
    except (OSError, SyntaxError, EOFError) as exc:
        raise InvalidValue("image_damaged", label=label, detail=str(exc)) from None


def _check_size(label, size, max_pixels, max_side) -> None:
    w, h = size
    if max_pixels is not None and w * h > max_pixels:
        raise TooLarge(
            "image_too_many_pixels", label=label, width=w, height=h, pixels=w * h, limit=max_pixels
        )
    if max_side is not None and max(w, h) > max_side:
        raise TooLarge("image_side_too_long", label=label, width=w, height=h, limit=max_side)


def _header_size(fp) -> tuple[int, int]:
    """Width and height from the header alone, bypassing Pillow's bomb check."""
    Image.init()
    owned = not hasattr(fp, "read")
    f = open(fp, "rb") if owned else fp  # noqa: SIM115 - closed below
    try:
        for fmt in Image.ID:
            factory, accept = Image.OPEN[fmt]
            f.seek(0)
            prefix = f.read(16)
            f.seek(0)
            if accept and not accept(prefix):
                continue
            try:
                return factory(f).size
            except Exception:  # not this format; try the next
                continue
    finally:
        if owned:
            f.close()
    return (0, 0)


def _to_array(im: Image.Image, colour: str) -> np.ndarray:
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    if colour == "keep":
        if im.mode in ("L", "1", "I", "I;16", "F"):
            colour = "grey"
        else:
            colour = "rgba" if has_alpha else "rgb"
    if colour == "grey" and im.mode in ("I", "I;16", "F"):
        a = np.asarray(im, dtype=np.float64)
        hi = 65535.0 if im.mode == "I;16" else max(float(a.max()), 1.0)
        return np.clip(round_half_up(a * 255.0 / hi), 0, 255).astype(np.uint8)
    mode = {"grey": "L", "rgb": "RGB", "rgba": "RGBA"}[colour]
    return np.asarray(im.convert(mode), dtype=np.uint8).copy()


def encode_image(image, fmt: str = "png", *, mapping="clip") -> bytes:
    """Encode an image as PNG/JPEG/... bytes, in memory. Float results are
    mapped to uint8 with ``mapping`` first (see :func:`convolab.to_display`)."""
    fmt = choice("format", fmt.lower() if isinstance(fmt, str) else fmt, FORMATS)
    arr = _displayable(image, mapping)
    if FORMATS[fmt] == "JPEG" and arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[..., :3]  # JPEG has no alpha
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=FORMATS[fmt])
    return buf.getvalue()


def save_image(path, image, *, mapping="clip") -> Path:
    """Save an image; the format follows the extension (.png, .jpg, .webp, ...)."""
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise InvalidValue(
            "image_extension_unknown", path=str(path), allowed=["." + e for e in FORMATS]
        )
    if not path.parent.exists():
        raise InvalidValue("folder_missing", path=str(path.parent))
    path.write_bytes(encode_image(image, ext, mapping=mapping))
    return path


def _displayable(image, mapping) -> np.ndarray:
    choice("mapping", mapping, MAPPINGS)
    arr = as_image(image)
    if arr.dtype != np.uint8:
        arr = to_display(arr, mapping)
    return np.ascontiguousarray(arr)
