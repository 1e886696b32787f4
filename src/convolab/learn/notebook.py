"""Helpers for notebooks: train and look inside in a few lines (matplotlib for the plots).

Learn a hidden filter::

    from convolab.learn import FilterLearner, plot_filter_learning
    learner = FilterLearner("sobel-x", image="grass")   # the target the layer must find
    state = learner.fit(max_steps=300)                   # gradient descent, step by step
    print(state.message)                                 # "Found the filter after ... steps"
    plot_filter_learning(learner)                        # target, learned kernel, loss curve

Train the small CNN on Fashion-MNIST (digits when it is not installed)::

    from convolab.learn import train_cnn, plot_filters, plot_history, plot_feature_maps
    trainer = train_cnn("fashion-mnist", epochs=2)       # prints loss and accuracy per epoch
    plot_history(trainer)                                # loss and accuracy curves
    plot_filters(trainer.model)                          # the 8 learned 3x3 filters
    plot_feature_maps(trainer, index=0)                  # what each layer makes of a test photo
    trainer.predict(trainer.data.x_test[0])              # [{'label': ..., 'p': ...}, ...]
    trainer.save("my-model")                             # model.pt + model.json

The plain PyTorch version of the same training is in the docstring of :func:`train_cnn`.
"""

from __future__ import annotations

import numpy as np

from .cnn import LAYERS, Trainer
from .data import Dataset
from .filter import FilterLearner


def train_cnn(
    data: Dataset | str = "fashion-mnist",
    epochs: int = 2,
    *,
    path=None,
    verbose: bool = True,
    lang: str = "en",
    **settings,
) -> Trainer:
    """Train the small CNN for ``epochs`` epochs; print one line per epoch; return the
    :class:`Trainer` (its ``model``, ``history``, ``test_accuracy``, ``predict``, ``save``).

    ``settings`` go to :class:`Trainer` (``lr``, ``optimizer``, ``batch_size``, ``seed``,
    ``train_limit``, ...). A diverging run stops with a message suggesting a smaller learning
    rate. The same training in plain PyTorch::

        import torch
        from torch import nn
        from convolab.learn import load_dataset
        ds = load_dataset("fashion-mnist")
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Flatten(), nn.Linear(16 * 5 * 5, 10))
        opt = torch.optim.Adam(model.parameters(), lr=0.002)
        x = torch.tensor(ds.x_train[:, None] / 255, dtype=torch.float32)
        y = torch.tensor(ds.y_train)
        for epoch in range(2):
            for idx in torch.randperm(len(y)).split(64):
                opt.zero_grad()
                nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
                opt.step()
    """
    trainer = Trainer(data, path=path, **settings)
    if verbose and trainer.data.notice_en:
        print(trainer.data.notice_nl if lang == "nl" else trainer.data.notice_en)
    for p in trainer.train(epochs, snapshot_every=None, report_every=10.0):
        if not verbose:
            continue
        if p.kind == "epoch":
            print(
                f"epoch {p.epoch}: loss {p.loss:.3f}, test accuracy {p.test_accuracy:.1%} "
                f"({p.elapsed:.1f} s)"
            )
        elif p.kind == "diverged":
            print(p.message)
    return trainer


def _plt():
    import matplotlib.pyplot as plt

    return plt


def plot_history(trainer: Trainer):
    """Loss and accuracy (training: per report; test: per epoch) against the step."""
    plt = _plt()
    h = trainer.history
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.2))
    steps = [e["step"] for e in h]
    a.plot(steps, [e["loss"] for e in h])
    a.set_xlabel("step")
    a.set_ylabel("loss")
    b.plot(steps, [e["train_accuracy"] for e in h], label="training")
    tests = [e for e in h if e.get("test_accuracy") is not None]
    b.plot([e["step"] for e in tests], [e["test_accuracy"] for e in tests], "o-", label="test")
    b.set_ylim(0, 1)
    b.set_xlabel("step")
    b.set_ylabel("accuracy")
    b.legend()
    fig.tight_layout()
    return fig


def plot_feature_maps(trainer: Trainer, index: int = 0):
    """The feature maps of test image ``index`` after every layer, one row per layer."""
    import base64

    plt = _plt()
    maps = trainer.feature_maps(trainer.data.x_test[index])
    width = max(m["shape"][0] for m in maps.values())
    fig, axes = plt.subplots(len(LAYERS), width, figsize=(width * 0.8, len(LAYERS) * 0.9))
    for row, name in enumerate(LAYERS):
        m = maps[name]
        c, h, w = m["shape"]
        data = np.frombuffer(base64.b64decode(m["data"]), np.uint8).reshape(c, h, w)
        for col in range(width):
            ax = axes[row, col]
            ax.set_xticks([])
            ax.set_yticks([])
            if col < c:
                ax.imshow(data[col], cmap="gray", vmin=0, vmax=255)
            else:
                ax.axis("off")
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    return fig


def plot_filter_learning(learner: FilterLearner):
    """The target kernel (or the best possible one), the learned kernel and the loss curve."""
    plt = _plt()
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(10, 3))
    target = learner.target_kernel if learner.target_kernel is not None else learner.best_kernel
    m = float(max(np.abs(target).max(), np.abs(learner.kernel).max())) or 1.0
    for ax, k, title in (
        (a, target, "target" if learner.target_kernel is not None else "best possible"),
        (b, learner.kernel, f"learned after {learner.steps_done} steps"),
    ):
        ax.imshow(k, cmap="RdBu_r", vmin=-m, vmax=m)
        for (i, j), v in np.ndenumerate(k):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    c.semilogy(range(1, len(learner.history) + 1), learner.history)
    if not learner.achievable:
        c.axhline(learner.floor_loss, color="red", linestyle="--", label="lowest possible")
        c.legend()
    c.set_xlabel("step")
    c.set_ylabel("loss")
    fig.tight_layout()
    return fig
