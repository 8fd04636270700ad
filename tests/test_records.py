"""records: every record is a frozen dataclass, and a draft's defaults are what ingestion relies on."""
from __future__ import annotations

import dataclasses
import inspect

import pytest

from factcheck import records
from factcheck.labels import IngestStatus, PassageKind

CLASSES = [c for _, c in inspect.getmembers(records, inspect.isclass) if c.__module__ == records.__name__]


def test_every_record_is_a_frozen_dataclass():
    assert len(CLASSES) >= 14  # the inspection finds them all
    for cls in CLASSES:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls.__name__  # type: ignore[attr-defined]


def test_a_record_cannot_be_changed_after_it_is_made():
    draft = records.PassageDraft(PassageKind.BODY, 0, 5, "Hello")
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.text = "changed"  # type: ignore[misc]


def test_draft_defaults():
    p = records.PassageDraft(PassageKind.COMMENT, 3, 8, "words")
    assert p.score == 0.0  # comments keep 0
    a = records.ArticleDraft(source="S", text="t")
    assert a.passages == () and a.origin == "" and a.title is a.date is a.url is a.author is None
    r = records.IngestResult(origin="paste", status=IngestStatus.ADDED)
    assert (r.reason, r.article_id, r.claims) == ("", None, 0)
    assert records.Story(1, "n", (1,), ("S",), None, None).edited is False
    assert records.ArticleHead(1, "S", None, None, "lede").story_id is None


def test_records_compare_by_value_and_hash():
    a = records.Source(1, "S", 2, 3)
    assert a == records.Source(1, "S", 2, 3) and len({a, records.Source(1, "S", 2, 3)}) == 1
