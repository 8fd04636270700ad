"""errors: every user error is a FactcheckError whose str is the sentence shown, and json's and csv's terse
complaints become what is wrong and what to do."""
from __future__ import annotations

import csv
import io
import json

import pytest

from factcheck import errors


@pytest.mark.parametrize("cls", [errors.IngestError, errors.StoreError, errors.IndexMismatchError,
                                 errors.ModelMissingError, errors.BackendMissingError, errors.ClusterError,
                                 errors.SettingsError])
def test_each_error_is_a_factcheck_error_carrying_its_message(cls):
    e = cls("The folder is read-only: choose another with --store DIR.")
    assert isinstance(e, errors.FactcheckError)
    assert str(e) == "The folder is read-only: choose another with --store DIR."
    with pytest.raises(errors.FactcheckError, match="read-only"):
        raise e


def test_a_missing_backend_is_a_missing_model():
    assert issubclass(errors.BackendMissingError, errors.ModelMissingError)


def _json_error(text: str) -> json.JSONDecodeError:
    with pytest.raises(json.JSONDecodeError) as e:
        json.loads(text)
    return e.value


@pytest.mark.parametrize(("text", "says"), [
    ('{"a": "x\ty"}', r"write it as \t or \n"),
    ('{"a": "x', "add the closing double quote"),
    ('{"a": 1 "b": 2}', "add the missing comma"),
    ('{"a" 1}', '"name": value'),
    ('{"a": }', "write the value"),
    ('{"a": 1,}', "put field names in double quotes"),
    ('{"a": 1} {"b": 2}', "one a line in a .jsonl file"),
    ('"\\q"', r"write a backslash as \\"),
])
def test_json_problem_says_what_to_do(text, says):
    msg = errors.json_problem(_json_error(text))
    assert says in msg and msg.endswith(", then try again")
    assert "column" not in msg and "char " not in msg  # the place is the caller's


def test_an_unknown_json_complaint_keeps_its_words_without_a_dangling_at():
    e = json.JSONDecodeError("Something odd at", "x", 0)
    assert errors.json_problem(e) == "Something odd; correct it there, then try again"


def test_csv_problem_explains_strict_mode_complaints():
    with pytest.raises(csv.Error) as e:
        list(csv.reader(io.StringIO('a,"b\n'), strict=True))
    assert "never closes" in errors.csv_problem(e.value)
    with pytest.raises(csv.Error) as e:
        list(csv.reader(io.StringIO('a,"b"c\n'), strict=True))
    assert 'write a quote inside a quoted field as ""' in errors.csv_problem(e.value)
    assert errors.csv_problem(csv.Error("")) == "the file ends before its header, then try again"
    assert errors.csv_problem(csv.Error("odd")) == "odd, then try again"
