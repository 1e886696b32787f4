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


#: how a photo was cut: ``grid`` (the printed paper grid was found, each of its squares is one
#: pixel) or ``ink`` (no paper grid found: a square around the ink)
PHOTO_CUTS = ("grid", "ink")
_CELL = 16  # pixels per grid square after straightening the paper grid


def _grey_photo(image: np.ndarray) -> np.ndarray:
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
    return a


def _darkness(a: np.ndarray, k: int) -> np.ndarray:
    """How much darker than the paper around it each pixel is (0 = paper, 1 = black), with the
    paper's brightness taken from the lightest pixels nearby (so uneven light does not count)."""
    k = max(3, k | 1)
    paper = cv2.dilate(a, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper.astype(np.float32), (k, k), 0)
    return np.clip(1.0 - a.astype(np.float32) / np.maximum(paper, 1.0), 0.0, 1.0)


def _order_corners(q: np.ndarray) -> np.ndarray:
    """Four points -> top-left, top-right, bottom-right, bottom-left."""
    q = q.reshape(4, 2).astype(np.float32)
    s, d = q.sum(1), q[:, 1] - q[:, 0]
    return np.array([q[s.argmin()], q[d.argmin()], q[s.argmax()], q[d.argmax()]], np.float32)


def _grid_lines_score(dark: np.ndarray) -> float:
    """How clearly the GRID + 1 equally spaced lines of a straightened grid show up, along both
    directions: the smaller of (darkness on the lines - darkness in the squares' middles)."""
    scores = []
    for axis in (0, 1):
        prof = dark.mean(axis=axis)
        on = np.array([prof[max(0, i * _CELL - 1) : i * _CELL + 2].max() for i in range(1, GRID)])
        mid = np.array(
            [
                prof[i * _CELL + _CELL // 2 - 2 : i * _CELL + _CELL // 2 + 3].mean()
                for i in range(GRID)
            ]
        )
        between = np.minimum(mid[:-1], mid[1:])
        # most inner lines must be darker than the squares beside them
        scores.append(float(np.quantile(on - between, 0.2)))
    return min(scores)


def _find_grid(a: np.ndarray) -> np.ndarray | None:
    """The straightened paper grid (GRID*_CELL square, darkness 0..1) or None."""
    h, w = a.shape
    dark = _darkness(a, min(h, w) // 20)
    lines = (dark > 0.25).astype(np.uint8) * 255
    contours, _ = cv2.findContours(lines, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    min_area = 0.04 * h * w
    big = sorted(
        (c for c in contours if cv2.contourArea(c) >= min_area), key=cv2.contourArea, reverse=True
    )
    n = GRID * _CELL
    target = np.array([[0, 0], [n, 0], [n, n], [0, n]], np.float32)
    for c in big[:12]:
        hull = cv2.convexHull(c)
        quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(quad) != 4 or not cv2.isContourConvex(quad):
            continue
        m = cv2.getPerspectiveTransform(_order_corners(quad), target)
        flat = cv2.warpPerspective(
            a, m, (n, n), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
        )
        d = _darkness(flat, 5 * _CELL)
        if _grid_lines_score(d) > 0.08:
            return d
    return None


def _sample_cells(dark: np.ndarray) -> np.ndarray:
    """Each square of the straightened grid -> one grey value: the share of its middle (the
    printed lines left out) that is coloured in."""
    m = _CELL // 4
    cells = dark.reshape(GRID, _CELL, GRID, _CELL)[:, m : _CELL - m, :, m : _CELL - m]
    share = (cells > 0.3).mean(axis=(1, 3))
    return np.clip(np.floor(share * 255 + 0.5), 0, 255).astype(np.uint8)


def photo_cut(image: np.ndarray) -> tuple[np.ndarray, str]:
    """``(pixels, cut)``: :func:`photo_to_grid`'s pixels and how the photo was cut, one of
    :data:`PHOTO_CUTS`."""
    a = _grey_photo(image)
    flat = _find_grid(a)
    if flat is not None:
        return _sample_cells(flat), "grid"
    return _ink_crop(a), "ink"


def photo_to_grid(image: np.ndarray) -> np.ndarray:
    """A photo (H x W grey or H x W x 3 RGB, uint8) of a dark drawing on light paper ->
    GRID x GRID uint8, light lines on a dark background.

    If the photo shows a printed paper grid of GRID x GRID squares, the grid is found (the
    largest four-cornered outline whose inside has GRID + 1 equally spaced lines each way),
    straightened to a square, and each square becomes one pixel: the share of it that is
    coloured in. Otherwise the ink is cut out (see :func:`_ink_crop`)."""
    return photo_cut(image)[0]


def _ink_crop(a: np.ndarray) -> np.ndarray:
    """No paper grid: the ink is what is clearly darker than the paper around it (adaptive
    threshold, so shadows and uneven light do not count); the smallest square around the ink
    (with a small margin) is cut out and shrunk to the grid (each square gets the share of
    ink in it as its grey value)."""
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
