"""The Consistency page's filters (source, verdict, check-worthiness score) applied to a comparison.

Pure: the filtered view is rebuilt with consistency.build_consistency, so every chart drawn from
it (matrix, pairwise agreement, per-source bars, ranking) reflects the same filters. Verdicts are
not recomputed: a claim keeps the verdict the sources gave it in the full comparison.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping

from factcheck.consistency import Consistency, build_consistency


def apply(cons: Consistency, *, sources: Collection[str], verdicts: Collection[str], min_score: float = 0.0,
          scores: Mapping[int, float] | None = None) -> Consistency:
    """Claims made by one of `sources`, with a verdict in `verdicts` and a check-worthiness score (looked
    up by claim passage id in `scores`; unknown counts as 1.0) of at least `min_score`; columns: `sources`."""
    scores = scores or {}
    keep = [c for c in cons.checks
            if c.claim_source in sources and c.verdict.label in verdicts
            and scores.get(c.claim_passage_id if c.claim_passage_id is not None else -1, 1.0) >= min_score]
    return build_consistency(keep, sources=[s for s in cons.sources if s in sources])
