"""Learning objects (Dwengo format) as data: loader, renderer, notebook view and export.

>>> from convolab import content
>>> lib = content.library()
>>> lib.get("convolab-convolutie", "nl").title
'De convolutie'
>>> lib.get("convolab-convolutie", "nl").metadata["based_on"]["hruid"]
'org-dwengo-waisda-beelden-emoties-deel2-conv2d'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .export import ExportError, export_learning_objects, export_path_data
from .loader import (
    CONTENT_TYPES,
    OBJECTS_DIR,
    PATHS_DIR,
    SEED_FILE,
    ContentError,
    LearningObject,
    LearningPath,
    load_object,
    load_objects,
    load_path,
    load_paths,
    parse_object,
    validate_metadata,
    validate_path,
    version_key,
)
from .notebook import notebook_path, notebooks_dir, render_notebook
from .render import is_own_page, render_markdown, render_object, sanitize_html

# The seed page, adapted: convolab's own hruid, so importing it never replaces Dwengo's live
# object (org-dwengo-waisda-beelden-emoties-deel2-conv2d, version 1, nl/en), which it credits
# in its `based_on` field.
SEED_HRUID = "convolab-convolutie"
DWENGO_SEED_HRUID = "org-dwengo-waisda-beelden-emoties-deel2-conv2d"
PATH_HRUID = "convolab-convoluties"

__all__ = [
    "CONTENT_TYPES",
    "OBJECTS_DIR",
    "PATHS_DIR",
    "PATH_HRUID",
    "SEED_FILE",
    "SEED_HRUID",
    "DWENGO_SEED_HRUID",
    "ContentError",
    "ExportError",
    "LearningObject",
    "LearningPath",
    "Library",
    "export_learning_objects",
    "export_path_data",
    "is_own_page",
    "library",
    "load_object",
    "load_objects",
    "load_path",
    "load_paths",
    "notebook_path",
    "notebooks_dir",
    "parse_object",
    "render_markdown",
    "render_notebook",
    "render_object",
    "sanitize_html",
    "validate_metadata",
    "validate_path",
    "version_key",
]


@dataclass(frozen=True)
class Library:
    """A validated collection of learning objects and the paths that order them."""

    objects: tuple[LearningObject, ...]
    paths: tuple[LearningPath, ...]

    @classmethod
    def load(cls, objects_root: Path | str | None = None, paths_root: Path | str | None = None):
        objs = load_objects(objects_root)
        return cls(tuple(objs), tuple(load_paths(paths_root, objects=objs)))

    def get(self, hruid: str, language: str, version: int | float | None = None):
        """The object (the highest version unless ``version`` is given), or None."""
        found = [
            o
            for o in self.objects
            if o.hruid == hruid
            and o.language == language
            and (version is None or version_key(o.version) == version_key(version))
        ]
        return max(found, key=lambda o: o.version) if found else None

    def path(self, hruid: str, language: str) -> LearningPath | None:
        return next((p for p in self.paths if (p.hruid, p.language) == (hruid, language)), None)

    def path_objects(self, hruid: str, language: str) -> list[tuple[dict, LearningObject]]:
        """(node, object) pairs of a path, in the order of its default transitions."""
        lp = self.path(hruid, language)
        if lp is None:
            return []
        pairs = []
        for node in lp.ordered_nodes():
            obj = self.get(node["learningobject_hruid"], node["language"], node["version"])
            if obj is not None:
                pairs.append((node, obj))
        return pairs


@lru_cache(maxsize=1)
def library() -> Library:
    """convolab's own learning objects and paths (loaded and validated once)."""
    return Library.load()
