"""Reading articles in: from files, folders, pastes and URLs to stored passages with check-worthiness scores.

The family, each module one step (the module map: docs/ARCHITECTURE.md):
`corpus` (inputs → drafts), `fetch` (a URL, safely), `clean` (body apart from chrome and comments), `sentences`
(spans), `pipeline` (drafts → cleaned, split, scored, stored), `distributed` (the same steps on Ray workers).
"""
from __future__ import annotations

from factcheck.ingest.pipeline import Input, ingest, passages_of, prepare, scored, store_article

__all__ = ["Input", "ingest", "passages_of", "prepare", "scored", "store_article"]
