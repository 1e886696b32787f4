"""Learning demos with PyTorch: the only part of convolab that imports torch.

- :class:`FilterLearner`: one ``Conv2d(1, 1, k)`` layer learns a hidden filter on a photo.
- :class:`Trainer`: a small CNN learns its own filters on Fashion-MNIST (or digits), reporting
  loss, accuracy, filters, feature maps and predictions as it goes.
- :mod:`convolab.learn.data`: the IDX reader and the datasets.
- :mod:`convolab.learn.runs`: runs in background threads, per browser session, with a queue.

Ten lines in a notebook::

    from convolab.learn import FilterLearner, Trainer, plot_filters
    learner = FilterLearner("sobel-x")               # the hidden target filter
    print(learner.fit().kernel.round(2))             # ... found by gradient descent
    trainer = Trainer("fashion-mnist")               # or "digits"
    for p in trainer.train(epochs=2):
        if p.kind == "epoch":
            print(f"epoch {p.epoch}: test accuracy {p.test_accuracy:.1%}")
    plot_filters(trainer.model)
    trainer.save("my-model")
"""

from ._common import set_threads
from .cnn import Progress, SmallCNN, Trainer, load_model, plot_filters, prepare_drawing, save_model
from .data import (
    Dataset,
    DatasetError,
    load_dataset,
    load_digits,
    load_fashion_mnist,
    read_idx,
)
from .filter import NON_CONVOLUTION, FilterLearner, FilterState, prepare_image, resolve_target

set_threads(1)

__all__ = [
    "NON_CONVOLUTION",
    "Dataset",
    "DatasetError",
    "FilterLearner",
    "FilterState",
    "Progress",
    "SmallCNN",
    "Trainer",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_model",
    "plot_filters",
    "prepare_drawing",
    "prepare_image",
    "read_idx",
    "resolve_target",
    "save_model",
    "set_threads",
]
