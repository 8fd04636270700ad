"""CLI verbs for analysis: verify and stance (batch, JSONL), check (one claim), compare (sources), report (export)."""
from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from factcheck.cli import add_common, emit, facade, progress_bar
from factcheck.errors import FactcheckError, json_problem
from factcheck.escape import terminal

if TYPE_CHECKING:
    from factcheck.api import Factcheck
    from factcheck.consistency import Consistency
    from factcheck.report import CheckJSON

    class CheckOutput(CheckJSON):
        """`check --json`: the check, and beside it (never in it) the published fact-checks matched to it."""

        published_checks: list[dict[str, object]]

CHUNK = 5000  # pairs per streamed chunk: bounded memory, each body encoded once (memoised across chunks)
MAX_LINE_CHARS = 2_000_000
# (id, claim, text) of a JSONL line: the id is whatever JSON value the line gave, echoed back untouched
Pair = tuple[object, str, str]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's verbs to the parser."""
    p = sub.add_parser("verify", help="does each evidence passage state, contradict or not settle its claim: "
                                      "JSONL in, JSONL out")
    add_common(p, json_flag=False)
    p.add_argument("--input", required=True, metavar="F.jsonl", help='lines {"id","claim","evidence"}')
    p.add_argument("--output", required=True, metavar="G.jsonl",
                   help='lines {"id","label","scores","mismatches"}; "-" = stdout')
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("stance", help="stance of each claim towards a whole article: JSONL in, JSONL out")
    add_common(p, json_flag=False)
    p.add_argument("--input", required=True, metavar="F.jsonl", help='lines {"id","claim","text"}')
    p.add_argument("--output", required=True, metavar="G.jsonl", help='lines {"id","label","scores"}; "-" = stdout')
    p.add_argument("--model", metavar="DIR", help="stance model folder (default: the packaged one)")
    p.set_defaults(func=cmd_stance)

    p = sub.add_parser("check", help="check a claim against the store: verdict and evidence")
    add_common(p)
    p.add_argument("claim")
    p.add_argument("--k", type=int, default=None, help="passages per source (default: settings)")
    p.add_argument("--source", dest="claim_source", help="the outlet the claim comes from, if any")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("compare", help="check every claim against the other sources: matrix and agreement")
    add_common(p)
    p.add_argument("--source", action="append", dest="sources", metavar="NAME", help="restrict (repeatable)")
    p.add_argument("--story", type=int, metavar="ID", help="one story's articles only (`factcheck stories`)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("analyse", help="bring the stored analysis up to date: check again only the claims whose "
                                       "passages or settings changed since (compare does it too, when it runs)")
    add_common(p)
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--story", type=int, metavar="ID", help="one story's articles only (`factcheck stories`)")
    scope.add_argument("--every-story", action="store_true",
                       help="each story against its own articles, in one pass (what each story's Compare page reads)")
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("report", help="export checks and consistency as JSON, CSV, Markdown or one HTML page")
    add_common(p, json_flag=False)
    p.add_argument("--format", choices=("json", "csv", "md", "html"), default="md",
                   help="html: verdicts, evidence, the timeline and the charts in one page that opens offline")
    p.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--source", action="append", dest="sources", metavar="NAME", help="restrict (repeatable)")
    p.add_argument("--story", type=int, metavar="ID", help="one story's articles only (`factcheck stories`)")
    p.add_argument("--published", action="store_true",
                   help="add each claim's closest published fact-checks beside its verdict (json, md, html; "
                        "slower: every claim is matched)")
    p.set_defaults(func=cmd_report)


# --- stance -----------------------------------------------------------------------------------

def read_pairs(path: Path, field: str = "text") -> list[Pair]:
    """All (id, claim, `field`) of a JSONL file, validated before any work starts."""
    try:
        fh = path.open(encoding="utf-8")
    except OSError as e:
        raise FactcheckError(f"Cannot read {path}: {e.strerror or e}.") from e
    out: list[Pair] = []
    with fh:
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                if len(line) > MAX_LINE_CHARS:
                    raise FactcheckError(f"{path}, line {n}: longer than {MAX_LINE_CHARS:,} characters.")
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise FactcheckError(f"{path}, line {n}: not valid JSON at column {e.colno}: "
                                         f"{json_problem(e)}.") from e
                if not isinstance(obj, dict) or "id" not in obj:
                    raise FactcheckError(f'{path}, line {n}: expected an object with "id", "claim" and "{field}".')
                claim, text = obj.get("claim"), obj.get(field)
                if not isinstance(claim, str) or not claim.strip() or not isinstance(text, str) or not text.strip():
                    raise FactcheckError(f'{path}, line {n}: "claim" and "{field}" must be non-empty strings.')
                out.append((obj["id"], claim.strip(), text))
        except UnicodeDecodeError as e:
            raise FactcheckError(f"{path} is not UTF-8 text (byte {e.start}); save it as UTF-8 JSONL.") from e
    if not out:
        raise FactcheckError(f"{path} holds no lines to score.")
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    from factcheck.report import mismatch_dict
    from factcheck.verify import scores_dict

    pairs = read_pairs(Path(args.input), "evidence")
    fc = facade(args)
    fc.verifier  # noqa: B018 - load it now: a missing model is reported before the output file is created

    def rows(chunk: list[Pair]) -> list[dict[str, object]]:
        judged = fc.verify([c for _, c, _ in chunk], [e for _, _, e in chunk])
        return [{"id": pid, "label": str(j.label), "scores": scores_dict(j.scores),
                 "mismatches": [mismatch_dict(m) for m in j.mismatches]}
                for (pid, _, _), j in zip(chunk, judged, strict=True)]

    return _stream(pairs, rows, args.output)


def _stream(pairs: list[Pair], rows: Callable[[list[Pair]], list[dict[str, object]]], output: str) -> int:
    """Score `pairs` CHUNK at a time with `rows(chunk) -> [json object]`, one JSON line each, flushed per chunk
    with a progress line on stderr; `output` "-" is stdout."""
    out = sys.stdout if output == "-" else _open_out(Path(output))
    # JSON escapes C0 characters but not C1 (CSI) or bidi overrides: on a terminal they are shown as \uXXXX,
    # which still decodes to the same data; to a file or a pipe the lines stay exact
    shown = terminal if out is sys.stdout and sys.stdout.isatty() else None
    try:
        for s in range(0, len(pairs), CHUNK):
            for row in rows(pairs[s : s + CHUNK]):
                line = json.dumps(row, ensure_ascii=False)
                out.write((shown(line, keep_lines=True) if shown else line) + "\n")
            out.flush()
            print(f"factcheck: {min(s + CHUNK, len(pairs))}/{len(pairs)} pairs", file=sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_stance(args: argparse.Namespace) -> int:
    from factcheck.stance import load_stance_model, scores_dict

    pairs = read_pairs(Path(args.input))
    # --model: a stance model the user picked, handed to the facade as any model is; else the packaged one
    fc = facade(args, stance_model=load_stance_model(args.model) if args.model else None)
    fc.stance([], [])  # loads its models now: a missing one is reported before the output file is created

    def rows(chunk: list[Pair]) -> list[dict[str, object]]:
        res = fc.stance([c for _, c, _ in chunk], [t for _, _, t in chunk])
        return [{"id": pid, "label": r.label, "scores": scores_dict(r.scores)}
                for (pid, _, _), r in zip(chunk, res, strict=True)]

    return _stream(pairs, rows, args.output)


def _open_out(path: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as e:
        raise FactcheckError(f"Cannot write {path}: {e.strerror or e}.") from e


# --- check, compare, report -------------------------------------------------------------------

def cmd_check(args: argparse.Namespace) -> int:

    from factcheck.factchecks import how_matched
    from factcheck.report import check_dict, published_dict

    if args.k is not None and args.k < 1:
        raise FactcheckError("--k must be at least 1.")
    fc = facade(args)
    check = fc.check(args.claim, k=args.k, claim_source=args.claim_source)
    # beside the verdict, never in it: a publisher's rating is theirs
    published = fc.published_checks(check.claim)
    d: CheckOutput = {**check_dict(check), "published_checks": [published_dict(m) for m in published]}

    def human() -> None:
        # each field one line (terminal()): a newline in a source name must not forge a line of evidence
        print(f"{d['verdict'].upper()}: {terminal(d['reason'])}")
        for e in d["evidence"]:
            dup = " [near-duplicate]" if e["duplicate_of"] is not None else ""
            print(f"  {e['label']:<9} {e['scores'][e['label']]:.2f}  {terminal(e['source'])}: {terminal(e['text'])}"
                  f"{dup}")
            for m in e["mismatches"]:
                print(f"      {m['kind']}: {m['claim']!r} vs {m['passage']!r}")
        for p in published:
            r = p.review
            print(f"PUBLISHED FACT-CHECK: {terminal(r.rating or 'no rating')} — {terminal(r.publisher or 'unknown')}"
                  f" ({r.date or 'undated'}), {how_matched(p)}: {terminal(r.claim)} {terminal(r.url or '')}".rstrip())

    emit(args, d, human)
    return 0


def require_known(names: Sequence[str] | None, known: Sequence[str]) -> None:
    """--source names must be in the store: a typo would otherwise report on nothing and look like a result."""
    unknown = [n for n in names or () if n not in known]
    if not unknown:
        return
    near = [m for n in unknown for m in difflib.get_close_matches(n.casefold(), [k.casefold() for k in known], n=1)]
    hint = f" (did you mean {', '.join(repr(k) for k in known if k.casefold() in near)}?)" if near else ""
    shown = ", ".join(sorted(known)[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
    raise FactcheckError(f"No source named {', '.join(map(repr, unknown))} in the store{hint}; "
                         f"known sources: {shown or 'none yet'}.")


def _compare(fc: Factcheck, args: argparse.Namespace) -> Consistency:
    """Factcheck.compare on --source (checked first), with a progress bar: it checks every claim."""
    require_known(args.sources, [s.name for s in fc.sources()])
    with progress_bar(args) as progress:
        return fc.compare(sources=args.sources, story=getattr(args, "story", None), progress=progress)


def cmd_compare(args: argparse.Namespace) -> int:
    from factcheck.report import consistency_dict

    cons = _compare(facade(args), args)
    d = consistency_dict(cons)

    def human() -> None:
        for s in d["per_source"]:
            print(f"{terminal(s['source'])}: {s['claims']} claims, {s['corroborated']} corroborated, "
                  f"{s['contested']} contested, {s['mixed']} mixed, {s['unique']} unique")
        for p in d["pairs"]:
            print(f"{terminal(p['a'])} ~ {terminal(p['b'])}: {p['shared']} shared, {p['agree']} agree, "
                  f"{p['conflict']} conflict")

    emit(args, d, human)
    return 0


def cmd_analyse(args: argparse.Namespace) -> int:
    fc = facade(args)
    with progress_bar(args) as progress:
        if args.every_story:
            from factcheck.analysis import Refresh

            per = fc.analyse_stories(progress=progress).values()
            r = Refresh(*(sum(getattr(x, f) for x in per) for f in ("claims", "reused", "rechecked")))
        else:
            r = fc.analyse(story=args.story, progress=progress)
    emit(args, {"claims": r.claims, "up_to_date": r.reused, "rechecked": r.rechecked},
         lambda: print(f"{r.claims} claims: {r.reused} were up to date, {r.rechecked} checked again."))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from factcheck import report

    fc = facade(args)
    cons = _compare(fc, args)
    profiles = [p for p in fc.profiles() if p.name in cons.sources]
    if args.published and args.format == "csv":
        raise FactcheckError("--published adds fact-checks to the json, md and html reports; a CSV row is one claim "
                             "and one source, where a publisher's rating has no column: use --format json.")
    published = {c.claim: fc.published_checks(c.claim) for c in cons.checks} if args.published else None
    if args.format == "html":
        text = report.to_html(consistency=cons, profiles=profiles, published=published,
                              timeline=fc.timeline(story=args.story, consistency=cons))
    elif args.format == "csv":
        text = report.to_csv(consistency=cons, profiles=profiles)
    else:
        fn = {"json": report.to_json, "md": report.to_markdown}[args.format]
        text = fn(consistency=cons, profiles=profiles, published=published)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise FactcheckError(f"Cannot write {args.output}: {e.strerror or e}.") from e
        print(f"factcheck: wrote {terminal(args.output)}", file=sys.stderr)
    elif sys.stdout.isatty():  # read by a person: nothing in it may drive the terminal
        sys.stdout.write(terminal(text, keep_lines=True))
    else:  # a pipe or a file: the export exactly
        sys.stdout.write(text)
    return 0
