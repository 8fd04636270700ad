"""CLI verbs of stories: `stories` (list, or rename / merge / move / split / regroup)."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from factcheck.cli import add_common, emit, facade
from factcheck.escape import terminal

if TYPE_CHECKING:
    from factcheck.records import Story


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's verbs to the parser."""
    p = sub.add_parser("stories", help="the stories articles were grouped into; rename, merge, move, split, regroup")
    add_common(p)
    p.set_defaults(func=_list)
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    a = acts.add_parser("rename", help="give a story a name of your own")
    a.add_argument("story", type=int, metavar="ID")
    a.add_argument("name")
    add_common(a)
    a.set_defaults(func=_rename)
    a = acts.add_parser("merge", help="the articles of the other stories into the first")
    a.add_argument("stories", type=int, nargs="+", metavar="ID")
    add_common(a)
    a.set_defaults(func=_merge)
    a = acts.add_parser("move", help="put an article in another story (kept there by a regroup)")
    a.add_argument("article", type=int, metavar="ARTICLE_ID")
    a.add_argument("story", type=int, metavar="STORY_ID")
    add_common(a)
    a.set_defaults(func=_move)
    a = acts.add_parser("split", help="some of a story's articles into a new story")
    a.add_argument("story", type=int, metavar="STORY_ID")
    a.add_argument("articles", type=int, nargs="+", metavar="ARTICLE_ID")
    a.add_argument("--name", help="the new story's name (default: its earliest article's title)")
    add_common(a)
    a.set_defaults(func=_split)
    a = acts.add_parser("regroup", help="group every article again (your edits stay)")
    add_common(a)
    a.set_defaults(func=_regroup)


def _show(args: argparse.Namespace, stories: Sequence[Story]) -> int:
    payload = {"stories": [{**asdict(s), "articles": list(s.articles), "sources": list(s.sources)} for s in stories]}

    def human() -> None:
        if not stories:
            print("No stories yet: ingest some articles (factcheck ingest FILES).")
        for s in stories:
            when = s.first if s.first == s.last else f"{s.first or '?'}..{s.last or '?'}"
            print(f"{s.id:>4}  {terminal(s.name)}  [{len(s.articles)} article(s), {len(s.sources)} source(s), "
                  f"{when or 'undated'}]{' (edited)' if s.edited else ''}")

    emit(args, payload, human)
    return 0


def _list(args: argparse.Namespace) -> int:
    return _show(args, facade(args).stories())


def _rename(args: argparse.Namespace) -> int:
    return _show(args, [facade(args).rename_story(args.story, args.name)])


def _merge(args: argparse.Namespace) -> int:
    return _show(args, [facade(args).merge_stories(args.stories)])


def _move(args: argparse.Namespace) -> int:
    return _show(args, [facade(args).move_article(args.article, args.story)])


def _split(args: argparse.Namespace) -> int:
    return _show(args, [facade(args).split_story(args.story, args.articles, args.name)])


def _regroup(args: argparse.Namespace) -> int:
    return _show(args, facade(args).regroup())
