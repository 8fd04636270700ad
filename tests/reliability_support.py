"""Helpers for the reliability tests: a facade with fake models, store snapshots, an AllSides slice,
and a worker this file runs as a script, so crash and concurrency tests can ingest and read in
other processes without loading a model:

    python tests/reliability_support.py ingest STORE INPUT...   # prints "progress <done> <total>" lines
    python tests/reliability_support.py read STORE SECONDS      # checks and searches; prints "reads <n>"
"""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from conftest import FakeEncoder

from factcheck.api import Factcheck
from factcheck.embed import CachedEncoder
from factcheck.settings import Settings
from factcheck.store import Store

TESTS = Path(__file__).resolve().parent
ALLSIDES = TESTS.parents[1] / "shared" / "data" / "neus" / "allsides_stories.jsonl"
# the same kind of records, committed, for a checkout without ../shared
ALLSIDES_FALLBACK = TESTS / "data" / "reliability_allsides.json"


class FixedStance:
    """Every pair is 'neutral': the reliability tests are about not failing, not about the labels."""

    def scores(self, claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        out = np.full((len(claims), 4), 0.1, dtype=np.float32)
        out[:, 2] = 0.7
        return out


def fixed_scores(texts: Sequence[str], **_: Any) -> np.ndarray:
    """Stands in for claims.score: every body sentence is a claim."""
    return np.full(len(texts), 0.8)


def make_fc(store_dir: Path, **settings: Any) -> Factcheck:
    """A facade with fake check-worthiness and stance models and the fake encoder behind the store's
    embedding cache, as the real encoder is (so checks and searches write the cache too); no model loads."""
    fc = Factcheck(Settings(store_dir=store_dir, **settings), stance_model=FixedStance(),  # type: ignore[arg-type]
                   scorer=fixed_scores)
    fc._shared.encoder = CachedEncoder(fc.store, FakeEncoder())
    return fc


def snapshot(store: Store) -> tuple[Any, ...]:
    """Everything a user would notice: counts, articles, passages (ids, offsets, text, scores)."""
    return (store.stats(),
            [(a.id, a.source, a.text, a.title, a.date, a.url) for a in store.articles()],
            [(p.id, p.article_id, p.kind, p.start, p.end, p.text, p.score) for p in store.passages(kind=None)])


def allsides_articles(limit: int) -> list[dict[str, Any]]:
    """Up to `limit` articles (one per outlet per story) from the AllSides stories, as the JSON
    objects `factcheck ingest` reads: source, title, url, date and the paragraphs as text."""
    if ALLSIDES.is_file():
        out: list[dict[str, Any]] = []
        with ALLSIDES.open(encoding="utf-8") as f:
            for line in f:
                story = json.loads(line)
                for side in ("left", "center", "right"):
                    n = story.get("news", {}).get(side)
                    if n and n.get("newBody"):
                        out.append({"source": n["newsSource"], "title": n["newsTitle"], "url": n["newsLink"],
                                    "date": story["date"][:10], "text": "\n\n".join(n["newBody"])})
                if len(out) >= limit:
                    return out[:limit]
        return out
    return json.loads(ALLSIDES_FALLBACK.read_text(encoding="utf-8"))[:limit]


def _ingest(store: str, inputs: list[str]) -> None:
    fc = make_fc(Path(store))

    def progress(done: int, total: int, label: str) -> None:
        if label != "indexing":
            print(f"progress {done} {total}", flush=True)

    results = fc.ingest_paths(inputs, progress=progress)
    print(json.dumps({s: sum(r.status == s for r in results) for s in ("added", "skipped", "refused")}), flush=True)


def _read(store: str, seconds: float) -> None:
    """A dashboard session's reads in a loop; any exception ends the process with a traceback."""
    fc = make_fc(Path(store))
    n, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        fc.check(f"The Senate said {n % 7} bills will pass this week")
        fc.search("Supreme Court ruling on police", k=3)
        fc.sources()
        for a in fc.articles()[-3:]:
            ps = fc.passages(article_id=a.id, kind=None)
            assert ps and all(a.text[p.start:p.end] == p.text for p in ps), f"article {a.id} is incomplete"
        n += 1
    print(f"reads {n}", flush=True)


if __name__ == "__main__":
    verb, store, *rest = sys.argv[1:]
    if verb == "ingest":
        _ingest(store, rest)
    else:
        _read(store, float(rest[0]))
