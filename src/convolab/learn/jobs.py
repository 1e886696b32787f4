"""The two kinds of run the web pages start: learning a filter, training the small CNN.

Each job turns the library's state into plain JSON-ready events for the browser:

- learn a filter: ``init`` (target, pictures, what any filter can reach), ``frame`` (after
  some steps: new losses, the kernel, the layer's output picture), ``snapshot`` (everything,
  for a stream that connects or reconnects).
- the CNN: ``init`` (dataset, classes, example test images), ``progress`` (loss, accuracy;
  every second also filters, feature maps and predictions), ``snapshot``.
"""

from __future__ import annotations

import base64

import numpy as np

import convolab as cl

from .cnn import Trainer, check_trainer_params
from .filter import FilterLearner, FilterState
from .runs import Job

#: steps per second of the filter animation
SPEEDS = {"slow": 5, "normal": 20, "fast": 100, "max": 500}
FRAME = 0.1  # seconds between frames when more than 10 steps a second
MAX_FILTER_STEPS = 5000
STEPS_BETWEEN_WAYS = 10  # filter steps between two chances to step aside (Job.give_way)


def png_data_url(image: np.ndarray) -> str:
    """A uint8 picture as a ``data:image/png;base64,...`` URL (encoded by the core)."""
    return "data:image/png;base64," + base64.b64encode(cl.encode_image(image, "png")).decode()


def _grid(a) -> list[list[float]] | None:
    return None if a is None else [[round(float(v), 6) for v in row] for row in a]


class FilterJob(Job):
    """A :class:`FilterLearner` stepped at a watchable speed."""

    kind = "filter"
    nice = 10

    def __init__(self, *, speed: str = "normal", max_steps: int = 1000, **params):
        if speed not in SPEEDS:
            raise ValueError(f"unknown speed {speed!r}; allowed: {', '.join(SPEEDS)}")
        if isinstance(max_steps, bool) or not isinstance(max_steps, int):
            raise TypeError(f"max_steps must be a whole number; got {max_steps!r}")
        if not 1 <= max_steps <= MAX_FILTER_STEPS:
            raise ValueError(f"max_steps must be 1..{MAX_FILTER_STEPS}; got {max_steps}")
        self.params = params
        self.learner = FilterLearner(**params)  # raises ValueError/TypeError on bad settings
        self.max_steps = max_steps
        self._set_speed(speed)
        self._sent = 0  # losses already sent

    def _set_speed(self, speed: str) -> None:
        if speed not in SPEEDS:
            raise ValueError(f"unknown speed {speed!r}; allowed: {', '.join(SPEEDS)}")
        self.speed = speed
        per_second = SPEEDS[speed]
        if per_second * FRAME >= 1:
            self.per_frame, self.pace = round(per_second * FRAME), FRAME
        else:
            self.per_frame, self.pace = 1, 1.0 / per_second

    # -- events --------------------------------------------------------------------------------
    def _state(self, state: FilterState) -> dict:
        d = state.to_dict()
        d.pop("message", None)
        return d

    def _frame(self, state: FilterState) -> dict:
        new = self.learner.history[self._sent :]
        first = self.learner.steps_done - len(new) + 1
        self._sent = len(self.learner.history)
        return {
            "type": "frame",
            "state": self._state(state),
            "losses": [[first + i, v] for i, v in enumerate(new)],
            "output": png_data_url(self.learner.images()["output"]),
        }

    def _full(self, kind: str) -> dict:
        L = self.learner
        images = L.images()
        self._sent = len(L.history)
        return {
            "type": kind,
            "target": L.target_name,
            "convolution": L.target_kernel is not None,
            "kernel_shape": list(L.kshape),
            "size": int(L.picture.shape[0]),
            "floor_loss": L.floor_loss,
            "explained": L.explained,
            "achievable": L.achievable,
            "best_kernel": _grid(L.best_kernel),
            "settings": {
                "lr": L.lr,
                "optimizer": L.optimizer_name,
                "init": L.init,
                "speed": self.speed,
                "max_steps": self.max_steps,
            },
            "history": [[i + 1, v] for i, v in enumerate(L.history)],
            "state": self._state(L.state()),
            "images": {name: png_data_url(img) for name, img in images.items()},
        }

    # -- the Job interface ---------------------------------------------------------------------
    def start(self) -> list[dict]:
        return [self._full("init")]

    def advance(self) -> tuple[list[dict], bool]:
        L = self.learner
        n = min(self.per_frame, max(1, self.max_steps - L.steps_done))
        target = L.steps_done + n
        # the same as L.step(n), in pieces with a chance to step aside between them
        state = L.step(min(n, STEPS_BETWEEN_WAYS))
        while L.steps_done < target and state.status != "diverged":
            self.give_way()
            state = L.step(min(STEPS_BETWEEN_WAYS, target - L.steps_done))
        done = state.status in ("converged", "diverged", "at_floor") or (
            L.steps_done >= self.max_steps
        )
        return [self._frame(state)], done

    def step(self) -> list[dict]:
        return [self._frame(self.learner.step(1))]

    def reset(self, **params) -> list[dict]:
        allowed = {"lr", "optimizer", "init", "seed"}
        unknown = set(params) - allowed
        if unknown:
            raise ValueError(
                f"unknown settings: {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}"
            )
        self.learner.reset(**params)
        return [self._full("reset")]

    def configure(self, **params) -> list[dict]:
        allowed = {"lr", "optimizer", "speed"}
        unknown = set(params) - allowed
        if unknown:
            raise ValueError(
                f"unknown settings: {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}"
            )
        if "lr" in params:
            self.learner.set_lr(params["lr"])
        if "optimizer" in params and params["optimizer"] != self.learner.optimizer_name:
            self.learner.set_optimizer(params["optimizer"])
        if "speed" in params:
            self._set_speed(params["speed"])
        return [
            {
                "type": "settings",
                "settings": {
                    "lr": self.learner.lr,
                    "optimizer": self.learner.optimizer_name,
                    "init": self.learner.init,
                    "speed": self.speed,
                    "max_steps": self.max_steps,
                },
            }
        ]

    def snapshot(self) -> dict:
        snap = self._full("snapshot")
        return snap


class NetworkJob(Job):
    """Trains the small CNN; the dataset is loaded in the run's own thread."""

    kind = "network"
    nice = 19

    def __init__(
        self,
        *,
        dataset: str = "fashion-mnist",
        path=None,
        epochs: int = 2,
        report_every: float = 0.25,
        snapshot_every: float = 1.0,
        **trainer_params,
    ):
        from .cnn import MAX_EPOCHS
        from .data import DATASETS

        if dataset not in DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}; allowed: {', '.join(DATASETS)}")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be a whole number 1..{MAX_EPOCHS}; got {epochs!r}")
        check_trainer_params(**trainer_params)  # bad settings: an error now, not in the thread
        self.dataset = dataset
        self.path = path
        self.epochs = epochs
        self.report_every = report_every
        self.snapshot_every = snapshot_every
        self.trainer_params = trainer_params
        self.trainer: Trainer | None = None
        self._gen = None
        self._last: dict | None = None  # the latest progress
        self._last_snapshot: dict | None = None
        self.history: list[dict] = []

    def start(self) -> list[dict]:
        params = dict(self.trainer_params)
        position = params.pop("example", 0)  # a place in the example gallery, not a test index
        self.trainer = Trainer(self.dataset, path=self.path, **params)
        self._show_example(position)
        return [self._init("init")]

    def _show_example(self, position: int) -> None:
        t = self.trainer
        if not 0 <= position < max(1, len(t.examples)):
            raise ValueError(f"example must be 0..{len(t.examples) - 1}; got {position}")
        if t.examples:
            t.set_example(t.examples[position])

    def _init(self, kind: str) -> dict:
        t = self.trainer
        return {
            "type": kind,
            "dataset": t.data.info(),
            "examples": t.example_images(),
            "example": t.examples.index(t.example) if t.example in t.examples else 0,
            "settings": {
                "lr": t.lr,
                "optimizer": t.optimizer_name,
                "batch_size": t.batch_size,
                "epochs": self.epochs,
            },
            "history": self.history,
            "progress": self._last,
            "snapshot": self._last_snapshot,
        }

    def advance(self) -> tuple[list[dict], bool]:
        if self._gen is None:
            self._gen = self.trainer.train(
                self.epochs,
                report_every=self.report_every,
                snapshot_every=self.snapshot_every,
                between=self.give_way,
            )
        p = next(self._gen, None)
        if p is None:
            self._gen = None
            return [], True
        d = p.to_dict()
        if p.snapshot is not None:
            self._last_snapshot = p.snapshot
        d["snapshot"] = p.snapshot
        point = {
            "step": p.step,
            "epoch": p.epoch,
            "loss": d["loss"],
            "train_accuracy": d["train_accuracy"],
            "test_accuracy": d["test_accuracy"] if p.kind == "epoch" else None,
        }
        if p.loss is not None:
            self.history.append(point)
        slim = dict(d)
        slim.pop("snapshot")
        self._last = slim
        finished = p.kind in ("done", "diverged", "stopped")
        if finished:
            self._gen = None
        return [{"type": "progress", **d}], finished

    def configure(self, **params) -> list[dict]:
        unknown = set(params) - {"example"}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}; allowed: example")
        if "example" in params and self.trainer is not None:
            self._show_example(params["example"])
            self._last_snapshot = self.trainer.snapshot()
            return [{"type": "maps", "snapshot": self._last_snapshot}]
        return []

    def snapshot(self) -> dict:
        if self.trainer is None:
            return {"loading": True}
        return self._init("snapshot")

    def close(self) -> None:
        self._gen = None
