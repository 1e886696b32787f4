"""Load and validate learning objects and learning paths in the Dwengo format.

A learning object is a folder with ``index.md``: YAML front matter between two ``---`` lines,
then a Markdown body (raw HTML allowed); assets sit beside it in ``img/`` (or ``embed/``).
The front matter is checked the way Dwengo's validator checks it: required fields, types and
ranges of the optional fields, and the triple (hruid, version, language) unique in a collection.
Every problem is reported as a :class:`ContentError` naming the file and the field.
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


class ContentError(ValueError):
    """A learning object or path that does not follow the format.

    ``file`` is the offending file, ``field`` the first offending field (``None`` when the
    problem is the file as a whole), ``problems`` every ``(field, message)`` found.
    """

    def __init__(self, file: Path | str, problems: list[tuple[str | None, str]]):
        self.file = str(file)
        self.problems = list(problems)
        self.field = self.problems[0][0] if self.problems else None
        parts = [f"field '{f}': {m}" if f else m for f, m in self.problems]
        super().__init__(f"{self.file}: " + "; ".join(parts))


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (PyYAML would silently keep the last one)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"field '{key}' appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def split_front_matter(text: str, file: Path | str = "<text>") -> tuple[str, str]:
    """Split ``index.md`` text into (front-matter YAML, body)."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError(file, [(None, "the file must start with a '---' line (front matter)")])
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :])
    raise ContentError(file, [(None, "the front matter has no closing '---' line")])


def parse_front_matter(yaml_text: str, file: Path | str = "<text>") -> dict[str, Any]:
    try:
        data = yaml.load(yaml_text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(
            file, [(None, f"the front matter is not valid YAML{where}: {problem}")]
        ) from None
    if not isinstance(data, dict):
        raise ContentError(
            file, [(None, f"the front matter must be a mapping of fields, got {_describe(data)}")]
        )
    return data


def _check_str_list(name: str, value: Any, problems: list, *, allow_empty: bool = True) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append((name, f"must be a list of strings, got {_describe(value)}"))
    elif not allow_empty and not value:
        problems.append((name, "must not be empty"))


def validate_metadata(meta: Mapping[str, Any], file: Path | str = "<text>") -> dict[str, Any]:
    """Check front-matter fields; return them normalised (hruid trimmed). Raise ContentError."""
    problems: list[tuple[str | None, str]] = []
    out = dict(meta)
    for name in REQUIRED_FIELDS:
        if name not in meta or meta[name] is None:
            problems.append((name, "is required"))
    for name in meta:
        if name not in ALL_FIELDS:
            close = difflib.get_close_matches(str(name), ALL_FIELDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(
                (str(name), f"is not a known field{hint}; known: {', '.join(ALL_FIELDS)}")
            )

    def present(name: str) -> bool:
        return name in meta and meta[name] is not None

    if present("hruid"):
        v = meta["hruid"]
        if not isinstance(v, str) or not v.strip():
            problems.append(("hruid", f"must be a non-empty string, got {_describe(v)}"))
        elif re.search(r"[\s/\\]", v.strip()):
            problems.append(("hruid", f"must not contain spaces or slashes, got {v!r}"))
        else:
            out["hruid"] = v.strip()
    if present("version"):
        v = meta["version"]
        if not _is_number(v) or v < 0:
            problems.append(("version", f"must be a number >= 0, got {_describe(v)}"))
    if present("language"):
        v = meta["language"]
        if not isinstance(v, str) or not _LANG_RE.match(v):
            problems.append(
                (
                    "language",
                    f"must be a two-letter ISO-639-1 code in lower case, got {_describe(v)}",
                )
            )
    for name in ("title", "description"):
        if present(name):
            v = meta[name]
            if not isinstance(v, str) or not v.strip():
                problems.append((name, f"must be a non-empty string, got {_describe(v)}"))
    if present("content_type"):
        v = meta["content_type"]
        if v not in CONTENT_TYPES:
            problems.append(
                ("content_type", f"must be one of {', '.join(CONTENT_TYPES)}; got {_describe(v)}")
            )
        elif v == "extern" and not present("content_location"):
            problems.append(("content_location", "is required when content_type is 'extern'"))
    if present("estimated_time"):
        v = meta["estimated_time"]
        if not _is_number(v) or v < 0:
            problems.append(
                ("estimated_time", f"must be a number of minutes >= 0, got {_describe(v)}")
            )
    if present("skos_concepts"):
        v = meta["skos_concepts"]
        if not isinstance(v, list) or not v:
            problems.append(
                ("skos_concepts", f"must be a non-empty list of URLs, got {_describe(v)}")
            )
        else:
            for item in v:
                if not isinstance(item, str) or not _SKOS_RE.match(item):
                    problems.append(
                        (
                            "skos_concepts",
                            "every item must be a concept URL http(s)://ilearn.ilabt.imec.be/..., "
                            f"got {_describe(item)}",
                        )
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
            problems.append(
                (
                    "educational_goals",
                    f"must be a list of {{source: text, id: text}}, got {_describe(v)}",
                )
            )
    for name in ("copyright", "licence", "content_location"):
        if present(name) and not isinstance(meta[name], str):
            problems.append((name, f"must be a string, got {_describe(meta[name])}"))
    for name in ("available", "teacher_exclusive"):
        if name in meta and not isinstance(meta[name], bool):
            problems.append((name, f"must be true or false, got {_describe(meta[name])}"))
    if present("target_ages"):
        v = meta["target_ages"]
        if not isinstance(v, list) or not all(
            isinstance(a, int) and not isinstance(a, bool) and 0 <= a <= 150 for a in v
        ):
            problems.append(
                (
                    "target_ages",
                    f"must be a list of whole numbers from 0 to 150, got {_describe(v)}",
                )
            )
    if present("difficulty"):
        v = meta["difficulty"]
        if not _is_number(v) or not 0 <= v <= 10:
            problems.append(("difficulty", f"must be a number from 0 to 10, got {_describe(v)}"))
    if present("return_value"):
        v = meta["return_value"]
        if not (
            isinstance(v, dict)
            and isinstance(v.get("callback_url"), str)
            and isinstance(v.get("callback_schema"), dict)
            and set(v) <= {"callback_url", "callback_schema"}
        ):
            problems.append(
                (
                    "return_value",
                    f"must be {{callback_url: text, callback_schema: mapping}}, got {_describe(v)}",
                )
            )
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
            problems.append(
                (
                    "based_on",
                    "must be {hruid: text, version: number, language: two letters, "
                    f"url: http(s) address}}, got {_describe(v)}",
                )
            )
    if present("aspect_ratio"):
        v = meta["aspect_ratio"]
        if not isinstance(v, str) or not _ASPECT_RE.match(v):
            problems.append(
                (
                    "aspect_ratio",
                    f"must look like 'iframe-16-9' (default iframe-1-1), got {_describe(v)}",
                )
            )
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
        raise ContentError(
            p, [(None, "file not found (a learning object needs index.md)")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ContentError(p, [(None, f"the file is not UTF-8 text ({exc.reason})")]) from None
    return parse_object(text, p, p.parent)


def load_objects(root: Path | str | None = None) -> list[LearningObject]:
    """Load every ``index.md`` under ``root`` (default: convolab's own objects).

    Raises ContentError when a file is invalid or when two files share (hruid, version, language).
    """
    base = Path(root) if root is not None else OBJECTS_DIR
    if not base.is_dir():
        raise ContentError(base, [(None, "is not a folder")])
    objects: list[LearningObject] = []
    seen: dict[tuple, Path] = {}
    for file in sorted(base.rglob("index.md")):
        obj = load_object(file)
        if obj.key in seen:
            raise ContentError(
                file,
                [
                    (
                        "hruid",
                        f"(hruid, version, language) = {obj.key!r} is already used by {seen[obj.key]}",
                    )
                ],
            )
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


def _ref_problem(where: str, ref: Any, keys: tuple[str, str, str]) -> str | None:
    if not isinstance(ref, dict):
        return f"{where} must be a mapping, got {_describe(ref)}"
    h, v, lang = keys
    if not isinstance(ref.get(h), str) or not ref.get(h):
        return f"{where}.{h} must be a non-empty string"
    if version_key(ref.get(v)) is None:
        return f'{where}.{v} must be a version such as "1" (Dwengo writes a string), got {_describe(ref.get(v))}'
    if not isinstance(ref.get(lang), str) or not _LANG_RE.match(ref.get(lang)):
        return f"{where}.{lang} must be a two-letter language code"
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
        raise ContentError(
            file, [(None, f"a learning path must be a JSON object, got {_describe(data)}")]
        )
    problems: list[tuple[str | None, str]] = []
    for name in ("hruid", "language"):
        v = data.get(name)
        if not isinstance(v, str) or not v.strip():
            problems.append(
                (name, f"is required and must be a non-empty string, got {_describe(v)}")
            )
    for name in ("title", "description"):
        v = data.get(name)
        if name in data and not isinstance(v, str):
            problems.append((name, f"must be a string, got {_describe(v)}"))
    if isinstance(data.get("language"), str) and not _LANG_RE.match(data["language"]):
        problems.append(("language", "must be a two-letter ISO-639-1 code in lower case"))
    if "image" in data and data["image"] is not None and not isinstance(data["image"], str):
        problems.append(("image", f"must be a string, got {_describe(data['image'])}"))
    nodes = data.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        problems.append(("nodes", f"must be a non-empty list, got {_describe(nodes)}"))
        raise ContentError(file, problems)
    keys = set()
    node_keys = ("learningobject_hruid", "version", "language")
    for i, node in enumerate(nodes):
        p = _ref_problem(f"nodes[{i}]", node, node_keys)
        if p:
            problems.append((f"nodes[{i}]", p))
            continue
        key = _node_key(node)
        if key in keys:
            problems.append((f"nodes[{i}]", f"the object {key!r} appears twice"))
        keys.add(key)
        if "start_node" in node and not isinstance(node["start_node"], bool):
            problems.append((f"nodes[{i}].start_node", "must be true or false"))
        if "instruction" in node and not isinstance(node["instruction"], str):
            problems.append((f"nodes[{i}].instruction", "must be a string"))
        transitions = node.get("transitions", [])
        if not isinstance(transitions, list):
            problems.append((f"nodes[{i}].transitions", "must be a list"))
            continue
        for j, t in enumerate(transitions):
            where = f"nodes[{i}].transitions[{j}]"
            if not isinstance(t, dict) or not isinstance(t.get("default"), bool):
                problems.append((where, "must be {default: true|false, next: {...}}"))
                continue
            if "condition" in t and not isinstance(t["condition"], str):
                problems.append((f"{where}.condition", "must be a string"))
            p = _ref_problem(f"{where}.next", t.get("next"), ("hruid", "version", "language"))
            if p:
                problems.append((f"{where}.next", p))
    if problems:
        raise ContentError(file, problems)
    # Dwengo's real paths sometimes mark several start nodes (one per branch); the first counts
    starts = [i for i, n in enumerate(nodes) if n.get("start_node")]
    if not starts:
        problems.append(("nodes", "one node must have start_node: true, found none"))
    for i, node in enumerate(nodes):
        for j, t in enumerate(node.get("transitions", [])):
            nxt = t["next"]
            if _next_key(nxt) not in keys:
                problems.append(
                    (
                        f"nodes[{i}].transitions[{j}].next",
                        f"points to {nxt['hruid']!r}, not a node of this path",
                    )
                )
    if objects is not None:
        known = {(o.hruid, version_key(o.version), o.language) for o in objects}
        for i, key in enumerate(_node_key(n) for n in nodes):
            if key not in known:
                problems.append((f"nodes[{i}].learningobject_hruid", f"no learning object {key!r}"))
    if problems:
        raise ContentError(file, problems)
    return data


def load_path(path: Path | str, objects: Iterable[LearningObject] | None = None) -> LearningPath:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(p, [(None, "file not found")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ContentError(p, [(None, f"not valid JSON: {exc}")]) from None
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
            raise ContentError(
                lp.file, [("hruid", f"(hruid, language) = {key!r} is already used by {seen[key]}")]
            )
        seen[key] = lp.file
    return paths
