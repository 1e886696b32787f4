"""When convolutions help, and when they don't: two small experiments, measured on request.

A convolution combines *neighbouring* values. That only helps when neighbours are related:
pixels in a photo, samples in a sound. Two experiments make it tangible:

1. :func:`images_experiment`: the same small CNN (``convolab.learn.SmallCNN``) and a dense
   network with about as many weights learn Fashion-MNIST (or scikit-learn's digits), once on
   the photos as they are and once with every photo's pixels shuffled by one fixed
   permutation. Shuffling keeps all the information (it can be undone) but destroys the
   neighbourhoods: the CNN loses its advantage, the dense network does not care (for it the
   order of its inputs means nothing).
2. :func:`table_experiment`: scikit-learn's breast-cancer table (569 patients, 30
   measurements per patient), with the columns in their order and shuffled. A 1-D
   convolution over the columns is no better than a dense network or logistic regression,
   whatever the order: neighbouring columns of a table are not related.

Both use fixed seeds, so a run gives the same numbers on the same machine; the web page runs
them when a pupil clicks and shows what was measured.

>>> r = table_experiment(folds=2, epochs=5)       # doctest: +SKIP
>>> sorted(r.to_dict()["models"])                  # doctest: +SKIP
['conv1d', 'dense', 'logistic']
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ._common import positive_int, set_threads

SEED = 0
PERMUTATION_SEED = 1234  # the one fixed shuffle of pixels (and of table columns)


@dataclass
class Result:
    """Accuracies (fraction correct on data the model never saw) per model and order."""

    experiment: str
    dataset: str
    accuracy: dict[str, dict[str, float]]  # model -> {"ordered": acc, "shuffled": acc}
    spread: dict[str, dict[str, float]] = field(default_factory=dict)  # std over folds
    params: dict[str, int] = field(default_factory=dict)  # number of weights per model
    settings: dict = field(default_factory=dict)
    seconds: float = 0.0
    notice_nl: str | None = None
    notice_en: str | None = None
    examples: dict = field(default_factory=dict)  # a few inputs as they are and shuffled

    def gap(self, order: str, model: str = "cnn", other: str = "dense") -> float:
        """Accuracy of ``model`` minus that of ``other`` for one order."""
        return self.accuracy[model][order] - self.accuracy[other][order]

    def to_dict(self) -> dict:
        return {
            "experiment": self.experiment,
            "dataset": self.dataset,
            "models": sorted(self.accuracy),
            "accuracy": self.accuracy,
            "spread": self.spread,
            "params": self.params,
            "settings": self.settings,
            "seconds": round(self.seconds, 2),
            "notice_nl": self.notice_nl,
            "notice_en": self.notice_en,
            "examples": self.examples,
        }


def count_params(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def _fit(model, x, y, *, epochs, batch, lr, seed) -> None:
    """Plain Adam with mini-batches in a seeded order."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch):
            b = order[i : i + batch]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[b]), y[b]).backward()
            opt.step()


@torch.no_grad()
def _accuracy(model, x, y) -> float:
    model.eval()
    return float((model(x).argmax(1) == y).float().mean())


# --- 1. images -----------------------------------------------------------------------------


def _follow_pixels(first: nn.Linear, perm: np.ndarray) -> None:
    """Give every input its starting weight from the ordered run: input j of the shuffled
    data is input perm[j] of the ordered data. A dense network then computes exactly the
    same thing on shuffled inputs (only the order of the sums differs): it has no idea which
    inputs are neighbours. A convolution's weights are shared by all positions, so for it
    no such matching exists - that is the point of the experiment."""
    with torch.no_grad():
        first.weight.copy_(first.weight[:, torch.from_numpy(perm)])


def dense_net(hidden: int, n_in: int = 28 * 28, n_classes: int = 10) -> nn.Module:
    return nn.Sequential(
        nn.Flatten(), nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)
    )


def pixel_permutation(n: int = 28 * 28) -> np.ndarray:
    """The one fixed shuffle of the pixels (the same for every photo)."""
    return np.random.default_rng(PERMUTATION_SEED).permutation(n)


def shuffle_pixels(images: np.ndarray, perm: np.ndarray | None = None) -> np.ndarray:
    """Every image's pixels moved by the same permutation (N x H x W in, same shape out)."""
    a = np.asarray(images)
    n, h, w = a.shape
    perm = pixel_permutation(h * w) if perm is None else perm
    return a.reshape(n, h * w)[:, perm].reshape(n, h, w)


#: what the images experiment trains on by default, and the widest budget it allows; both
#: shrink to the dataset that is really there (the digits fallback has 1,438 + 359 images)
IMAGE_DEFAULTS = {"train": 8000, "test": 2000, "epochs": 2}
IMAGE_LIMITS = {"train": (500, 20000), "test": (200, 10000), "epochs": (1, 5)}


def image_settings() -> dict:
    """Defaults and allowed ranges of :func:`images_experiment` for the dataset that
    :func:`~convolab.learn.data.load_dataset` gives here (Fashion-MNIST, or the digits when
    it is not installed): ``{"dataset", "defaults": {...}, "limits": {name: [lo, hi]}}``."""
    from .data import available_sizes

    sizes = available_sizes()
    limits = {
        name: [lo, min(hi, sizes[name])] if name in sizes else [lo, hi]
        for name, (lo, hi) in IMAGE_LIMITS.items()
    }
    defaults = {name: min(v, limits[name][1]) for name, v in IMAGE_DEFAULTS.items()}
    return {"dataset": sizes["name"], "defaults": defaults, "limits": limits}


def images_experiment(
    dataset: str = "fashion-mnist",
    *,
    train: int | None = None,
    test: int | None = None,
    epochs: int = 2,
    hidden: int | None = None,
    lr: float = 3e-3,
    batch: int = 64,
    seed: int = SEED,
) -> Result:
    """Small CNN vs dense network, on images as they are and with shuffled pixels.

    ``hidden``: the dense network's hidden units; by default as many as give it about the
    CNN's number of weights. ``train``/``test``: by default 8,000/2,000 images, or all the
    dataset has when it has fewer (see :func:`image_settings`).
    """
    from .cnn import SmallCNN
    from .data import load_dataset

    if train is not None:
        train = positive_int("train", train, minimum=100)
    if test is not None:
        test = positive_int("test", test, minimum=100)
    epochs = positive_int("epochs", epochs)
    set_threads()
    t0 = time.perf_counter()
    ds = load_dataset(dataset)
    if train is None:
        train = min(IMAGE_DEFAULTS["train"], len(ds.y_train))
    if test is None:
        test = min(IMAGE_DEFAULTS["test"], len(ds.y_test))
    if train > len(ds.y_train) or test > len(ds.y_test):
        raise ValueError(
            f"train must be <= {len(ds.y_train)} and test <= {len(ds.y_test)} for {ds.name}; "
            f"got train={train}, test={test}"
        )
    n_classes = 10
    cnn_params = count_params(SmallCNN(n_classes))
    if hidden is None:
        # 785 h + 10 (h + 1) weights: choose h so the dense net is about as big as the CNN
        hidden = max(1, round((cnn_params - 10) / 795))
    hidden = positive_int("hidden", hidden)
    perm = pixel_permutation()
    sets = {
        "ordered": (ds.x_train[:train], ds.x_test[:test]),
        "shuffled": (
            shuffle_pixels(ds.x_train[:train], perm),
            shuffle_pixels(ds.x_test[:test], perm),
        ),
    }
    y_tr = torch.from_numpy(ds.y_train[:train])
    y_te = torch.from_numpy(ds.y_test[:test])
    makers = {"cnn": lambda: SmallCNN(n_classes), "dense": lambda: dense_net(hidden)}
    acc: dict[str, dict[str, float]] = {m: {} for m in makers}
    params = {}
    for order, (xtr, xte) in sets.items():
        x_tr = torch.from_numpy(xtr.astype(np.float32) / 255.0)[:, None]
        x_te = torch.from_numpy(xte.astype(np.float32) / 255.0)[:, None]
        for name, make in makers.items():
            torch.manual_seed(seed)  # the same starting weights for both orders
            model = make()
            if name == "dense" and order == "shuffled":
                _follow_pixels(model[1], perm)
            params[name] = count_params(model)
            _fit(model, x_tr, y_tr, epochs=epochs, batch=batch, lr=lr, seed=seed)
            acc[name][order] = _accuracy(model, x_te, y_te)
    return Result(
        experiment="images",
        dataset=ds.name,
        accuracy=acc,
        params=params,
        settings={
            "train": train,
            "test": test,
            "epochs": epochs,
            "hidden": hidden,
            "lr": lr,
            "batch": batch,
            "seed": seed,
            "permutation_seed": PERMUTATION_SEED,
        },
        seconds=time.perf_counter() - t0,
        notice_nl=ds.notice_nl,
        notice_en=ds.notice_en,
        examples={
            "ordered": sets["ordered"][1][:4].tolist(),
            "shuffled": sets["shuffled"][1][:4].tolist(),
            "labels_nl": [ds.classes_nl[i] for i in ds.y_test[:4]],
            "labels_en": [ds.classes_en[i] for i in ds.y_test[:4]],
        },
    )


# --- 2. a table of patient data -------------------------------------------------------------


class ColumnConv(nn.Module):
    """A 1-D convolution sliding over the columns of a table row, then a dense layer.

    Conv1d(1 -> channels, k) - ReLU - Linear(channels * (n - k + 1) -> 2)
    """

    def __init__(self, n_columns: int, channels: int = 4, k: int = 3, n_classes: int = 2):
        super().__init__()
        self.conv = nn.Conv1d(1, channels, k)
        self.fc = nn.Linear(channels * (n_columns - k + 1), n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.relu(self.conv(x[:, None, :])).flatten(1))


def table_experiment(
    *,
    folds: int = 5,
    epochs: int = 100,
    lr: float = 1e-2,
    seed: int = SEED,
) -> Result:
    """Logistic regression, a dense net and a 1-D conv net on the breast-cancer table, with
    the columns in their order and shuffled; accuracy by stratified k-fold cross-validation
    (each patient is tested once, by a model that never saw them). The networks train on
    all training rows at once (``epochs`` full-batch steps of Adam)."""

    folds = positive_int("folds", folds, minimum=2)
    epochs = positive_int("epochs", epochs)
    # these networks are tiny: one thread is faster than two fighting over small matrices
    threads = torch.get_num_threads()
    set_threads(1)
    try:
        return _table(folds, epochs, lr, seed)
    finally:
        set_threads(threads)


def _table(folds: int, epochs: int, lr: float, seed: int) -> Result:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    t0 = time.perf_counter()
    data = load_breast_cancer()
    x_all = data.data.astype(np.float64)
    y_all = data.target.astype(np.int64)
    n_cols = x_all.shape[1]
    perm = np.random.default_rng(PERMUTATION_SEED).permutation(n_cols)
    hidden = 8
    conv_probe = ColumnConv(n_cols)
    params = {
        "logistic": n_cols + 1,
        "dense": count_params(dense_net(hidden, n_cols, 2)),
        "conv1d": count_params(conv_probe),
    }
    scores: dict[str, dict[str, list[float]]] = {m: {"ordered": [], "shuffled": []} for m in params}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for order in ("ordered", "shuffled"):
        x_order = x_all if order == "ordered" else x_all[:, perm]
        for tr, te in splitter.split(x_order, y_all):
            scaler = StandardScaler().fit(x_order[tr])
            xtr, xte = scaler.transform(x_order[tr]), scaler.transform(x_order[te])
            lr_model = LogisticRegression(max_iter=2000).fit(xtr, y_all[tr])
            scores["logistic"][order].append(float(lr_model.score(xte, y_all[te])))
            t_xtr = torch.from_numpy(xtr.astype(np.float32))
            t_xte = torch.from_numpy(xte.astype(np.float32))
            t_ytr, t_yte = torch.from_numpy(y_all[tr]), torch.from_numpy(y_all[te])
            for name, make in (
                ("dense", lambda: dense_net(hidden, n_cols, 2)),
                ("conv1d", lambda: ColumnConv(n_cols)),
            ):
                torch.manual_seed(seed)
                model = make()
                if name == "dense" and order == "shuffled":
                    _follow_pixels(model[1], perm)
                _fit(model, t_xtr, t_ytr, epochs=epochs, batch=len(tr), lr=lr, seed=seed)
                scores[name][order].append(_accuracy(model, t_xte, t_yte))
    acc = {m: {o: float(np.mean(v)) for o, v in d.items()} for m, d in scores.items()}
    spread = {m: {o: float(np.std(v)) for o, v in d.items()} for m, d in scores.items()}
    return Result(
        experiment="table",
        dataset="breast-cancer",
        accuracy=acc,
        spread=spread,
        params=params,
        settings={
            "folds": folds,
            "epochs": epochs,
            "lr": lr,
            "batch": "all training rows",
            "seed": seed,
            "permutation_seed": PERMUTATION_SEED,
            "rows": int(len(y_all)),
            "columns": int(n_cols),
            "column_names": list(data.feature_names),
            "shuffled_order": perm.tolist(),
        },
        seconds=time.perf_counter() - t0,
    )
