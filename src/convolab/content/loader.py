"""Load and validate learning objects and learning paths in the Dwengo format.

A learning object is a folder with ``index.md``: YAML front matter between two ``---`` lines,
then a Markdown body (raw HTML allowed); assets sit beside it in ``img/`` (or ``embed/``).
The front matter is checked the way Dwengo's validator checks it: required fields, types and
ranges of the optional fields, and the triple (hruid, version, language) unique in a collection.
Every problem is reported as a :class:`ContentError` naming the file and the field, with a
catalogue code per problem, so it reads in Dutch or English like every other convolab error:

>>> try:
...     parse_object("---\\nhruid: x\\n---\\n", "x/index.md")
... except ContentError as exc:
...     err = exc
>>> str(err).split(";")[0]
"x/index.md: field 'version': is required"
>>> err.message("nl").split(";")[0]
"x/index.md: veld 'version': is verplicht"
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConvolabError, render

CONTENT_DIR = Path(__file__).resolve().parent
OBJECTS_DIR = CONTENT_DIR / "objects"
PATHS_DIR = CONTENT_DIR / "paths"
SEED_FILE = CONTENT_DIR / "seed" / "000_eff13da2a0fd48c9.md"

CONTENT_TYPES = (
    "text/plain",
    "text/markdown",
    "image/image-block",
    "image/image",
    "audio/mpeg",
    "application/pdf",
    "extern",
    "blockly",
    "text/gift",
    "text/ct-schema",
)
REQUIRED_FIELDS = (
    "hruid",
    "version",
    "language",
    "title",
    "description",
    "content_type",
    "estimated_time",
    "skos_concepts",
)
OPTIONAL_FIELDS = (
    "keywords",
    "educational_goals",
    "copyright",
    "licence",
    "available",
    "target_ages",
    "difficulty",
    "return_value",
    "content_location",
    "teacher_exclusive",
    "aspect_ratio",
)
# convolab's own addition (Dwengo's validator ignores fields it does not know): the object
# this one is adapted from, {hruid, version, language, url}, shown as the credit.
EXTENSION_FIELDS = ("based_on",)
ALL_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS + EXTENSION_FIELDS
ASSET_DIRS = ("img", "embed")

_SKOS_RE = re.compile(r"^https?://ilearn\.ilabt\.imec\.be/\S+$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_ASPECT_RE = re.compile(r"^iframe-\d+-\d+$")


#: One problem: the field (``None`` for the file as a whole), its catalogue code, parameters.
Problem = tuple[str | None, str, dict[str, Any]]


class ContentError(ConvolabError, ValueError):
    """A learning object or path that does not follow the format.

    ``file`` is the offending file, ``field`` the first offending field (``None`` when the
    problem is the file as a whole), ``problems`` every ``(field, code, params)`` found: each
    ``code`` is a catalogue message (``content_*``), worded by :meth:`message` in Dutch or
    English; ``str()`` is the English message.
    """

    def __init__(self, file: Path | str, problems: Iterable[Problem]):
        self.file = str(file)
        self.problems = [(f, code, dict(params)) for f, code, params in problems]
        self.field = self.problems[0][0] if self.problems else None
        super().__init__("content_invalid", file=self.file, problems=self.problems)

    def message(self, lang: str = "en") -> str:
        parts = []
        for f, code, params in self.problems:
            text = render(code, params, lang)
            parts.append(
                render("content_field", {"field": f, "problem": text}, lang) if f else text
            )
        return render("content_invalid", {"file": self.file, "problems": "; ".join(parts)}, lang)

    def __str__(self) -> str:
        try:
            return self.message("en")
        except Exception:  # never hide the original error behind a catalogue problem
            return f"{self.file}: {self.problems!r}"

    def __reduce__(self):
        return (type(self), (self.file, self.problems))


def _problem(field: str | None, code: str, **params: Any) -> Problem:
    return (field, code, params)


def _fail(file: Path | str, code: str, **params: Any) -> ContentError:
    """A ContentError with one problem about the file as a whole."""
    return ContentError(file, [_problem(None, code, **params)])


#: Python types a value from YAML or JSON can have, worded per language (``name.type_*``).
_TYPE_NAMES = ("str", "int", "float", "bool", "NoneType", "list", "dict", "date", "datetime")


def _describe(value: Any) -> dict[str, str]:
    """The value given, as message parameters: ``got`` (its repr, cut short) and ``type``
    (a catalogue name, ``{type:name}``: "str" in English, "tekst" in Dutch)."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    kind = type(value).__name__
    return {"got": text, "type": f"type_{kind}" if kind in _TYPE_NAMES else kind}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _DuplicateField(yaml.constructor.ConstructorError):
    def __init__(self, key: Any, mark):
        super().__init__(None, None, f"field '{key}' appears twice", mark)
        self.key = key


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (PyYAML would silently keep the last one)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateField(key, key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def split_front_matter(text: str, file: Path | str = "<text>") -> tuple[str, str]:
    """Split ``index.md`` text into (front-matter YAML, body)."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise _fail(file, "content_no_front_matter")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :])
    raise _fail(file, "content_front_matter_open")


def parse_front_matter(yaml_text: str, file: Path | str = "<text>") -> dict[str, Any]:
    try:
        data = yaml.load(yaml_text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except _DuplicateField as exc:
        line = exc.problem_mark.line + 1
        raise _fail(file, "content_field_twice", name=str(exc.key), line=line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = getattr(exc, "problem", None) or " ".join(str(exc).split())
        detail = detail.replace("`", "'")  # the Dutch message quotes it between backticks
        if mark is not None:
            raise _fail(file, "content_yaml_at", line=mark.line + 1, detail=detail) from None
        raise _fail(file, "content_yaml", detail=detail) from None
    if not isinstance(data, dict):
        raise _fail(file, "content_front_matter_not_mapping", **_describe(data))
    return data


def _check_str_list(name: str, value: Any, problems: list) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(_problem(name, "content_not_str_list", **_describe(value)))


def validate_metadata(meta: Mapping[str, Any], file: Path | str = "<text>") -> dict[str, Any]:
    """Check front-matter fields; return them normalised (hruid trimmed). Raise ContentError."""
    problems: list[Problem] = []
    out = dict(meta)
    for name in REQUIRED_FIELDS:
        if name not in meta or meta[name] is None:
            problems.append(_problem(name, "content_required"))
    for name in meta:
        if name not in ALL_FIELDS:
            close = difflib.get_close_matches(str(name), ALL_FIELDS, n=1)
            known = list(ALL_FIELDS)
            if close:
                problems.append(
                    _problem(str(name), "content_unknown_field_close", close=close[0], known=known)
                )
            else:
                problems.append(_problem(str(name), "content_unknown_field", known=known))

    def present(name: str) -> bool:
        return name in meta and meta[name] is not None

    if present("hruid"):
        v = meta["hruid"]
        if not isinstance(v, str) or not v.strip():
            problems.append(_problem("hruid", "content_not_text", **_describe(v)))
        elif re.search(r"[\s/\\]", v.strip()):
            problems.append(_problem("hruid", "content_hruid_chars", value=v))
        else:
            out["hruid"] = v.strip()
    if present("version"):
        v = meta["version"]
        if not _is_number(v) or v < 0:
            problems.append(_problem("version", "content_number_min", minimum=0, **_describe(v)))
    if present("language"):
        v = meta["language"]
        if not isinstance(v, str) or not _LANG_RE.match(v):
            problems.append(_problem("language", "content_language", **_describe(v)))
    for name in ("title", "description"):
        if present(name):
            v = meta[name]
            if not isinstance(v, str) or not v.strip():
                problems.append(_problem(name, "content_not_text", **_describe(v)))
    if present("content_type"):
        v = meta["content_type"]
        if v not in CONTENT_TYPES:
            problems.append(
                _problem(
                    "content_type", "content_choice", choices=list(CONTENT_TYPES), **_describe(v)
                )
            )
        elif v == "extern" and not present("content_location"):
            problems.append(_problem("content_location", "content_location_needed"))
    if present("estimated_time"):
        v = meta["estimated_time"]
        if not _is_number(v) or v < 0:
            problems.append(_problem("estimated_time", "content_minutes", **_describe(v)))
    if present("skos_concepts"):
        v = meta["skos_concepts"]
        if not isinstance(v, list) or not v:
            problems.append(_problem("skos_concepts", "content_skos_list", **_describe(v)))
        else:
            for item in v:
                if not isinstance(item, str) or not _SKOS_RE.match(item):
                    problems.append(
                        _problem("skos_concepts", "content_skos_item", **_describe(item))
                    )
                    break
    if present("keywords"):
        _check_str_list("keywords", meta["keywords"], problems)
    if present("educational_goals"):
        v = meta["educational_goals"]
        ok = isinstance(v, list) and all(
            isinstance(g, dict)
            and set(g) == {"source", "id"}
            and all(isinstance(x, str) for x in g.values())
            for g in v
        )
        if not ok:
            problems.append(_problem("educational_goals", "content_goals", **_describe(v)))
    for name in ("copyright", "licence", "content_location"):
        if present(name) and not isinstance(meta[name], str):
            problems.append(_problem(name, "content_not_str", **_describe(meta[name])))
    for name in ("available", "teacher_exclusive"):
        if name in meta and not isinstance(meta[name], bool):
            problems.append(_problem(name, "content_not_bool", **_describe(meta[name])))
    if present("target_ages"):
        v = meta["target_ages"]
        if not isinstance(v, list) or not all(
            isinstance(a, int) and not isinstance(a, bool) and 0 <= a <= 150 for a in v
        ):
            problems.append(_problem("target_ages", "content_ages", **_describe(v)))
    if present("difficulty"):
        v = meta["difficulty"]
        if not _is_number(v) or not 0 <= v <= 10:
            problems.append(
                _problem("difficulty", "content_number_range", low=0, high=10, **_describe(v))
            )
    if present("return_value"):
        v = meta["return_value"]
        if not (
            isinstance(v, dict)
            and isinstance(v.get("callback_url"), str)
            and isinstance(v.get("callback_schema"), dict)
            and set(v) <= {"callback_url", "callback_schema"}
        ):
            problems.append(_problem("return_value", "content_return_value", **_describe(v)))
    if present("based_on"):
        v = meta["based_on"]
        ok = (
            isinstance(v, dict)
            and set(v) <= {"hruid", "version", "language", "url"}
            and isinstance(v.get("hruid"), str)
            and _is_number(v.get("version"))
            and isinstance(v.get("language"), str)
            and _LANG_RE.match(v["language"])
            and isinstance(v.get("url", ""), str)
            and (not v.get("url") or re.match(r"^https?://\S+$", v["url"]))
        )
        if not ok:
            problems.append(_problem("based_on", "content_based_on", **_describe(v)))
    if present("aspect_ratio"):
        v = meta["aspect_ratio"]
        if not isinstance(v, str) or not _ASPECT_RE.match(v):
            problems.append(_problem("aspect_ratio", "content_aspect_ratio", **_describe(v)))
    if problems:
        raise ContentError(file, problems)
    return out


@dataclass(frozen=True)
class LearningObject:
    """One learning object: validated front matter, Markdown body and its folder."""

    metadata: dict[str, Any]
    body: str
    file: Path
    folder: Path = field(repr=False)

    @property
    def hruid(self) -> str:
        return self.metadata["hruid"]

    @property
    def version(self) -> int | float:
        return self.metadata["version"]

    @property
    def language(self) -> str:
        return self.metadata["language"]

    @property
    def key(self) -> tuple[str, int | float, str]:
        return (self.hruid, self.version, self.language)

    @property
    def title(self) -> str:
        return self.metadata["title"]

    @property
    def description(self) -> str:
        return self.metadata["description"]

    @property
    def content_type(self) -> str:
        return self.metadata["content_type"]

    @property
    def estimated_time(self) -> int | float:
        return self.metadata["estimated_time"]

    @property
    def target_ages(self) -> list[int]:
        return list(self.metadata.get("target_ages") or [])

    @property
    def keywords(self) -> list[str]:
        return list(self.metadata.get("keywords") or [])

    @property
    def copyright(self) -> str | None:
        return self.metadata.get("copyright")

    @property
    def teacher_exclusive(self) -> bool:
        return bool(self.metadata.get("teacher_exclusive", False))

    @property
    def available(self) -> bool:
        return bool(self.metadata.get("available", True))

    def assets(self) -> list[Path]:
        """Asset files (``img/``, ``embed/``) beside ``index.md``, as paths relative to the folder."""
        found = []
        for sub in ASSET_DIRS:
            d = self.folder / sub
            if d.is_dir():
                found += [p.relative_to(self.folder) for p in sorted(d.rglob("*")) if p.is_file()]
        return found

    def asset_path(self, relative: str) -> Path | None:
        """The file for an asset path such as ``img/x.svg``, or None (never outside the folder)."""
        parts = Path(relative).parts
        if not parts or parts[0] not in ASSET_DIRS or ".." in parts or Path(relative).is_absolute():
            return None
        p = (self.folder / relative).resolve()
        if not p.is_file() or self.folder.resolve() not in p.parents:
            return None
        return p

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.metadata,
            "teacher_exclusive": self.teacher_exclusive,
            "available": self.available,
            "target_ages": self.target_ages,
        }


def parse_object(text: str, file: Path | str = "<text>", folder: Path | None = None):
    """Parse ``index.md`` text into a validated :class:`LearningObject`."""
    fm, body = split_front_matter(text, file)
    meta = validate_metadata(parse_front_matter(fm, file), file)
    path = Path(file)
    return LearningObject(meta, body, path, folder if folder is not None else path.parent)


def load_object(path: Path | str) -> LearningObject:
    """Load one learning object from its folder or its ``index.md``."""
    p = Path(path)
    if p.is_dir():
        p = p / "index.md"
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(p, "content_object_missing") from None
    except UnicodeDecodeError as exc:
        raise _fail(p, "content_not_utf8", reason=exc.reason) from None
    return parse_object(text, p, p.parent)


def load_objects(root: Path | str | None = None) -> list[LearningObject]:
    """Load every ``index.md`` under ``root`` (default: convolab's own objects).

    Raises ContentError when a file is invalid or when two files share (hruid, version, language).
    """
    base = Path(root) if root is not None else OBJECTS_DIR
    if not base.is_dir():
        raise _fail(base, "content_not_folder")
    objects: list[LearningObject] = []
    seen: dict[tuple, Path] = {}
    for file in sorted(base.rglob("index.md")):
        obj = load_object(file)
        if obj.key in seen:
            other = str(seen[obj.key])
            problem = _problem("hruid", "content_object_used", key=repr(obj.key), other=other)
            raise ContentError(file, [problem])
        seen[obj.key] = file
        objects.append(obj)
    return objects


@dataclass(frozen=True)
class LearningPath:
    """A learning path in Dwengo's JSON shape."""

    data: dict[str, Any]
    file: Path

    @property
    def hruid(self) -> str:
        return self.data["hruid"]

    @property
    def language(self) -> str:
        return self.data["language"]

    @property
    def title(self) -> str:
        return self.data.get("title") or self.hruid

    @property
    def description(self) -> str:
        return self.data.get("description") or ""

    @property
    def image(self) -> str | None:
        """The cover image: a file beside the JSON (``img/x.png``, convolab's own paths) or
        base64 PNG/JPEG data (Dwengo's paths; :func:`path_image_bytes` decodes either)."""
        return self.data.get("image")

    def image_file(self) -> Path | None:
        """The cover image's file when ``image`` names one next to the JSON, else None."""
        image = self.image
        if not image or len(image) > 300 or re.match(r"^[a-z]+:", image):
            return None
        parts = Path(image).parts
        if ".." in parts or Path(image).is_absolute():
            return None
        candidate = self.file.parent / image
        return candidate if candidate.is_file() else None

    def image_bytes(self) -> bytes | None:
        """The cover image as PNG/JPEG bytes (from the file or the base64 data), or None."""
        if not self.image:
            return None
        file = self.image_file()
        data = file.read_bytes() if file is not None else _b64_image(self.image)
        return data if data is not None and image_kind(data) else None

    @property
    def nodes(self) -> list[dict[str, Any]]:
        return self.data["nodes"]

    def ordered_nodes(self) -> list[dict[str, Any]]:
        """Nodes from the start node, following the default transitions."""
        by_key = {_node_key(n): n for n in self.nodes}
        node = next(n for n in self.nodes if n.get("start_node"))
        out = []
        while node is not None and node not in out:
            out.append(node)
            nxt = next((t["next"] for t in node.get("transitions", []) if t.get("default")), None)
            node = by_key.get(_next_key(nxt)) if nxt else None
        return out


_VERSION_STR_RE = re.compile(r"^\d+(\.\d+)?$")


def version_key(value: Any) -> int | float | None:
    """A version as a number: ``1`` and ``"1"`` (Dwengo's paths write strings) are the same;
    None when ``value`` is not a version."""
    if _is_number(value):
        number = value
    elif isinstance(value, str) and _VERSION_STR_RE.match(value.strip()):
        number = float(value)
    else:
        return None
    return int(number) if float(number).is_integer() else float(number)


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def image_kind(data: bytes) -> str | None:
    """'png' or 'jpeg' from the first bytes (the two kinds Dwengo's path images use)."""
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def _b64_image(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _ref_problem(field: str, where: str, ref: Any, keys: tuple[str, str, str]) -> Problem | None:
    if not isinstance(ref, dict):
        return _problem(field, "content_ref_not_mapping", where=where, **_describe(ref))
    h, v, lang = keys
    if not isinstance(ref.get(h), str) or not ref.get(h):
        return _problem(field, "content_ref_not_text", where=f"{where}.{h}")
    if version_key(ref.get(v)) is None:
        return _problem(field, "content_ref_version", where=f"{where}.{v}", **_describe(ref.get(v)))
    if not isinstance(ref.get(lang), str) or not _LANG_RE.match(ref.get(lang)):
        return _problem(field, "content_ref_language", where=f"{where}.{lang}")
    return None


def _node_key(node: Mapping[str, Any]) -> tuple[str, int | float | None, str]:
    return (node["learningobject_hruid"], version_key(node["version"]), node["language"])


def _next_key(nxt: Mapping[str, Any]) -> tuple[str, int | float | None, str]:
    return (nxt["hruid"], version_key(nxt["version"]), nxt["language"])


def validate_path(
    data: Any, file: Path | str = "<json>", objects: Iterable[LearningObject] | None = None
) -> dict[str, Any]:
    """Check a learning path; with ``objects``, every node must name one of them."""
    if not isinstance(data, dict):
        raise _fail(file, "content_path_not_object", **_describe(data))
    problems: list[Problem] = []
    for name in ("hruid", "language"):
        v = data.get(name)
        if not isinstance(v, str) or not v.strip():
            problems.append(_problem(name, "content_required_text", **_describe(v)))
    for name in ("title", "description"):
        v = data.get(name)
        if name in data and not isinstance(v, str):
            problems.append(_problem(name, "content_not_str", **_describe(v)))
    if isinstance(data.get("language"), str) and not _LANG_RE.match(data["language"]):
        problems.append(_problem("language", "content_language", **_describe(data["language"])))
    if "image" in data and data["image"] is not None and not isinstance(data["image"], str):
        problems.append(_problem("image", "content_not_str", **_describe(data["image"])))
    nodes = data.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        problems.append(_problem("nodes", "content_nodes", **_describe(nodes)))
        raise ContentError(file, problems)
    keys = set()
    node_keys = ("learningobject_hruid", "version", "language")
    for i, node in enumerate(nodes):
        p = _ref_problem(f"nodes[{i}]", f"nodes[{i}]", node, node_keys)
        if p:
            problems.append(p)
            continue
        key = _node_key(node)
        if key in keys:
            problems.append(_problem(f"nodes[{i}]", "content_node_twice", key=repr(key)))
        keys.add(key)
        if "start_node" in node and not isinstance(node["start_node"], bool):
            problems.append(
                _problem(
                    f"nodes[{i}].start_node", "content_not_bool", **_describe(node["start_node"])
                )
            )
        if "instruction" in node and not isinstance(node["instruction"], str):
            problems.append(
                _problem(
                    f"nodes[{i}].instruction", "content_not_str", **_describe(node["instruction"])
                )
            )
        transitions = node.get("transitions", [])
        if not isinstance(transitions, list):
            problems.append(
                _problem(f"nodes[{i}].transitions", "content_not_list", **_describe(transitions))
            )
            continue
        for j, t in enumerate(transitions):
            where = f"nodes[{i}].transitions[{j}]"
            if not isinstance(t, dict) or not isinstance(t.get("default"), bool):
                problems.append(_problem(where, "content_transition", **_describe(t)))
                continue
            if "condition" in t and not isinstance(t["condition"], str):
                problems.append(
                    _problem(f"{where}.condition", "content_not_str", **_describe(t["condition"]))
                )
            p = _ref_problem(
                f"{where}.next", f"{where}.next", t.get("next"), ("hruid", "version", "language")
            )
            if p:
                problems.append(p)
    if problems:
        raise ContentError(file, problems)
    # Dwengo's real paths sometimes mark several start nodes (one per branch); the first counts
    starts = [i for i, n in enumerate(nodes) if n.get("start_node")]
    if not starts:
        problems.append(_problem("nodes", "content_no_start_node"))
    for i, node in enumerate(nodes):
        for j, t in enumerate(node.get("transitions", [])):
            nxt = t["next"]
            if _next_key(nxt) not in keys:
                problems.append(
                    _problem(
                        f"nodes[{i}].transitions[{j}].next",
                        "content_next_unknown",
                        hruid=nxt["hruid"],
                    )
                )
    if objects is not None:
        known = {(o.hruid, version_key(o.version), o.language) for o in objects}
        for i, key in enumerate(_node_key(n) for n in nodes):
            if key not in known:
                problems.append(
                    _problem(
                        f"nodes[{i}].learningobject_hruid", "content_object_unknown", key=repr(key)
                    )
                )
    if problems:
        raise ContentError(file, problems)
    return data


def load_path(path: Path | str, objects: Iterable[LearningObject] | None = None) -> LearningPath:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(p, "content_file_missing") from None
    except UnicodeDecodeError as exc:
        raise _fail(p, "content_not_utf8", reason=exc.reason) from None
    except json.JSONDecodeError as exc:
        raise _fail(
            p, "content_json", detail=exc.msg, line=exc.lineno, col=exc.colno, pos=exc.pos
        ) from None
    return LearningPath(validate_path(data, p, objects), p)


def load_paths(
    root: Path | str | None = None, objects: Iterable[LearningObject] | None = None
) -> list[LearningPath]:
    """Load every ``*.json`` path under ``root`` (default: convolab's own paths)."""
    base = Path(root) if root is not None else PATHS_DIR
    objs = list(objects) if objects is not None else None
    paths = [load_path(f, objs) for f in sorted(base.rglob("*.json"))]
    seen: dict[tuple[str, str], Path] = {}
    for lp in paths:
        key = (lp.hruid, lp.language)
        if key in seen:
            problem = _problem("hruid", "content_path_used", key=repr(key), other=str(seen[key]))
            raise ContentError(lp.file, [problem])
        seen[key] = lp.file
    return paths
