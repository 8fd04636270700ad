"""The factcheck command line. Each verb group registers itself from its own module.

Errors a user can cause print one line and exit non-zero; no traceback reaches the terminal
(set FACTCHECK_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING, TextIO

from factcheck.errors import FactcheckError
from factcheck.escape import terminal
from factcheck.progress import Progress
from factcheck.settings import Settings

if TYPE_CHECKING:
    from factcheck.api import Factcheck
    from factcheck.stance import StanceModel

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 1


def add_common(p: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    p.add_argument("--store", metavar="DIR", help="store folder (default: $FACTCHECK_STORE, else per-user)")
    if json_flag:
        p.add_argument("--json", action="store_true", help="machine-readable output")


def settings_from(args: argparse.Namespace) -> Settings:
    """--store after the verb wins over one before it (`factcheck --store DIR VERB`)."""
    return Settings.from_env(getattr(args, "store", None) or getattr(args, "store_before_verb", None))


def facade(args: argparse.Namespace, *, stance_model: StanceModel | None = None) -> Factcheck:
    """The facade a verb works through, on the store its arguments name: every verb builds it here, with
    Factcheck.open (imported when a verb runs, so `factcheck --help` loads no model code)."""
    from factcheck.api import Factcheck

    return Factcheck.open(settings_from(args), stance_model=stance_model)


def emit(args: argparse.Namespace, payload: Mapping[str, object], human: Callable[[], None]) -> None:
    """--json: the payload, exact (on a terminal, what the terminal would obey is written as \\uXXXX
    escapes, which decode to the same text); else human(), its output shown safely."""
    if getattr(args, "json", False):
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
        sys.stdout.write(terminal(text, keep_lines=True) if sys.stdout.isatty() else text)
    else:
        with shown_safely():
            human()


class _Shown(io.TextIOBase):
    """A text stream passing text on with control characters and bidi overrides as \\uXXXX."""

    def __init__(self, raw: TextIO) -> None:
        self._raw = raw

    def write(self, s: str) -> int:
        self._raw.write(terminal(s, keep_lines=True))
        return len(s)

    def flush(self) -> None:
        self._raw.flush()

    def isatty(self) -> bool:
        return self._raw.isatty()


@contextmanager
def shown_safely() -> Iterator[None]:
    """While inside, what is printed for people cannot drive the terminal: articles hold source names,
    titles and passages written by strangers, and an ESC in them could retitle, recolour or erase it."""
    with redirect_stdout(_Shown(sys.stdout)), redirect_stderr(_Shown(sys.stderr)):
        yield


@contextmanager
def progress_bar(args: argparse.Namespace) -> Iterator[Progress | None]:
    """A tqdm bar on stderr for long steps (ingest, index, compare); none with --json or when stderr is no
    terminal."""
    if getattr(args, "json", False) or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(done: int, total: int, label: str) -> None:
        stage = label if label in ("indexing", "reindexing", "checking claims") else "reading"
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="item", file=sys.stderr, leave=False)
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.close()


def build_parser() -> argparse.ArgumentParser:
    from factcheck.cli import analysis, claims_cmds, corpus_cmds, factchecks_cmds, index_cmds, maintenance, stories_cmds

    parser = argparse.ArgumentParser(
        prog="factcheck",
        description="Check news claims across outlets: who says the same thing, who contradicts whom, "
        "which claims rest on a single source.")
    # also before the verb, as in `factcheck --store DIR ingest ...`; its own dest, because a verb's
    # --store default (None) would otherwise overwrite the value given here
    parser.add_argument("--store", metavar="DIR", dest="store_before_verb",
                        help="store folder for any verb (default: $FACTCHECK_STORE, else per-user)")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for mod in (corpus_cmds, claims_cmds, index_cmds, analysis, factchecks_cmds, stories_cmds, maintenance):
        mod.register(sub)
    return parser


# arguments that name files keep their bytes, so a file named b'\\xff.txt' can still be read; every other
# argument is text (a claim, an outlet's name) and must be UTF-8 to be searched, stored or printed
PATH_ARGS = frozenset({"inputs", "store", "store_before_verb", "input", "output", "model"})


def undecodable_argument(args: argparse.Namespace) -> str | None:
    """The one-line refusal of the first text argument holding bytes that are not UTF-8, if any.

    Python hands such bytes over as lone surrogates (b'\\xff' as U+DCFF), which SQLite, JSON and a UTF-8
    terminal all refuse; the argument is shown with them as \\xff."""
    for key, value in vars(args).items():
        for v in value if isinstance(value, list) else [value]:
            if key in PATH_ARGS or not isinstance(v, str):
                continue
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                from factcheck.ingest.corpus import shown

                return (f"the argument '{shown(v)}' is not UTF-8 text; type it again in a UTF-8 terminal "
                        "(e.g. LANG=C.UTF-8), or convert it with iconv.")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    bad = undecodable_argument(args)
    if bad:
        print(f"factcheck: {bad}", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        return int(args.func(args) or 0)
    except FactcheckError as e:
        print(f"factcheck: {terminal(e)}", file=sys.stderr)  # a reason may quote a file name or a server
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("factcheck: interrupted; the store keeps everything committed so far", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if os.environ.get("FACTCHECK_DEBUG"):
            raise
        print(f"factcheck: internal error: {type(e).__name__}: {terminal(e)} (set FACTCHECK_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_INTERNAL
