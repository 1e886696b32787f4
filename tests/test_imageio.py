"""load_image / save_image / encode_image: round trips, and every kind of bad file."""

from __future__ import annotations

import gc
import io
import struct
import subprocess
import sys
import time
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

import convolab as cl

GREY = cl.sample("camera")[100:160, 200:280]
RGB = cl.sample("astronaut")[50:110, 150:230]
ALPHA = np.tile(np.linspace(0, 255, RGB.shape[1]).round().astype(np.uint8), (RGB.shape[0], 1))
RGBA = np.dstack([RGB, ALPHA])


def diff(a, b):
    return np.abs(a.astype(int) - b.astype(int)).mean()


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["png", "bmp", "tiff"])
def test_lossless_grey(fmt, tmp_path):
    back = cl.load_image(cl.encode_image(GREY, fmt))
    assert back.dtype == np.uint8 and back.shape == GREY.shape
    np.testing.assert_array_equal(back, GREY)
    path = cl.save_image(tmp_path / f"grey.{fmt}", GREY)
    np.testing.assert_array_equal(cl.load_image(path), GREY)
    np.testing.assert_array_equal(cl.load_image(str(path)), GREY)


@pytest.mark.parametrize("fmt", ["png", "bmp", "tiff"])
def test_lossless_rgb(fmt, tmp_path):
    np.testing.assert_array_equal(cl.load_image(cl.encode_image(RGB, fmt)), RGB)
    path = cl.save_image(tmp_path / f"rgb.{fmt.upper()}", RGB)  # extension case ignored
    np.testing.assert_array_equal(cl.load_image(path), RGB)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_lossless_rgba(fmt):
    back = cl.load_image(cl.encode_image(RGBA, fmt))
    assert back.shape == RGBA.shape
    np.testing.assert_array_equal(back, RGBA)


@pytest.mark.parametrize("fmt,ext", [("jpg", "jpg"), ("jpeg", "jpeg"), ("webp", "webp")])
def test_lossy_formats_are_close(fmt, ext, tmp_path):
    back = cl.load_image(cl.encode_image(RGB, fmt))
    assert back.shape == RGB.shape
    assert diff(back, RGB) < 8
    grey = cl.load_image(cl.save_image(tmp_path / f"g.{ext}", GREY), colour="grey")
    assert grey.shape == GREY.shape and diff(grey, GREY) < 4


def test_jpeg_drops_alpha_webp_keeps_it():
    assert cl.load_image(cl.encode_image(RGBA, "jpg")).shape == RGB.shape
    webp = cl.load_image(cl.encode_image(RGBA, "webp"))
    assert webp.shape == RGBA.shape
    assert diff(webp[..., 3], ALPHA) < 2


def test_gif_grey():
    """A GIF is a palette image: it loads as RGB with equal channels unless asked for grey."""
    back = cl.load_image(cl.encode_image(GREY, "gif"))
    assert back.shape == GREY.shape + (3,)
    for c in range(3):
        np.testing.assert_array_equal(back[..., c], GREY)
    np.testing.assert_array_equal(cl.load_image(cl.encode_image(GREY, "gif"), colour="grey"), GREY)


def test_gif_first_frame(tmp_path):
    a = np.full((12, 16), 40, np.uint8)
    b = np.full((12, 16), 200, np.uint8)
    a[3:6, 4:9] = 220
    path = tmp_path / "anim.gif"
    Image.fromarray(a).save(path, save_all=True, append_images=[Image.fromarray(b)], duration=50)
    np.testing.assert_array_equal(cl.load_image(path.read_bytes(), colour="grey"), a)
    np.testing.assert_array_equal(cl.load_image(path, colour="grey"), a)


def test_gif_rgb_with_few_colours():
    img = np.zeros((10, 12, 3), np.uint8)
    img[:5] = (255, 0, 0)
    img[5:, 6:] = (10, 200, 30)
    np.testing.assert_array_equal(cl.load_image(cl.encode_image(img, "gif")), img)


@pytest.mark.parametrize(
    "orientation,shape", [(1, (20, 40)), (3, (20, 40)), (6, (40, 20)), (8, (40, 20))]
)
def test_exif_orientation_is_applied(orientation, shape):
    """Phone photos (pupils photograph their drawings) store 'rotate me' in EXIF; browsers
    show them upright, so the filtered result must be upright too."""
    a = np.zeros((20, 40), np.uint8)
    a[:, :20] = 255  # white left half as stored
    im = Image.fromarray(a)
    exif = im.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes(), quality=95)
    got = cl.load_image(buf.getvalue())
    assert got.shape == shape
    want = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(buf.getvalue()))))
    np.testing.assert_array_equal(got, want)


def test_bytes_like_sources():
    data = cl.encode_image(RGB, "png")
    for src in (data, bytearray(data), memoryview(data)):
        np.testing.assert_array_equal(cl.load_image(src), RGB)


def test_colour_conversions():
    data = cl.encode_image(RGB, "png")
    grey = cl.load_image(data, colour="grey")
    want = np.asarray(Image.fromarray(RGB).convert("L"))
    np.testing.assert_array_equal(grey, want)
    rgba = cl.load_image(data, colour="rgba")
    assert rgba.shape == RGBA.shape and np.all(rgba[..., 3] == 255)
    g3 = cl.load_image(cl.encode_image(GREY, "png"), colour="rgb")
    assert g3.shape == GREY.shape + (3,)
    np.testing.assert_array_equal(g3[..., 1], GREY)
    no_alpha = cl.load_image(cl.encode_image(RGBA, "png"), colour="rgb")
    np.testing.assert_array_equal(no_alpha, RGB)


def test_sixteen_bit_grey_is_scaled():
    a = np.array([[0, 257 * 128, 65535]], dtype=np.uint16)
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    assert cl.load_image(buf.getvalue()).tolist() == [[0, 128, 255]]


def test_float_results_are_mapped(tmp_path):
    raw = cl.correlate(GREY, "sobel-x")
    for mapping in cl.MAPPINGS:
        path = cl.save_image(tmp_path / f"{mapping}.png", raw, mapping=mapping)
        np.testing.assert_array_equal(cl.load_image(path), cl.to_display(raw, mapping))


def test_save_returns_the_path(tmp_path):
    p = cl.save_image(str(tmp_path / "x.png"), GREY)
    assert isinstance(p, Path) and p.is_file()


# ---------------------------------------------------------------- file handles


def load_and_collect(*args, **kwargs):
    """Run load_image with every warning recorded; return (result or error, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = cl.load_image(*args, **kwargs)
        except ValueError as exc:
            result = exc
        gc.collect()
    return result, [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_no_file_left_open(tmp_path):
    png = cl.save_image(tmp_path / "a.png", RGB)
    gif = tmp_path / "anim.gif"
    Image.fromarray(GREY).save(gif, save_all=True, append_images=[Image.fromarray(GREY // 2)])
    for args, kwargs in [
        ((png,), {}),
        ((gif,), {}),  # animated: Pillow keeps the file open for the other frames
        ((png,), {"max_pixels": 10}),  # refused after reading the header
        ((png,), {"max_side": 10}),
    ]:
        result, leaks = load_and_collect(*args, **kwargs)
        assert not leaks, f"load_image{args}{kwargs} left a file open: {leaks[0].message}"


# ---------------------------------------------------------------- bad input


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [7100, 20_000, 100_000])
def test_decompression_bomb_refused_by_size(side):
    data = png_header_only(side, side)
    assert len(data) < 200
    t = time.perf_counter()
    with pytest.raises(ValueError) as info:
        cl.load_image(data)
    assert time.perf_counter() - t < 1.0
    msg = str(info.value)
    assert f"{side} x {side}" in msg and "50,000,000" in msg, msg  # size and limit named


@pytest.mark.parametrize("max_pixels", [None, 10**9])
def test_no_limit_still_refuses_bombs_with_a_clear_error(max_pixels):
    """Without convolab's limit, Pillow's own bomb check (179 MP) still fires: as a
    ValueError naming the size, not Pillow's DecompressionBombError."""
    with pytest.raises(ValueError, match="20000 x 20000"):
        cl.load_image(png_header_only(20_000, 20_000), max_pixels=max_pixels)


def test_pixel_limit_is_adjustable():
    data = cl.encode_image(GREY, "png")
    with pytest.raises(ValueError, match=r"80 x 60 = 4,800 pixels; the limit is 1,000 pixels"):
        cl.load_image(data, max_pixels=1000)
    assert cl.load_image(data, max_pixels=4800).shape == GREY.shape


def test_bomb_uses_no_memory():
    """In a fresh interpreter, refusing a 100000 x 100000 header raises the peak memory
    by less than 20 MB (decoding would need 10 GB)."""
    code = (
        "import resource, sys, convolab as cl\n"
        "data = sys.stdin.buffer.read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    cl.load_image(data)\n"
        "except ValueError:\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=png_header_only(100_000, 100_000),
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert int(out.stdout) < 20 * 1024  # ru_maxrss is in kB on Linux


def test_max_side():
    data = cl.encode_image(GREY, "png")
    with pytest.raises(ValueError, match=r"80 x 60 pixels; each side may be at most 64"):
        cl.load_image(data, max_side=64)
    assert cl.load_image(data, max_side=80).shape == GREY.shape


@pytest.mark.parametrize(
    "data,pattern",
    [
        (b"", "empty"),
        (b"hello, this is not an image", "not an image convolab can read"),
        (b"%PDF-1.4\n" + b"x" * 100, "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "not an image|damaged"),
    ],
)
def test_not_images(data, pattern):
    with pytest.raises(ValueError, match=pattern):
        cl.load_image(data)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_jpeg(cut):
    data = cl.encode_image(cl.sample("astronaut"), "jpg")
    with pytest.raises(ValueError, match="damaged or truncated"):
        cl.load_image(data[: int(len(data) * cut)])


def test_truncated_png():
    data = cl.encode_image(cl.sample("coffee"), "png")
    with pytest.raises(ValueError, match="damaged or truncated|not an image"):
        cl.load_image(data[: len(data) // 2])


def test_bad_paths_and_sources(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        cl.load_image(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="no such file"):
        cl.load_image(tmp_path)  # a folder
    text = tmp_path / "notes.png"
    text.write_text("not really a png")
    with pytest.raises(ValueError, match="not an image"):
        cl.load_image(text)
    for bad in (None, 42, [1, 2], np.zeros((3, 3))):
        with pytest.raises(TypeError, match="image source must be a path or bytes"):
            cl.load_image(bad)
    with pytest.raises(ValueError, match=r"unknown colour 'gray'.*Did you mean 'grey'"):
        cl.load_image(cl.encode_image(GREY, "png"), colour="gray")


def test_save_errors(tmp_path):
    with pytest.raises(ValueError, match=r"extension; allowed: \.png, \.jpg"):
        cl.save_image(tmp_path / "out.txt", GREY)
    with pytest.raises(ValueError, match="extension"):
        cl.save_image(tmp_path / "out", GREY)
    with pytest.raises(ValueError, match="does not exist"):
        cl.save_image(tmp_path / "nope" / "out.png", GREY)
    with pytest.raises(TypeError, match="image must be an array of pixels"):
        cl.save_image(tmp_path / "out.png", "camera.png")
    with pytest.raises(ValueError, match="image must be 2-D"):
        cl.save_image(tmp_path / "out.png", np.zeros(5))
    with pytest.raises(ValueError, match="unknown mapping"):
        cl.save_image(tmp_path / "out.png", GREY.astype(float), mapping="log")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_encode_errors():
    with pytest.raises(ValueError, match=r"unknown format 'pdf'"):
        cl.encode_image(GREY, "pdf")
    with pytest.raises(TypeError, match="format"):
        cl.encode_image(GREY, 5)
