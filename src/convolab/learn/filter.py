"""Learn a hidden filter: one ``Conv2d(1, 1, k)`` layer finds a filter by gradient descent.

A photo goes in, and the same photo filtered with a *target* (a catalogue filter, a typed
kernel, or something that is not a filter at all) is what should come out. The core library
(``convolab.correlate``) makes the target; PyTorch only trains the layer. Watch the kernel
move towards the target step by step::

    >>> from convolab.learn import FilterLearner
    >>> learner = FilterLearner("sharpen", image="grass", size=32)
    >>> state = learner.fit(max_steps=300)
    >>> state.converged, state.max_abs_error <= 0.01
    (True, True)

Why it works: the loss is the mean of the squared error ``e = output - target``, and its
gradient with respect to kernel cell (i, j) is ``2/N * sum(input[r+i, c+j] * e[r, c])``:
a correlation of the input with the error (``FilterLearner.gradient_by_correlation``
computes it with the core and equals PyTorch's gradient).

Honesty for targets that are no filter (``"threshold"``, ``"mirror"``): before training,
the least-squares fit over *all* k x k filters gives the lowest loss any filter can reach
(``floor_loss``) and the share of the target it can explain (``explained``). When that share
is clearly below 100 %, ``achievable`` is False: no filter can do this, and the loss stays up.

The input is the middle of the photo in grey, made smaller (``size`` x ``size``) and standardised (mean 0,
spread 1), as neural networks usually get their input; that keeps the learning rate the same
for every photo. A detailed photo (grass) shows the layer every pattern and learns fastest;
a smooth one (the cameraman) needs many more steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import torch
from torch import nn

import convolab as cl

from .._validate import as_image
from ..display import round_half_up
from ..errors import InvalidValue, suggestion
from ._common import OPTIMIZERS, check_lr, choice, make_optimizer, positive_int, smaller_lr

#: Targets that are no convolution at all: no k x k filter can produce them.
NON_CONVOLUTION = ("threshold", "mirror")
INITS = ("random", "zero")
MAX_KERNEL = 9
MIN_SIZE, MAX_SIZE = 16, 128
ZOOM = 4  # the photo's middle square, at most ZOOM * size wide, is scaled to size x size
DEFAULT_IMAGE = "grass"
#: A target counts as reachable by some filter when the best filter explains this share of it.
ACHIEVABLE = 0.9999

# Defaults that recover every 3x3 catalogue filter to 0.01 within 300 steps (tested).
DEFAULTS = {"lr": 0.1, "optimizer": "adam", "init": "random", "size": 64, "tol": 0.01}


@dataclass(frozen=True)
class FilterState:
    """Where a :class:`FilterLearner` stands after some steps (plain data).

    ``status``: ``"ready"`` (no step yet), ``"learning"``, ``"converged"`` (the kernel is within
    ``tol`` of the target), ``"at_floor"`` (a target no filter can make: the loss is as low as
    any filter can get it), or ``"diverged"`` (the loss became NaN or infinite: the learning
    rate is too large).
    """

    step: int
    loss: float
    kernel: np.ndarray
    target_kernel: np.ndarray | None
    max_abs_error: float | None
    floor_loss: float
    explained: float
    achievable: bool
    status: str
    lr: float
    optimizer: str
    suggestion: float | None = None  # a smaller learning rate after divergence
    gradient: np.ndarray | None = field(default=None, repr=False)

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    @property
    def message(self) -> str:
        """One English sentence on the state (the web pages translate ``status``)."""
        if self.status == "diverged":
            return (
                f"The loss became {self.loss} at step {self.step}: the learning rate {self.lr} "
                f"is too large. Reset and try a smaller one, e.g. {self.suggestion}."
            )
        if not self.achievable:
            return (
                f"No {self.kernel.shape[0]}x{self.kernel.shape[1]} filter can do this: the best "
                f"possible filter explains only {self.explained:.0%} of the target, so the loss "
                f"cannot go below {self.floor_loss:.4g}."
            )
        if self.status == "converged":
            return f"Found the filter after {self.step} steps (largest error {self.max_abs_error:.4f})."
        return f"Step {self.step}: loss {self.loss:.4g}."

    def to_dict(self) -> dict:
        def grid(a):
            return None if a is None else [[_num(v) for v in row] for row in a]

        return {
            "step": self.step,
            "loss": _num(self.loss),
            "kernel": grid(self.kernel),
            "target_kernel": grid(self.target_kernel),
            "max_abs_error": None if self.max_abs_error is None else _num(self.max_abs_error),
            "floor_loss": _num(self.floor_loss),
            "explained": _num(self.explained),
            "achievable": self.achievable,
            "status": self.status,
            "converged": self.converged,
            "diverged": self.diverged,
            "lr": self.lr,
            "optimizer": self.optimizer,
            "suggestion": self.suggestion,
            "gradient": grid(self.gradient),
            "message": self.message,
        }


def _num(v: float) -> float | None:
    """A float for JSON (NaN and inf are not JSON: they become None)."""
    v = float(v)
    return v if math.isfinite(v) else None


def prepare_image(image=DEFAULT_IMAGE, size: int = 64) -> np.ndarray:
    """A photo as the square grey float64 (0..255) picture the layer sees.

    ``image``: a sample name (``convolab.samples()``) or an image array (grey or colour,
    uint8 or float 0..255). The middle square (at most ``4 * size`` pixels wide) is cut out
    and scaled to ``size`` x ``size``.
    """
    size = positive_int("size", size)
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InvalidValue("learn_size", low=MIN_SIZE, high=MAX_SIZE, value=size)
    if isinstance(image, str):
        img = cl.sample(image, grey=True)
    else:
        img = as_image(image)
        if img.ndim == 3:
            rgb = img[..., :3].astype(np.float64)
            img = rgb @ np.array([0.299, 0.587, 0.114])
    img = np.asarray(img, dtype=np.float64)
    h, w = img.shape
    if min(h, w) < 8:
        raise InvalidValue("learn_image_small", rows=h, cols=w)
    s = min(h, w, ZOOM * size)  # a middle square: details stay visible after scaling down
    top, left = (h - s) // 2, (w - s) // 2
    square = np.ascontiguousarray(img[top : top + s, left : left + s], dtype=np.float32)
    interp = cv2.INTER_AREA if s > size else cv2.INTER_LINEAR
    small = cv2.resize(square, (size, size), interpolation=interp)
    return np.clip(small.astype(np.float64), 0, 255)


def resolve_target(target) -> tuple[str, np.ndarray | None]:
    """``(label, kernel)`` for a target: a catalogue name, a non-convolution name
    (``kernel`` None), typed text such as ``"0 -1 0; -1 5 -1; 0 -1 0"``, or a 2-D array."""
    if isinstance(target, str):
        name = target.strip()
        if name in NON_CONVOLUTION:
            return name, None
        ids = [k.id for k in cl.kernels()]
        if name in ids or any(name in k.aliases for k in cl.kernels()):
            k = cl.kernel(name)
            return k.id, np.array(k.values, dtype=np.float64)
        if any(ch.isdigit() for ch in name):
            return "custom", cl.parse_kernel(name)
        choices = ids + list(NON_CONVOLUTION)
        raise InvalidValue(
            "unknown_target", value=name, choices=choices, suggestion=suggestion(name, choices)
        )
    if isinstance(target, cl.Kernel):
        return target.id, np.array(target.values, dtype=np.float64)
    k = cl.as_kernel(target, "target")
    return "custom", np.array(k, dtype=np.float64)


class FilterLearner:
    """One ``Conv2d(1, 1, k)`` layer (no bias) learning a target filter on a photo.

    Parameters
    ----------
    target : the filter to find: a catalogue name (``"sharpen"``, ``"sobel-x"``, ...), typed
        numbers (``"1 0 -1; 2 0 -2; 1 0 -1"``), a 2-D array, or ``"threshold"`` / ``"mirror"``
        (which no filter can do).
    image : a sample name or an image array. size : the side of the square it is scaled to.
    kernel_size : the layer's kernel size for ``"threshold"`` / ``"mirror"`` (else the target's).
    lr, optimizer : learning rate and ``"adam"`` | ``"sgd"`` (momentum 0.9).
    init : ``"random"`` (PyTorch's default uniform init, from ``seed``) or ``"zero"``.
    tol : the kernel counts as found when no cell differs more than this from the target.
    """

    def __init__(
        self,
        target="sharpen",
        *,
        image=DEFAULT_IMAGE,
        size: int = DEFAULTS["size"],
        kernel_size: int = 3,
        lr: float = DEFAULTS["lr"],
        optimizer: str = DEFAULTS["optimizer"],
        init: str = DEFAULTS["init"],
        seed: int = 0,
        tol: float = DEFAULTS["tol"],
    ):
        self.target_name, self.target_kernel = resolve_target(target)
        if self.target_kernel is None:
            kernel_size = positive_int("kernel_size", kernel_size)
            kshape = (kernel_size, kernel_size)
        else:
            kshape = self.target_kernel.shape
        if max(kshape) > MAX_KERNEL:
            raise InvalidValue(
                "learn_kernel_too_large", rows=kshape[0], cols=kshape[1], limit=MAX_KERNEL
            )
        self.lr = check_lr(lr)
        self.optimizer_name = choice("optimizer", optimizer, OPTIMIZERS)
        self.init = choice("init", init, INITS)
        self.seed = positive_int("seed", seed, minimum=0)
        if not (isinstance(tol, (int, float)) and 0 < tol < 1):
            raise InvalidValue("tol_range", value=tol)
        self.tol = float(tol)
        self.picture = prepare_image(image, size)  # what a pupil sees, 0..255
        if min(self.picture.shape) < 2 * max(kshape):
            raise InvalidValue(
                "learn_kernel_too_large_for_image",
                rows=kshape[0],
                cols=kshape[1],
                size=size,
                need=2 * max(kshape),
            )
        spread = self.picture.std()
        if spread < 1e-6:
            raise InvalidValue("learn_image_flat")
        self.x = (self.picture - self.picture.mean()) / spread  # standardised input
        self.kshape = kshape
        self.target = self._make_target()
        self._fit_floor()
        self._x_t = torch.tensor(self.x, dtype=torch.float32)[None, None]
        self._y_t = torch.tensor(self.target, dtype=torch.float32)[None, None]
        self.reset()

    # -- the target and what any filter can reach -------------------------------------------
    def _make_target(self) -> np.ndarray:
        kh, kw = self.kshape
        oh, ow = self.x.shape[0] - kh + 1, self.x.shape[1] - kw + 1
        if self.target_kernel is not None:
            return cl.correlate(self.x, self.target_kernel, padding="valid")
        top, left = kh // 2, kw // 2  # the output pixel sits under the kernel's centre
        if self.target_name == "threshold":
            full = np.where(self.x > 0, 1.0, -1.0)
        else:  # mirror: left and right swapped
            full = self.x[:, ::-1]
        return np.ascontiguousarray(full[top : top + oh, left : left + ow])

    def _fit_floor(self) -> None:
        """Least squares over all k x k filters: the best filter and the lowest loss."""
        kh, kw = self.kshape
        columns = []
        for i in range(kh):
            for j in range(kw):
                unit = np.zeros((kh, kw))
                unit[i, j] = 1.0  # correlating with a unit kernel picks one shifted copy
                columns.append(cl.correlate(self.x, unit, padding="valid").ravel())
        a = np.stack(columns, axis=1)
        y = self.target.ravel()
        coef, *_ = np.linalg.lstsq(a, y, rcond=None)
        self.best_kernel = coef.reshape(kh, kw)
        self.floor_loss = float(np.mean((a @ coef - y) ** 2))
        variance = float(np.var(y))
        self.explained = 1.0 - self.floor_loss / variance if variance > 0 else 1.0
        self.achievable = self.explained >= ACHIEVABLE

    # -- training ------------------------------------------------------------------------------
    def reset(self, *, lr=None, optimizer=None, init=None, seed=None) -> FilterState:
        """Start again from new weights (``init``/``seed``), optionally with other settings."""
        if lr is not None:
            self.lr = check_lr(lr)
        if optimizer is not None:
            self.optimizer_name = choice("optimizer", optimizer, OPTIMIZERS)
        if init is not None:
            self.init = choice("init", init, INITS)
        if seed is not None:
            self.seed = positive_int("seed", seed, minimum=0)
        self.layer = nn.Conv2d(1, 1, self.kshape, bias=False)
        with torch.no_grad():
            if self.init == "zero":
                self.layer.weight.zero_()
            else:  # PyTorch's default: uniform in +-1/sqrt(fan_in), here from our own seed
                bound = 1.0 / math.sqrt(self.kshape[0] * self.kshape[1])
                rng = np.random.default_rng(self.seed)
                w = rng.uniform(-bound, bound, size=(1, 1, *self.kshape))
                self.layer.weight.copy_(torch.tensor(w, dtype=torch.float32))
        self._optimizer = make_optimizer(self.optimizer_name, self.layer.parameters(), self.lr)
        self.steps_done = 0
        self.history: list[float] = []
        self._status = "ready"
        self._grad: np.ndarray | None = None
        self._loss = float(self._loss_now())
        return self.state()

    def set_lr(self, lr) -> None:
        """Change the learning rate and keep the weights (and the optimiser's memory)."""
        self.lr = check_lr(lr)
        for group in self._optimizer.param_groups:
            group["lr"] = self.lr

    def set_optimizer(self, name: str) -> None:
        """Switch optimiser and keep the weights (the new optimiser starts fresh)."""
        self.optimizer_name = choice("optimizer", name, OPTIMIZERS)
        self._optimizer = make_optimizer(self.optimizer_name, self.layer.parameters(), self.lr)

    def _loss_now(self) -> float:
        with torch.no_grad():
            return float(torch.mean((self.layer(self._x_t) - self._y_t) ** 2))

    def step(self, n: int = 1) -> FilterState:
        """Take ``n`` gradient steps (fewer when the run diverges) and return the state."""
        n = positive_int("n", n)
        if self._status == "diverged":
            return self.state()
        for _ in range(n):
            self._optimizer.zero_grad()
            loss = torch.mean((self.layer(self._x_t) - self._y_t) ** 2)
            value = float(loss.detach())
            if not math.isfinite(value):
                self._diverge(value)
                break
            loss.backward()
            self._grad = self.layer.weight.grad.detach()[0, 0].double().numpy().copy()
            self._optimizer.step()
            self.steps_done += 1
            value = self._loss_now()
            if not (math.isfinite(value) and np.isfinite(self.kernel).all()):
                self._diverge(value)
                break
            self.history.append(value)
            self._loss = value
        if self._status != "diverged":
            self._status = self._judge()
        return self.state()

    def _diverge(self, value: float) -> None:
        self._loss = value if not math.isfinite(value) else math.inf
        self._status = "diverged"

    def _judge(self) -> str:
        if self.target_kernel is not None and self.achievable:
            err = float(np.max(np.abs(self.kernel - self.target_kernel)))
            return "converged" if err <= self.tol else "learning"
        # no filter makes this target: "done" once the loss is within 1 % of the floor
        gap = self._loss - self.floor_loss
        return "at_floor" if gap <= 0.01 * max(self.floor_loss, 1e-12) else "learning"

    def run(self, max_steps: int = 300, *, every: int = 1) -> Iterator[FilterState]:
        """Yield the state every ``every`` steps until converged, diverged or ``max_steps``."""
        max_steps = positive_int("max_steps", max_steps)
        every = positive_int("every", every)
        while self.steps_done < max_steps:
            state = self.step(min(every, max_steps - self.steps_done))
            yield state
            if state.status in ("converged", "diverged", "at_floor"):
                return

    def fit(self, max_steps: int = 300) -> FilterState:
        """Train until converged, diverged or ``max_steps``; return the last state."""
        last = self.state()
        for last in self.run(max_steps):  # noqa: B007 - the last state is the answer
            continue
        return last

    # -- what to show --------------------------------------------------------------------------
    @property
    def kernel(self) -> np.ndarray:
        """The layer's current kernel (float64 copy)."""
        return self.layer.weight.detach()[0, 0].double().numpy().copy()

    def output(self) -> np.ndarray:
        """The layer's output now (float64), the same shape as the target."""
        with torch.no_grad():
            return self.layer(self._x_t)[0, 0].double().numpy()

    def images(self) -> dict[str, np.ndarray]:
        """uint8 pictures: ``input`` (the photo), ``target`` and ``output`` on one scale
        (the target's range), so that equal pictures mean equal numbers."""
        lo, hi = float(self.target.min()), float(self.target.max())
        out = self.output()
        if not np.isfinite(out).all():
            out = np.zeros_like(out)
        return {
            "input": round_half_up(self.picture).astype(np.uint8),
            "target": cl.to_display(self.target, "rescale", value_range=(lo, hi)),
            "output": cl.to_display(out, "rescale", value_range=(lo, hi)),
        }

    def gradient_by_correlation(self) -> np.ndarray:
        """The gradient of the loss w.r.t. the kernel, computed as a correlation (core):
        ``2/N * correlate(input, output - target, padding="valid")``. Equals PyTorch's."""
        error = self.output() - self.target
        return 2.0 / error.size * cl.correlate(self.x, error, padding="valid")

    def state(self) -> FilterState:
        k = self.kernel
        err = None
        if self.target_kernel is not None:
            err = float(np.max(np.abs(k - self.target_kernel))) if np.isfinite(k).all() else None
        return FilterState(
            step=self.steps_done,
            loss=self._loss,
            kernel=k,
            target_kernel=None if self.target_kernel is None else self.target_kernel.copy(),
            max_abs_error=err,
            floor_loss=self.floor_loss,
            explained=self.explained,
            achievable=self.achievable,
            status=self._status,
            lr=self.lr,
            optimizer=self.optimizer_name,
            suggestion=smaller_lr(self.lr) if self._status == "diverged" else None,
            gradient=self._grad,
        )
