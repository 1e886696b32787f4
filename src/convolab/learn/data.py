"""Labelled images for the small CNN: Fashion-MNIST from Debian, or scikit-learn's digits.

Fashion-MNIST (Zalando Research, MIT licence): 60,000 training and 10,000 test photos of
clothes, 28 x 28 grey, 10 classes, in Debian's ``dataset-fashion-mnist`` package as standard
IDX files (``/usr/share/datasets/fashion-mnist``). Nothing is downloaded.

When those files are absent (and no path was asked for), :func:`load_dataset` falls back to
the 1,797 hand-written digits bundled with scikit-learn (8 x 8, CC BY 4.0), scaled up to
28 x 28 so the same network and drawing canvas work, and says so in ``Dataset.notice``.

The IDX format: a 4-byte magic number ``0x00 0x00 <type> <dims>`` (type 0x08 = unsigned
bytes; 3 dims for images, 1 for labels), then one big-endian uint32 size per dimension, then
the data. Images start at byte 16, labels at byte 8.
"""

from __future__ import annotations

import gzip
import os
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .._validate import choice
from ..display import round_half_up
from ..errors import InvalidValue

FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
#: environment variable that overrides the default Fashion-MNIST folder
ENV_DIR = "CONVOLAB_FASHION_MNIST"
DATASETS = ("fashion-mnist", "digits")
IMAGE_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (count, rows, cols)
LABEL_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (count)
FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
FASHION_CLASSES_EN = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
FASHION_CLASSES_NL = (
    "T-shirt/topje",
    "Broek",
    "Trui",
    "Jurk",
    "Jas",
    "Sandaal",
    "Hemd",
    "Sneaker",
    "Tas",
    "Enkellaars",
)
DIGIT_CLASSES = tuple(str(d) for d in range(10))


class DatasetError(InvalidValue):
    """A dataset file is missing or not what was expected (the message names the file).

    A :class:`~convolab.errors.ConvolabError`: ``code`` and ``params`` (strings and numbers
    only, so run events can carry them as JSON), worded from the nl/en catalogue."""


@dataclass
class Dataset:
    """Images (N x 28 x 28 uint8, light object on a dark background) with labels 0..9."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes_nl: tuple[str, ...]
    classes_en: tuple[str, ...]
    source: str
    licence: str
    notice_nl: str | None = None
    notice_en: str | None = None
    path: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def notice(self) -> str | None:
        return self.notice_en

    def classes(self, lang: str = "nl") -> tuple[str, ...]:
        return self.classes_en if lang == "en" else self.classes_nl

    def subset(self, train: int | None = None, test: int | None = None) -> Dataset:
        """The first ``train`` / ``test`` examples (for quick demos and tests)."""
        return Dataset(
            name=self.name,
            x_train=self.x_train[:train],
            y_train=self.y_train[:train],
            x_test=self.x_test[:test],
            y_test=self.y_test[:test],
            classes_nl=self.classes_nl,
            classes_en=self.classes_en,
            source=self.source,
            licence=self.licence,
            notice_nl=self.notice_nl,
            notice_en=self.notice_en,
            path=self.path,
        )

    def info(self) -> dict:
        return {
            "name": self.name,
            "train": int(len(self.y_train)),
            "test": int(len(self.y_test)),
            "image_size": list(self.x_train.shape[1:]),
            "classes_nl": list(self.classes_nl),
            "classes_en": list(self.classes_en),
            "source": self.source,
            "licence": self.licence,
            "notice_nl": self.notice_nl,
            "notice_en": self.notice_en,
        }


def read_idx(path, *, expect: str | None = None) -> np.ndarray:
    """Read one IDX file (plain or ``.gz``) of unsigned bytes into a numpy array.

    ``expect``: ``"images"`` (magic 2051, N x rows x cols) or ``"labels"`` (magic 2049, N).
    Every problem raises :class:`DatasetError` (a ``ValueError``) naming the file.
    """
    path = Path(path)
    if expect is not None:
        choice("expect", expect, ("images", "labels"))
    if not path.is_file():
        raise DatasetError("dataset_file_missing", path=str(path))
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError("dataset_gzip_damaged", path=str(path), detail=str(exc)) from None
    if len(raw) < 4:
        raise DatasetError("dataset_too_short", path=str(path), size=len(raw))
    magic = int.from_bytes(raw[:4], "big")
    wanted = {"images": IMAGE_MAGIC, "labels": LABEL_MAGIC}.get(expect or "")
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08 or not 1 <= raw[3] <= 4:
        raise DatasetError(
            "dataset_not_idx",
            path=str(path),
            magic=f"0x{magic:08x}",
            expected=f"0x{(wanted or IMAGE_MAGIC):08x}",
        )
    if wanted is not None and magic != wanted:
        raise DatasetError(
            "dataset_wrong_magic",
            path=str(path),
            magic=f"0x{magic:08x}",
            expected=f"0x{wanted:08x}",
            kind=expect,
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError("dataset_header_truncated", path=str(path), header=header, size=len(raw))
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    need = int(np.prod(shape, dtype=np.int64))
    have = len(raw) - header
    if have < need:
        raise DatasetError(
            "dataset_data_truncated", path=str(path), shape=_shape(shape), need=need, have=have
        )
    if have > need:
        raise DatasetError(
            "dataset_extra_bytes", path=str(path), extra=have - need, shape=_shape(shape)
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _shape(shape: tuple[int, ...]) -> str:
    return " x ".join(str(n) for n in shape)


def _find(folder: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    raise DatasetError(
        "dataset_file_not_in_folder",
        path=str(folder / (stem + ".gz")),
        files=[f + ".gz" for f in FILES.values()],
    )


def load_fashion_mnist(path=None) -> Dataset:
    """Fashion-MNIST from a folder of the four IDX files (default: Debian's location, or the
    folder in the ``CONVOLAB_FASHION_MNIST`` environment variable).

    The arrays are read once per folder and shared between calls (the files are checked for
    changes): treat them as read-only.
    """
    folder = Path(path) if path is not None else default_fashion_dir()
    if not folder.is_dir():
        raise DatasetError("dataset_folder_missing", path=str(folder))
    files = {key: _find(folder, stem) for key, stem in FILES.items()}
    stamp = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files.values())
    with _cache_lock:
        cached = _cache.get(str(folder))
        if cached is not None and cached[0] == stamp:
            return _copy_meta(cached[1])
    parts = {key: read_idx(f, expect=key.split("_")[1]) for key, f in files.items()}
    for split in ("train", "test"):
        images, labels = parts[f"{split}_images"], parts[f"{split}_labels"]
        if images.shape[0] != labels.shape[0]:
            raise DatasetError(
                "dataset_count_mismatch",
                split=split,
                images=int(images.shape[0]),
                labels=int(labels.shape[0]),
                path=str(folder),
            )
        if labels.size and labels.max() > 9:
            raise DatasetError("dataset_labels_range", split=split, path=str(folder))
    ds = Dataset(
        name="fashion-mnist",
        x_train=parts["train_images"],
        y_train=parts["train_labels"].astype(np.int64),
        x_test=parts["test_images"],
        y_test=parts["test_labels"].astype(np.int64),
        classes_nl=FASHION_CLASSES_NL,
        classes_en=FASHION_CLASSES_EN,
        source="Fashion-MNIST, Zalando Research (Debian package dataset-fashion-mnist)",
        licence="MIT",
        path=str(folder),
    )
    with _cache_lock:
        _cache.clear()  # one folder at a time: 55 MB is enough
        _cache[str(folder)] = (stamp, ds)
    return _copy_meta(ds)


_cache: dict[str, tuple[tuple, Dataset]] = {}
_cache_lock = threading.Lock()


def _copy_meta(ds: Dataset) -> Dataset:
    """A new Dataset object (notices may be set on it) sharing the arrays."""
    return ds.subset(None, None)


def default_fashion_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else FASHION_DIR


def fashion_available(path=None) -> bool:
    folder = Path(path) if path is not None else default_fashion_dir()
    return all((folder / (s + ".gz")).is_file() or (folder / s).is_file() for s in FILES.values())


DIGITS_TOTAL = 1797  # scikit-learn's bundled digits
DIGITS_TEST_FRACTION = 0.2


def _idx_count(path: Path) -> int:
    """The number of items an IDX file holds, read from its 8-byte header only."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        head = f.read(8)
    if len(head) < 8:
        raise DatasetError("dataset_header_truncated", path=str(path), header=8, size=len(head))
    return int.from_bytes(head[4:8], "big")


def available_sizes() -> dict:
    """Which dataset :func:`load_dataset` (default arguments) gives, and its sizes, without
    loading any images: ``{"name", "train", "test"}``. Pages use it to set their defaults
    and allowed ranges to the data that is really there (Fashion-MNIST or the digits)."""
    if fashion_available():
        folder = default_fashion_dir()
        counts = {}
        for part in ("train", "test"):
            stem = FILES[f"{part}_labels"]
            counts[part] = _idx_count(_find(folder, stem))
        return {"name": "fashion-mnist", **counts}
    n_test = int(round(DIGITS_TOTAL * DIGITS_TEST_FRACTION))
    return {"name": "digits", "train": DIGITS_TOTAL - n_test, "test": n_test}


def load_digits(test_fraction: float = DIGITS_TEST_FRACTION, seed: int = 0) -> Dataset:
    """scikit-learn's 1,797 digits (8 x 8, values 0..16), scaled up to 28 x 28 uint8."""
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    small = (d.images * (255.0 / 16.0)).astype(np.float32)
    big = np.stack([cv2.resize(im, (28, 28), interpolation=cv2.INTER_LINEAR) for im in small])
    x = np.clip(round_half_up(big), 0, 255).astype(np.uint8)
    y = d.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return Dataset(
        name="digits",
        x_train=x[train],
        y_train=y[train],
        x_test=x[test],
        y_test=y[test],
        classes_nl=DIGIT_CLASSES,
        classes_en=DIGIT_CLASSES,
        source="scikit-learn digits (UCI optical recognition of handwritten digits)",
        licence="CC BY 4.0",
    )


def load_dataset(name: str = "fashion-mnist", *, path=None, fallback: bool = True) -> Dataset:
    """A dataset by name: ``"fashion-mnist"`` or ``"digits"``.

    Fashion-MNIST whose default folder is missing falls back to the digits (``fallback``)
    with a notice in ``Dataset.notice_nl`` / ``notice_en``. A ``path`` that was asked for
    explicitly and does not exist, or files in the wrong format, always raise
    :class:`DatasetError`.
    """
    choice("dataset", name, DATASETS)
    if name == "digits":
        return load_digits()
    if path is None and fallback and not fashion_available():
        ds = load_digits()
        where = str(default_fashion_dir())
        ds.notice_nl = (
            f"Fashion-MNIST is niet gevonden in {where} (installeer het Debian-pakket "
            "dataset-fashion-mnist). We gebruiken nu de kleine set handgeschreven cijfers "
            "van scikit-learn."
        )
        ds.notice_en = (
            f"Fashion-MNIST was not found in {where} (install the Debian package "
            "dataset-fashion-mnist). Using scikit-learn's small set of hand-written digits."
        )
        return ds
    return load_fashion_mnist(path)
