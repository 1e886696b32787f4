"""The filter catalogue, the factories and parse_kernel (what a pupil types)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import convolab as cl
from convolab.kernels import MAPPINGS

# Typed from /work/shared/reference/anchors.md (rows separated by "/").
DWENGO = {
    "Edge Detection": "-1 -1 -1 / -1 8 -1 / -1 -1 -1",
    "Blur": "1/9 1/9 1/9 / 1/9 1/9 1/9 / 1/9 1/9 1/9",
    "Sharpen": "0 -1 0 / -1 5 -1 / 0 -1 0",
    "Emboss": "-2 -1 0 / -1 1 1 / 0 1 2",
    "Outline": "0 1 0 / 1 -4 1 / 0 1 0",
}
KIKS = {
    "edges": "-1 -1 -1 / -1 8 -1 / -1 -1 -1",
    "vertical lines": "-1 0 1 / -1 0 1 / -1 0 1",
    "diagonal 1": "-5 0 0 / 0 0 0 / 0 0 5",
    "diagonal 2": "0 0 -5 / 0 0 0 / 5 0 0",
    "smoothing /13": "1/13 1/13 1/13 / 1/13 5/13 1/13 / 1/13 1/13 1/13",
    "sharpening": "0 -1 0 / -1 5 -1 / 0 -1 0",
    "emboss": "-2 -1 0 / -1 1 1 / 0 1 2",
    "mean /9": "1/9 1/9 1/9 / 1/9 1/9 1/9 / 1/9 1/9 1/9",
    "gaussian /16": "1/16 2/16 1/16 / 2/16 4/16 2/16 / 1/16 2/16 1/16",
    "strong edges": "-1 -2 -1 / -2 12 -2 / -1 -2 -1",
    "sobel -1 0 1": "-1 0 1 / -2 0 2 / -1 0 1",
    "sobel 1 2 1": "1 2 1 / 0 0 0 / -1 -2 -1",
    "45 degrees": "1 1 1 / -1 -2 1 / -1 -1 1",
    "kirsch": "-3 -3 5 / -3 0 5 / -3 -3 5",
    "corners": "1 0 -1 / 0 0 0 / -1 0 1",
}
SETOSA = {
    "identity": "0 0 0 / 0 1 0 / 0 0 0",
    "blur": "1/16 2/16 1/16 / 2/16 4/16 2/16 / 1/16 2/16 1/16",
    "sharpen": "0 -1 0 / -1 5 -1 / 0 -1 0",
    "outline": "-1 -1 -1 / -1 8 -1 / -1 -1 -1",
    "emboss": "-2 -1 0 / -1 1 1 / 0 1 2",
    "left sobel": "1 0 -1 / 2 0 -2 / 1 0 -1",
    "right sobel": "-1 0 1 / -2 0 2 / -1 0 1",
    "top sobel": "1 2 1 / 0 0 0 / -1 -2 -1",
    "bottom sobel": "-1 -2 -1 / 0 0 0 / 1 2 1",
}
# the four Sobel directions by the names the web app and CLI use
SOBEL = {
    "sobel-x": "-1 0 1 / -2 0 2 / -1 0 1",
    "sobel-left": "1 0 -1 / 2 0 -2 / 1 0 -1",
    "sobel-y": "-1 -2 -1 / 0 0 0 / 1 2 1",
    "sobel-top": "1 2 1 / 0 0 0 / -1 -2 -1",
}


def grid(text):
    def cell(c):
        a, _, b = c.partition("/")
        return float(a) / float(b or 1)

    return np.array([[cell(c) for c in row.split()] for row in text.split(" / ")])


def in_catalogue(values):
    return [k.id for k in cl.kernels() if k.shape == values.shape and np.allclose(k.values, values)]


# ---------------------------------------------------------------- catalogue


def test_at_least_20_entries_with_unique_names():
    ks = cl.kernels()
    assert len(ks) >= 20
    names = [n for k in ks for n in (k.id, *k.aliases)]
    assert len(names) == len(set(names))
    for n in names:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n), n
    assert len({k.name_nl for k in ks}) == len(ks)
    assert len({k.name_en for k in ks}) == len(ks)


@pytest.mark.parametrize(
    "source,table", [("Dwengo", DWENGO), ("KIKS", KIKS), ("Setosa", SETOSA)], ids=str
)
def test_reference_filters_present(source, table):
    missing = [name for name, text in table.items() if not in_catalogue(grid(text))]
    assert not missing, f"{source} filters not in the catalogue: {missing}"


@pytest.mark.parametrize("name", SOBEL)
def test_four_sobel_directions(name):
    np.testing.assert_array_equal(cl.kernel(name).values, grid(SOBEL[name]))


def test_named_lookups():
    assert cl.kernel("identity").values.tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    np.testing.assert_array_equal(cl.kernel("sharpen").values, grid(DWENGO["Sharpen"]))
    np.testing.assert_array_equal(cl.kernel("emboss").values, grid(DWENGO["Emboss"]))
    np.testing.assert_array_equal(cl.kernel("edge").values, grid(DWENGO["Edge Detection"]))
    np.testing.assert_array_equal(cl.kernel("outline").values, grid(DWENGO["Outline"]))
    np.testing.assert_allclose(cl.kernel("blur").values, np.full((3, 3), 1 / 9), rtol=1e-15)
    assert cl.kernel(" Sobel-X ") is cl.kernel("sobel-x")
    assert cl.kernel("sobel-right") is cl.kernel("sobel-x")


@pytest.mark.parametrize("k", cl.kernels(), ids=lambda k: k.id)
def test_entry_is_complete(k):
    for text in (k.name_nl, k.name_en, k.about_nl, k.about_en):
        assert isinstance(text, str) and text.strip() == text and len(text) >= 3
    assert len(k.about_nl) <= 120 and len(k.about_en) <= 120, "one line"
    assert k.display in MAPPINGS
    v = k.values
    assert v.dtype == np.float64 and v.ndim == 2 and 1 <= max(v.shape) <= 31
    assert np.isfinite(v).all()
    assert not v.flags.writeable
    d = k.to_dict()
    json.dumps(d)  # plain data
    assert d["id"] == k.id and d["display"] == k.display
    assert np.array_equal(np.array(d["values"]), v)
    for key in ("name_nl", "name_en", "about_nl", "about_en"):
        assert d[key] == getattr(k, key)
    assert k.name("nl") == k.name_nl and k.name("en") == k.name_en
    assert k.about("nl") == k.about_nl and k.about("en") == k.about_en
    assert cl.kernel(k.id) is k
    cells = k.cells()  # as a pupil reads them: fractions, or 4 significant digits
    np.testing.assert_allclose([[eval_cell(c) for c in row] for row in cells], v, rtol=5e-4)


def eval_cell(text):
    a, _, b = text.partition("/")
    return float(a) / float(b or 1)


def test_blur_cells_are_shown_as_fractions():
    assert cl.kernel("blur").cells() == [["1/9"] * 3] * 3
    assert cl.kernel("gaussian-3").cells()[1] == ["1/8", "1/4", "1/8"]


def visible(img: np.ndarray) -> bool:
    """Not (nearly) black and not flat: bright details exist and there is contrast."""
    p1, p99 = np.percentile(img, [1, 99])
    return p99 >= 100 and p99 - p1 >= 40


def test_visible_criterion_can_fail():
    assert not visible(np.zeros((50, 50), np.uint8))
    assert not visible(np.full((50, 50), 128, np.uint8))
    assert not visible(cl.to_display(cl.correlate(cl.sample("camera"), "sobel-x"), "clip") // 3)
    assert visible(cl.sample("camera"))


@pytest.mark.parametrize("k", cl.kernels(), ids=lambda k: k.id)
def test_default_mapping_shows_something_on_camera(k):
    out = cl.to_display(cl.correlate(cl.sample("camera"), k), k.display)
    assert visible(out), (k.id, k.display, np.percentile(out, [1, 50, 99]))


def test_edge_filters_do_not_use_clip():
    """Edge filters sum to 0: with "clip" half the response (the negative side) is black."""
    for k in cl.kernels():
        if abs(k.values.sum()) < 1e-9 and np.abs(k.values).sum() > 0:
            assert k.display != "clip", k.id


# ---------------------------------------------------------------- factories


@pytest.mark.parametrize("size,sigma", [(3, 1.0), (5, 0.8), (7, 2.5), ((3, 5), 1.2), (1, 1.0)])
def test_gaussian(size, sigma):
    g = cl.gaussian(size, sigma)
    h, w = size if isinstance(size, tuple) else (size, size)
    assert g.shape == (h, w)
    assert abs(g.sum() - 1) < 1e-12
    y, x = np.mgrid[0:h, 0:w]
    y, x = y - (h - 1) / 2, x - (w - 1) / 2
    f = np.exp(-(x**2 + y**2) / (2 * sigma**2))
    np.testing.assert_allclose(g, f / f.sum(), rtol=1e-12)
    np.testing.assert_allclose(g, g[::-1, ::-1])


def test_gaussian_docstring_values():
    assert cl.gaussian(3, 1.0).round(3).tolist() == [
        [0.075, 0.124, 0.075],
        [0.124, 0.204, 0.124],
        [0.075, 0.124, 0.075],
    ]


@pytest.mark.parametrize("size", [1, 3, 4, (2, 5), 31])
def test_box(size):
    b = cl.box(size)
    h, w = size if isinstance(size, tuple) else (size, size)
    assert b.shape == (h, w)
    assert np.all(b == 1 / (h * w))
    assert abs(b.sum() - 1) < 1e-12


@pytest.mark.parametrize("length", [1, 3, 9, 15])
@pytest.mark.parametrize("angle", [0, 45, 90, 135, 30, 180, -45, 400])
def test_motion_blur_sums_to_one(length, angle):
    k = cl.motion_blur(length, angle)
    assert k.shape == (length, length)
    assert abs(k.sum() - 1) < 1e-12
    assert np.all(k >= 0)
    nz = k[k > 0]
    np.testing.assert_allclose(nz, nz[0])  # equal weights along the line
    c = (length - 1) / 2
    assert k[int(c), int(c)] > 0  # through the centre
    # every cell lies on the line through the centre at that angle (counter-clockwise,
    # rows grow downwards), up to rounding: distance <= (|sin| + |cos|) / 2 <= 0.71
    t = np.radians(angle)
    r, q = np.nonzero(k)
    dist = np.abs((q - c) * np.sin(t) + (r - c) * np.cos(t))
    assert dist.max() <= 0.5 * (abs(np.sin(t)) + abs(np.cos(t))) + 1e-9
    if angle % 90 == 0:  # horizontal or vertical: exactly one cell per step
        assert np.count_nonzero(k) == length
    # the line is as long at every angle: cells at most (length - 1) / 2 from the centre,
    # up to rounding
    assert np.hypot(r - c, q - c).max() <= c + 0.71


def test_motion_blur_direction():
    n = 7
    horizontal = np.zeros((n, n))
    horizontal[n // 2] = 1 / n
    np.testing.assert_allclose(cl.motion_blur(n, 0), horizontal)
    np.testing.assert_allclose(cl.motion_blur(n, 180), horizontal)
    np.testing.assert_allclose(cl.motion_blur(n, 90), horizontal.T)
    # counter-clockwise: 45° runs from bottom left to top right, 135° from top left to
    # bottom right; the line keeps its length (6 cells from end to end), so on the
    # diagonal it covers the 5 middle cells (2 · 3 / √2 ≈ 4.2 cells per axis)
    diag = np.zeros((n, n))
    diag[range(1, 6), range(1, 6)] = 1 / 5
    np.testing.assert_allclose(cl.motion_blur(n, 135), diag)
    np.testing.assert_allclose(cl.motion_blur(n, -45), diag)
    np.testing.assert_allclose(cl.motion_blur(n, 45), np.fliplr(diag))
    np.testing.assert_allclose(cl.motion_blur(n, 225), np.fliplr(diag))


def test_motion_blur_smears_an_image_along_its_line():
    img = np.zeros((21, 21))
    img[10, 10] = 255.0
    out = cl.correlate(img, cl.motion_blur(9, 0))
    lit = np.abs(out) > 1e-9 * 255  # 81 cells: OpenCV's DFT leaves ~1e-15 where 0 is exact
    assert lit[10].sum() == 9 and lit.sum() == 9
    np.testing.assert_allclose(out[10, 6:15], 255 / 9)


@pytest.mark.parametrize("size,sigma", [(9, 1.4), (5, 1.0), (7, 0.7), ((5, 9), 2.0)])
def test_laplacian_of_gaussian(size, sigma):
    k = cl.laplacian_of_gaussian(size, sigma)
    h, w = size if isinstance(size, tuple) else (size, size)
    assert k.shape == (h, w)
    assert abs(k.sum()) < 1e-12
    y, x = np.mgrid[0:h, 0:w]
    r2 = (y - (h - 1) / 2) ** 2 + (x - (w - 1) / 2) ** 2
    log = (r2 - 2 * sigma**2) / sigma**4 * np.exp(-r2 / (2 * sigma**2))  # the LoG, up to 1/2πσ²
    diff = k - log
    assert np.ptp(diff) < 1e-12  # the LoG shifted by a constant
    assert k[(h - 1) // 2, (w - 1) // 2] == k.min() < 0  # negative centre
    np.testing.assert_allclose(k, k[::-1, ::-1], atol=1e-15)
    flat = cl.correlate(np.full((20, 20), 77.0), k, padding="valid")
    np.testing.assert_allclose(flat, 0, atol=1e-9)


@pytest.mark.parametrize(
    "call,exc,pattern",
    [
        (lambda: cl.gaussian(0, 1.0), ValueError, "size must be >= 1"),
        (lambda: cl.gaussian(32, 1.0), ValueError, "size must be between 1 and 31"),
        (lambda: cl.gaussian(3, 0), ValueError, "sigma must be > 0"),
        (lambda: cl.gaussian(3, -1.0), ValueError, "sigma must be > 0"),
        (lambda: cl.gaussian(3, float("nan")), ValueError, "sigma must be a finite number"),
        (lambda: cl.gaussian(3, "1"), TypeError, "sigma must be a number"),
        (lambda: cl.gaussian(2.5, 1.0), TypeError, "size must be a whole number"),
        (lambda: cl.gaussian((3, 3, 3), 1.0), ValueError, "size must be an int or a"),
        (lambda: cl.box(0), ValueError, "size must be >= 1"),
        (lambda: cl.box((3, 40)), ValueError, "size must be between 1 and 31"),
        (lambda: cl.box("3"), TypeError, "size must be a whole number"),
        (lambda: cl.motion_blur(0), ValueError, "length must be >= 1"),
        (lambda: cl.motion_blur(32), ValueError, "length must be between 1 and 31"),
        (lambda: cl.motion_blur(5, float("inf")), ValueError, "angle must be a finite number"),
        (lambda: cl.motion_blur(5, None), TypeError, "angle must be a number"),
        (lambda: cl.laplacian_of_gaussian(9, 0.0), ValueError, "sigma must be > 0"),
        (lambda: cl.laplacian_of_gaussian(-1, 1.0), ValueError, "size must be >= 1"),
    ],
)
def test_factory_errors(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# ---------------------------------------------------------------- parse_kernel

SHARPEN = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]


@pytest.mark.parametrize(
    "text",
    [
        "0 -1 0; -1 5 -1; 0 -1 0",
        "0 -1 0\n-1 5 -1\n0 -1 0",
        "0 -1 0\r\n-1 5 -1\r\n0 -1 0\r\n",
        "0,-1,0;-1,5,-1;0,-1,0",
        "0, -1, 0\n-1, 5, -1\n0, -1, 0",
        "  0\t-1\t0 ;\n -1  5 -1 ;; 0 -1 0 ;",
        "[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]",
        "[[0,-1,0],[-1,5,-1],[0,-1,0]]",
        "[[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]",
        "+0 -1 +0; -1 +5 -1; 0 -1 0",
        "0 -1/1 0; -1 10/2 -1; 0 -2/2 0",
    ],
)
def test_parse_sharpen_every_way(text):
    k = cl.parse_kernel(text)
    assert k.dtype == np.float64
    np.testing.assert_array_equal(k, SHARPEN)


def test_parse_fractions_decimals_and_more():
    np.testing.assert_allclose(cl.parse_kernel("1/9 1/9 1/9; " * 2 + "1/9 1/9 1/9"), 1 / 9)
    assert cl.parse_kernel("0.5 .25 -0.125 -.5 1e-3 2E1").tolist() == [
        [0.5, 0.25, -0.125, -0.5, 0.001, 20.0]
    ]
    assert cl.parse_kernel("-1/16 1/-4 -1/-2").tolist() == [[-1 / 16, -0.25, 0.5]]
    assert cl.parse_kernel("7").tolist() == [[7.0]]
    assert cl.parse_kernel("1 2 3").shape == (1, 3)
    assert cl.parse_kernel("1\n2\n3").shape == (3, 1)
    assert cl.parse_kernel("[1, 2, 3]").tolist() == [[1, 2, 3]]
    assert cl.parse_kernel("[[1], [2]]").tolist() == [[1], [2]]
    assert cl.parse_kernel("[[0.5, -1e-1]]").tolist() == [[0.5, -0.1]]
    big = "; ".join([" ".join(["1"] * 31)] * 31)
    assert cl.parse_kernel(big).shape == (31, 31)


def test_parse_fractions_inside_nested_lists():
    """A pupil who writes lists writes fractions in them too."""
    k = cl.parse_kernel("[[1/9, 1/9, 1/9], [1/9, 1/9, 1/9], [1/9, 1/9, 1/9]]")
    np.testing.assert_allclose(k, 1 / 9)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0,5 0,25; 1 2", [[0.5, 0.25], [1.0, 2.0]]),
        ("-0,5 1/9", [[-0.5, 1 / 9]]),
        ("1,2 3,4\n5 6", [[1.2, 3.4], [5.0, 6.0]]),
        ("1, 2, 3", [[1.0, 2.0, 3.0]]),
        ("1,2,3", [[1.0, 2.0, 3.0]]),
    ],
)
def test_parse_dutch_decimal_comma_where_spaces_separate(text, expected):
    """Dutch pupils write 0,5: understood where only spaces separate the values."""
    np.testing.assert_allclose(cl.parse_kernel(text), expected)


def test_parse_comma_is_a_separator_not_a_decimal_comma():
    """Documented: decimals use a point; a comma separates values."""
    assert cl.parse_kernel("0,5").tolist() == [[0.0, 5.0]]


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("", "filter text is empty"),
        ("   \n ; ", "filter text is empty|row"),
        ("1 2 3; 4 5", r"row 2 has 2 values but row 1 has 3"),
        ("1 2\n3 4 5", r"row 2 has 3 values but row 1 has 2"),
        ("[[1, 2], [3]]", r"row 2 has 1 values but row 1 has 2"),
        ("1 a 3", r"row 1, column 2: 'a' is not a number"),
        ("1 2; 3 twee", r"row 2, column 2: 'twee' is not a number"),
        ("1 2 3; 4, 5 5.5.5", r"row 2, column 3: '5.5.5' is not a number"),
        ("nan 1", "'nan' is not a number"),
        ("inf 1", "'inf' is not a number"),
        ("1e999", "too large"),
        ("1/0 1", r"row 1, column 1: '1/0' divides by zero"),
        ("1/", "is not a number"),
        ("1 / 9", "is not a number"),
        ("[[1, 2], [3, 4]", r"starts with '\['"),
        ("[[1, 'x']]", "'x' is not a number"),
        ("; ".join([" ".join(["1"] * 32)] * 2), "allowed sizes are 1 x 1 up to 31 x 31"),
    ],
)
def test_parse_errors(text, pattern):
    with pytest.raises(ValueError, match=pattern):
        cl.parse_kernel(text)


def test_parse_not_text():
    with pytest.raises(TypeError, match="filter text must be a string"):
        cl.parse_kernel([[1, 2]])
    with pytest.raises(TypeError, match="filter text must be a string"):
        cl.parse_kernel(None)


def test_parse_empty_list_is_called_empty():
    with pytest.raises(ValueError, match="empty"):
        cl.parse_kernel("[]")


# ---------------------------------------------------------------- kernel(name) errors


def test_unknown_filter_suggests():
    with pytest.raises(ValueError, match=r"unknown filter 'sobl-x'.*Did you mean 'sobel-x'\?"):
        cl.kernel("sobl-x")
    with pytest.raises(ValueError, match=r"Did you mean 'emboss'\?"):
        cl.kernel("embos")
    with pytest.raises(ValueError, match=r"unknown filter 'qwerty'; see convolab.kernels\(\)"):
        cl.kernel("qwerty")


def test_filter_name_type():
    with pytest.raises(TypeError, match="filter name must be a string"):
        cl.kernel(3)
    with pytest.raises(ValueError, match="unknown filter"):
        cl.correlate(np.ones((5, 5)), "blurr")


def test_kernels_returns_a_copy_of_the_list():
    ks = cl.kernels()
    ks.clear()
    assert len(cl.kernels()) >= 20
