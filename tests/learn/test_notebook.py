"""Notebook helpers: the ten-line recipe runs, the plots draw, the docstring example holds."""

from __future__ import annotations

import doctest

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import convolab.learn.filter  # noqa: E402
from convolab.learn import (  # noqa: E402
    FilterLearner,
    load_dataset,
    plot_feature_maps,
    plot_filter_learning,
    plot_filters,
    plot_history,
    train_cnn,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_train_cnn_prints_one_line_per_epoch(capsys):
    trainer = train_cnn(load_dataset("digits"), epochs=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1", "epoch 2"]
    assert "test accuracy" in lines[-1]
    assert trainer.test_accuracy > 0.6 and trainer.epochs_done == 2
    tests = [h for h in trainer.history if h["test_accuracy"] is not None]
    assert len(tests) == 2
    assert len(plot_history(trainer).axes) == 2
    assert len(plot_filters(trainer).axes) == 8
    fig = plot_feature_maps(trainer, index=3)
    assert len(fig.axes) == 5 * 16


def test_train_cnn_quietly_with_settings(capsys):
    trainer = train_cnn("digits", epochs=1, verbose=False, train_limit=100, lr=0.01)
    assert capsys.readouterr().out == ""
    assert trainer.lr == 0.01 and len(trainer.data.y_train) == 100


def test_plot_filter_learning_for_a_filter_and_a_non_filter():
    learner = FilterLearner("sharpen", size=32)
    learner.fit(300)
    fig = plot_filter_learning(learner)
    assert fig.axes[0].get_title() == "target"
    mirror = FilterLearner("mirror", size=32)
    mirror.fit(100)
    fig = plot_filter_learning(mirror)
    assert fig.axes[0].get_title() == "best possible"
    assert fig.axes[2].get_legend() is not None


def test_the_docstring_example_of_the_filter_module_holds():
    result = doctest.testmod(convolab.learn.filter, verbose=False)
    assert result.attempted >= 2 and result.failed == 0
