"""Fixtures for the API tests: the real app behind Starlette's TestClient."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    # Starlette >= 1.0 asks for httpx2 (in the test extra); with only httpx installed it warns
    # once at import, which pytest's warnings-as-errors would turn into a collection error.
    warnings.filterwarnings("ignore", r"Using `httpx` with `starlette.testclient`", Warning)
    from fastapi.testclient import TestClient

from convolab.web.app import create_app


@pytest.fixture(scope="session")
def app():
    return create_app()


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app) as c:
        yield c
