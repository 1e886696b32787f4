"""Learning demos with PyTorch: the only part of convolab that imports torch.

- :class:`FilterLearner`: one ``Conv2d(1, 1, k)`` layer learns a hidden filter on a photo.
- :class:`Trainer`: a small CNN learns its own filters on Fashion-MNIST (or digits), reporting
  loss, accuracy, filters, feature maps and predictions as it goes.
- :mod:`convolab.learn.data`: the IDX reader and the datasets.
- :mod:`convolab.learn.runs`: runs in background threads, per browser session, with a queue.

Ten lines in a notebook (see :mod:`convolab.learn.notebook`)::

    from convolab.learn import FilterLearner, plot_filter_learning, train_cnn, plot_filters
    learner = FilterLearner("sobel-x")               # the hidden target filter
    print(learner.fit().message)                     # ... found by gradient descent
    plot_filter_learning(learner)                    # target, learned kernel, loss curve
    trainer = train_cnn("fashion-mnist", epochs=2)   # prints loss and accuracy per epoch
    plot_filters(trainer)                            # the 8 learned first-layer filters
    trainer.save("my-model")                         # model.pt + model.json

``Trainer.train`` yields progress reports for a live view; ``set_threads`` changes the number
of PyTorch threads (1 by default: fastest for these small models on a shared machine).
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
from .notebook import plot_feature_maps, plot_filter_learning, plot_history, train_cnn

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
    "plot_feature_maps",
    "plot_filter_learning",
    "plot_filters",
    "plot_history",
    "prepare_drawing",
    "prepare_image",
    "read_idx",
    "resolve_target",
    "save_model",
    "set_threads",
    "train_cnn",
]
