"""Small shared pieces of ``convolab.learn``: torch threads, argument checks."""

from __future__ import annotations

import math
import os
from numbers import Real

import torch

from .._validate import choice, positive_int  # noqa: F401  (re-exported for the learn modules)
from ..errors import InvalidType, InvalidValue

OPTIMIZERS = ("adam", "sgd")


def available_cores() -> int:
    """CPU cores this process may use (respects taskset/cgroup affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def set_threads(n: int = 1) -> int:
    """Set PyTorch's intra-op threads (``convolab.learn`` sets 1 when imported).

    The models here are tiny: one thread per training is fastest, and several trainings can
    run side by side, one per core. More threads per training only help on an idle machine
    and are much slower on a busy one (measured on 2 shared cores: one epoch on 6,000
    images took 5.9 s with 1 thread and 52 s with 2, because the threads wait for each other).
    Returns the number set.
    """
    n = positive_int("threads", n)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


def check_lr(lr, param: str = "lr") -> float:
    """A learning rate: a finite number > 0 (and at most 10, larger is always a mistake)."""
    if isinstance(lr, bool) or not isinstance(lr, Real):
        raise InvalidType("lr_type", param=param, value=lr)
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0 or lr > 10:
        raise InvalidValue("lr_range", param=param, value=lr)
    return lr


def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """``"adam"`` or ``"sgd"`` (SGD with momentum 0.9, which most courses use)."""
    choice("optimizer", name, OPTIMIZERS)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def smaller_lr(lr: float) -> float:
    """A learning rate about ten times smaller, rounded to one significant digit."""
    x = lr / 10
    e = math.floor(math.log10(x))
    return round(round(x / 10**e) * 10**e, max(0, -e))
