"""Write learning objects and paths as Dwengo-format folders, ready to import on Dwengo.

What Dwengo's platform needs, and what this export does for it:

- objects: front matter that passes Dwengo's metadata validator (the loader checks the same
  rules), under convolab's own hruids, so importing never replaces an object live on Dwengo;
- links between objects stay ``@learning-object/<hruid>/<language>/<version>`` (Dwengo renders
  those as its own URLs); every other root-relative link (the tools in iframes, ``/leren/...``)
  becomes absolute with ``base_url``, the address where convolab runs: Dwengo rewrites links that
  do not start with ``http`` into its own storage paths, where they would break;
- paths: node versions as strings and the cover image as base64 PNG/JPEG, as Dwengo's
  ``learning_path_schema.json`` and its importer want.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import yaml

from .loader import (
    ALL_FIELDS,
    LearningObject,
    LearningPath,
    image_kind,
    load_objects,
    load_paths,
)

_MD_LINK_RE = re.compile(r"(\]\()(/(?![/\\])[^)\s]*)")
_HTML_URL_RE = re.compile(r"""(\b(?:src|href)\s*=\s*["'])(/(?![/\\])[^"']*)""")
_BASE_URL_RE = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")


class ExportError(ValueError):
    """The export cannot produce something Dwengo accepts (e.g. no base URL for the tools)."""


def site_links(body: str) -> list[str]:
    """Root-relative links (``](/x)``, ``src="/x"``, ``href="/x"``) in a body, in order."""
    return [m.group(2) for m in _MD_LINK_RE.finditer(body)] + [
        m.group(2) for m in _HTML_URL_RE.finditer(body)
    ]


def absolutise_links(body: str, base_url: str) -> str:
    """Prefix root-relative links (``](/x)``, ``src="/x"``, ``href="/x"``) with ``base_url``."""
    base = base_url.rstrip("/")
    body = _MD_LINK_RE.sub(lambda m: m.group(1) + base + m.group(2), body)
    return _HTML_URL_RE.sub(lambda m: m.group(1) + base + m.group(2), body)


def dump_object(obj: LearningObject, body: str | None = None) -> str:
    """``index.md`` text: front matter in the canonical field order, then the body."""
    ordered = {k: obj.metadata[k] for k in ALL_FIELDS if k in obj.metadata}
    fm = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{fm}---\n{obj.body if body is None else body}"


def _string_version(version) -> str:
    text = str(version).strip()
    return text[:-2] if text.endswith(".0") else text


def export_path_data(lp: LearningPath) -> dict:
    """A path's JSON as Dwengo imports it: string versions, the image as base64 PNG/JPEG."""
    data = json.loads(json.dumps(lp.data))  # a deep copy
    for node in data["nodes"]:
        node["version"] = _string_version(node["version"])
        for t in node.get("transitions", []):
            t["next"]["version"] = _string_version(t["next"]["version"])
    if lp.image:
        raw = lp.image_bytes()
        if raw is None:
            raise ExportError(
                f"{lp.file}: the path image {lp.image[:60]!r} is not a PNG or JPEG file or "
                "base64 data; Dwengo shows only PNG or JPEG (render an SVG to PNG first)"
            )
        data["image"] = base64.b64encode(raw).decode("ascii")
    return data


def export_learning_objects(
    directory: Path | str,
    *,
    base_url: str | None = None,
    objects: list[LearningObject] | None = None,
    paths: list[LearningPath] | None = None,
) -> list[Path]:
    """Write every learning object as ``DIR/<hruid>/<language>/index.md`` (+ ``img/``) and every
    learning path as ``DIR/learning-paths/<hruid>.<language>.json``.

    ``base_url`` (e.g. ``"https://convolab.example.org"``) is where convolab runs: links to its
    pages and tools (``/convolutie?embed=1``) become absolute. It is required when an object
    has such links (all of convolab's own objects do); an :class:`ExportError` says so.
    Returns the written files.
    """
    if base_url is not None and not _BASE_URL_RE.match(base_url):
        raise ExportError(
            f"base_url must be an http:// or https:// address with a host, got {base_url!r}"
        )
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ExportError(f"directory must be a folder, but {out} is a file")
    objs = objects if objects is not None else load_objects()
    lps = paths if paths is not None else load_paths(objects=objs)
    if base_url is None:
        needing = [(o, site_links(o.body)) for o in objs]
        needing = [(o, links) for o, links in needing if links]
        if needing:
            obj, links = needing[0]
            raise ExportError(
                f"a base URL is needed: {len(needing)} learning objects link to convolab's own "
                f"pages (e.g. {obj.hruid} ({obj.language}): {links[0]}), which Dwengo cannot "
                "serve; give the address where convolab runs, e.g. "
                "--base-url https://convolab.example.org"
            )
    path_data = [(lp, export_path_data(lp)) for lp in lps]  # check the images before writing
    written: list[Path] = []
    for obj in objs:
        folder = out / obj.hruid / obj.language
        if len([o for o in objs if (o.hruid, o.language) == (obj.hruid, obj.language)]) > 1:
            folder = out / obj.hruid / f"{obj.language}-v{obj.version}"
        folder.mkdir(parents=True, exist_ok=True)
        body = absolutise_links(obj.body, base_url) if base_url else obj.body
        target = folder / "index.md"
        target.write_text(dump_object(obj, body), encoding="utf-8")
        written.append(target)
        for rel in obj.assets():
            dest = folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(obj.folder / rel, dest)
            written.append(dest)
    path_dir = out / "learning-paths"
    for lp, data in path_data:
        path_dir.mkdir(parents=True, exist_ok=True)
        target = path_dir / f"{lp.hruid}.{lp.language}.json"
        target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(target)
    return written


__all__ = [
    "ExportError",
    "absolutise_links",
    "dump_object",
    "export_learning_objects",
    "export_path_data",
    "image_kind",
    "site_links",
]
