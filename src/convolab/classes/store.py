"""A class's drawings, stored for real: SQLite by default, any SQLAlchemy database URL.

What is stored, and nothing else:

- a class: a short code (made when a teacher opens the class), its labels (``blij``,
  ``verrast`` and at most one more the teacher adds) and when it was made;
- a drawing: its class, its label, its grey pixels (GRID x GRID) as PNG bytes, the random
  owner token of the browser that added it (a cookie, no name, no account) and when.

Where: the URL in ``CONVOLAB_DATABASE_URL`` (e.g. ``postgresql+psycopg://user@host/db``);
otherwise the SQLite file ``convolab.sqlite3`` in the data folder: ``CONVOLAB_DATA_DIR`` if set,
else ``$XDG_DATA_HOME/convolab``, else ``~/.local/share/convolab`` (see :func:`default_url`).

:class:`ClassStore` is thread-safe (one engine with a pool; SQLite writes take a lock and wait
for the file instead of failing). Every method blocks: a web app calls it off its event loop.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
import secrets
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import sqlalchemy as sa

from ..display import round_half_up
from .errors import ClassFull, ClassNotFound, ClassStoreError, DrawingNotFound, NotYours

GRID = 28  #: drawings are GRID x GRID grey pixels (the size the small network takes)
DEFAULT_LABELS = ("blij", "verrast")
MAX_LABELS = 3
MAX_DRAWINGS = 2000  #: per class
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I: easy to read aloud
CODE_LENGTH = 6
FILE_NAME = "convolab.sqlite3"
ENV_URL = "CONVOLAB_DATABASE_URL"
ENV_DIR = "CONVOLAB_DATA_DIR"
MAX_PNG_BYTES = 256 * 1024  #: one drawing's PNG in an import
MAX_ZIP_FILES = MAX_DRAWINGS + 1
MAX_ZIP_BYTES = 64 * 1024 * 1024  #: all files of an import together, unpacked

_LABEL_RE = re.compile(r"[^\W\d_]+(?:[ -][^\W\d_]+)*")
_OWNER_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_PNG_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,80}\.png")

metadata = sa.MetaData()
classes_table = sa.Table(
    "convolab_classes",
    metadata,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("labels", sa.Text, nullable=False),  # JSON list of strings
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)
drawings_table = sa.Table(
    "convolab_drawings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "class_code",
        sa.String(CODE_LENGTH),
        sa.ForeignKey("convolab_classes.code", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("label", sa.String(40), nullable=False),
    sa.Column("png", sa.LargeBinary, nullable=False),
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False),
)


def data_dir() -> Path:
    """The data folder: ``$CONVOLAB_DATA_DIR``, else ``$XDG_DATA_HOME/convolab``, else
    ``~/.local/share/convolab``."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    if os.environ.get("XDG_DATA_HOME"):
        return Path(os.environ["XDG_DATA_HOME"]).expanduser() / "convolab"
    return Path.home() / ".local" / "share" / "convolab"


def default_url() -> str:
    """``$CONVOLAB_DATABASE_URL``, else SQLite in ``data_dir() / "convolab.sqlite3"``."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / FILE_NAME}"


def where_stored(url: str | None = None) -> str:
    """Where the drawings are kept, for people to read: the SQLite file's path, else the
    database URL without its password (``url``: default :func:`default_url`). A text that is
    no database URL raises :class:`ValueError` naming the setting."""
    try:
        u = sa.engine.make_url(url or default_url())
    except sa.exc.ArgumentError:
        raise ValueError(
            f"{ENV_URL} must be a database URL such as sqlite:///path/to/file.sqlite3 or "
            f"postgresql+psycopg://user@host/name; got {(url or default_url())[:80]!r}"
        ) from None
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        return str(Path(u.database))
    return u.render_as_string(hide_password=True)


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


def normalise_code(code) -> str:
    """``" ab-c23d "`` -> ``"ABC23D"``; a code that cannot be one raises ``bad_code``."""
    if not isinstance(code, str):
        raise ClassStoreError(
            "bad_code", f"class code must be text; got {type(code).__name__}", length=CODE_LENGTH
        )
    clean = re.sub(r"[\s-]", "", code).upper()
    if len(clean) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in clean):
        raise ClassStoreError(
            "bad_code",
            f"class code must be {CODE_LENGTH} letters and digits (no 0, O, 1 or I); "
            f"got {code[:20]!r}",
            length=CODE_LENGTH,
        )
    return clean


def check_label(label) -> str:
    """A label a teacher may add: 1..20 letters (spaces or hyphens between words), lower case."""
    if not isinstance(label, str):
        raise ClassStoreError("bad_label", "label must be text", max=20)
    clean = " ".join(label.split()).lower()
    if not 1 <= len(clean) <= 20 or not _LABEL_RE.fullmatch(clean):
        raise ClassStoreError(
            "bad_label",
            f"label must be 1 to 20 letters (a space or hyphen between words); got {label[:30]!r}",
            max=20,
        )
    return clean


def check_owner(owner) -> str:
    if not isinstance(owner, str) or not _OWNER_RE.fullmatch(owner):
        raise ClassStoreError("bad_owner", "owner must be a random token of 16 to 64 characters")
    return owner


def check_pixels(pixels) -> np.ndarray:
    """GRID x GRID grey values 0..255 (a nested list, a flat list of GRID*GRID, or an array)
    -> uint8 array. Anything else raises ``bad_pixels`` naming the shape or value."""
    try:
        a = np.asarray(pixels, dtype=np.float64)
    except (TypeError, ValueError):
        raise ClassStoreError(
            "bad_pixels", f"pixels must be {GRID * GRID} numbers 0..255", grid=GRID
        ) from None
    if a.ndim == 1 and a.size == GRID * GRID:
        a = a.reshape(GRID, GRID)
    if a.shape != (GRID, GRID):
        raise ClassStoreError(
            "bad_pixels",
            f"pixels must be {GRID} x {GRID} grey values; got shape {list(a.shape)}",
            grid=GRID,
        )
    if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 255:
        raise ClassStoreError(
            "bad_pixels", "pixels must be grey values 0..255 (finite numbers)", grid=GRID
        )
    return round_half_up(a).astype(np.uint8)  # the one rounding rule: 127.5 -> 128


def encode_png(pixels: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", np.ascontiguousarray(pixels, dtype=np.uint8))
    if not ok:  # pragma: no cover - OpenCV always encodes a 2-D uint8 array
        raise RuntimeError("PNG encoding failed")
    return buf.tobytes()


def decode_png(data: bytes, what: str = "drawing") -> np.ndarray:
    """PNG (or other image) bytes -> GRID x GRID uint8 grey. Another size is refused."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ClassStoreError("not_image", f"{what} is not an image", name=what)
    if len(data) > MAX_PNG_BYTES:
        raise ClassStoreError(
            "image_too_big",
            f"{what} is {len(data)} bytes; at most {MAX_PNG_BYTES} bytes",
            name=what,
            max_kb=MAX_PNG_BYTES // 1024,
        )
    img = cv2.imdecode(np.frombuffer(bytes(data), np.uint8), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise ClassStoreError("not_image", f"{what} is not an image (PNG expected)", name=what)
    if img.shape != (GRID, GRID):
        raise ClassStoreError(
            "bad_size",
            f"{what} must be {GRID} x {GRID} pixels; got {img.shape[1]} x {img.shape[0]}",
            name=what,
            grid=GRID,
            width=int(img.shape[1]),
            height=int(img.shape[0]),
        )
    return img


@dataclass(frozen=True)
class ClassInfo:
    code: str
    labels: tuple[str, ...]
    created: _dt.datetime
    count: int
    counts: dict[str, int]

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "labels": list(self.labels),
            "created": self.created.isoformat(timespec="seconds"),
            "count": self.count,
            "counts": self.counts,
        }


@dataclass(frozen=True)
class Drawing:
    id: int
    label: str
    owner: str
    created: _dt.datetime
    png: bytes

    def pixels(self) -> np.ndarray:
        return decode_png(self.png)


class ClassStore:
    """Classes and their drawings in one database (see the module docstring)."""

    def __init__(self, url: str | None = None, *, create: bool = True):
        self.url = url or default_url()
        u = sa.engine.make_url(self.url)
        self.is_sqlite = u.get_backend_name() == "sqlite"
        kwargs: dict = {"future": True}
        if self.is_sqlite:
            db = u.database
            if db and db != ":memory:":
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=5, max_overflow=10, pool_timeout=60, pool_pre_ping=True)
        self.engine = sa.create_engine(self.url, **kwargs)
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        # SQLite allows one writer at a time: writers queue here instead of failing "locked".
        self._write_lock = threading.RLock() if self.is_sqlite else None
        if create:
            metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def describe(self) -> str:
        """The database, without a password (for logs and ``convolab serve``)."""
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    # -- transactions ---------------------------------------------------------------------------
    def _write(self):
        return _WriteTx(self)

    def _lock_class(self, conn, code: str) -> dict:
        row = (
            conn.execute(
                sa.select(classes_table).where(classes_table.c.code == code).with_for_update()
            )
            .mappings()
            .first()
        )
        if row is None:
            raise ClassNotFound("unknown_class", f"no class with code {code!r}", klas=code)
        return dict(row)

    # -- classes --------------------------------------------------------------------------------
    def create_class(self, labels: tuple[str, ...] | list[str] = DEFAULT_LABELS) -> ClassInfo:
        """Open a new class with a fresh code."""
        labels = self._check_labels(labels)
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self._write() as conn:
                    conn.execute(
                        classes_table.insert().values(
                            code=code, labels=json.dumps(list(labels)), created=_now()
                        )
                    )
            except sa.exc.IntegrityError:  # the code exists already: draw another
                continue
            return self.get_class(code)
        raise RuntimeError("could not find a free class code")  # pragma: no cover

    def _check_labels(self, labels) -> tuple[str, ...]:
        if isinstance(labels, str) or not isinstance(labels, (list, tuple)):
            raise ClassStoreError("bad_label", "labels must be a list of labels", max=20)
        clean = tuple(check_label(x) for x in labels)
        if not 2 <= len(clean) <= MAX_LABELS or len(set(clean)) != len(clean):
            raise ClassStoreError(
                "bad_labels",
                f"a class has 2 to {MAX_LABELS} different labels; got {list(clean)}",
                max=MAX_LABELS,
            )
        return clean

    def get_class(self, code) -> ClassInfo:
        code = normalise_code(code)
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(classes_table).where(classes_table.c.code == code)).first()
            if row is None:
                raise ClassNotFound("unknown_class", f"no class with code {code!r}", klas=code)
            counts = dict(
                conn.execute(
                    sa.select(drawings_table.c.label, sa.func.count())
                    .where(drawings_table.c.class_code == code)
                    .group_by(drawings_table.c.label)
                ).all()
            )
        labels = tuple(json.loads(row.labels))
        created = row.created if row.created.tzinfo else row.created.replace(tzinfo=_dt.UTC)
        return ClassInfo(
            code=code,
            labels=labels,
            created=created,
            count=int(sum(counts.values())),
            counts={lab: int(counts.get(lab, 0)) for lab in labels},
        )

    def add_label(self, code, label) -> ClassInfo:
        """Add one more label (the teacher); at most :data:`MAX_LABELS` per class."""
        code = normalise_code(code)
        label = check_label(label)
        with self._write() as conn:
            row = self._lock_class(conn, code)
            labels = json.loads(row["labels"])
            if label in labels:
                raise ClassStoreError(
                    "label_exists", f"the class already has the label {label!r}", label=label
                )
            if len(labels) >= MAX_LABELS:
                raise ClassStoreError(
                    "too_many_labels",
                    f"a class has at most {MAX_LABELS} labels; it has {', '.join(labels)}",
                    max=MAX_LABELS,
                    labels=", ".join(labels),
                )
            conn.execute(
                classes_table.update()
                .where(classes_table.c.code == code)
                .values(labels=json.dumps([*labels, label]))
            )
        return self.get_class(code)

    def delete_class(self, code) -> None:
        code = normalise_code(code)
        with self._write() as conn:
            self._lock_class(conn, code)
            conn.execute(drawings_table.delete().where(drawings_table.c.class_code == code))
            conn.execute(classes_table.delete().where(classes_table.c.code == code))

    # -- drawings -------------------------------------------------------------------------------
    @staticmethod
    def _check_label_in(label, labels: list[str]) -> str:
        if not isinstance(label, str) or label not in labels:
            shown = label[:30] if isinstance(label, str) else type(label).__name__
            raise ClassStoreError(
                "unknown_label",
                f"unknown label {shown!r}; allowed: {', '.join(labels)}",
                label=shown,
                allowed=", ".join(labels),
            )
        return label

    def add_drawing(self, code, label, pixels, owner) -> int:
        """Store one drawing on purpose; returns its id."""
        code = normalise_code(code)
        owner = check_owner(owner)
        png = encode_png(check_pixels(pixels))
        with self._write() as conn:
            row = self._lock_class(conn, code)
            self._check_label_in(label, json.loads(row["labels"]))
            self._check_room(conn, code, 1)
            result = conn.execute(
                drawings_table.insert().values(
                    class_code=code, label=label, png=png, owner=owner, created=_now()
                )
            )
            return int(result.inserted_primary_key[0])

    def _check_room(self, conn, code: str, adding: int) -> None:
        n = conn.execute(
            sa.select(sa.func.count())
            .select_from(drawings_table)
            .where(drawings_table.c.class_code == code)
        ).scalar_one()
        if n + adding > MAX_DRAWINGS:
            raise ClassFull(
                "class_full",
                f"a class keeps at most {MAX_DRAWINGS} drawings; it has {n}",
                max=MAX_DRAWINGS,
                count=int(n),
            )

    def drawings(self, code, *, label: str | None = None) -> list[Drawing]:
        """All drawings of a class, oldest first."""
        code = normalise_code(code)
        query = (
            sa.select(drawings_table)
            .where(drawings_table.c.class_code == code)
            .order_by(drawings_table.c.id)
        )
        if label is not None:
            query = query.where(drawings_table.c.label == label)
        with self.engine.connect() as conn:
            if (
                conn.execute(
                    sa.select(classes_table.c.code).where(classes_table.c.code == code)
                ).first()
                is None
            ):
                raise ClassNotFound("unknown_class", f"no class with code {code!r}", klas=code)
            rows = conn.execute(query).all()
        return [
            Drawing(
                id=int(r.id),
                label=r.label,
                owner=r.owner,
                created=r.created if r.created.tzinfo else r.created.replace(tzinfo=_dt.UTC),
                png=bytes(r.png),
            )
            for r in rows
        ]

    def drawing(self, code, drawing_id: int) -> Drawing:
        code = normalise_code(code)
        drawing_id = _check_id(drawing_id)
        with self.engine.connect() as conn:
            r = conn.execute(
                sa.select(drawings_table).where(
                    drawings_table.c.class_code == code, drawings_table.c.id == drawing_id
                )
            ).first()
        if r is None:
            raise DrawingNotFound(
                "unknown_drawing", f"class {code} has no drawing {drawing_id}", id=drawing_id
            )
        return Drawing(int(r.id), r.label, r.owner, r.created, bytes(r.png))

    def delete_drawing(self, code, drawing_id: int, *, owner: str | None, teacher: bool = False):
        """Delete one drawing: its owner may, the teacher may delete any."""
        code = normalise_code(code)
        drawing_id = _check_id(drawing_id)
        with self._write() as conn:
            self._lock_class(conn, code)
            r = conn.execute(
                sa.select(drawings_table.c.owner).where(
                    drawings_table.c.class_code == code, drawings_table.c.id == drawing_id
                )
            ).first()
            if r is None:
                raise DrawingNotFound(
                    "unknown_drawing", f"class {code} has no drawing {drawing_id}", id=drawing_id
                )
            if not teacher and not (owner and secrets.compare_digest(r.owner, owner)):
                raise NotYours("not_yours", "only its maker or the teacher may delete a drawing")
            conn.execute(drawings_table.delete().where(drawings_table.c.id == drawing_id))

    def delete_all(self, code) -> int:
        """Delete every drawing of a class (the teacher); returns how many."""
        code = normalise_code(code)
        with self._write() as conn:
            self._lock_class(conn, code)
            result = conn.execute(
                drawings_table.delete().where(drawings_table.c.class_code == code)
            )
            return int(result.rowcount or 0)

    def dataset(self, code) -> tuple[np.ndarray, np.ndarray, list[int], tuple[str, ...]]:
        """``(x, y, ids, labels)``: N x GRID x GRID uint8, label indices, drawing ids."""
        info = self.get_class(code)
        rows = self.drawings(info.code)
        rows = [r for r in rows if r.label in info.labels]
        x = np.stack([r.pixels() for r in rows]) if rows else np.zeros((0, GRID, GRID), np.uint8)
        y = np.array([info.labels.index(r.label) for r in rows], dtype=np.int64)
        return x, y, [r.id for r in rows], info.labels

    # -- export and import ----------------------------------------------------------------------
    def export_zip(self, code) -> bytes:
        """A zip: one PNG per drawing (``0001-blij.png``, ...) and ``labels.csv``
        (``file,label``)."""
        info = self.get_class(code)
        rows = self.drawings(info.code)
        buf = io.BytesIO()
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(["file", "label"])
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, r in enumerate(rows, start=1):
                name = f"{n:04d}-{_safe(r.label)}.png"
                z.writestr(name, r.png)
                writer.writerow([name, r.label])
            z.writestr("labels.csv", table.getvalue())
        return buf.getvalue()

    def import_zip(self, code, data: bytes, owner: str) -> int:
        """Add every drawing of a zip made by :meth:`export_zip` (all or none); returns how many.
        Labels must be labels of the class."""
        code = normalise_code(code)
        owner = check_owner(owner)
        items = read_zip(data)
        with self._write() as conn:
            row = self._lock_class(conn, code)
            labels = json.loads(row["labels"])
            for _, label in items:
                self._check_label_in(label, labels)
            self._check_room(conn, code, len(items))
            now = _now()
            if items:
                conn.execute(
                    drawings_table.insert(),
                    [
                        {
                            "class_code": code,
                            "label": label,
                            "png": encode_png(px),
                            "owner": owner,
                            "created": now,
                        }
                        for px, label in items
                    ],
                )
        return len(items)


def read_zip(data: bytes) -> list[tuple[np.ndarray, str]]:
    """The drawings of an exported zip: ``[(pixels, label), ...]`` in ``labels.csv`` order."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ClassStoreError("bad_zip", "the file is empty; a zip with labels.csv is expected")
    try:
        z = zipfile.ZipFile(io.BytesIO(bytes(data)))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ClassStoreError("bad_zip", "the file is not a zip file") from None
    with z:
        if len(infos) > MAX_ZIP_FILES:
            raise ClassStoreError(
                "zip_too_big",
                f"the zip has {len(infos)} files; at most {MAX_ZIP_FILES}",
                max=MAX_ZIP_FILES,
            )
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise ClassStoreError(
                "zip_too_big",
                f"the zip unpacks to more than {MAX_ZIP_BYTES // 2**20} MB",
                max=MAX_ZIP_FILES,
            )
        names = {i.filename: i for i in infos}
        if "labels.csv" not in names:
            raise ClassStoreError("bad_zip", "the zip has no labels.csv (columns file,label)")
        try:
            text = z.read("labels.csv").decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ClassStoreError("bad_zip", "labels.csv is not UTF-8 text") from None
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None)
        if not header or [h.strip().lower() for h in header[:2]] != ["file", "label"]:
            raise ClassStoreError("bad_zip", "labels.csv must start with the columns file,label")
        out = []
        for n, row in enumerate(reader, start=2):
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) < 2:
                raise ClassStoreError("bad_zip", f"labels.csv line {n} needs a file and a label")
            name, label = row[0].strip(), " ".join(row[1].split()).lower()
            info = names.get(name)
            if info is None or not _PNG_NAME_RE.fullmatch(name.rsplit("/", 1)[-1]):
                raise ClassStoreError(
                    "bad_zip", f"labels.csv line {n}: no PNG file {name[:80]!r} in the zip"
                )
            if info.file_size > MAX_PNG_BYTES:
                raise ClassStoreError(
                    "image_too_big",
                    f"{name} is {info.file_size} bytes; at most {MAX_PNG_BYTES} bytes",
                    name=name,
                    max_kb=MAX_PNG_BYTES // 1024,
                )
            out.append((decode_png(z.read(info), name[:80]), label))
            if len(out) > MAX_DRAWINGS:
                raise ClassStoreError(
                    "zip_too_big",
                    f"the zip has more than {MAX_DRAWINGS} drawings",
                    max=MAX_DRAWINGS,
                )
    return out


def _safe(label: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_-]+", "_", label).strip("_")
    return s or "label"


def _check_id(drawing_id) -> int:
    if isinstance(drawing_id, bool) or not isinstance(drawing_id, int) or drawing_id < 1:
        raise ClassStoreError(
            "bad_id", f"drawing id must be a whole number >= 1; got {drawing_id!r}"
        )
    return drawing_id


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    try:
        cur.execute("PRAGMA journal_mode=WAL")
    except Exception:  # pragma: no cover - e.g. a read-only folder: the default journal works
        pass
    cur.close()


class _WriteTx:
    """``with store._write() as conn``: one transaction; SQLite writers take turns."""

    def __init__(self, store: ClassStore):
        self.store = store
        self._ctx = None

    def __enter__(self):
        if self.store._write_lock is not None:
            self.store._write_lock.acquire()
        try:
            self._ctx = self.store.engine.begin()
            return self._ctx.__enter__()
        except BaseException:
            if self.store._write_lock is not None:
                self.store._write_lock.release()
            raise

    def __exit__(self, *exc):
        try:
            return self._ctx.__exit__(*exc)
        finally:
            if self.store._write_lock is not None:
                self.store._write_lock.release()
