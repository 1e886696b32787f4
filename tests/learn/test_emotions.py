"""The emotions CNN: the held-out split, the judgement (checked against scikit-learn) and a real
short training through the job; the generated starter set and photos of paper drawings."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

from convolab.classes import photo_to_grid, starter_set
from convolab.learn.emotions import MIN_PER_LABEL, EmotionsJob, check_counts, evaluate, split


def test_split_holds_out_a_fifth_of_every_label():
    y = np.array([0] * 50 + [1] * 12 + [2] * 5)
    train, test = split(y, seed=3)
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == len(y)
    assert [int(np.sum(y[test] == c)) for c in range(3)] == [10, 2, 1]
    again = split(y, seed=3)
    assert np.array_equal(again[1], test)
    assert not np.array_equal(split(y, seed=4)[1], test)


def test_too_few_drawings_are_named():
    with pytest.raises(ValueError, match=r"verrast \(4\)"):
        check_counts(np.array([0] * 9 + [1] * (MIN_PER_LABEL - 1)), ("blij", "verrast"))


def test_the_judgement_agrees_with_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 40)
    probs = rng.random((40, 3))
    images = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    ev = evaluate(probs, y, ("a", "b", "c"), list(range(100, 140)), images)
    guess = probs.argmax(1)
    assert ev["confusion"] == confusion_matrix(y, guess, labels=[0, 1, 2]).tolist()
    assert ev["accuracy"] == pytest.approx(np.mean(guess == y))
    for c, p in enumerate(ev["per_label"]):
        assert p["total"] == int(np.sum(y == c)) and p["correct"] == int(
            np.sum((y == c) & (guess == c))
        )
    wrong = np.flatnonzero(guess != y)
    assert [m["id"] for m in ev["mistakes"]] == [100 + i for i in wrong]
    assert ev["mistakes_total"] == len(wrong)


def test_the_job_trains_on_the_training_part_only():
    x, y = starter_set(per_label=20, seed=2)
    ids = [f"d{i}" for i in range(len(y))]
    job = EmotionsJob(
        x, y, ids, ("blij", "verrast"), ("happy", "surprised"), source="generated", epochs=3, seed=5
    )
    assert not set(job.ids_test) & set(job.ids_train) and len(job.ids_test) == 8
    init = job.start()[0]
    assert init["dataset"]["train"] == 32 and init["test_ids"] == job.ids_test
    events = []
    while True:
        out, done = job.advance()
        events += out
        if done:
            break
    ev = [e for e in events if e["type"] == "evaluation"][-1]["evaluation"]
    # the judgement is the trainer's own guesses on the held-out drawings
    probs = job.trainer.probabilities(job.data.x_test)
    assert ev["confusion"] == confusion_matrix(job.data.y_test, probs.argmax(1)).tolist()
    assert ev["total"] == 8
    losses = [
        e["loss"] for e in events if e.get("type") == "progress" and e.get("loss") is not None
    ]
    assert losses and losses[-1] < losses[0]
    assert len(job.trainer.filters()) == 8


def test_the_starter_set_is_reproducible_and_varied():
    x, y = starter_set(per_label=30, seed=0)
    x2, y2 = starter_set(per_label=30, seed=0)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert x.shape == (60, 28, 28) and x.dtype == np.uint8 and np.bincount(y).tolist() == [30, 30]
    assert len({a.tobytes() for a in x}) == 60  # no two faces alike
    with pytest.raises(ValueError, match="unknown label"):
        starter_set(("blij", "bang"))


def test_a_photo_of_paper_becomes_light_lines_on_dark():
    paper = np.full((480, 640), 225, np.uint8)
    paper[:, :320] = 200  # uneven light: must not count as ink
    cv2.rectangle(paper, (220, 140), (420, 340), 20, 8)
    grid = photo_to_grid(np.dstack([paper] * 3))
    assert grid.shape == (28, 28) and grid.dtype == np.uint8
    assert grid[14, :4].max() > 150 and grid[14, 24:].max() > 150  # the left and right sides
    assert grid[8:20, 8:20].max() == 0  # inside the square: paper
    assert photo_to_grid(np.full((50, 50), 240, np.uint8)).max() == 0
    with pytest.raises(ValueError, match="at least 8"):
        photo_to_grid(np.zeros((4, 4), np.uint8))
