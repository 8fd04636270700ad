"""CLI verbs for published fact-checks and outlet profiles: ingest-factchecks, factchecks, profiles."""
from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from factcheck.cli import EXIT_USER_ERROR, add_common, emit, facade
from factcheck.errors import FactcheckError
from factcheck.escape import terminal


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's verbs to the parser."""
    p = sub.add_parser("ingest-factchecks",
                       help="import published fact-checks (ClaimReview): HTML pages, a JSON feed, CSV; a file, a "
                            "folder or an http(s) URL")
    p.add_argument("input", metavar="PATH|URL")
    add_common(p)
    p.set_defaults(func=_ingest)

    p = sub.add_parser("factchecks", help="list the stored published fact-checks")
    add_common(p)
    p.set_defaults(func=_list)

    p = sub.add_parser("profiles", help="outlet profiles: list them, `import FILE.csv` "
                                        "(name,country,owner,rating,rating_source,notes), or `export` as CSV")
    p.add_argument("action", nargs="?", choices=("list", "import", "export"), default="list")
    p.add_argument("input", nargs="?", metavar="FILE.csv", help="the CSV to import")
    add_common(p)
    p.set_defaults(func=_profiles)


def _ingest(args: argparse.Namespace) -> int:
    result = facade(args).ingest_factchecks(args.input)
    skipped = sum(n for _, n in result.skipped)

    def human() -> None:
        print(f"{terminal(result.origin)}: {result.read} fact-check(s) read, {result.added} added, "
              f"{result.already} already stored, {skipped} skipped")
        for reason, n in result.skipped:
            print(f"  skipped {n}: {reason}")

    emit(args, {**asdict(result), "skipped": dict(result.skipped)}, human)
    return EXIT_USER_ERROR if not result.read else 0


def _list(args: argparse.Namespace) -> int:
    reviews = facade(args).factchecks()

    def human() -> None:
        for r in reviews:
            print(f"{terminal(r.rating or '(no rating)')}  [{terminal(r.publisher or 'unknown publisher')}, "
                  f"{r.date or 'undated'}] {terminal(r.claim)}")
            if r.url:
                print(f"    {terminal(r.url)}")
        print(f"{len(reviews)} published fact-check(s)")

    emit(args, {"factchecks": [asdict(r) for r in reviews]}, human)
    return 0


def _profiles(args: argparse.Namespace) -> int:
    from factcheck import profiles

    fc = facade(args)
    if args.action == "import":
        if not args.input:
            raise FactcheckError("Give the CSV to import: factcheck profiles import FILE.csv "
                                 f"(columns {','.join(profiles.COLUMNS)}).")
        found = fc.import_profiles(args.input)

        def human_import() -> None:
            print(f"{terminal(found.origin)}: {len(found.profiles)} profile(s) stored, {len(found.refused)} row(s) "
                  "refused")
            for why in found.refused:
                print(f"  refused {terminal(why)}", file=sys.stderr)

        emit(args, {"origin": found.origin, "stored": [profiles.as_dict(p) for p in found.profiles],
                    "refused": list(found.refused)}, human_import)
        return EXIT_USER_ERROR if found.refused or not found.profiles else 0
    if args.input:
        raise FactcheckError(f"`factcheck profiles {args.action}` takes no file; to import one: "
                             "factcheck profiles import FILE.csv.")
    stored = fc.profiles()
    if args.action == "export":
        text = profiles.to_csv(stored)
        sys.stdout.write(terminal(text, keep_lines=True) if sys.stdout.isatty() else text)
        return 0

    def human() -> None:
        for p in stored:
            print(f"{terminal(p.name)}: {terminal(profiles.summary(p) or '(nothing recorded)')}")
        print(f"{len(stored)} outlet profile(s)")

    emit(args, {"profiles": [profiles.as_dict(p) for p in stored]}, human)
    return 0
