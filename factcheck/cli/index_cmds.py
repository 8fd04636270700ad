"""CLI verbs of the search index: `search` and `reindex`."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from factcheck.cli import add_common, emit, progress_bar, settings_from
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


@contextmanager
def _progress_bar(args: argparse.Namespace, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """The CLI's progress bar (factcheck.cli.progress_bar) as the (done, total) callable index.sync takes."""
    with progress_bar(args) as update:
        yield (lambda done, total: update(done, total, label)) if update else None


def _search(args: argparse.Namespace) -> int:
    from factcheck import embed, index, retrieve
    from factcheck.store import Store

    settings = settings_from(args)
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
    encoder = embed.load_encoder()
    with Store.open(settings.store_dir) as store:
        if args.source:
            require_known(args.source, [s.name for s in store.sources()])
        vidx = index.VectorIndex.open(store.path, encoder.name, encoder.dim)
        with _progress_bar(args, "indexing") as bar:
            synced = index.sync(store, vidx, encoder, bar)
        if synced.message:
            print(f"factcheck: {terminal(synced.message)}", file=sys.stderr)
        query = embed.normalise(encoder.encode([text]))[0]
        hits = retrieve.retrieve(store, vidx, query, k=k, per_source=True, sources=args.source,
                                 min_similarity=min_sim)
        titles = {a.id: a.title for a in store.articles()} if hits else {}
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
    from factcheck import embed, index
    from factcheck.store import Store

    settings = settings_from(args)
    encoder = embed.load_encoder()
    with Store.open(settings.store_dir) as store, _progress_bar(args, "reindexing") as bar:
        vidx, result = index.rebuild(store, encoder, bar)
    payload = {"passages": len(vidx), "kind": vidx.kind, "model": vidx.model_name, "dim": vidx.dim,
               "indexed": result.added}
    emit(args, payload, lambda: print(
        f"Rebuilt the search index: {len(vidx)} passages ({vidx.kind}, {vidx.model_name}, dim {vidx.dim})."))
    return 0
