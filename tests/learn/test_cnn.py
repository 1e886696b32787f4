"""The small CNN: training reports, snapshots, predictions, save/load, divergence, bad input."""

from __future__ import annotations

import json
import os
import threading

import numpy as np
import pytest
import torch

from convolab.learn import Trainer, load_dataset, load_model
from convolab.learn import data as D
from convolab.learn.cnn import SmallCNN, check_trainer_params, pick_examples


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def test_the_model_is_the_one_of_the_issue():
    m = SmallCNN()
    convs = [mod for mod in m.modules() if isinstance(mod, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (1, 8, (3, 3)),
        (8, 16, (3, 3)),
    ]
    assert m.fc.in_features == 16 * 5 * 5 and m.fc.out_features == 10
    assert m(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_training_learns_digits_and_reports_as_it_goes(digits):
    trainer = Trainer(digits, seed=0)
    before = trainer.filters()
    reports = list(trainer.train(epochs=3, report_every=0.0, snapshot_every=0.0))
    kinds = [p.kind for p in reports]
    assert kinds.count("epoch") == 3 and kinds[-1] == "done" and "batch" in kinds
    steps = [p.step for p in reports]
    assert steps == sorted(steps)
    per_epoch = int(np.ceil(len(digits.y_train) / 64))
    assert reports[-1].step == reports[-1].steps_total == 3 * per_epoch
    epochs = [p for p in reports if p.kind == "epoch"]
    assert epochs[-1].test_accuracy >= 0.85  # the network really learned
    assert epochs[-1].test_accuracy == pytest.approx(trainer.evaluate())
    first_loss = next(p.loss for p in reports if p.loss is not None)
    assert epochs[-1].loss < first_loss
    assert not np.allclose(trainer.filters(), before)  # the filters moved
    snap = epochs[-1].snapshot
    assert np.array(snap["filters"]).shape == (8, 3, 3)
    shapes = {k: v["shape"] for k, v in snap["maps"].items()}
    assert shapes == {
        "input": [1, 28, 28],
        "conv1": [8, 26, 26],
        "pool1": [8, 13, 13],
        "conv2": [16, 11, 11],
        "pool2": [16, 5, 5],
    }
    preds = snap["predictions"]
    assert len(preds) == 10 and {p["label"] for p in preds} == set(range(10))
    for p in preds:
        assert sum(p["probs"]) == pytest.approx(1, abs=1e-3)
    json.dumps([r.to_dict() for r in reports])  # plain data, JSON-ready


def test_training_again_continues(digits):
    trainer = Trainer(digits.subset(200, 50))
    list(trainer.train(epochs=1))
    more = list(trainer.train(epochs=1))
    assert more[-1].epoch == 2 and trainer.epochs_done == 2


def test_stop_ends_training_early(digits):
    trainer = Trainer(digits)
    stop = threading.Event()
    gen = trainer.train(epochs=5, report_every=0.0)
    next(gen)
    stop.set()
    gen = trainer.train(epochs=5, report_every=0.0, stop=stop)
    last = list(gen)[-1]
    assert last.kind == "stopped"


def test_an_exploding_loss_stops_with_advice(digits):
    trainer = Trainer(digits, lr=10, optimizer="adam")
    reports = list(trainer.train(epochs=2, report_every=0.0))
    last = reports[-1]
    assert last.kind == "diverged"
    assert last.loss > 100 * np.log(10)
    assert last.suggestion == 1
    assert "smaller learning rate, e.g. 1" in last.message
    assert last.step < 20  # stopped at once, not after two epochs


def test_a_nan_loss_stops_with_advice(digits):
    trainer = Trainer(digits.subset(100, 20), lr=0.05)
    with torch.no_grad():
        trainer.model.conv1.weight[0, 0, 0, 0] = float("inf")
    last = list(trainer.train(epochs=1, report_every=0.0))[-1]
    assert last.kind == "diverged" and last.suggestion == 0.005
    assert "nan" in last.message.lower()
    assert last.to_dict()["loss"] is None  # NaN is not JSON


def test_predict_and_feature_maps_of_a_drawing(digits):
    trainer = Trainer(digits)
    list(trainer.train(epochs=2))
    index = int(np.flatnonzero(digits.y_test == 3)[0])
    preds = trainer.predict(digits.x_test[index], lang="en")
    assert len(preds) == 10 and preds[0]["p"] >= preds[1]["p"]
    assert sum(p["p"] for p in preds) == pytest.approx(1)
    # a drawing of another size is scaled to 28 x 28
    big = np.kron(digits.x_test[index], np.ones((2, 2), np.uint8))
    assert trainer.predict(big)[0]["index"] == preds[0]["index"]
    maps = trainer.feature_maps(digits.x_test[index])
    assert maps["conv1"]["shape"] == [8, 26, 26]
    with pytest.raises(ValueError, match="2-D"):
        trainer.predict(np.zeros((28, 28, 3)))


def test_save_and_load(tmp_path, digits):
    trainer = Trainer(digits.subset(300, 100))
    list(trainer.train(epochs=1))
    folder = trainer.save(tmp_path / "m")
    meta = json.loads((folder / "model.json").read_text())
    assert meta["dataset"] == "digits" and meta["classes_en"][0] == "0"
    assert meta["accuracy"] == trainer.test_accuracy and meta["date"].startswith("20")
    model, meta2 = load_model(folder)
    x = torch.from_numpy(digits.x_test[:5].astype(np.float32) / 255)[:, None]
    with torch.no_grad():
        np.testing.assert_allclose(model(x).numpy(), trainer.model(x).numpy(), rtol=1e-6)
    assert meta2 == meta


def test_load_errors_name_the_file(tmp_path, digits):
    with pytest.raises(ValueError, match="model.pt"):
        load_model(tmp_path)
    trainer = Trainer(digits.subset(50, 20))
    folder = trainer.save(tmp_path / "m")
    (folder / "model.json").write_text("{not json")
    with pytest.raises(ValueError, match="model.json.*not valid JSON"):
        load_model(folder)
    trainer.save(folder)
    (folder / "model.pt").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="model.pt.*not a state dict"):
        load_model(folder)
    with pytest.raises(ValueError, match="does not exist"):
        trainer.save(tmp_path / "no" / "such")


def test_pick_examples_shows_every_class():
    labels = np.array([6, 6, 6, 2, 5, 6, 1, 0, 2, 9])
    assert pick_examples(labels, 6) == [0, 3, 4, 6, 7, 9]
    assert len(pick_examples(labels, 8)) == 8
    assert pick_examples(labels, 0) == []


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"lr": 0}, ValueError, "lr (learning rate)"),
        ({"lr": float("nan")}, ValueError, "lr (learning rate)"),
        ({"optimizer": "adagrad"}, ValueError, "optimizer"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": 5000}, ValueError, "batch_size"),
        ({"train_limit": 0}, ValueError, "train_limit"),
        ({"example": 10_000}, ValueError, "example"),
    ],
)
def test_bad_trainer_settings(digits, kwargs, exc, words):
    with pytest.raises(exc) as info:
        Trainer(digits, **kwargs)
    assert words in str(info.value)
    if "example" not in kwargs:
        with pytest.raises(exc):
            check_trainer_params(**kwargs)


def test_bad_epochs_and_data(digits):
    trainer = Trainer(digits.subset(20, 10))
    with pytest.raises(ValueError, match="epochs"):
        next(trainer.train(epochs=0))
    with pytest.raises(ValueError, match="at most 20"):
        next(trainer.train(epochs=21))
    with pytest.raises(TypeError, match="data must be"):
        Trainer(np.zeros((3, 28, 28)))
    with pytest.raises(ValueError, match="unknown settings: colour"):
        check_trainer_params(colour="red")


FASHION = D.FASHION_DIR


@pytest.mark.slow
@pytest.mark.skipif(
    not D.fashion_available(FASHION) and os.environ.get("CI") != "true",
    reason=f"Fashion-MNIST is not installed in {FASHION} (apt-get install dataset-fashion-mnist)",
)
def test_one_short_epoch_on_real_fashion_mnist_reaches_80_percent():
    """Trains on the real 60,000 photos of clothes for one epoch (on CI this must run)."""
    ds = load_dataset("fashion-mnist", path=FASHION, fallback=False)
    assert len(ds.y_train) == 60_000 and len(ds.y_test) == 10_000
    trainer = Trainer(ds, batch_size=128, lr=0.003)
    last = [p for p in trainer.train(epochs=1, report_every=5.0) if p.kind == "epoch"][-1]
    assert last.test_accuracy >= 0.80, last.test_accuracy


def test_between_is_called_between_batches_and_test_batches(digits):
    data = digits.subset(300, 359)
    calls = []
    trainer = Trainer(data, batch_size=64, seed=0)
    list(trainer.train(epochs=2, between=lambda: calls.append(trainer.steps_done)))
    # before every batch but the first (5 a round), and once between the two test batches
    # (359 images, 250 at a time) at the end of each round
    assert calls == [1, 2, 3, 4, 5] + [5, 6, 7, 8, 9] + [10]
    calls.clear()
    trainer.evaluate(batch=100, between=lambda: calls.append("test"))
    assert calls == ["test"] * 3  # 359 test images: four batches, three gaps
    # the same training without it: the same model, step for step
    plain = Trainer(data, batch_size=64, seed=0)
    list(plain.train(epochs=2))
    assert plain.test_accuracy == trainer.test_accuracy
    np.testing.assert_array_equal(plain.filters(), trainer.filters())
