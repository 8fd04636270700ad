"""Errors a user can cause. Each carries a sentence a person can act on; no tracebacks reach them."""
from __future__ import annotations


class FactcheckError(Exception):
    """Base class: str(error) is the message shown to the user."""


class IngestError(FactcheckError):
    """An input could not be turned into an article (empty, binary, malformed, too big, refused URL)."""


class StoreError(FactcheckError):
    """The store folder cannot be opened or written."""


class IndexMismatchError(FactcheckError):
    """A persisted index was built with another model or dimension than the one in use."""


class ModelMissingError(FactcheckError):
    """A model the project needs is not installed."""
