"""Teach the small CNN to recognise emotions in a class's own drawings (blij, verrast, ...).

The same network and trainer as the network page (:class:`~convolab.learn.cnn.SmallCNN`:
convolution 3x3 - ReLU - max pooling, twice, then a dense layer), trained on the drawings of
one class (or the generated starter set). A part of the drawings is held out (never trained
on) to judge the network: accuracy per label, a confusion table and the drawings it got wrong.

:func:`split` picks the held-out part (the same share of every label, reproducible with a
seed); :func:`evaluate` computes the judgement; :class:`EmotionsJob` is the run for the web
page's run manager (events as in :class:`~convolab.learn.jobs.NetworkJob`, plus
``evaluation``).
"""

from __future__ import annotations

import math

import numpy as np

from .cnn import MAX_EPOCHS, Trainer, encode_u8
from .data import Dataset
from .jobs import NetworkJob

TEST_SHARE = 0.2
MIN_PER_LABEL = 5  #: each label needs this many drawings (at least one is held out)
MAX_MISTAKES = 60  #: misclassified drawings listed (all of them are counted)


def split(y: np.ndarray, share: float = TEST_SHARE, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, test)``: of every label ``round(share * n)`` drawings (at least one)
    are held out, chosen at random with ``seed``; both in ascending order."""
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        k = min(len(idx) - 1, max(1, int(math.floor(share * len(idx) + 0.5))))
        test.extend(rng.choice(idx, size=k, replace=False).tolist())
    test_idx = np.array(sorted(test), dtype=np.int64)
    train_idx = np.setdiff1d(np.arange(len(y)), test_idx)
    return train_idx, test_idx


def check_counts(y: np.ndarray, labels: tuple[str, ...]) -> None:
    """Every label needs :data:`MIN_PER_LABEL` drawings; the error names the ones short."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(labels))
    short = [
        f"{lab} ({int(n)})" for lab, n in zip(labels, counts, strict=True) if n < MIN_PER_LABEL
    ]
    if short:
        err = ValueError(
            f"every label needs at least {MIN_PER_LABEL} drawings to train and test; "
            f"too few: {', '.join(short)}"
        )
        err.code = "not_enough_drawings"  # type: ignore[attr-defined]
        err.params = {"min": MIN_PER_LABEL, "short": ", ".join(short)}  # type: ignore[attr-defined]
        raise err


def evaluate(probs: np.ndarray, y: np.ndarray, labels: tuple[str, ...], ids, images) -> dict:
    """The judgement on the held-out drawings: ``accuracy``, ``per_label`` (correct, total,
    accuracy), ``confusion`` (rows: the true label, columns: the guess) and ``mistakes``."""
    y = np.asarray(y, dtype=np.int64)
    guess = np.argmax(probs, axis=1) if len(y) else np.zeros(0, np.int64)
    n = len(labels)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (y, guess), 1)
    per_label = []
    for c, lab in enumerate(labels):
        total = int(confusion[c].sum())
        correct = int(confusion[c, c])
        per_label.append(
            {
                "label": lab,
                "correct": correct,
                "total": total,
                "accuracy": correct / total if total else None,
            }
        )
    wrong = np.flatnonzero(guess != y)
    mistakes = [
        {
            "id": ids[i],
            "truth": int(y[i]),
            "guess": int(guess[i]),
            "p": round(float(probs[i, guess[i]]), 4),
            "data": encode_u8(images[i]),
        }
        for i in wrong[:MAX_MISTAKES]
    ]
    return {
        "accuracy": float(np.mean(guess == y)) if len(y) else None,
        "correct": int(np.sum(guess == y)),
        "total": int(len(y)),
        "per_label": per_label,
        "confusion": confusion.tolist(),
        "mistakes": mistakes,
        "mistakes_total": int(len(wrong)),
    }


class EmotionsJob(NetworkJob):
    """Trains the small CNN on a set of drawings; reports like :class:`NetworkJob` and adds an
    ``evaluation`` event (on the held-out drawings) after every round and at the end."""

    kind = "emotions"

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        ids: list,
        labels_nl: tuple[str, ...],
        labels_en: tuple[str, ...],
        *,
        source: str,
        epochs: int = 15,
        lr: float = 0.003,
        batch_size: int = 16,
        seed: int = 0,
        report_every: float = 0.25,
        snapshot_every: float = 1.0,
    ):
        if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be a whole number 1..{MAX_EPOCHS}; got {epochs!r}")
        x = np.ascontiguousarray(x, dtype=np.uint8)
        y = np.asarray(y, dtype=np.int64)
        if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y) or len(ids) != len(y):
            raise ValueError("drawings must be N x 28 x 28 with one label and one id each")
        check_counts(y, labels_nl)
        train_idx, test_idx = split(y, seed=seed)
        self.ids_train = [ids[i] for i in train_idx]
        self.ids_test = [ids[i] for i in test_idx]
        self.labels_nl, self.labels_en = tuple(labels_nl), tuple(labels_en)
        self.source = source
        self.data = Dataset(
            name="emotions",
            x_train=x[train_idx],
            y_train=y[train_idx],
            x_test=x[test_idx],
            y_test=y[test_idx],
            classes_nl=self.labels_nl,
            classes_en=self.labels_en,
            source=source,
            licence="",
        )
        super().__init__(
            dataset="digits",  # checked by NetworkJob; the data above is what is trained on
            epochs=epochs,
            report_every=report_every,
            snapshot_every=snapshot_every,
            lr=lr,
            batch_size=batch_size,
            seed=seed,
        )
        self.evaluation: dict | None = None

    def start(self) -> list[dict]:
        self.trainer = Trainer(
            self.data,
            lr=self.trainer_params["lr"],
            batch_size=self.trainer_params["batch_size"],
            seed=self.trainer_params["seed"],
            examples=min(8, len(self.data.y_test)),
        )
        self._show_example(0)
        return [self._init("init")]

    def _init(self, kind: str) -> dict:
        d = super()._init(kind)
        d["dataset"].update(
            source=self.source,
            labels_nl=list(self.labels_nl),
            labels_en=list(self.labels_en),
        )
        d["test_ids"] = self.ids_test
        d["settings"]["seed"] = self.trainer_params["seed"]
        d["evaluation"] = self.evaluation
        return d

    def judge(self) -> dict:
        t = self.trainer
        probs = t.probabilities(t.data.x_test)
        self.evaluation = evaluate(
            probs, t.data.y_test, self.labels_nl, self.ids_test, t.data.x_test
        )
        return self.evaluation

    def advance(self) -> tuple[list[dict], bool]:
        events, finished = super().advance()
        if any(e.get("kind") in ("epoch", "done") for e in events):
            events.append({"type": "evaluation", "evaluation": self.judge()})
        return events, finished
