"""A class's own drawings of faces (blij, verrast, ...): stored, exported, imported.

- :class:`ClassStore` (``store.py``): classes with a short code and their drawings in SQLite
  (default) or any SQLAlchemy database; thread-safe, blocking (call it off an event loop).
- :func:`starter_set`, :func:`photo_to_grid`, :func:`photo_cut` (``faces.py``): generated
  smileys for a page without a class; a photo of a paper drawing as grid pixels (cut to the
  printed paper grid when there is one).
"""

from .errors import ClassFull, ClassNotFound, ClassStoreError, DrawingNotFound, NotYours
from .faces import PHOTO_CUTS, STARTER_LABELS, photo_cut, photo_to_grid, starter_set
from .store import (
    DEFAULT_LABELS,
    GRID,
    MAX_DRAWINGS,
    MAX_LABELS,
    ClassInfo,
    ClassStore,
    Drawing,
    data_dir,
    default_url,
    normalise_code,
    read_zip,
)

__all__ = [
    "DEFAULT_LABELS",
    "GRID",
    "MAX_DRAWINGS",
    "MAX_LABELS",
    "PHOTO_CUTS",
    "STARTER_LABELS",
    "ClassFull",
    "ClassInfo",
    "ClassNotFound",
    "ClassStore",
    "ClassStoreError",
    "Drawing",
    "DrawingNotFound",
    "NotYours",
    "data_dir",
    "default_url",
    "normalise_code",
    "photo_cut",
    "photo_to_grid",
    "read_zip",
    "starter_set",
]
