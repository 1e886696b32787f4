"""Faces as grey pixels: a generated starter set and photos of paper drawings.

:func:`starter_set` *generates* smileys (a program draws them, with random variation: place,
size, line thickness, eyes, mouth, a small tilt), so the page works before any class has drawn
anything. They are not drawings by people and the page says so.

:func:`photo_to_grid` turns a photo of a paper drawing (dark lines on light paper) into the
same GRID x GRID grey pixels as the drawing grid: light lines on a dark background. The photo is
processed in memory and not kept.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .store import GRID

#: the labels the starter set can draw (``boos``: frowning, eyebrows down)
STARTER_LABELS = ("blij", "verrast", "boos")
STARTER_SOURCE = "generated"
_S = 8  # draw at 8x the grid size, then shrink (smooth, like a thick pen on paper)


def _face(label: str, rng: np.random.Generator) -> np.ndarray:
    n = GRID * _S
    img = np.zeros((n, n), np.uint8)
    cx = n / 2 + rng.uniform(-2, 2) * _S
    cy = n / 2 + rng.uniform(-2, 2) * _S
    r = rng.uniform(9.5, 12.5) * _S
    thick = int(round(rng.uniform(1.0, 2.0) * _S))

    def pt(x, y):
        return (int(round(x)), int(round(y)))

    cv2.ellipse(img, pt(cx, cy), pt(r, r * rng.uniform(0.92, 1.08)), 0, 0, 360, 255, thick)
    ex = r * rng.uniform(0.30, 0.42)
    ey = cy - r * rng.uniform(0.22, 0.38)
    eye = r * (rng.uniform(0.10, 0.16) if label != "verrast" else rng.uniform(0.13, 0.20))
    for side in (-1, 1):
        if label == "verrast" and rng.random() < 0.5:
            cv2.circle(img, pt(cx + side * ex, ey), int(eye * 1.2), 255, max(_S, thick // 2))
        else:
            cv2.circle(img, pt(cx + side * ex, ey), int(eye), 255, -1)
    mw = r * rng.uniform(0.38, 0.58)
    my = cy + r * rng.uniform(0.30, 0.45)
    if label == "blij":
        depth = r * rng.uniform(0.18, 0.32)
        cv2.ellipse(img, pt(cx, my - depth * 0.6), pt(mw, depth), 0, 15, 165, 255, thick)
    elif label == "verrast":
        mr = r * rng.uniform(0.16, 0.26)
        cv2.ellipse(
            img, pt(cx, my), pt(mr * rng.uniform(0.8, 1.1), mr * 1.2), 0, 0, 360, 255, thick
        )
    elif label == "boos":
        depth = r * rng.uniform(0.14, 0.26)
        cv2.ellipse(img, pt(cx, my + depth * 0.7), pt(mw, depth), 0, 195, 345, 255, thick)
        for side in (-1, 1):
            x0, x1 = cx + side * ex * 0.35, cx + side * ex * 1.45
            y0, y1 = ey - eye * 1.6, ey - eye * 3.2
            cv2.line(img, pt(x0, y0), pt(x1, y1), 255, thick)
    else:
        raise ValueError(f"unknown label {label!r}; allowed: {', '.join(STARTER_LABELS)}")
    angle = rng.uniform(-12, 12)
    m = cv2.getRotationMatrix2D((n / 2, n / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (n, n), flags=cv2.INTER_LINEAR, borderValue=0)
    small = cv2.resize(img, (GRID, GRID), interpolation=cv2.INTER_AREA)
    # like a grid drawing: a square is coloured in or not (a few grey squares at the edges)
    return np.where(small >= 96, 255, np.where(small >= 48, 128, 0)).astype(np.uint8)


def starter_set(
    labels: tuple[str, ...] = ("blij", "verrast"), per_label: int = 100, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: ``per_label`` generated faces of each label (N x GRID x GRID uint8, light
    lines on dark), in a mixed order; ``y`` indexes ``labels``."""
    if isinstance(per_label, bool) or not isinstance(per_label, int) or not 1 <= per_label <= 1000:
        raise ValueError(f"per_label must be a whole number 1..1000; got {per_label!r}")
    for lab in labels:
        if lab not in STARTER_LABELS:
            raise ValueError(f"unknown label {lab!r}; allowed: {', '.join(STARTER_LABELS)}")
    rng = np.random.default_rng(seed)
    x = np.stack([_face(lab, rng) for lab in labels for _ in range(per_label)])
    y = np.repeat(np.arange(len(labels)), per_label)
    order = rng.permutation(len(y))
    return x[order], y[order]


def photo_to_grid(image: np.ndarray) -> np.ndarray:
    """A photo (H x W grey or H x W x 3 RGB, uint8) of a dark drawing on light paper ->
    GRID x GRID uint8, light lines on a dark background.

    Steps: grey; the ink is what is clearly darker than the paper around it (adaptive
    threshold, so shadows and uneven light do not count); the smallest square around the ink
    (with a small margin) is cut out and shrunk to the grid (each square gets the share of
    ink in it as its grey value)."""
    a = np.asarray(image)
    if a.ndim == 3:
        if a.shape[2] == 4:
            a = a[..., :3]
        a = cv2.cvtColor(np.ascontiguousarray(a, dtype=np.uint8), cv2.COLOR_RGB2GRAY)
    if a.ndim != 2 or min(a.shape) < 8:
        raise ValueError(f"photo must be an image of at least 8 x 8 pixels; got shape {a.shape}")
    a = np.ascontiguousarray(a, dtype=np.uint8)
    side = max(a.shape)
    if side > 1024:  # enough detail for a 28 x 28 grid, and quick
        f = 1024 / side
        a = cv2.resize(
            a,
            (max(8, round(a.shape[1] * f)), max(8, round(a.shape[0] * f))),
            interpolation=cv2.INTER_AREA,
        )
    block = max(3, (min(a.shape) // 16) | 1)
    blur = cv2.GaussianBlur(a, (3, 3), 0)
    ink = cv2.adaptiveThreshold(
        blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12
    )
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return np.zeros((GRID, GRID), np.uint8)
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    size = int(math.ceil(max(x1 - x0, y1 - y0) * 1.1)) + 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    canvas = np.zeros((size, size), np.uint8)
    sx, sy = int(round(cx - size / 2)), int(round(cy - size / 2))
    src = ink[max(0, sy) : sy + size, max(0, sx) : sx + size]
    canvas[max(0, -sy) : max(0, -sy) + src.shape[0], max(0, -sx) : max(0, -sx) + src.shape[1]] = src
    # thicken thin pen lines a little so they survive the shrinking
    k = max(1, size // (GRID * 2))
    canvas = cv2.dilate(canvas, np.ones((k, k), np.uint8))
    small = cv2.resize(canvas.astype(np.float32), (GRID, GRID), interpolation=cv2.INTER_AREA)
    return np.clip(np.floor(small * 2 + 0.5), 0, 255).astype(np.uint8)
