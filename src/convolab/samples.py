"""Real photographs that work offline.

They come from scikit-image's bundled data (in its wheel, no download);
source and licence of each are listed here and in ``samples()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from .errors import InvalidType, unknown


@dataclass(frozen=True)
class Sample:
    id: str
    name_nl: str
    name_en: str
    loader: str  # function name in skimage.data
    source: str
    licence: str

    @property
    def colour(self) -> bool:
        """True for a colour photo (H x W x 3)."""
        return _load(self.id).ndim == 3

    def to_dict(self) -> dict:
        img = _load(self.id)
        return {
            "id": self.id,
            "name_nl": self.name_nl,
            "name_en": self.name_en,
            "source": self.source,
            "licence": self.licence,
            "shape": list(img.shape),
            "colour": img.ndim == 3,
        }


SAMPLES: dict[str, Sample] = {
    s.id: s
    for s in (
        Sample(
            "camera",
            "Fotograaf",
            "Cameraman",
            "camera",
            "scikit-image data (skimage.data.camera)",
            "CC0 1.0",
        ),
        Sample(
            "astronaut",
            "Astronaut",
            "Astronaut",
            "astronaut",
            "NASA, Eileen Collins (skimage.data.astronaut)",
            "public domain",
        ),
        Sample(
            "coins",
            "Munten",
            "Coins",
            "coins",
            "Greek coins from Pompeii, Brooklyn Museum (skimage.data.coins)",
            "no known copyright restrictions",
        ),
        Sample(
            "chelsea",
            "Kat (Chelsea)",
            "Cat (Chelsea)",
            "chelsea",
            "Stefan van der Walt (skimage.data.chelsea)",
            "CC0 1.0",
        ),
        Sample(
            "coffee",
            "Koffie",
            "Coffee",
            "coffee",
            "Rachel Michetti (skimage.data.coffee)",
            "CC0 1.0",
        ),
        Sample(
            "brick",
            "Bakstenen",
            "Bricks",
            "brick",
            "scikit-image data (skimage.data.brick)",
            "CC0 1.0",
        ),
        Sample(
            "grass", "Gras", "Grass", "grass", "scikit-image data (skimage.data.grass)", "CC0 1.0"
        ),
        Sample(
            "rocket",
            "Raket",
            "Rocket",
            "rocket",
            "SpaceX launch, public domain (skimage.data.rocket)",
            "public domain (CC0)",
        ),
        Sample(
            "text",
            "Tekst",
            "Text",
            "text",
            "Wikipedia File:Corner.png (skimage.data.text)",
            "no known copyright restrictions, public domain",
        ),
    )
}


def samples() -> list[Sample]:
    """The available sample photos with their source and licence."""
    return list(SAMPLES.values())


@cache
def _load(name: str) -> np.ndarray:
    import skimage.data

    img = np.ascontiguousarray(getattr(skimage.data, SAMPLES[name].loader)(), dtype=np.uint8)
    img.flags.writeable = False
    return img


def sample(name: str, *, grey: bool = False) -> np.ndarray:
    """A sample photo as a uint8 array (a fresh copy), e.g. ``sample("camera")``.

    ``grey=True`` turns a colour photo into greyscale (ITU-R 601 luma, as Pillow).
    """
    if not isinstance(name, str):
        raise InvalidType("sample_name_not_string", type=type(name).__name__)
    if name not in SAMPLES:
        raise unknown("sample", name, SAMPLES, code="unknown_sample")
    img = _load(name)
    if grey and img.ndim == 3:
        from PIL import Image

        return np.asarray(Image.fromarray(img[..., :3]).convert("L")).copy()
    return img.copy()
