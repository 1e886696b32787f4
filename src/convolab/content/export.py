"""Write learning objects and paths as Dwengo-format folders, ready to upload elsewhere."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from .loader import ALL_FIELDS, LearningObject, LearningPath, load_objects, load_paths

_MD_LINK_RE = re.compile(r"(\]\()(/(?![/\\])[^)\s]*)")
_HTML_URL_RE = re.compile(r"""(\b(?:src|href)\s*=\s*["'])(/(?![/\\])[^"']*)""")


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


def export_learning_objects(
    directory: Path | str,
    *,
    base_url: str | None = None,
    objects: list[LearningObject] | None = None,
    paths: list[LearningPath] | None = None,
) -> list[Path]:
    """Write every learning object as ``DIR/<hruid>/<language>/index.md`` (+ ``img/``) and every
    learning path as ``DIR/learning-paths/<hruid>.<language>.json`` (+ its image).

    ``base_url`` (e.g. ``"https://convolab.example.org"``) turns links to convolab's own pages
    (``/convolutie``) into absolute ones, for a platform that does not host convolab itself.
    Returns the written files.
    """
    if base_url is not None and not re.match(r"^https?://[^/\s]+", base_url or ""):
        raise ValueError(
            f"base_url must start with http:// or https:// and a host, got {base_url!r}"
        )
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ValueError(f"directory must be a folder, but {out} is a file")
    objs = objects if objects is not None else load_objects()
    lps = paths if paths is not None else load_paths(objects=objs)
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
    for lp in lps:
        path_dir.mkdir(parents=True, exist_ok=True)
        target = path_dir / f"{lp.hruid}.{lp.language}.json"
        target.write_text(
            json.dumps(lp.data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written.append(target)
        image = lp.image
        if image and not re.match(r"^[a-z]+:", image) and ".." not in Path(image).parts:
            src = lp.file.parent / image
            if src.is_file():
                dest = path_dir / image
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
                written.append(dest)
    return written
