"""ReLU and max pooling agree with PyTorch; the step view gives the same numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import convolab.pooling as P
from convolab.errors import ConvolabError, message

torch = pytest.importorskip("torch")
F = torch.nn.functional


def torch_pool(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    t = torch.from_numpy(x)[None, None]
    return F.max_pool2d(t, size, stride).numpy()[0, 0]


maps = arrays(
    np.float64,
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
    elements=st.floats(-300, 300, allow_nan=False),
)


@given(maps, st.integers(1, 4), st.integers(1, 4))
def test_max_pool_equals_pytorch(x, size, stride):
    if size > min(x.shape):
        with pytest.raises(ConvolabError):
            P.max_pool(x, size, stride)
        return
    np.testing.assert_array_equal(P.max_pool(x, size, stride), torch_pool(x, size, stride))
    steps = P.pool_steps(x, size, stride)
    out = P.max_pool(x, size, stride)
    assert len(steps) == out.size
    for s in steps:
        assert s.maximum == out[s.out_row, s.out_col] == x[s.at]
        assert np.array_equal(np.array(s.values), x[s.rows[0] : s.rows[1], s.cols[0] : s.cols[1]])


@given(maps)
def test_relu_equals_pytorch(x):
    np.testing.assert_array_equal(P.relu(x), F.relu(torch.from_numpy(x)).numpy())


def test_the_default_stride_is_the_window_and_windows_past_the_edge_are_left_out():
    x = np.arange(25, dtype=float).reshape(5, 5)
    assert P.max_pool(x).tolist() == [[6.0, 8.0], [16.0, 18.0]]
    assert P.max_pool(x, 3, 1).shape == (3, 3)


def test_ties_mark_the_first_in_reading_order():
    assert P.pool_steps([[2, 2], [2, 1]])[0].at == (0, 0)


@pytest.mark.parametrize(
    ("args", "code", "nl"),
    [
        (([[1, 2], [3, 4]], 3), "pool_too_large", "groter dan de kenmerkkaart"),
        (([1, 2, 3],), "pool_ndim", "raster van getallen"),
        (([[1, 2], [3, 4]], 0), "must_be_at_least", "grootte moet minstens 1"),
        (([[1, 2], [3, 4]], 1, 0), "must_be_at_least", "stapgrootte moet minstens 1"),
        (([[1, float("nan")]],), "not_finite", "kenmerkkaart"),
        ((np.zeros((300, 2)),), "pool_map_too_large", "hoogstens 256"),
    ],
)
def test_bad_input_names_what_is_wrong(args, code, nl):
    with pytest.raises(ConvolabError) as info:
        P.pool_steps(*args)
    assert info.value.code == code
    assert nl in message(info.value, "nl")


@pytest.mark.parametrize(("filter", "side", "size"), [("sobel-x", 8, 2), ("edge", 6, 3)])
def test_the_example_is_a_first_layer_then_relu_then_pooling_as_in_pytorch(filter, side, size):
    import convolab as cl

    ex = P.example("camera", filter, side, size)
    x = np.array(ex["input"], dtype=np.float64)
    k = np.array(cl.kernel(filter).values, dtype=np.float64)  # a writable copy
    assert x.shape == (side + k.shape[0] - 1, side + k.shape[1] - 1)
    assert x.min() >= 0 and x.max() <= 255 and np.array_equal(x, np.round(x))
    conv = F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(k)[None, None])
    np.testing.assert_allclose(ex["feature_map"], conv.numpy()[0, 0], atol=1e-6)
    after = F.max_pool2d(F.relu(conv), size).numpy()[0, 0]
    np.testing.assert_allclose(ex["pooled"], after, atol=1e-6)
    assert len(ex["steps"]) == after.size and (np.array(ex["feature_map"]) < 0).any()


def test_the_example_refuses_what_it_does_not_offer():
    with pytest.raises(ConvolabError) as info:
        P.example(side=7)
    assert info.value.code == "unknown_choice"
    with pytest.raises(ConvolabError):
        P.example(filter="nope")
