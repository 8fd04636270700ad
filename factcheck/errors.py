"""Errors a user can cause. Each carries a sentence a person can act on; no tracebacks reach them."""
from __future__ import annotations

import json


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


class BackendMissingError(ModelMissingError):
    """An optional vector backend's package is not installed (the message names the extra that brings it)."""


class ClusterError(FactcheckError):
    """A Ray cluster cannot be used for an ingest: Ray is not installed, the address does not answer, or a
    worker failed."""


class SettingsError(FactcheckError):
    """A setting from the environment has a value factcheck cannot use."""


# What json's terse complaints mean, and what to do about each. Its messages are written to be followed
# by ": line L column C (char N)", so some end in a dangling "at"; callers give the place themselves.
_JSON_PROBLEMS: dict[str, tuple[str, str]] = {
    "Invalid control character at": ("Invalid control character (a raw tab or line break inside a string)",
                                     r"write it as \t or \n, or remove it"),
    "Unterminated string starting at": ("Unterminated string (a string opens here and never closes)",
                                        "add the closing double quote"),
    "Invalid \\escape": ("Invalid \\escape (a backslash that starts no escape)", r"write a backslash as \\"),
    "Invalid \\uXXXX escape": ("Invalid \\uXXXX escape", r"write \u followed by four hex digits"),
    "Expecting ',' delimiter": ("Expecting ',' delimiter",
                                r'add the missing comma between two items, or write a quote inside a string as \"'),
    "Expecting ':' delimiter": ("Expecting ':' delimiter", 'write each field as "name": value'),
    "Expecting value": ("Expecting value (a value is missing here, or this is not JSON)",
                        "write the value, or remove a stray comma"),
    "Expecting property name enclosed in double quotes": (
        "Expecting property name enclosed in double quotes",
        "put field names in double quotes and remove any comma just before }"),
    "Extra data": ("Extra data after the end of the JSON value",
                   "put several articles in one list [...], or one a line in a .jsonl file"),
}


def json_problem(e: json.JSONDecodeError) -> str:
    """What a JSON decoding error says is wrong, and what to do, without the place (the caller knows it
    better: a JSONL line is the file's line, not the decoder's)."""
    what, fix = _JSON_PROBLEMS.get(e.msg, (e.msg.removesuffix(" at").removesuffix(" starting"),
                                           "correct it there"))
    return f"{what}; {fix}, then try again"


# the same for the csv module's complaints (strict mode)
_CSV_PROBLEMS: dict[str, str] = {
    "unexpected end of data": 'a double quote opens a field here and never closes; add the closing quote, '
                              'or write a quote inside a field as ""',
    "',' expected after '\"'": 'text follows the closing double quote of a field; write a quote inside a '
                               'quoted field as "", or quote the whole field',
}


def csv_problem(e: Exception) -> str:
    """What a csv.Error says is wrong, and what to do; the caller gives the line."""
    msg = str(e)
    return f"{_CSV_PROBLEMS.get(msg, msg or 'the file ends before its header')}, then try again"
