"""The IDX reader and the datasets, on tiny files written here."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from convolab.learn import data as D
from convolab.learn.data import DatasetError, load_dataset, load_digits, read_idx


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    a = np.asarray(array, dtype=np.uint8)
    magic = (0x0800 | a.ndim) if magic is None else magic
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in a.shape) + a.tobytes()


def write(path, payload: bytes, *, gz: bool = True):
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(payload))
    else:
        path.write_bytes(payload)
    return path


def make_folder(folder, n_train=12, n_test=6, *, gz=True, seed=0):
    rng = np.random.default_rng(seed)
    parts = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28)),
        "train_labels": rng.integers(0, 10, n_train),
        "test_images": rng.integers(0, 256, (n_test, 28, 28)),
        "test_labels": rng.integers(0, 10, n_test),
    }
    for key, stem in D.FILES.items():
        write(folder / stem, idx_bytes(parts[key]), gz=gz)
    return parts


@pytest.mark.parametrize("gz", [True, False])
def test_read_idx_reads_images_and_labels(tmp_path, gz):
    images = np.random.default_rng(1).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    labels = np.array([3, 1, 4], np.uint8)
    pi = write(tmp_path / "img", idx_bytes(images), gz=gz)
    pl = write(tmp_path / "lab", idx_bytes(labels), gz=gz)
    np.testing.assert_array_equal(read_idx(pi, expect="images"), images)
    np.testing.assert_array_equal(read_idx(pl, expect="labels"), labels)
    # the header layout of the real files: images at byte 16, labels at byte 8
    raw = idx_bytes(images)
    assert raw[:4] == b"\x00\x00\x08\x03" and len(raw) - images.size == 16
    assert len(idx_bytes(labels)) - labels.size == 8


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DatasetError, match="not found") as info:
        read_idx(tmp_path / "nope.gz")
    assert "nope.gz" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_wrong_magic_is_named(tmp_path):
    labels = write(tmp_path / "labels", idx_bytes(np.arange(5)))
    with pytest.raises(DatasetError) as info:
        read_idx(labels, expect="images")
    msg = str(info.value)
    assert "labels.gz" in msg and "wrong magic number 0x00000801" in msg and "0x00000803" in msg
    png = write(tmp_path / "photo.png", b"\x89PNG\r\n\x1a\n" + bytes(40), gz=False)
    with pytest.raises(DatasetError, match=r"photo\.png.*wrong magic number"):
        read_idx(png, expect="images")


def test_truncated_files_are_named(tmp_path):
    full = idx_bytes(np.zeros((4, 28, 28)))
    short = write(tmp_path / "short", full[:-100])
    with pytest.raises(DatasetError, match=r"short\.gz.*truncated.*3,136 bytes.*3,036"):
        read_idx(short, expect="images")
    header = write(tmp_path / "header", full[:10])
    with pytest.raises(DatasetError, match=r"header\.gz.*truncated.*header needs 16 bytes"):
        read_idx(header)
    tiny = write(tmp_path / "tiny", b"\x00\x00", gz=False)
    with pytest.raises(DatasetError, match="too short"):
        read_idx(tiny)
    # a gzip file cut in the middle
    cut = tmp_path / "cut.gz"
    cut.write_bytes(gzip.compress(full)[:30])
    with pytest.raises(DatasetError, match=r"cut\.gz.*damaged or truncated gzip"):
        read_idx(cut)


def test_extra_bytes_are_refused(tmp_path):
    p = write(tmp_path / "long", idx_bytes(np.zeros(5)) + b"xx")
    with pytest.raises(DatasetError, match="2 bytes more"):
        read_idx(p, expect="labels")


def test_bad_expect():
    with pytest.raises(ValueError, match="expect"):
        read_idx("x", expect="pictures")


@pytest.mark.parametrize("gz", [True, False])
def test_load_fashion_mnist_from_a_folder(tmp_path, gz):
    parts = make_folder(tmp_path, gz=gz)
    ds = D.load_fashion_mnist(tmp_path)
    assert ds.name == "fashion-mnist" and ds.path == str(tmp_path)
    np.testing.assert_array_equal(ds.x_train, parts["train_images"])
    np.testing.assert_array_equal(ds.y_test, parts["test_labels"])
    assert ds.classes_en[9] == "Ankle boot" and ds.classes_nl[1] == "Broek"
    assert ds.notice is None
    info = ds.info()
    assert info["train"] == 12 and info["test"] == 6 and info["image_size"] == [28, 28]


def test_the_folder_is_cached_but_changes_are_seen(tmp_path):
    make_folder(tmp_path, seed=1)
    a = D.load_fashion_mnist(tmp_path)
    b = D.load_fashion_mnist(tmp_path)
    assert np.shares_memory(a.x_train, b.x_train)  # read once, shared
    a.notice_en = "changed"
    assert b.notice_en is None  # but each call gets its own Dataset object
    parts = make_folder(tmp_path, n_train=7, seed=2)  # new files: sizes change
    c = D.load_fashion_mnist(tmp_path)
    np.testing.assert_array_equal(c.x_train, parts["train_images"])


def test_mismatched_counts_and_labels(tmp_path):
    make_folder(tmp_path)
    write(tmp_path / D.FILES["train_labels"], idx_bytes(np.zeros(5)))
    with pytest.raises(DatasetError, match="12 images but 5 labels"):
        D.load_fashion_mnist(tmp_path)
    write(tmp_path / D.FILES["train_labels"], idx_bytes(np.full(12, 11)))
    with pytest.raises(DatasetError, match="0..9"):
        D.load_fashion_mnist(tmp_path)


def test_a_folder_missing_one_file(tmp_path):
    make_folder(tmp_path)
    (tmp_path / (D.FILES["test_labels"] + ".gz")).unlink()
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.gz"):
        D.load_fashion_mnist(tmp_path)


def test_an_explicit_path_that_does_not_exist(tmp_path):
    with pytest.raises(DatasetError, match="path: the folder .* does not exist"):
        load_dataset("fashion-mnist", path=tmp_path / "nowhere")


def test_fallback_to_digits_with_a_notice(tmp_path, monkeypatch):
    monkeypatch.setenv(D.ENV_DIR, str(tmp_path / "absent"))
    ds = load_dataset("fashion-mnist")
    assert ds.name == "digits"
    assert "dataset-fashion-mnist" in ds.notice_en and "absent" in ds.notice_en
    assert "niet gevonden" in ds.notice_nl
    with pytest.raises(DatasetError):
        load_dataset("fashion-mnist", fallback=False)


def test_files_in_the_wrong_format_never_fall_back(tmp_path, monkeypatch):
    make_folder(tmp_path)
    write(tmp_path / D.FILES["train_images"], b"not an idx file at all")
    monkeypatch.setenv(D.ENV_DIR, str(tmp_path))
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.gz"):
        load_dataset("fashion-mnist")


def test_digits_are_28x28_uint8_and_split():
    ds = load_digits()
    assert ds.x_train.shape[1:] == (28, 28) and ds.x_train.dtype == np.uint8
    assert len(ds.y_train) + len(ds.y_test) == 1797
    assert len(ds.y_test) == 359
    assert set(np.unique(ds.y_train)) == set(range(10))
    assert ds.x_train.max() > 200  # scaled from 0..16 to 0..255
    assert ds.licence == "CC BY 4.0"


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        load_dataset("mnist")
