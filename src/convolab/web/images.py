"""Uploaded images: decoded once, kept in memory (never on disk) as the working copy, bounded.

- ``STORE``: an LRU cache of working copies (``Working``: the RGB pixels at the page's working
  size, the original size and the file name) under a budget in bytes of pixel data
  (``CONVOLAB_IMAGE_CACHE_MB``, default 256). Ids are random and unguessable, so one pupil
  cannot ask for another pupil's photo. When the budget is full the least recently used copy
  goes; asking for it then answers 404 ``image_expired`` (the page uploads its file again).
- ``decode(data)``: the decode of an upload, with a pixel budget checked against the real
  data *before* anything is allocated: a file may claim at most ``FREE_PIXELS`` pixels, or
  ``PIXELS_PER_BYTE`` pixels per byte of file beyond that (a 629-byte file whose header says
  5000 x 5000 is refused, a real photo of that size is not; even a one-colour GIF, the most
  compressible image, stays under 1,300 pixels per byte). At most ``DECODE_SLOTS`` decodes run
  at once; the others wait their turn in their worker thread.
- ``compute_call(client, fn, ...)``: the explorer's maths in a small pool of its own
  (``COMPUTE_THREADS``, one per core; ``CONVOLAB_COMPUTE_THREADS``) behind a fair queue
  (``fair.FairQueue``: per client at most ``CONVOLAB_APPLY_PER_CLIENT`` applies held, a newer
  one supersedes the older waiting one, clients served round-robin): 30 pupils' applies
  queue instead of 30 threads fighting over two cores (and holding 30 requests' working
  memory at once), and one client firing many requests does not push the others back. The
  event loop only routes.
- ``tune_malloc()``: glibc's allocator tuned for this workload: blocks up to 32 MB (a 1024 x
  768 x 3 float64 result is 19 MB) are reused from the heap instead of being mapped, zeroed
  and unmapped on every request (about half the CPU time of an apply), and up to 128 MB of
  freed heap is kept before it is returned; larger blocks (a big photo being decoded) are
  mapped and go back to the system when freed. ``release_memory()`` returns all free heap
  memory at once (``malloc_trim``).
"""

from __future__ import annotations

import ctypes
import functools
import io
import os
import secrets
import threading
import warnings
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .errors import ApiError, from_core
from .fair import FairQueue, per_client_from_env

FREE_PIXELS = 2_000_000
PIXELS_PER_BYTE = 4_000
DECODE_SLOTS = 2
DEFAULT_CACHE_MB = 256

_decode_slots = threading.BoundedSemaphore(DECODE_SLOTS)


@dataclass(frozen=True)
class Working:
    """The working copy of one upload."""

    rgb: np.ndarray  # H x W x 3 uint8 (at most WORK_SIDE on the longest side)
    original: tuple[int, int]  # (rows, cols) of the file
    filename: str | None

    @functools.cached_property
    def grey(self) -> np.ndarray:
        """The greyscale working copy (made once, when first asked for)."""
        from PIL import Image

        return np.asarray(Image.fromarray(self.rgb).convert("L"))

    @property
    def nbytes(self) -> int:
        """The bytes it may hold: the RGB pixels and, once made, the grey ones."""
        return int(self.rgb.nbytes) * 4 // 3

    @property
    def resized(self) -> bool:
        return tuple(self.rgb.shape[:2]) != tuple(self.original)


class ImageStore:
    """A thread-safe LRU of working copies under a budget of ``max_bytes`` pixel bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = int(max_bytes)
        self._items: OrderedDict[str, Working] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, item: Working) -> str:
        if item.nbytes > self.max_bytes:
            raise ApiError.key(413, "image_too_large", "images.err_cache_full")
        image_id = secrets.token_urlsafe(12)
        with self._lock:
            self._items[image_id] = item
            self._bytes += item.nbytes
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes
        return image_id

    def get(self, image_id: str) -> Working:
        with self._lock:
            item = self._items.get(image_id)
            if item is not None:
                self._items.move_to_end(image_id)
        if item is None:
            raise ApiError.key(404, "image_expired", "images.err_expired")
        return item

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def used_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


def _cache_bytes() -> int:
    try:
        mb = float(os.environ.get("CONVOLAB_IMAGE_CACHE_MB", DEFAULT_CACHE_MB))
    except ValueError:
        mb = DEFAULT_CACHE_MB
    return max(1, int(mb * 1024 * 1024))


STORE = ImageStore(_cache_bytes())


def allowed_pixels(nbytes: int, max_pixels: int) -> int:
    """How many pixels a file of ``nbytes`` bytes may decode to."""
    return min(max_pixels, max(FREE_PIXELS, nbytes * PIXELS_PER_BYTE))


def check_density(data: bytes, max_pixels: int) -> None:
    """Read the size from the header only and refuse a file far smaller than it claims."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
    except Exception:  # not readable: the core's decode names the problem
        return
    if w * h <= max_pixels and w * h > allowed_pixels(len(data), max_pixels):
        raise ApiError.key(
            413,
            "image_too_dense",
            "images.err_dense",
            kb=max(1, round(len(data) / 1024)),
            width=w,
            height=h,
            mp=round(allowed_pixels(len(data), max_pixels) / 1_000_000, 1),
        )


def decode(fn, data: bytes, *args, max_pixels: int, **kwargs):
    """Run the decode ``fn(data, *args, max_pixels=..., **kwargs)`` after the density check,
    holding one of the ``DECODE_SLOTS`` (call it in a worker thread)."""
    check_density(data, max_pixels)
    with _decode_slots:
        return fn(data, *args, max_pixels=max_pixels, **kwargs)


def _compute_threads() -> int:
    try:
        n = int(os.environ.get("CONVOLAB_COMPUTE_THREADS", "0"))
    except ValueError:
        n = 0
    return n if n > 0 else max(1, min(4, os.cpu_count() or 2))


COMPUTE_THREADS = _compute_threads()
_compute_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def compute_pool() -> ThreadPoolExecutor:
    global _compute_pool
    with _pool_lock:
        if _compute_pool is None:
            _compute_pool = ThreadPoolExecutor(COMPUTE_THREADS, thread_name_prefix="convolab-apply")
        return _compute_pool


#: The fair queue in front of the compute pool (``fair.FairQueue``: per client at most
#: ``CONVOLAB_APPLY_PER_CLIENT`` applies held, clients served round-robin).
APPLY_QUEUE = FairQueue(compute_pool, COMPUTE_THREADS, per_client_from_env())


async def compute_call(client: str, fn, /, *args, **kwargs):
    """Like ``errors.core_call`` (core errors become ApiErrors in the one shape), but in the
    compute pool behind the fair queue (``APPLY_QUEUE``): the caller's coroutine waits, no
    thread of the loop's pool is held. Returns ``(result, ahead)``: ``ahead`` is how many
    applies of other clients were started while this one waited."""
    try:
        return await APPLY_QUEUE.call(client, functools.partial(fn, *args, **kwargs))
    except ApiError:
        raise
    except (ValueError, TypeError) as exc:
        raise from_core(exc) from exc
    except MemoryError as exc:
        raise ApiError.key(413, "too_large", "common.err_too_large") from exc


_malloc_tuned = False


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def tune_malloc() -> bool:
    """Set glibc's mmap threshold to 32 MB and its trim threshold to 128 MB (see above).
    Returns whether it could; a no-op without glibc. Called once by ``create_app``."""
    global _malloc_tuned
    if _malloc_tuned:
        return True
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    ok = libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)
    ok = ok and libc.mallopt(m_trim_threshold, 128 * 1024 * 1024)
    _malloc_tuned = bool(ok)
    return _malloc_tuned


def release_memory() -> None:
    """Give free heap memory back to the system now (``malloc_trim(0)``), e.g. after a
    training run ended."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
