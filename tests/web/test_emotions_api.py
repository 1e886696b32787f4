"""The emotions API: classes, drawings, export/import, photos and training, and the one error
shape (nl and en) for every bad input. A real app on its own SQLite data folder."""

from __future__ import annotations

import base64
import io
import json
import warnings
import zipfile

import cv2
import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", r"Using `httpx` with `starlette.testclient`", Warning)
    from fastapi.testclient import TestClient

from convolab.classes import starter_set
from convolab.classes.store import encode_png
from convolab.web.app import create_app

TEACHER_CODE = "TEACH234"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("CONVOLAB_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    mp.delenv("CONVOLAB_DATABASE_URL", raising=False)
    mp.setenv("CONVOLAB_TEACHER_CODE", TEACHER_CODE)
    yield
    mp.undo()


@pytest.fixture(scope="module")
def app(env):
    return create_app()


def client_for(app) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def teacher(app):
    with TestClient(app) as c:
        r = c.post("/leraar", data={"code": TEACHER_CODE}, follow_redirects=False)
        assert r.status_code in (302, 303)
        yield c


@pytest.fixture(scope="module")
def pupil(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def code(teacher):
    return teacher.post("/api/emotions/classes", json={}).json()["class"]["code"]


def faces(n=3, seed=0):
    x, y = starter_set(per_label=n, seed=seed)
    return x, [("blij", "verrast")[i] for i in y]


def check_error(r, status, code, *words_nl):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"ok", "status", "code", "error"}
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    for w in words_nl:
        assert w in body["error"], body["error"]
    return body["error"]


def both(client, method, url, status, code, nl_words=(), en_words=(), **kw):
    """The same bad request in Dutch and English: same status and code, a message in each."""
    sep = "&" if "?" in url else "?"
    nl = check_error(client.request(method, url, **kw), status, code, *nl_words)
    en = check_error(client.request(method, f"{url}{sep}lang=en", **kw), status, code, *en_words)
    assert nl != en
    return nl, en


def test_pages_in_both_languages(pupil):
    nl = pupil.get("/convolutie/emoties")
    en = pupil.get("/en/convolution/emotions")
    assert nl.status_code == en.status_code == 200
    assert "Leer een netwerk emoties herkennen" in nl.text
    assert "Teach a network to recognise emotions" in en.text
    # a pupil sees no teacher tools, the teacher does
    assert 'id="em-open"' not in nl.text


def test_the_starter_set_is_marked_as_generated(pupil):
    d = pupil.get("/api/emotions/starter").json()
    assert d["generated"] is True and d["labels"] == ["blij", "verrast"]
    assert len(d["drawings"]) == 200
    x, y = starter_set(per_label=100, seed=0)
    first = np.frombuffer(base64.b64decode(d["drawings"][0]["data"]), np.uint8).reshape(28, 28)
    np.testing.assert_array_equal(first, x[0])
    assert d["drawings"][0]["label"] == ("blij", "verrast")[y[0]]


def test_only_the_teacher_opens_a_class(pupil, teacher):
    both(pupil, "POST", "/api/emotions/classes", 403, "teacher_only", json={})
    r = teacher.post("/api/emotions/classes", json={"extra_label": "boos"})
    assert r.status_code == 201
    assert r.json()["class"]["labels"] == ["blij", "verrast", "boos"]
    assert r.json()["labels_en"] == ["happy", "surprised", "angry"]


def test_pupils_add_see_and_delete_their_own(app, teacher, code):
    x, labels = faces()
    with client_for(app) as ann, client_for(app) as ben:
        r = ann.post(
            f"/api/emotions/classes/{code.lower()}/drawings",
            json={"label": labels[0], "pixels": x[0].ravel().tolist()},
        )
        assert r.status_code == 201
        a = r.json()["id"]
        b = ben.post(
            f"/api/emotions/classes/{code}/drawings",
            json={"label": labels[1], "pixels": x[1].tolist()},
        ).json()["id"]
        seen = ann.get(f"/api/emotions/classes/{code}").json()
        assert [(d["id"], d["mine"]) for d in seen["drawings"]] == [(a, True), (b, False)]
        got = np.frombuffer(base64.b64decode(seen["drawings"][1]["data"]), np.uint8)
        np.testing.assert_array_equal(got.reshape(28, 28), x[1])
        png = ann.get(f"/api/emotions/drawings/{code}-{b}.png")
        assert png.headers["content-type"] == "image/png"
        np.testing.assert_array_equal(
            cv2.imdecode(np.frombuffer(png.content, np.uint8), cv2.IMREAD_GRAYSCALE), x[1]
        )
        both(
            ann, "DELETE", f"/api/emotions/classes/{code}/drawings/{b}", 403, "not_yours",
            ("eigen tekeningen",), ("your own drawings",),
        )  # fmt: skip
        assert ann.delete(f"/api/emotions/classes/{code}/drawings/{a}").status_code == 200
        both(ann, "DELETE", f"/api/emotions/classes/{code}/drawings", 403, "teacher_only")
    assert teacher.delete(f"/api/emotions/classes/{code}/drawings/{b}").status_code == 200
    assert teacher.get(f"/api/emotions/classes/{code}").json()["class"]["count"] == 0


def test_bad_class_codes(pupil):
    both(pupil, "GET", "/api/emotions/classes/AB", 400, "bad_code", ("6 letters",), ("6 letters",))
    both(pupil, "GET", "/api/emotions/classes/ABC0EF", 400, "bad_code", ("geen 0",), ("no 0",))
    both(
        pupil, "GET", "/api/emotions/classes/ZZZZZZ", 404, "unknown_class",
        ("geen klas met code ZZZZZZ",), ("no class with code ZZZZZZ",),
    )  # fmt: skip
    x, _ = faces(1)
    both(
        pupil, "POST", "/api/emotions/classes/ZZZZZZ/drawings", 404, "unknown_class",
        json={"label": "blij", "pixels": x[0].tolist()},
    )  # fmt: skip
    both(pupil, "POST", "/api/emotions/runs", 404, "unknown_class", json={"class_code": "ZZZZZZ"})
    both(pupil, "GET", "/api/emotions/drawings/ZZZZZZ-1.png", 404, "unknown_drawing")
    both(pupil, "GET", "/api/emotions/drawings/starter-999.png", 404, "unknown_drawing")


def test_bad_drawings(pupil, code):
    url = f"/api/emotions/classes/{code}/drawings"
    x, _ = faces(1)
    px = x[0].ravel().tolist()
    both(
        pupil, "POST", url, 400, "unknown_label", ("bang", "blij, verrast"),
        ("bang", "blij, verrast"), json={"label": "bang", "pixels": px},
    )  # fmt: skip
    both(pupil, "POST", url, 400, "unknown_label", json={"label": None, "pixels": px})
    # too many values: named (the app's request guard refuses lists over 4096 items first)
    both(
        pupil, "POST", url, 400, "bad_pixels", ("784", "1000"), ("784", "1000"),
        json={"label": "blij", "pixels": [0] * 1000},
    )  # fmt: skip
    both(pupil, "POST", url, 400, "too_many_items", json={"label": "blij", "pixels": [0] * 100_000})
    for bad in ([1, 2, 3], [300] * 784, "a picture", [[1, 2], [3]], None):
        both(
            pupil, "POST", url, 400, "bad_pixels", ("28 bij 28",), ("28 by 28",),
            json={"label": "blij", "pixels": bad},
        )  # fmt: skip
    both(pupil, "POST", url, 422, "invalid_request", json={"label": "blij", "pixels": px, "x": 1})
    both(pupil, "DELETE", f"{url}/abc", 400, "bad_id")
    both(pupil, "DELETE", f"{url}/99999", 404, "unknown_drawing")
    assert pupil.get(f"/api/emotions/classes/{code}").json()["class"]["count"] == 0


def test_labels(teacher, pupil, code):
    url = f"/api/emotions/classes/{code}/labels"
    both(pupil, "POST", url, 403, "teacher_only", json={"label": "boos"})
    both(teacher, "POST", url, 400, "bad_label", ("1 tot 20 letters",), json={"label": "b00s"})
    both(teacher, "POST", url, 400, "label_exists", ("blij",), json={"label": "blij"})
    assert teacher.post(url, json={"label": "Boos"}).json()["class"]["labels"][-1] == "boos"
    both(teacher, "POST", url, 400, "too_many_labels", ("hoogstens 3",), json={"label": "bang"})


def test_export_and_import(teacher, pupil, code):
    x, labels = faces(2)
    for px, lab in zip(x, labels, strict=True):
        pupil.post(
            f"/api/emotions/classes/{code}/drawings", json={"label": lab, "pixels": px.tolist()}
        )
    both(pupil, "GET", f"/api/emotions/classes/{code}/export", 403, "teacher_only")
    r = teacher.get(f"/api/emotions/classes/{code}/export")
    assert r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert len(z.namelist()) == len(x) + 1
    target = teacher.post("/api/emotions/classes", json={}).json()["class"]["code"]
    both(
        pupil,
        "POST",
        f"/api/emotions/classes/{target}/import",
        403,
        "teacher_only",
        content=r.content,
    )
    d = teacher.post(f"/api/emotions/classes/{target}/import", content=r.content).json()
    assert d["added"] == len(x)
    got = teacher.get(f"/api/emotions/classes/{target}").json()["drawings"]
    assert [g["label"] for g in got] == labels
    for g, px in zip(got, x, strict=True):
        np.testing.assert_array_equal(
            np.frombuffer(base64.b64decode(g["data"]), np.uint8).reshape(28, 28), px
        )


def _zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_bad_imports(teacher, code):
    url = f"/api/emotions/classes/{code}/import"
    x, _ = faces(1)
    good = encode_png(x[0])
    both(teacher, "POST", url, 400, "bad_zip", ("labels.csv",), ("labels.csv",), content=b"nope")
    both(
        teacher, "POST", url, 400, "unknown_label", ("boos",), ("boos",),
        content=_zip({"a.png": good, "labels.csv": b"file,label\na.png,boos\n"}),
    )  # fmt: skip
    both(
        teacher, "POST", url, 400, "not_image", ("a.png", "geen afbeelding"), ("not an image",),
        content=_zip({"a.png": b"GIF89a?", "labels.csv": b"file,label\na.png,blij\n"}),
    )  # fmt: skip
    big = encode_png(np.zeros((64, 64), np.uint8))
    both(
        teacher, "POST", url, 400, "bad_size", ("64 bij 64",), ("64 by 64",),
        content=_zip({"a.png": big, "labels.csv": b"file,label\na.png,blij\n"}),
    )  # fmt: skip
    both(teacher, "POST", url, 413, "zip_too_big", content=b"x" * (13 * 1024 * 1024))
    assert teacher.get(f"/api/emotions/classes/{code}").json()["class"]["count"] == 0


def test_a_photo_becomes_grid_pixels_and_is_not_stored(pupil, code):
    paper = np.full((300, 400, 3), 235, np.uint8)
    cv2.circle(paper, (200, 150), 100, (30, 30, 30), 6)
    cv2.circle(paper, (165, 120), 10, (30, 30, 30), -1)
    cv2.circle(paper, (235, 120), 10, (30, 30, 30), -1)
    ok, jpg = cv2.imencode(".jpg", paper)
    data = "data:image/jpeg;base64," + base64.b64encode(jpg.tobytes()).decode()
    before = pupil.get(f"/api/emotions/classes/{code}").json()["class"]["count"]
    r = pupil.post("/api/emotions/photo", json={"data": data})
    assert r.json()["cut"] == "ink"  # no printed paper grid in this photo
    px = np.array(r.json()["pixels"], dtype=np.uint8).reshape(28, 28)
    # the face fills the grid: light ring near the border, dark (paper) in between
    assert px[14, 0:3].max() > 100 and px[14, 25:28].max() > 100
    assert px[20, 10:18].max() < 60
    assert pupil.get(f"/api/emotions/classes/{code}").json()["class"]["count"] == before
    both(pupil, "POST", "/api/emotions/photo", 400, "not_image", json={"data": "bm90IGFuIGltYWdl"})
    both(pupil, "POST", "/api/emotions/photo", 400, "not_image", json={"data": "%%%"})
    huge = "A" * (14 * 1024 * 1024)
    both(pupil, "POST", "/api/emotions/photo", 413, "photo_too_big", json={"data": huge})


def test_a_photo_of_a_paper_grid_is_cut_to_the_grid(pupil):
    cells = np.zeros((28, 28), bool)
    cells[6:9, 8:11] = cells[6:9, 17:20] = cells[19:21, 7:21] = True  # eyes and a mouth
    c = 18
    paper = np.full((28 * c + 100, 28 * c + 100), 230, np.uint8)
    for r, k in zip(*np.nonzero(cells), strict=True):
        paper[50 + r * c : 50 + (r + 1) * c, 50 + k * c : 50 + (k + 1) * c] = 50
    for i in range(29):
        cv2.line(paper, (50, 50 + i * c), (50 + 28 * c, 50 + i * c), 150, 2)
        cv2.line(paper, (50 + i * c, 50), (50 + i * c, 50 + 28 * c), 150, 2)
    ok, png = cv2.imencode(".png", paper)
    r = pupil.post("/api/emotions/photo", json={"data": base64.b64encode(png.tobytes()).decode()})
    assert r.status_code == 200 and r.json()["cut"] == "grid"
    px = np.array(r.json()["pixels"], dtype=np.uint8).reshape(28, 28)
    assert np.array_equal(px >= 128, cells)


def test_training_needs_enough_drawings_of_every_label(teacher, pupil, code):
    x, labels = faces(6)
    for px, lab in zip(x, labels, strict=True):
        if lab == "blij":
            pupil.post(
                f"/api/emotions/classes/{code}/drawings", json={"label": lab, "pixels": px.tolist()}
            )
    both(
        pupil, "POST", "/api/emotions/runs", 400, "not_enough_drawings",
        ("minstens 5", "verrast (0)"), ("at least 5", "verrast (0)"), json={"class_code": code},
    )  # fmt: skip
    both(pupil, "POST", "/api/emotions/runs", 422, "invalid_request", json={"epochs": 0})


def _events(client, url, until):
    out = []
    with client.stream("GET", url) as s:
        for line in s.iter_lines():
            if line.startswith("data:"):
                out.append(json.loads(line[5:]))
                if until(out[-1]):
                    return out
    return out


def test_training_on_a_class_and_guessing(pupil, code):
    x, labels = faces(6, seed=4)
    ids = [
        pupil.post(
            f"/api/emotions/classes/{code}/drawings", json={"label": lab, "pixels": px.tolist()}
        ).json()["id"]
        for px, lab in zip(x, labels, strict=True)
    ]
    r = pupil.post("/api/emotions/runs", json={"class_code": code, "epochs": 2})
    assert r.status_code == 201
    run = r.json()["run"]["id"]
    # A stream that connects after the run started sees a snapshot instead of "init" (the
    # run computes from its creation on): read until the run has finished and one of them came.
    seen = {"end": False, "info": False}

    def until(e):
        seen["end"] = seen["end"] or e.get("status") in ("finished", "error")
        seen["info"] = seen["info"] or e["type"] in ("init", "snapshot")
        return seen["end"] and seen["info"]

    events = _events(pupil, r.json()["events"], until)
    # the last status: from a status event, or from the snapshot of a stream that connected
    # after the (small) run had already finished
    statuses = [
        e["status"] for e in events if e["type"] in ("status", "snapshot") and "status" in e
    ]
    assert statuses[-1] == "finished"
    init = next(e for e in events if e["type"] in ("init", "snapshot"))
    assert init["dataset"]["source"] == "class"
    assert init["dataset"]["train"] == 10 and init["dataset"]["test"] == 2
    assert set(init["test_ids"]) <= set(ids)
    evaluations = [
        e["evaluation"]
        for e in events
        if e["type"] == "evaluation" or (e["type"] == "snapshot" and e.get("evaluation"))
    ]
    ev = evaluations[-1]
    assert ev["total"] == 2 and sum(map(sum, ev["confusion"])) == 2
    assert [p["total"] for p in ev["per_label"]] == [1, 1]
    assert ev["mistakes_total"] == len(ev["mistakes"]) == 2 - ev["correct"]
    g = pupil.post(f"/api/emotions/runs/{run}/predict", json={"pixels": x[0].tolist()}).json()
    assert {p["label"] for p in g["predictions"]} == {"blij", "verrast"}
    assert abs(sum(p["p"] for p in g["predictions"]) - 1) < 1e-6
    assert g["maps"]["conv1"]["shape"] == [8, 26, 26] and g["maps"]["pool2"]["shape"] == [16, 5, 5]
    both(
        pupil, "POST", f"/api/emotions/runs/{run}/predict", 400, "bad_pixels",
        json={"pixels": [1] * 2000},
    )  # fmt: skip
    both(pupil, "POST", "/api/emotions/runs/nope/predict", 404, "run_not_found", json={})
    pupil.delete(f"/api/emotions/runs/{run}")
