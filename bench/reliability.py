"""The reliability tests' figures, measured instead of asserted: how long refusing each kind of bad input takes and
how much memory, how splitting one long line grows with its length, how long 2,000 copies of one article take,
and how long a dashboard's reads take while another thread ingests. The tests (tests/test_reliability_inputs.py,
tests/test_concurrency.py) assert what must hold and bound each wait only to catch a hang; these are the numbers.

    .venv/bin/python bench/reliability.py [--only inputs|split|copies|reads] [--reads-articles 24]

The check-worthiness scorer is a stand-in (every sentence 0.8; in `reads` it sleeps --score-s a call, as the
model's scoring of a batch takes seconds), entering through the facade's constructor; the encoder is the
packaged MiniLM.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ALLSIDES = ROOT.parent / "shared" / "data" / "neus" / "allsides_stories.jsonl"
ALLSIDES_FALLBACK = ROOT / "tests" / "data" / "reliability_allsides.json"  # a committed slice of the same
GOOD = ("The city council said on Monday that 12 bridges will close for repairs next year.\n\n"
        "Engineers found corrosion in 40 of the 120 cables, the council's report said.")
MB = 1024 * 1024


def scorer(seconds: float = 0.0) -> Callable[[Sequence[str]], np.ndarray]:
    def score(texts: Sequence[str]) -> np.ndarray:
        if seconds:
            time.sleep(seconds)
        return np.full(len(texts), 0.8)

    return score


def facade(store: Path, score_s: float = 0.0):  # noqa: ANN201 - factcheck.api.Factcheck, imported late
    from factcheck.api import Factcheck
    from factcheck.settings import Settings

    return Factcheck(Settings(store_dir=store), scorer=scorer(score_s))


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(seconds, peak MiB traced) of one call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    fn()
    took = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return took, peak


def inputs(tmp: Path) -> None:
    fc = facade(tmp / "store")
    fc.ingest_text(GOOD, source="Baseline Times")
    rnd = random.Random(6)
    bad = {  # as in tests/test_reliability_inputs.py's REFUSED_FILES
        "photo.txt": b"\x89PNG\r\n\x1a\n" + bytes(rnd.randrange(256) for _ in range(8192)),
        "broken.json": b'[{"text": "a\tb", "source": "x"}]',
        "broken.csv": b'title,text\nA,"never closed\nB,c\n',
        "invisible.txt": ("\u200b\u200c\u200d\u2060\ufeff\u202e\u200f" * 200).encode(),
        "shift-jis.txt": "市議会は月曜日、来年12の橋を閉鎖すると発表した。".encode("shift_jis"),
    }
    print("refusing a bad input (ingest_paths, as the CLI reads a file; the first pays for imports)")
    for name, data in bad.items():
        path = tmp / name
        path.write_bytes(data)
        took, peak = timed(lambda p=path: fc.ingest_paths([p]))
        print(f"  {name:<26} {took * 1000:8.1f} ms  peak {peak:6.2f} MiB  (test bound: 30 s)")
    big = tmp / "big.txt"
    with big.open("wb") as f:
        f.seek(30 * MB - 1)
        f.write(b"x")
    took, peak = timed(lambda: fc.ingest_paths([big]))
    print(f"  {'30 MB file (by its size)':<26} {took * 1000:8.1f} ms  peak {peak:6.2f} MiB  "
          f"(test bounds: 5 s, 5 MiB)")
    line = ("the committee kept talking about the budget and the roads and the schools " * 14_000)[:MB]
    took, peak = timed(lambda: fc.ingest_bytes("one-line.txt", line.encode()))
    print(f"  {'1 MB line, no sentence end':<26} {took:8.2f} s   peak {peak:6.1f} MiB  (test bound: 60 s)")


def split_growth() -> None:
    from factcheck.ingest.sentences import split

    sentence = "The agency said 3.5 percent of U.S. homes sold in May. Dr. Smith agreed. "
    print("splitting one line of prose with no newline (linear: each doubling ~2x)")
    last = None
    for n in (1_500, 3_000, 6_000, 12_000):
        text = sentence * n
        took = min(timed(lambda t=text: split(t))[0] for _ in range(2))
        ratio = f"  x{took / last:4.2f}" if last else ""
        print(f"  {len(text) / 1024:6.0f} KB {took:7.2f} s{ratio}{'  (test bound: 60 s)' if n == 3_000 else ''}")
        last = took


def copies(tmp: Path) -> None:
    fc = facade(tmp / "store")
    fc.ingest_text(GOOD, source="Baseline Times")
    copy = {"text": GOOD.replace("Monday", "Tuesday"), "source": "Copy Desk"}
    listed = tmp / "copies.json"
    listed.write_text(json.dumps([copy] * 2_000))
    folder = tmp / "copies"
    folder.mkdir()
    for i in range(2_000):
        (folder / f"{i:04}.json").write_text(json.dumps(copy))
    took_list, _ = timed(lambda: fc.ingest_paths([listed]))
    took_folder, _ = timed(lambda: fc.ingest_paths([folder]))
    print(f"2,000 copies of one article: one JSON list {took_list:.2f} s, a folder of 2,000 files "
          f"{took_folder:.2f} s (test bound: 120 s for both)")


def allsides(limit: int) -> list[dict]:
    if not ALLSIDES.is_file():
        return json.loads(ALLSIDES_FALLBACK.read_text(encoding="utf-8"))[:limit]
    out: list[dict] = []
    for line in ALLSIDES.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        for n in story.get("news", {}).values():
            if n and n.get("newBody"):
                out.append({"source": n["newsSource"], "title": n["newsTitle"], "date": story["date"][:10],
                            "text": "\n\n".join(n["newBody"])})
        if len(out) >= limit:
            break
    return out[:limit]


def reads(tmp: Path, n_articles: int, score_s: float, sessions: int) -> None:
    fc = facade(tmp / "store", score_s)
    articles = allsides(n_articles + 4)
    fc.ingest_bytes("first.json", json.dumps(articles[:4]).encode())
    fc.check("warm up: load the encoder, the index and spaCy")
    stop, times = threading.Event(), []

    def session(no: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            t0 = time.perf_counter()
            fc.search(f"Session {no} asks whether {n} officers were granted immunity", k=3)
            fc.sources()
            fc.articles()
            times.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    for i in range(4, len(articles), 4):  # uploads of 4 articles, each scored in one call of score_s
        fc.ingest_bytes(f"upload-{i}.json", json.dumps(articles[i:i + 4]).encode())
    ingest_s = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join()
    q = statistics.quantiles(times, n=20)
    print(f"reads (search + sources + articles) by {sessions} sessions while one ingests {len(articles) - 4} "
          f"articles in {ingest_s:.1f} s (scoring {score_s:.1f} s a call): {len(times)} reads, median "
          f"{statistics.median(times):.3f} s, p95 {q[-1]:.3f} s, slowest {max(times):.3f} s "
          f"(tests/test_concurrency.py: a read that waited for a writer would take the scoring's time)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["inputs", "split", "copies", "reads"])
    ap.add_argument("--reads-articles", type=int, default=24)
    ap.add_argument("--score-s", type=float, default=2.0, help="seconds each scoring call takes in `reads`")
    ap.add_argument("--sessions", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for part in ("inputs", "split", "copies", "reads"):
            if args.only in (None, part):
                (tmp / part).mkdir()
                if part == "inputs":
                    inputs(tmp / part)
                elif part == "split":
                    split_growth()
                elif part == "copies":
                    copies(tmp / part)
                else:
                    reads(tmp / part, args.reads_articles, args.score_s, args.sessions)


if __name__ == "__main__":
    main()
