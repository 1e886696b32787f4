"""The docstring examples of every core module stay true (doctest)."""

from __future__ import annotations

import doctest
import importlib

import pytest

CORE = [
    "convolab",
    "convolab._validate",
    "convolab.borders",
    "convolab.geometry",
    "convolab.engine",
    "convolab.kernels",
    "convolab.display",
    "convolab.explain",
    "convolab.imageio",
    "convolab.samples",
    "convolab.pooling",
]


@pytest.mark.parametrize("name", CORE)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_there_are_examples():
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in CORE)
    assert attempted >= 10
