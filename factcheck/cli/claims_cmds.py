"""CLI verb `checkworthy`: score sentences from a JSONL file for check-worthiness."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from factcheck.cli import add_common, emit, facade
from factcheck.errors import IngestError, json_problem
from factcheck.ingest.corpus import too_big

# scoring in slices bounds memory on big files; the encoder batches inside each slice
_SLICE = 2048


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's verbs to the parser."""
    p = sub.add_parser("checkworthy", help="score sentences for check-worthiness: JSONL {id,text} -> {id,score}")
    p.add_argument("--input", required=True, metavar="F.jsonl", help='lines {"id": ..., "text": "..."}; - for stdin')
    p.add_argument("--output", required=True, metavar="G.jsonl", help='lines {"id": ..., "score": 0..1}; - for stdout')
    add_common(p)
    p.set_defaults(func=run_checkworthy)


def read_jsonl(path: str, *, max_bytes: int) -> list[tuple[str | int, str]]:
    """(id, text) per non-blank line; the first bad line raises IngestError naming its number."""
    name = "standard input" if path == "-" else path
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        p = Path(path)
        if not p.is_file():
            raise IngestError(f"{path}: no such file")
        if p.stat().st_size > max_bytes:
            raise too_big(path, p.stat().st_size, max_bytes)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise IngestError(f"{path}: cannot be read ({e.strerror})") from e
    if len(data) > max_bytes:
        raise too_big(name, len(data), max_bytes)
    rows: list[tuple[str | int, str]] = []
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8").strip()
        except UnicodeDecodeError:
            raise IngestError(f"{name} line {n}: not UTF-8 text; save the file as UTF-8") from None
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise IngestError(f"{name} line {n}: not valid JSON at column {e.colno}: {json_problem(e)}") from None
        if not isinstance(obj, dict) or "id" not in obj or not isinstance(obj.get("text"), str):
            raise IngestError(f'{name} line {n}: expected an object like {{"id": 1, "text": "a sentence"}}')
        if not isinstance(obj["id"], str | int) or isinstance(obj["id"], bool):
            raise IngestError(f"{name} line {n}: the id must be a string or an integer")
        rows.append((obj["id"], obj["text"]))
    if not rows:
        raise IngestError(f"{name}: no lines to score; expected one JSON object a line")
    return rows


def write_jsonl(path: str, lines: Sequence[Mapping[str, object]]) -> None:
    """Write all lines or nothing: a half-written output would look like a finished one."""
    text = "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines)
    if path == "-":
        sys.stdout.write(text)
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise IngestError(f"{path}: the folder {target.parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except OSError as e:
        raise IngestError(f"{path}: cannot be written ({e.strerror})") from e


def run_checkworthy(args: argparse.Namespace) -> int:
    fc = facade(args)  # only scores: it opens no store
    settings = fc.settings
    rows = read_jsonl(args.input, max_bytes=settings.max_input_bytes)
    texts = [t for _, t in rows]
    scores = [float(s) for i in range(0, len(texts), _SLICE) for s in fc.checkworthiness(texts[i:i + _SLICE])]
    write_jsonl(args.output, [{"id": i, "score": round(s, 6)} for (i, _), s in zip(rows, scores, strict=True)])
    n_claims = sum(s >= settings.claim_threshold for s in scores)
    payload = {"scored": len(scores), "claims": n_claims, "threshold": settings.claim_threshold,
               "output": args.output}

    def human() -> None:
        print(f"scored {len(scores)} sentences -> {args.output} "
              f"({n_claims} at or above the claim threshold {settings.claim_threshold})", file=sys.stderr)

    if args.output == "-" and args.json:
        human()  # stdout carries the scores; the summary must not corrupt them
    else:
        emit(args, payload, human)
    return 0
