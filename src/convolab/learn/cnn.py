"""A small CNN that learns its own filters on real photos of clothes (Fashion-MNIST).

The network: ``Conv(1->8, 3) - ReLU - MaxPool(2) - Conv(8->16, 3) - ReLU - MaxPool(2) -
Linear(16*5*5 -> 10)``. :class:`Trainer` trains it and *yields* its progress, so a web page or
a notebook can watch: loss and accuracy, the first layer's 8 filters (they start as noise and
turn into edge and blob detectors), the feature maps of one test image after each layer, and
predictions with confidence.

In a notebook, about ten lines::

    from convolab.learn import Trainer, plot_filters
    trainer = Trainer("fashion-mnist")            # falls back to digits when absent
    for p in trainer.train(epochs=2):
        if p.kind == "epoch":
            print(p.epoch, round(p.loss, 3), p.test_accuracy)
    plot_filters(trainer.model)                   # the 8 learned 3x3 filters
    trainer.predict(trainer.data.x_test[0])       # [{'label': ..., 'p': ...}, ...]
    trainer.save("my-model")                      # model.pt + model.json
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from .._validate import as_image
from ..display import round_half_up
from ..errors import InvalidType, InvalidValue
from ._common import OPTIMIZERS, check_lr, choice, make_optimizer, positive_int, smaller_lr
from .data import Dataset, load_dataset

LAYERS = ("input", "conv1", "pool1", "conv2", "pool2")
MAX_EPOCHS = 20
MAX_BATCH = 1024
DEFAULTS = {"lr": 0.002, "optimizer": "adam", "batch_size": 64, "epochs": 2}


class SmallCNN(nn.Module):
    """Conv(1->8,3)-ReLU-MaxPool-Conv(8->16,3)-ReLU-MaxPool-Linear, for 28 x 28 inputs."""

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 5 * 5, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        return self.fc(x.flatten(1))

    def maps(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """The feature maps after each layer (for one batch)."""
        c1 = torch.relu(self.conv1(x))
        p1 = self.pool(c1)
        c2 = torch.relu(self.conv2(p1))
        p2 = self.pool(c2)
        return {"input": x, "conv1": c1, "pool1": p1, "conv2": c2, "pool2": p2}


def to_input(images) -> torch.Tensor:
    """uint8 (or 0..255 float) images N x 28 x 28 (or one 28 x 28) -> float tensor N x 1 x 28 x 28
    in 0..1, the scale the network trains on."""
    a = np.asarray(images)
    if a.ndim == 2:
        a = a[None]
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32) / 255.0)[:, None]


def encode_u8(a: np.ndarray) -> str:
    """uint8 array -> base64 text (the browser turns it back into pixels)."""
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).decode("ascii")


def _scaled(maps: np.ndarray) -> tuple[np.ndarray, float]:
    """Feature maps (C x H x W, >= 0 after ReLU) to uint8 on one scale per layer."""
    hi = float(maps.max()) if maps.size else 0.0
    if hi <= 0 or not math.isfinite(hi):
        return np.zeros(maps.shape, np.uint8), 0.0
    return np.clip(round_half_up(maps * (255.0 / hi)), 0, 255).astype(np.uint8), hi


@dataclass
class Progress:
    """One report from :meth:`Trainer.train` (plain data).

    ``kind``: ``"batch"`` (during an epoch), ``"epoch"`` (end of an epoch, with
    ``test_accuracy``), ``"done"``, ``"stopped"`` (asked to stop) or ``"diverged"`` (loss NaN or
    infinite: ``message`` suggests a smaller learning rate). ``loss`` and ``train_accuracy`` are
    means over the batches since the previous report. ``snapshot`` (filters, feature maps,
    predictions) comes every ``snapshot_every`` seconds and at every epoch end.
    """

    kind: str
    epoch: int
    epochs: int
    step: int
    steps_total: int
    seen: int
    loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    elapsed: float
    snapshot: dict | None = None
    message: str | None = None
    suggestion: float | None = None
    losses: list[float] = field(default_factory=list)

    def to_dict(self) -> dict:
        def num(v):
            return None if v is None or not math.isfinite(v) else float(v)

        return {
            "kind": self.kind,
            "epoch": self.epoch,
            "epochs": self.epochs,
            "step": self.step,
            "steps_total": self.steps_total,
            "seen": self.seen,
            "loss": num(self.loss),
            "train_accuracy": num(self.train_accuracy),
            "test_accuracy": num(self.test_accuracy),
            "elapsed": round(self.elapsed, 3),
            "snapshot": self.snapshot,
            "message": self.message,
            "suggestion": self.suggestion,
        }


class Trainer:
    """Trains a :class:`SmallCNN` and reports as it goes.

    Parameters
    ----------
    data : a :class:`~convolab.learn.data.Dataset` or a name (``"fashion-mnist"``,
        ``"digits"``); ``path`` is the Fashion-MNIST folder (default Debian's).
    lr, optimizer, batch_size : learning rate, ``"adam"`` | ``"sgd"``, images per step.
    train_limit, test_limit : use only the first so many examples (quick demos).
    examples : how many test images get predictions in each snapshot (one of each class first,
        see :func:`pick_examples`). example : the index of the test image whose feature maps
        are shown.
    """

    def __init__(
        self,
        data: Dataset | str = "fashion-mnist",
        *,
        path=None,
        lr: float = DEFAULTS["lr"],
        optimizer: str = DEFAULTS["optimizer"],
        batch_size: int = DEFAULTS["batch_size"],
        seed: int = 0,
        train_limit: int | None = None,
        test_limit: int | None = None,
        examples: int = 10,
        example: int = 0,
    ):
        if isinstance(data, str):
            data = load_dataset(data, path=path)
        elif not isinstance(data, Dataset):
            raise InvalidType("cnn_data_type", type=type(data).__name__)
        if train_limit is not None or test_limit is not None:
            if train_limit is not None:
                positive_int("train_limit", train_limit)
            if test_limit is not None:
                positive_int("test_limit", test_limit)
            data = data.subset(train_limit, test_limit)
        if len(data.y_train) == 0 or len(data.y_test) == 0:
            raise InvalidValue("cnn_data_empty")
        self.data = data
        self.lr = check_lr(lr)
        self.optimizer_name = choice("optimizer", optimizer, OPTIMIZERS)
        self.batch_size = positive_int("batch_size", batch_size)
        if self.batch_size > MAX_BATCH:
            raise InvalidValue(
                "at_most", param="batch_size", limit=MAX_BATCH, value=self.batch_size
            )
        self.seed = positive_int("seed", seed, minimum=0)
        self.examples = pick_examples(data.y_test, positive_int("examples", examples, minimum=0))
        self.set_example(example)
        self._x_train = np.ascontiguousarray(data.x_train)  # shared, never written
        self._y_train = np.ascontiguousarray(data.y_train, dtype=np.int64)
        self.lock = threading.Lock()  # held while the weights change or are read
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            self.model = SmallCNN(len(data.classes_en))
        self.optimizer = make_optimizer(self.optimizer_name, self.model.parameters(), self.lr)
        # Guessing at random costs ln(classes) (2.3 for 10); a loss 100 times that has exploded.
        self.explode_at = 100 * math.log(len(data.classes_en))
        self._generator = torch.Generator().manual_seed(self.seed)
        self.epochs_done = 0
        self.steps_done = 0
        self.test_accuracy: float | None = None
        self.history: list[dict] = []  # one entry per report: step, loss, accuracies

    def set_example(self, index: int) -> None:
        index = positive_int("example", index, minimum=0)
        if index >= len(self.data.y_test):
            raise InvalidValue("example_range", last=len(self.data.y_test) - 1, value=index)
        self.example = index

    # -- training ------------------------------------------------------------------------------
    def train(
        self,
        epochs: int = DEFAULTS["epochs"],
        *,
        report_every: float = 0.5,
        snapshot_every: float | None = 1.0,
        stop: Callable[[], bool] | threading.Event | None = None,
        between: Callable[[], None] | None = None,
    ) -> Iterator[Progress]:
        """Train ``epochs`` more epochs, yielding :class:`Progress` about every ``report_every``
        seconds and at the end of every epoch. ``snapshot_every=None``: snapshots only at epoch
        ends. ``stop``: an Event (or a function) that ends the training early when set.
        ``between``: called before every batch but the first and between the test batches
        (a web server's trainings wait there while pupils' applies run)."""
        epochs = positive_int("epochs", epochs)
        if epochs > MAX_EPOCHS:
            raise InvalidValue("at_most", param="epochs", limit=MAX_EPOCHS, value=epochs)
        if isinstance(stop, threading.Event):
            should_stop = stop.is_set
        else:
            should_stop = stop or (lambda: False)
        n = len(self._y_train)
        per_epoch = math.ceil(n / self.batch_size)
        first_epoch = self.epochs_done
        total = (first_epoch + epochs) * per_epoch
        start = time.perf_counter()
        last_report = last_snapshot = start
        run_loss = run_correct = run_count = 0.0
        run_batches = 0
        model, opt = self.model, self.optimizer
        for epoch in range(first_epoch + 1, first_epoch + epochs + 1):
            model.train()
            order = torch.randperm(n, generator=self._generator).numpy()
            for i in range(0, n, self.batch_size):
                if should_stop():
                    yield self._progress("stopped", epoch, total, start, None, None)
                    return
                if between is not None and run_batches:
                    between()
                idx = order[i : i + self.batch_size]
                x = torch.from_numpy(self._x_train[idx]).unsqueeze(1).float().div_(255.0)
                y = torch.from_numpy(self._y_train[idx])
                with self.lock:
                    opt.zero_grad()
                    logits = model(x)
                    loss = nn.functional.cross_entropy(logits, y)
                    value = float(loss.detach())
                    if not math.isfinite(value) or value > self.explode_at:
                        yield self._diverged(epoch, total, start, value)
                        return
                    loss.backward()
                    opt.step()
                self.steps_done += 1
                run_loss += value * len(y)
                run_correct += float((logits.detach().argmax(1) == y).sum())
                run_count += len(y)
                run_batches += 1
                now = time.perf_counter()
                if now - last_report >= report_every and i + self.batch_size < n:
                    snap = None
                    if snapshot_every is not None and now - last_snapshot >= snapshot_every:
                        snap = self.snapshot()
                        last_snapshot = now
                    yield self._progress(
                        "batch", epoch, total, start, run_loss / run_count,
                        run_correct / run_count, snapshot=snap,
                    )  # fmt: skip
                    run_loss = run_correct = run_count = 0.0
                    last_report = time.perf_counter()
            self.epochs_done = epoch
            self.test_accuracy = self.evaluate(between=between)
            last_snapshot = time.perf_counter()
            yield self._progress(
                "epoch", epoch, total, start,
                run_loss / run_count if run_count else None,
                run_correct / run_count if run_count else None,
                snapshot=self.snapshot(),
            )  # fmt: skip
            run_loss = run_correct = run_count = 0.0
            last_report = time.perf_counter()
        yield self._progress("done", self.epochs_done, total, start, None, None)

    def _progress(self, kind, epoch, total, start, loss, acc, *, snapshot=None) -> Progress:
        p = Progress(
            kind=kind,
            epoch=epoch,
            epochs=total // math.ceil(len(self._y_train) / self.batch_size),
            step=self.steps_done,
            steps_total=total,
            seen=self.steps_done * self.batch_size,
            loss=loss,
            train_accuracy=acc,
            test_accuracy=self.test_accuracy,
            elapsed=time.perf_counter() - start,
            snapshot=snapshot,
        )
        if loss is not None:
            self.history.append(
                {
                    "step": p.step,
                    "loss": loss,
                    "train_accuracy": acc,
                    "test_accuracy": self.test_accuracy if kind == "epoch" else None,
                    "kind": kind,
                }
            )
        return p

    def _diverged(self, epoch, total, start, value) -> Progress:
        suggestion = smaller_lr(self.lr)
        p = self._progress("diverged", epoch, total, start, value, None)
        how = f"{value:.4g}" if math.isfinite(value) else str(value)
        p.message = (
            f"Training stopped: the loss became {how} at step {self.steps_done} (guessing at "
            f"random gives {self.explode_at / 100:.2f}): the learning rate {self.lr} is too "
            f"large. Try a smaller learning rate, e.g. {suggestion}."
        )
        p.suggestion = suggestion
        return p

    def evaluate(self, batch: int = 250, *, between: Callable[[], None] | None = None) -> float:
        """Accuracy on the test images (0..1); ``between`` as for :meth:`train`."""
        correct = 0
        with torch.no_grad():
            for i in range(0, len(self.data.y_test), batch):
                if between is not None and i:
                    between()  # not holding the lock: a prediction may come in meanwhile
                x = to_input(self.data.x_test[i : i + batch])
                y = torch.from_numpy(self.data.y_test[i : i + batch])
                with self.lock:
                    self.model.eval()
                    correct += int((self.model(x).argmax(1) == y).sum())
        return correct / len(self.data.y_test)

    # -- looking inside ------------------------------------------------------------------------
    def filters(self) -> np.ndarray:
        """The first layer's 8 filters (8 x 3 x 3, float64)."""
        with self.lock:
            return self.model.conv1.weight.detach()[:, 0].double().numpy().copy()

    def probabilities(self, images) -> np.ndarray:
        """Class probabilities (N x classes) for uint8 28 x 28 images."""
        with self.lock, torch.no_grad():
            return torch.softmax(self.model(to_input(images)), dim=1).double().numpy()

    def predict(self, image, lang: str = "nl", top: int | None = None) -> list[dict]:
        """Predictions for one image, most likely first: ``[{"index", "label", "p"}, ...]``.

        ``image``: 2-D grey (uint8 or 0..255 float, light drawing on a dark background, like
        the training images); any size is scaled to 28 x 28."""
        x = prepare_drawing(image)
        probs = self.probabilities(x)[0]
        names = self.data.classes(lang)
        order = np.argsort(-probs)[: top or len(probs)]
        return [{"index": int(i), "label": names[i], "p": float(probs[i])} for i in order]

    def feature_maps(self, image) -> dict:
        """The maps after each layer for one image, as uint8 base64 per layer with shapes:
        ``{layer: {"shape": [C, H, W], "max": float, "data": base64}}``."""
        x = to_input(prepare_drawing(image))
        with self.lock, torch.no_grad():
            maps = self.model.maps(x)
        out = {}
        for name in LAYERS:
            m = maps[name][0].double().numpy()
            u8, hi = (
                _scaled(m) if name != "input" else (round_half_up(m * 255).astype(np.uint8), 1.0)
            )
            out[name] = {"shape": list(m.shape), "max": hi, "data": encode_u8(u8)}
        return out

    def snapshot(self) -> dict:
        """Filters, feature maps of the chosen test image, predictions on the example images."""
        f = self.filters()
        probs = self.probabilities(self.data.x_test[self.examples]) if self.examples else []
        return {
            "filters": [[[float(v) for v in row] for row in k] for k in f],
            "maps": self.feature_maps(self.data.x_test[self.example]),
            "example": self.example,
            "predictions": [
                {
                    "index": i,
                    "label": int(self.data.y_test[i]),
                    "probs": [round(float(p), 4) for p in probs[j]],
                }
                for j, i in enumerate(self.examples)
            ],
        }

    def example_images(self) -> list[dict]:
        return [
            {"index": i, "label": int(self.data.y_test[i]), "data": encode_u8(self.data.x_test[i])}
            for i in self.examples
        ]

    # -- saving --------------------------------------------------------------------------------
    def metadata(self) -> dict:
        return {
            "architecture": "Conv(1->8,3)-ReLU-MaxPool(2)-Conv(8->16,3)-ReLU-MaxPool(2)-Linear(400->10)",
            "dataset": self.data.name,
            "classes_nl": list(self.data.classes_nl),
            "classes_en": list(self.data.classes_en),
            "accuracy": self.test_accuracy,
            "epochs": self.epochs_done,
            "lr": self.lr,
            "optimizer": self.optimizer_name,
            "batch_size": self.batch_size,
            "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "torch": torch.__version__,
        }

    def save(self, folder) -> Path:
        """Save ``model.pt`` (the state dict) and ``model.json`` (classes, dataset, accuracy,
        date, ...) in ``folder`` (created if needed; its parent must exist)."""
        return save_model(self.model, folder, self.metadata())


def pick_examples(labels: np.ndarray, n: int) -> list[int]:
    """``n`` test indices for the example gallery: the first image of each class in turn, so
    every class shows up (then the next of each class, and so on), in test-set order."""
    labels = np.asarray(labels)
    by_class = [list(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    picked: list[int] = []
    depth = 0
    while len(picked) < min(n, len(labels)):
        for idx in by_class:
            if depth < len(idx) and len(picked) < n:
                picked.append(int(idx[depth]))
        depth += 1
    return sorted(picked)


def check_trainer_params(**params) -> None:
    """Check the settings :class:`Trainer` takes, without loading data (for the web API)."""
    allowed = {
        "lr",
        "optimizer",
        "batch_size",
        "seed",
        "train_limit",
        "test_limit",
        "examples",
        "example",
    }
    unknown = set(params) - allowed
    if unknown:
        raise InvalidValue("unknown_settings", names=sorted(unknown), allowed=sorted(allowed))
    if "lr" in params:
        check_lr(params["lr"])
    if "optimizer" in params:
        choice("optimizer", params["optimizer"], OPTIMIZERS)
    if "batch_size" in params:
        b = positive_int("batch_size", params["batch_size"])
        if b > MAX_BATCH:
            raise InvalidValue("at_most", param="batch_size", limit=MAX_BATCH, value=b)
    for name in ("train_limit", "test_limit"):
        if params.get(name) is not None:
            positive_int(name, params[name])
    for name in ("seed", "examples", "example"):
        if name in params:
            positive_int(name, params[name], minimum=0)


def prepare_drawing(image) -> np.ndarray:
    """A 2-D grey image (uint8 or 0..255 float) -> 28 x 28 uint8."""
    a = as_image(image)
    if a.ndim != 2:
        raise InvalidValue("cnn_image_ndim", shape=a.shape)
    a = np.clip(np.asarray(a, dtype=np.float32), 0, 255)
    if a.shape != (28, 28):
        a = cv2.resize(a, (28, 28), interpolation=cv2.INTER_AREA)
    return np.clip(round_half_up(a), 0, 255).astype(np.uint8)


def save_model(model: SmallCNN, folder, metadata: dict) -> Path:
    folder = Path(folder)
    if not folder.parent.is_dir():
        raise ValueError(f"path: the folder {str(folder.parent)!r} does not exist")
    folder.mkdir(exist_ok=True)
    torch.save(model.state_dict(), folder / "model.pt")
    (folder / "model.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    return folder


def load_model(folder) -> tuple[SmallCNN, dict]:
    """Read a model saved by :meth:`Trainer.save`: ``(model, metadata)``."""
    folder = Path(folder)
    weights, meta_file = folder / "model.pt", folder / "model.json"
    for f in (weights, meta_file):
        if not f.is_file():
            raise ValueError(
                f"path: {str(f)!r} not found (a saved model has model.pt and model.json)"
            )
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{str(meta_file)!r} is not valid JSON: {exc}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("classes_en"), list):
        raise ValueError(f"{str(meta_file)!r} must be a JSON object with a 'classes_en' list")
    model = SmallCNN(len(meta["classes_en"]))
    try:
        state = torch.load(weights, map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    except Exception as exc:  # torch raises many kinds for a bad file
        raise ValueError(
            f"{str(weights)!r} is not a state dict of this network ({exc.__class__.__name__})"
        ) from None
    model.eval()
    return model, meta


def plot_filters(model):
    """Draw the first layer's filters as coloured grids with their numbers (matplotlib).
    ``model``: a :class:`SmallCNN` or a :class:`Trainer`. Returns the figure."""
    import matplotlib.pyplot as plt

    model = getattr(model, "model", model)
    w = model.conv1.weight.detach()[:, 0].numpy()
    m = float(np.abs(w).max()) or 1.0
    fig, axes = plt.subplots(1, len(w), figsize=(1.4 * len(w), 1.6))
    for i, (a, k) in enumerate(zip(np.atleast_1d(axes), w, strict=True)):
        a.imshow(k, cmap="RdBu_r", vmin=-m, vmax=m)
        for (r, c), v in np.ndenumerate(k):
            a.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=6)
        a.set_title(f"{i + 1}", fontsize=9)
        a.set_xticks([])
        a.set_yticks([])
    return fig
