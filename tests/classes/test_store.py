"""The class store against SQLite (a file) and a real PostgreSQL server."""

from __future__ import annotations

import io
import threading
import zipfile

import numpy as np
import pytest
from _postgres import postgres_url  # noqa: F401

from convolab.classes import (
    ClassNotFound,
    ClassStore,
    ClassStoreError,
    DrawingNotFound,
    NotYours,
    data_dir,
    default_url,
    normalise_code,
    starter_set,
)
from convolab.classes import store as store_module

ANN = "a" * 20
BEN = "b" * 20


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'convolab.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(url):
    s = ClassStore(url)
    yield s
    s.close()


def faces(n=4, seed=0):
    x, y = starter_set(per_label=n, seed=seed)
    return x, [("blij", "verrast")[i] for i in y]


def test_paths_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CONVOLAB_DATABASE_URL", raising=False)
    monkeypatch.setenv("CONVOLAB_DATA_DIR", str(tmp_path / "d"))
    assert data_dir() == tmp_path / "d"
    assert default_url() == f"sqlite:///{tmp_path / 'd' / 'convolab.sqlite3'}"
    monkeypatch.delenv("CONVOLAB_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "x"))
    assert data_dir() == tmp_path / "x" / "convolab"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert data_dir() == tmp_path / "h" / ".local" / "share" / "convolab"
    monkeypatch.setenv("CONVOLAB_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert default_url() == "postgresql+psycopg://u@h/db"


def test_codes_are_normalised_and_checked():
    assert normalise_code(" ab-c23d ") == "ABC23D"
    for bad in ("", "ABC", "ABCDEFG", "ABC0DE", "ABCIDE", 12):
        with pytest.raises(ClassStoreError) as e:
            normalise_code(bad)
        assert e.value.code == "bad_code"


def test_a_class_and_its_drawings(store):
    info = store.create_class()
    assert info.labels == ("blij", "verrast") and info.count == 0
    x, labels = faces()
    ids = [
        store.add_drawing(info.code.lower(), lab, px, ANN)
        for px, lab in zip(x, labels, strict=True)
    ]
    assert len(set(ids)) == len(ids)
    got = store.drawings(info.code)
    assert [d.id for d in got] == ids
    for d, px, lab in zip(got, x, labels, strict=True):
        assert d.label == lab and d.owner == ANN
        np.testing.assert_array_equal(d.pixels(), px)
    assert store.get_class(info.code).counts == {"blij": 4, "verrast": 4}
    # a flat list of 784 numbers works as well
    i = store.add_drawing(info.code, "blij", x[0].ravel().tolist(), BEN)
    np.testing.assert_array_equal(store.drawing(info.code, i).pixels(), x[0])
    other = store.create_class()
    assert other.code != info.code and store.drawings(other.code) == []


def test_bad_drawings_are_refused(store):
    code = store.create_class().code
    x, _ = faces(1)
    cases = [
        ("blij", np.zeros((27, 28)), "bad_pixels"),
        ("blij", np.full((28, 28), 256), "bad_pixels"),
        ("blij", np.full((28, 28), np.nan), "bad_pixels"),
        ("blij", "not pixels", "bad_pixels"),
        ("boos", x[0], "unknown_label"),
        (3, x[0], "unknown_label"),
    ]
    for label, px, code_ in cases:
        with pytest.raises(ClassStoreError) as e:
            store.add_drawing(code, label, px, ANN)
        assert e.value.code == code_
    with pytest.raises(ClassStoreError) as e:
        store.add_drawing(code, "blij", x[0], "short")
    assert e.value.code == "bad_owner"
    with pytest.raises(ClassNotFound):
        store.add_drawing("ZZZZZZ", "blij", x[0], ANN)
    assert store.get_class(code).count == 0


def test_one_more_label(store):
    code = store.create_class().code
    info = store.add_label(code, "  Boos ")
    assert info.labels == ("blij", "verrast", "boos")
    x, _ = faces(1)
    store.add_drawing(code, "boos", x[0], ANN)
    with pytest.raises(ClassStoreError) as e:
        store.add_label(code, "bang")
    assert e.value.code == "too_many_labels"
    other = store.create_class().code
    for bad, why in (("blij", "label_exists"), ("", "bad_label"), ("a1", "bad_label")):
        with pytest.raises(ClassStoreError) as e:
            store.add_label(other, bad)
        assert e.value.code == why


def test_who_may_delete(store):
    code = store.create_class().code
    x, labels = faces(2)
    a = store.add_drawing(code, labels[0], x[0], ANN)
    b = store.add_drawing(code, labels[1], x[1], BEN)
    with pytest.raises(NotYours):
        store.delete_drawing(code, b, owner=ANN)
    with pytest.raises(NotYours):
        store.delete_drawing(code, b, owner=None)
    store.delete_drawing(code, a, owner=ANN)
    with pytest.raises(DrawingNotFound):
        store.delete_drawing(code, a, owner=ANN)
    store.delete_drawing(code, b, owner=None, teacher=True)
    assert store.drawings(code) == []
    for px, lab in zip(x, labels, strict=True):
        store.add_drawing(code, lab, px, BEN)
    assert store.delete_all(code) == len(x)
    assert store.get_class(code).count == 0


def test_export_and_import_keep_every_pixel(store):
    code = store.create_class().code
    store.add_label(code, "boos")
    x, labels = faces(3)
    for px, lab in zip(x, labels, strict=True):
        store.add_drawing(code, lab, px, ANN)
    data = store.export_zip(code)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        rows = z.read("labels.csv").decode().splitlines()
    assert "labels.csv" in names and len(names) == len(x) + 1
    assert rows[0] == "file,label" and len(rows) == len(x) + 1
    target = store.create_class().code
    assert store.import_zip(target, data, BEN) == len(x)
    got = store.drawings(target)
    assert [d.label for d in got] == labels
    for d, px in zip(got, x, strict=True):
        np.testing.assert_array_equal(d.pixels(), px)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_bad_imports_add_nothing(store):
    code = store.create_class().code
    x, _ = faces(1)
    good = store_module.encode_png(x[0])
    big = store_module.encode_png(np.zeros((40, 40), np.uint8))
    cases = {
        "bad_zip": [b"not a zip", _zip({"a.png": good}), _zip({"labels.csv": b"x,y\n"})],
        "unknown_label": [
            _zip(
                {
                    "a.png": good,
                    "b.png": good,
                    "labels.csv": b"file,label\na.png,blij\nb.png,boos\n",
                }
            )
        ],
        "not_image": [_zip({"a.png": b"hello", "labels.csv": b"file,label\na.png,blij\n"})],
        "bad_size": [_zip({"a.png": big, "labels.csv": b"file,label\na.png,blij\n"})],
    }
    for why, datas in cases.items():
        for data in datas:
            with pytest.raises(ClassStoreError) as e:
                store.import_zip(code, data, ANN)
            assert e.value.code == why, (why, e.value)
    assert store.get_class(code).count == 0


def test_a_full_class_refuses_more(store, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_DRAWINGS", 3)
    code = store.create_class().code
    x, labels = faces(2)
    for px, lab in list(zip(x, labels, strict=True))[:3]:
        store.add_drawing(code, lab, px, ANN)
    with pytest.raises(ClassStoreError) as e:
        store.add_drawing(code, "blij", x[0], ANN)
    assert e.value.code == "class_full" and e.value.status == 409
    with pytest.raises(ClassStoreError) as e:
        store.import_zip(code, store.export_zip(code), ANN)
    assert e.value.code == "class_full"
    assert store.get_class(code).count == 3


def test_it_survives_a_restart(url):
    a = ClassStore(url)
    code = a.create_class().code
    x, labels = faces(1)
    a.add_drawing(code, labels[0], x[0], ANN)
    a.close()
    b = ClassStore(url)
    try:
        (d,) = b.drawings(code)
        np.testing.assert_array_equal(d.pixels(), x[0])
    finally:
        b.close()


def test_threads_lose_nothing(store):
    """12 threads add 10 drawings each at the same moment (the live-server test does 30 x 20)."""
    code = store.create_class().code
    x, _ = faces(1)
    start = threading.Barrier(12)
    errors = []

    def pupil(n):
        owner = f"pupil{n:02d}" + "x" * 12
        try:
            start.wait()
            for _ in range(10):
                store.add_drawing(code, "blij", x[0], owner)
        except Exception as exc:  # collected and shown below
            errors.append(exc)

    threads = [threading.Thread(target=pupil, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert store.get_class(code).count == 120
