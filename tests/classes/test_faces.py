"""Photos of paper drawings: the printed paper grid is found and straightened, each of its
squares becomes one pixel; without a grid the ink is cut out. The photos are made here: a
paper grid with a smiley coloured in, turned and put in perspective on a noisy background with
uneven light."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from convolab.classes import GRID, photo_to_grid
from convolab.classes.faces import photo_cut, starter_set

CELL = 20  # pixels per square on the "paper"


def _smiley_cells(seed: int) -> np.ndarray:
    """A GRID x GRID pattern of coloured squares (True = coloured in): a generated smiley."""
    x, _ = starter_set(("blij",), per_label=1, seed=seed)
    return x[0] >= 128


def _paper(cells: np.ndarray, margin: int = 60, line: int = 140) -> np.ndarray:
    """White paper with a printed GRID x GRID grid (grey lines) and the squares coloured in."""
    n = GRID * CELL
    p = np.full((n + 2 * margin, n + 2 * margin), 235, np.uint8)
    for r, c in zip(*np.nonzero(cells), strict=True):
        y, x = margin + r * CELL, margin + c * CELL
        p[y : y + CELL, x : x + CELL] = 55  # pencil
    for i in range(GRID + 1):
        o = margin + i * CELL
        cv2.line(p, (margin, o), (margin + n, o), line, 2)
        cv2.line(p, (o, margin), (o, margin + n), line, 2)
    return p


def _photo(paper: np.ndarray, seed: int, angle: float, tilt: float) -> np.ndarray:
    """The paper photographed: turned by ``angle`` degrees, in perspective (``tilt``: how much
    one side is nearer), on a noisy darker background, lit unevenly, with camera noise."""
    rng = np.random.default_rng(seed)
    h, w = paper.shape
    W, H = 1000, 800
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    s = 0.55 * min(W, H) / max(w, h)
    pts = (src - [w / 2, h / 2]) * s
    t = np.deg2rad(angle)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    pts = pts @ rot.T
    pts[1:3, 0] *= 1 + tilt  # the right side nearer: larger
    pts[[1, 2], 1] *= 1 + tilt
    dst = (pts + [W / 2, H / 2]).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    bg = rng.normal(90, 25, (H, W)).clip(0, 255).astype(np.uint8)
    bg = cv2.GaussianBlur(bg, (5, 5), 0)
    mask = cv2.warpPerspective(np.full_like(paper, 255), m, (W, H))
    img = cv2.warpPerspective(paper, m, (W, H), flags=cv2.INTER_LINEAR)
    img = np.where(mask > 127, img, bg).astype(np.float32)
    yy, xx = np.mgrid[0:H, 0:W]
    light = 0.55 + 0.45 * (xx / W) * (0.7 + 0.3 * yy / H)  # a lamp on the right
    img = img * light + rng.normal(0, 6, (H, W))
    grey = img.clip(0, 255).astype(np.uint8)
    return np.dstack([grey, grey, (grey * 0.95).astype(np.uint8)])  # RGB, slightly warm


@pytest.mark.parametrize(
    ("seed", "angle", "tilt"), [(1, 0.0, 0.0), (2, 12.0, 0.08), (3, -20.0, 0.15), (4, 35.0, 0.1)]
)
def test_a_photo_of_a_paper_grid_is_cut_to_the_grid(seed, angle, tilt):
    cells = _smiley_cells(seed)
    photo = _photo(_paper(cells), seed, angle, tilt)
    pixels, cut = photo_cut(photo)
    assert cut == "grid"
    assert pixels.shape == (GRID, GRID) and pixels.dtype == np.uint8
    right = ((pixels >= 128) == cells).mean()
    assert right >= 0.95, f"only {right:.1%} of the squares right"
    assert np.array_equal(photo_to_grid(photo), pixels)


def test_the_grid_is_cut_even_with_an_empty_square_row_at_the_edge():
    cells = np.zeros((GRID, GRID), bool)
    cells[10:18, 10:18] = True
    pixels, cut = photo_cut(_photo(_paper(cells), 5, 5.0, 0.05))
    assert cut == "grid"
    assert ((pixels >= 128) == cells).mean() >= 0.95


def test_without_a_paper_grid_the_ink_is_cut_out():
    cells = _smiley_cells(6)
    paper = _paper(cells, line=235)  # the same drawing, no printed grid
    pixels, cut = photo_cut(_photo(paper, 6, 8.0, 0.05))
    assert cut == "ink"
    assert pixels.shape == (GRID, GRID)
    assert (pixels > 0).sum() > 40  # the ink is there


def test_a_grid_with_the_wrong_number_of_squares_is_not_taken_for_the_paper_grid():
    n = 10 * 56
    p = np.full((n + 120, n + 120), 235, np.uint8)
    for i in range(11):
        o = 60 + i * 56
        cv2.line(p, (60, o), (60 + n, o), 140, 2)
        cv2.line(p, (o, 60), (o, 60 + n), 140, 2)
    cv2.circle(p, (p.shape[1] // 2, p.shape[0] // 2), 150, 40, 20)
    assert photo_cut(_photo(p, 7, 4.0, 0.0))[1] == "ink"
