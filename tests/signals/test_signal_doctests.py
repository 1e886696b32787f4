"""The examples in the signals docstrings are run, so they stay true."""

import doctest

import pytest

import convolab.signals as package
from convolab.signals import audio, beats, data, kernels, ops, view


@pytest.mark.parametrize("module", [package, audio, beats, data, kernels, ops, view])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
