"""CLI verbs for the corpus: ingest, claims, stats.

`claims --json` gives each claim's "article" as the article's title, or "article <id>" when it has none,
and "article_id" as the number (titles are for people, ids for scripts).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import TypedDict

from factcheck.cli import EXIT_USER_ERROR, add_common, emit, facade, progress_bar
from factcheck.errors import FactcheckError
from factcheck.escape import terminal
from factcheck.labels import INGEST_STATUSES, IngestStatus


class PartRow(TypedDict):
    text: str
    start: int  # offsets into the article
    end: int


class ClaimRow(TypedDict):
    """A line of `claims` (its --json object)."""

    id: int
    text: str
    source: str
    article: str
    article_id: int
    score: float
    start: int
    end: int
    parts: list[PartRow]


# `--ray` given without an address
LOCAL_RAY = "local"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("ingest", help="add articles: files, folders, http(s) URLs")
    p.add_argument("inputs", nargs="+", metavar="PATH|URL", help="a .txt .md .html .json .csv file, a folder, a URL")
    p.add_argument("--source", metavar="NAME", help="the outlet's name for every input (overrides metadata)")
    p.add_argument("--ray", nargs="?", const=LOCAL_RAY, metavar="ADDRESS",
                   help="read, split, score and embed on a Ray cluster's workers (needs the `ray` extra): "
                        "alone (after the paths), a local Ray on this machine's CPUs; else the cluster's address "
                        "(auto, HOST:6379, ray://HOST:10001)")
    add_common(p)
    p.set_defaults(func=_ingest)

    p = sub.add_parser("claims", help="list check-worthy sentences (claims)")
    p.add_argument("--source", metavar="NAME", help="only this outlet's claims")
    add_common(p)
    p.set_defaults(func=_claims)

    p = sub.add_parser("stats", help="counts of sources, articles, passages, comments and claims")
    add_common(p)
    p.set_defaults(func=_stats)


def _ingest(args: argparse.Namespace) -> int:
    address = _ray_address(args.ray)
    fc = facade(args)
    with progress_bar(args) as progress:
        if args.ray is None:
            results = fc.ingest_paths(args.inputs, source=args.source, progress=progress)
        else:
            results = fc.ingest_distributed(args.inputs, address=address, source=args.source, progress=progress)
    stats = fc.stats()
    for message in fc.messages:
        print(f"factcheck: {terminal(message)}", file=sys.stderr)
    refused = [r for r in results if r.status == IngestStatus.REFUSED]

    def human() -> None:
        # names, titles and reasons come from the articles and servers: one line each (terminal())
        for r in results:
            if r.status == IngestStatus.ADDED:
                print(f"added    {terminal(r.origin)}: {terminal(r.title or '(untitled)')} [{terminal(r.source)}], "
                      f"{r.claims} claims")
            elif r.status == IngestStatus.SKIPPED:
                print(f"skipped  {terminal(r.origin)}: {terminal(r.reason)}")
        for r in refused:  # one line each, on stderr, so scripts can tell them apart
            reason = r.reason if r.reason.startswith(r.origin) else f"{r.origin}: {r.reason}"
            print(f"refused  {terminal(reason)}", file=sys.stderr)
        counts = {s: sum(r.status == s for r in results) for s in INGEST_STATUSES}
        print(", ".join(f"{n} {s}" for s, n in counts.items()) + f"; the store holds {stats['articles']} articles, "
              f"{stats['claims']} claims")

    emit(args, {"results": [asdict(r) for r in results], "stats": stats}, human)
    return EXIT_USER_ERROR if refused else 0


def _ray_address(value: str | None) -> str | None:
    """--ray's address (None: a local Ray). `--ray data/` before the paths takes the folder for an address, so
    what is no address is refused rather than tried: auto, local, HOST:PORT or a URL like ray://HOST:PORT."""
    if value is None or value == LOCAL_RAY:
        return None
    if value == "auto" or ":" in value:
        return value
    raise FactcheckError(f"--ray takes a Ray cluster's address (auto, HOST:6379 or ray://HOST:10001), and "
                         f"{value!r} is none: put --ray after the paths for a local Ray, or write --ray=ADDRESS.")


def _claims(args: argparse.Namespace) -> int:
    fc = facade(args)
    settings = fc.settings
    titles = {a.id: a.title for a in fc.articles(args.source)}
    claims = fc.claims(args.source)
    rows: list[ClaimRow] = [
        {"id": c.id, "text": c.text, "source": c.source,
         "article": titles.get(c.article_id) or f"article {c.article_id}", "article_id": c.article_id,
         "score": round(c.score, 4), "start": c.start, "end": c.end,
         # a compound claim's checkable parts, each checked on its own by compare; offsets into the article
         "parts": [{"text": p.text, "start": c.start + p.start, "end": c.start + p.end} for p in fc.parts(c.text)]}
        for c in claims]

    def human() -> None:
        for r in rows:
            print(f"{r['score']:.2f}  [{terminal(r['source'])}] {terminal(r['text'])}")
            for part in r["parts"]:
                print(f"        part: {terminal(part['text'])}")
        print(f"{len(rows)} claims (check-worthiness >= {settings.claim_threshold})")

    emit(args, {"claims": rows}, human)
    return 0


def _stats(args: argparse.Namespace) -> int:
    fc = facade(args)
    stats = fc.stats()
    sources = [asdict(s) for s in fc.sources()]

    def human() -> None:
        print(", ".join(f"{v} {k}" for k, v in stats.items()))
        for s in sources:
            print(f"  {terminal(s['name'])}: {s['articles']} articles, {s['claims']} claims")

    emit(args, {**stats, "by_source": sources}, human)
    return 0
