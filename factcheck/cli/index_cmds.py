"""CLI verbs of the search index: `search` and `reindex`."""
from __future__ import annotations

import argparse
import sys

from factcheck.cli import add_common, emit, facade, progress_bar
from factcheck.cli.analysis import require_known
from factcheck.errors import FactcheckError
from factcheck.escape import terminal


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's verbs to the parser."""
    p = sub.add_parser("search", help="find the stored passages closest to a text, per source")
    p.add_argument("text", help="the claim or question to look for")
    p.add_argument("--k", type=int, default=None, help="passages per source (default: the setting top_k)")
    p.add_argument("--source", action="append", metavar="NAME",
                   help="only this source (repeat for several)")
    p.add_argument("--min-similarity", type=float, default=None, metavar="X",
                   help="drop passages below this cosine similarity (default: the setting)")
    add_common(p)
    p.set_defaults(func=_search)

    p = sub.add_parser("reindex", help="rebuild the search index from the stored passages")
    add_common(p)
    p.set_defaults(func=_reindex)


def _search(args: argparse.Namespace) -> int:
    fc = facade(args)
    settings = fc.settings
    text = args.text.strip()
    if not text:
        raise FactcheckError("Nothing to search for: give a sentence, e.g. factcheck search \"Homicides fell\".")
    if len(text) > settings.max_claim_chars:
        raise FactcheckError(f"The text has {len(text)} characters; search takes up to {settings.max_claim_chars}."
                             " Search one claim at a time.")
    k = settings.top_k if args.k is None else args.k
    if k < 1:
        raise FactcheckError(f"--k must be at least 1, not {k}.")
    min_sim = settings.min_similarity if args.min_similarity is None else args.min_similarity
    if args.source:
        require_known(args.source, [s.name for s in fc.sources()])
    with progress_bar(args) as bar:  # the first search of a store (or one after an ingest elsewhere) indexes
        hits = fc.search(text, k=k, sources=args.source, min_similarity=min_sim, progress=bar)
    for message in fc.messages:
        print(f"factcheck: {terminal(message)}", file=sys.stderr)
    titles = {aid: a.title if (a := fc.article(aid)) else None for aid in {h.article_id for h in hits}}
    results = [{"text": h.text, "source": h.source, "article": h.article_id, "title": titles.get(h.article_id),
                "score": round(h.score, 4), "start": h.start, "end": h.end, "passage": h.passage_id}
               for h in hits]

    def human() -> None:
        if not results:
            print("No passage is similar enough. Try other words, or a lower --min-similarity.")
        for r in results:
            print(f"{r['score']:.3f}  [{terminal(r['source'])}] {terminal(r['text'])}")

    emit(args, {"results": results}, human)
    return 0


def _reindex(args: argparse.Namespace) -> int:
    fc = facade(args)
    with progress_bar(args) as bar:
        n = fc.reindex((lambda done, total, _label: bar(done, total, "reindexing")) if bar else None)
    d = fc.index.describe()
    payload = {"passages": d.count, "kind": d.detail, "model": d.model_name, "dim": d.dim, "indexed": n}
    emit(args, payload, lambda: print(
        f"Rebuilt the search index: {d.count} passages ({d.detail}, {d.model_name}, dim {d.dim})."))
    return 0
