"""Errors of the class store: each has a ``code`` and ``params`` (for a nl/en message) and an
English ``str()`` that names what is wrong and what is allowed."""

from __future__ import annotations


class ClassStoreError(ValueError):
    """Bad input for the class store (a 400 on the web)."""

    status = 400

    def __init__(self, code: str, message: str, /, **params):
        super().__init__(message)
        self.code = code
        self.params = params


class ClassNotFound(ClassStoreError, LookupError):
    """No class with this code (a 404 on the web)."""

    status = 404


class DrawingNotFound(ClassStoreError, LookupError):
    """No drawing with this id in the class (a 404 on the web)."""

    status = 404


class NotYours(ClassStoreError):
    """A pupil tried to delete a drawing of someone else (a 403 on the web)."""

    status = 403


class ClassFull(ClassStoreError):
    """The class has as many drawings as allowed (a 409 on the web)."""

    status = 409
