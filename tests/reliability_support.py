"""Helpers for the reliability tests: a facade with fake models, store snapshots, an AllSides slice,
and a worker this file runs as a script, so crash and concurrency tests can ingest and read in
other processes without loading a model:

    python tests/reliability_support.py ingest STORE INPUT...   # prints "progress <done> <total>" lines
    python tests/reliability_support.py cli VERB ARGS...        # the `factcheck` CLI itself, fake models
    python tests/reliability_support.py read STORE STOP_FILE    # a dashboard process's reads until
                                                                # STOP_FILE exists; prints "ready", then JSON
"""
from __future__ import annotations

import json
import os
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


class FixedVerifier:
    """Every (claim, passage) pair is 'nei': the reliability tests are about not failing, not about the labels."""

    def scores(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        if len(claims) != len(evidence):
            raise ValueError(f"{len(claims)} claims but {len(evidence)} evidence passages")
        out = np.full((len(claims), 3), 0.15, dtype=np.float32)
        out[:, 2] = 0.7
        return out


def fixed_scores(texts: Sequence[str], **_: Any) -> np.ndarray:
    """Stands in for claims.score: every body sentence is a claim."""
    return np.full(len(texts), 0.8)


# seconds each scoring call takes in the worker processes, as a model's would (unset: no wait)
SCORE_DELAY_ENV = "FACTCHECK_TEST_SCORE_DELAY_S"


def slow_scores(seconds: float) -> Any:
    """fixed_scores that take `seconds` a call: an ingest then holds its writer's turn as long as a real one."""

    def score(texts: Sequence[str], **kw: Any) -> np.ndarray:
        time.sleep(seconds)
        return fixed_scores(texts, **kw)

    return score


class FakeModelsFactcheck(Factcheck):
    """The facade with a fake check-worthiness model and claim verifier and the fake encoder behind the store's
    embedding cache, as the real encoder is (so checks and searches write the cache too); no model loads."""

    def __init__(self, settings: Settings, **_: Any) -> None:
        delay = float(os.environ.get(SCORE_DELAY_ENV) or 0)
        super().__init__(settings, verifier=FixedVerifier(), scorer=slow_scores(delay) if delay else fixed_scores)
        self._shared.encoder = CachedEncoder(self.store, FakeEncoder())


def make_fc(store_dir: Path, **settings: Any) -> Factcheck:
    return FakeModelsFactcheck(Settings(store_dir=store_dir, **settings))


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


def _cli(argv: list[str]) -> int:
    """`factcheck ARGV` as installed (parsing, verbs, exit codes), with the fake models: every verb builds its
    facade with Factcheck.open, so that is where they are handed in (as tests/conftest.py's fake_models does)."""
    from factcheck.cli import main

    Factcheck.open = classmethod(lambda cls, settings, **_: FakeModelsFactcheck(settings))  # type: ignore[method-assign, assignment]
    return main(argv)


def _read(store: str, stop_file: str) -> None:
    """Another dashboard process: checks, searches and opens articles until stop_file exists, then
    prints {"reads", "max_read_s", "articles_seen", "fresh"} as JSON. A failed read ends it with a traceback."""
    fc = make_fc(Path(store))
    fc.check("The Senate said bills will pass this week")  # load spaCy and the index before timing reads
    print("ready", flush=True)
    n, slowest, seen = 0, 0.0, set()
    while not Path(stop_file).exists():
        fc.check(f"The Senate said {n} bills will pass this week")
        t0 = time.monotonic()
        fc.search(f"Supreme Court ruling on {n} police officers", k=3)
        fc.sources()
        articles = fc.articles()
        slowest = max(slowest, time.monotonic() - t0)
        seen.add(len(articles))
        for a in articles[-3:]:
            ps = fc.passages(article_id=a.id, kind=None)
            assert ps and all(a.text[p.start:p.end] == p.text for p in ps), f"article {a.id} is incomplete"
        n += 1
    fc.search("anything", k=1)  # the writers are done: this process's index now holds what they added
    fresh = sorted(int(i) for i in fc.index.ids()) == fc.store.passage_ids()
    print(json.dumps({"reads": n, "max_read_s": slowest, "articles_seen": sorted(seen), "fresh": fresh}),
          flush=True)


if __name__ == "__main__":
    verb, *rest = sys.argv[1:]
    if verb == "ingest":
        _ingest(rest[0], rest[1:])
    elif verb == "cli":
        sys.exit(_cli(rest))
    else:
        _read(rest[0], rest[1])
