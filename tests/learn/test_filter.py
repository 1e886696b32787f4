"""Learning a hidden filter: recovery, honesty for non-filters, the gradient, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import convolab as cl
from convolab.learn import FilterLearner, prepare_image

RECOVER = ["blur", "sharpen", "sobel-x", "sobel-y", "emboss", "outline", "gaussian-3"]


@pytest.mark.parametrize("target", RECOVER)
def test_defaults_recover_a_3x3_catalogue_filter_within_300_steps(target):
    learner = FilterLearner(target)
    state = learner.fit(max_steps=300)
    assert state.converged, state.message
    assert state.step <= 300
    want = cl.kernel(target).values
    assert np.max(np.abs(state.kernel - want)) <= 0.01
    assert state.max_abs_error == pytest.approx(np.max(np.abs(state.kernel - want)))
    # the layer's output now matches what the core makes with the hidden filter
    assert np.max(np.abs(learner.output() - learner.target)) < 0.05 * np.abs(learner.target).max()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("target", ["sharpen", "emboss"])
def test_recovery_does_not_depend_on_a_lucky_seed(target, seed):
    state = FilterLearner(target, seed=seed).fit(300)
    assert state.converged and state.step <= 300


def test_zero_init_and_sgd_also_recover():
    assert FilterLearner("sobel-x", init="zero").fit(300).converged
    state = FilterLearner("sharpen", optimizer="sgd", lr=0.1).fit(300)
    assert state.converged, state.message


def test_a_typed_kernel_is_a_target():
    learner = FilterLearner("1 0 -1; 2 0 -2; 1 0 -1")
    assert learner.target_name == "custom"
    state = learner.fit(300)
    assert state.converged
    np.testing.assert_allclose(state.kernel, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], atol=0.01)


def test_the_target_is_made_by_the_core():
    learner = FilterLearner("emboss", size=32)
    want = cl.correlate(learner.x, cl.kernel("emboss").values, padding="valid")
    np.testing.assert_array_equal(learner.target, want)
    assert learner.achievable and learner.floor_loss < 1e-20
    np.testing.assert_allclose(learner.best_kernel, cl.kernel("emboss").values, atol=1e-9)


@pytest.mark.parametrize("target", ["threshold", "mirror"])
def test_a_target_that_is_no_filter_is_reported_honestly(target):
    learner = FilterLearner(target)
    assert learner.target_kernel is None
    assert not learner.achievable
    variance = float(np.var(learner.target))
    assert learner.explained < 0.9
    assert learner.floor_loss > 0.05 * variance  # no 3x3 filter gets close
    state = learner.fit(1000)
    assert state.status == "at_floor"
    assert not state.converged
    # the loss stays visibly above zero: never below the least-squares floor
    assert min(learner.history) >= learner.floor_loss * (1 - 1e-4)
    assert state.loss > 0.05 * variance
    assert "No 3x3 filter can do this" in state.message
    d = state.to_dict()
    assert d["achievable"] is False and d["target_kernel"] is None


def test_a_bigger_kernel_does_not_make_a_mirror_possible():
    small = FilterLearner("mirror", kernel_size=3, size=32)
    big = FilterLearner("mirror", kernel_size=7, size=32)
    assert not small.achievable and not big.achievable
    assert big.explained < 0.2


def test_the_gradient_is_a_correlation_of_the_input_with_the_error():
    learner = FilterLearner("sharpen", size=32, seed=4)
    by_core = learner.gradient_by_correlation()  # at the weights before the step
    state = learner.step(1)  # PyTorch's gradient of that same step
    np.testing.assert_allclose(state.gradient, by_core, rtol=1e-4, atol=1e-6)
    assert np.abs(by_core).max() > 0


def test_steps_make_the_loss_fall_and_history_is_kept():
    learner = FilterLearner("blur", size=32)
    first = learner.state().loss
    learner.step(20)
    assert learner.steps_done == 20 and len(learner.history) == 20
    assert learner.history[-1] < first
    assert all(math.isfinite(v) for v in learner.history)


def test_reset_starts_again_from_the_same_seed():
    learner = FilterLearner("sharpen", size=32, seed=7)
    k0 = learner.kernel
    learner.step(10)
    assert not np.allclose(learner.kernel, k0)
    learner.reset()
    np.testing.assert_array_equal(learner.kernel, k0)
    assert learner.steps_done == 0 and learner.history == []
    learner.reset(init="zero")
    assert not learner.kernel.any()


def test_changing_the_learning_rate_keeps_the_weights():
    learner = FilterLearner("sharpen", size=32)
    learner.step(5)
    k = learner.kernel
    learner.set_lr(0.01)
    np.testing.assert_array_equal(learner.kernel, k)
    assert learner.state().lr == 0.01
    learner.set_optimizer("sgd")
    assert learner.state().optimizer == "sgd"


def test_divergence_stops_with_a_smaller_learning_rate_suggested():
    learner = FilterLearner("sharpen", optimizer="sgd", lr=5)
    state = learner.fit(300)
    assert state.diverged
    assert state.suggestion == 0.5
    assert "too large" in state.message and "0.5" in state.message
    assert all(math.isfinite(v) for v in learner.history)
    # no more steps once diverged
    assert learner.step(5).step == state.step
    d = state.to_dict()
    assert d["loss"] is None or math.isfinite(d["loss"])


def test_images_share_one_scale():
    learner = FilterLearner("sharpen", size=32)
    learner.fit(300)
    imgs = learner.images()
    assert {k: v.shape for k, v in imgs.items()} == {
        "input": (32, 32),
        "target": (30, 30),
        "output": (30, 30),
    }
    assert all(v.dtype == np.uint8 for v in imgs.values())
    assert np.abs(imgs["output"].astype(int) - imgs["target"].astype(int)).max() <= 2


def test_prepare_image_accepts_arrays_and_colour():
    colour = cl.sample("chelsea")
    a = prepare_image(colour, 32)
    assert a.shape == (32, 32) and a.dtype == np.float64
    assert 0 <= a.min() and a.max() <= 255
    grey = prepare_image(np.tile(np.arange(64, dtype=np.uint8), (64, 1)), 16)
    assert grey.shape == (16, 16)
    learner = FilterLearner("blur", image=colour, size=32)
    assert learner.picture.shape == (32, 32)


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"lr": 0}, ValueError, "lr (learning rate)"),
        ({"lr": -0.1}, ValueError, "lr (learning rate)"),
        ({"lr": float("nan")}, ValueError, "lr (learning rate)"),
        ({"lr": float("inf")}, ValueError, "lr (learning rate)"),
        ({"lr": "0.1"}, TypeError, "lr (learning rate)"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer"),
        ({"init": "ones"}, ValueError, "init"),
        ({"size": 8}, ValueError, "size"),
        ({"size": 1000}, ValueError, "size"),
        ({"target": "sharpn"}, ValueError, "Did you mean 'sharpen'"),
        ({"target": "; ".join([" ".join(["1"] * 11)] * 11)}, ValueError, "filter too large"),
        ({"target": "mirror", "kernel_size": 12}, ValueError, "filter too large"),
        ({"target": "1 2; 3"}, ValueError, "row"),
        ({"image": "nope"}, ValueError, "unknown sample"),
        ({"image": np.full((40, 40), 7, np.uint8)}, ValueError, "flat"),
        ({"tol": 2}, ValueError, "tol"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_bad_settings_name_the_parameter(kwargs, exc, words):
    with pytest.raises(exc) as info:
        FilterLearner(**kwargs)
    assert words in str(info.value)


def test_bad_step_counts():
    learner = FilterLearner("blur", size=32)
    with pytest.raises(ValueError, match="n must be >= 1"):
        learner.step(0)
    with pytest.raises(TypeError, match="max_steps"):
        list(learner.run(max_steps=1.5))
