"""Concurrency: dashboard sessions check and read while `factcheck ingest` runs in another process and
one session uploads through the facade they all share (as st.cache_resource shares it); two more
dashboard processes read too. SQLite in WAL mode takes one writer at a time and never blocks a reader.

Afterwards: no session or process saw an error or half an article, every article is stored whole
and once, the articles stored before are unchanged, every process's index holds what the others
added, `factcheck doctor` finds nothing to repair, and no read waited anywhere near an ingest's length.

The writer is the real CLI (`factcheck.cli.main`) run by tests/reliability_support.py with fake models
whose scoring takes seconds, as a model's does (the part of an ingest a reader must not wait for);
the model-marked test runs the installed `factcheck ingest` with the real models.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from reliability_support import SCORE_DELAY_ENV, TESTS, allsides_articles, make_fc, slow_scores

from factcheck.api import Factcheck
from factcheck.ingest.pipeline import passages_of
from factcheck.store import Store, content_hash

N_BEFORE, N_CLI, OVERLAP = 4, 36, 3
UPLOADS = 2  # files uploaded in the dashboard, 4 articles each: OVERLAP of the CLI's, then new ones
PER_UPLOAD = 4
SESSIONS = 3
PROCESSES = 2
# Scoring, per call: the CLI scores its 36 files in two calls, each upload in one. An upload scores
# inside the dashboard process, holding its turn to write there for UPLOAD_SCORE_S.
CLI_SCORE_S, UPLOAD_SCORE_S = 2.0, 5.0
# A read (search, sources, stats, articles, passages) may wait for the GIL and a busy CPU, never for a
# writer: reads took at most 0.1-0.6 s on a loaded 2-core machine; one that waited for an upload's scoring
# would take up to UPLOAD_SCORE_S. So this bound is no speed target but the line between the two: above it, a
# read waited for a writer. The reads' own figures (median, p95, slowest) are bench/reliability.py's `reads`.
MAX_READ_S = 3.0


def _write(folder: Path, articles: list[dict]) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"{i:04}.json" for i in range(len(articles))]
    for path, a in zip(paths, articles, strict=True):
        path.write_text(json.dumps(a, ensure_ascii=False), encoding="utf-8")
    return paths


def _whole(store_or_fc: Store | Factcheck, article_id: int, text: str) -> bool:
    """The article's passages are exactly those its text splits into: none missing, none extra."""
    got = [(p.kind, p.start, p.end, p.text) for p in store_or_fc.passages(article_id=article_id, kind=None)]
    return got == [(p.kind, p.start, p.end, p.text) for p in passages_of(text)]


class Session(threading.Thread):
    """A dashboard session: check a claim, then the reads its pages make, timing each read."""

    def __init__(self, fc: Factcheck, stop: threading.Event, no: int) -> None:
        super().__init__(name=f"session-{no}")
        self.fc, self.stop, self.no = fc, stop, no
        self.errors: list[str] = []
        self.reads: list[tuple[float, float]] = []  # (started, seconds)
        self.checks = 0
        self.counts: set[int] = set()  # article counts seen

    def _timed(self, read):  # noqa: ANN001, ANN202 - any read of the facade
        t0 = time.monotonic()
        out = read()
        self.reads.append((t0, time.monotonic() - t0))
        return out

    def run(self) -> None:
        fc, n = self.fc, 0
        while not self.stop.is_set():
            n += 1
            try:
                fc.check(f"Session {self.no} asks whether {n} officers were granted immunity by the court")
                self.checks += 1
                self._timed(lambda n=n: fc.search(f"vaccine mandate for {n} federal workers", k=3))
                self._timed(fc.sources)
                self._timed(fc.stats)
                articles = self._timed(fc.articles)
                self.counts.add(len(articles))
                for a in articles[-2:]:
                    if not self._timed(lambda a=a: _whole(fc, a.id, a.text)):
                        self.errors.append(f"article {a.id} seen with missing or extra passages")
            except Exception as e:  # noqa: BLE001 - the test's point: collect any failure a session would show
                self.errors.append(f"{type(e).__name__}: {e}")


def test_sessions_read_while_the_cli_and_an_upload_ingest(tmp_path: Path):
    articles = allsides_articles(N_BEFORE + N_CLI + UPLOADS * PER_UPLOAD - OVERLAP)
    before = _write(tmp_path / "before", articles[:N_BEFORE])
    cli_dir = tmp_path / "cli"
    _write(cli_dir, articles[N_BEFORE:N_BEFORE + N_CLI])
    uploads = articles[N_BEFORE + N_CLI - OVERLAP:]
    store_dir = tmp_path / "store"

    fc = make_fc(store_dir)  # the dashboard's shared facade
    fc.ingest_paths(before)
    fc.check("warm up: the index and spaCy load once per process, as the dashboard's cache does on start")
    fc._shared.scorer = slow_scores(UPLOAD_SCORE_S)
    with Store.open(store_dir) as s:
        old = [(a, s.passages(article_id=a.id, kind=None)) for a in s.articles()]
    assert len(old) == N_BEFORE

    stop_file = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, str(TESTS / "reliability_support.py"), "read", str(store_dir),
                                 str(stop_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(PROCESSES)]
    for r in readers:  # both have loaded and read once before any writer starts
        assert r.stdout is not None and r.stdout.readline().strip() == "ready", r.communicate()[1][-3000:]

    stop = threading.Event()
    sessions = [Session(fc if i % 2 else fc.with_settings(top_k=3), stop, i) for i in range(SESSIONS)]
    upload_results: list = []
    upload_errors: list[str] = []

    def upload() -> None:  # one session adds files on the Sources page, through the shared facade
        for i in range(UPLOADS):
            batch = uploads[i * PER_UPLOAD:(i + 1) * PER_UPLOAD]
            try:
                upload_results.extend(fc.ingest_bytes(f"upload-{i}.json", json.dumps(batch).encode()))
            except Exception as e:  # noqa: BLE001
                upload_errors.append(f"{type(e).__name__}: {e}")

    for t in sessions:
        t.start()
    uploader = threading.Thread(target=upload, name="upload")
    cli_start = time.monotonic()
    cli = subprocess.Popen([sys.executable, str(TESTS / "reliability_support.py"), "cli", "ingest", str(cli_dir),
                            "--store", str(store_dir), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, SCORE_DELAY_ENV: str(CLI_SCORE_S)})
    uploader.start()
    try:
        cli_out, cli_err = cli.communicate(timeout=300)
        cli_end = time.monotonic()
        uploader.join(timeout=300)
    finally:
        stop.set()
        stop_file.touch()
        for t in sessions:
            t.join(timeout=120)
    outs = [r.communicate(timeout=120) for r in readers]

    # no writer failed, no reader saw an error or half an article
    assert cli.returncode == 0, cli_err[-3000:]
    cli_statuses = [r["status"] for r in json.loads(cli_out)["results"]]
    assert not upload_errors, upload_errors
    up_statuses = [r.status for r in upload_results]
    assert len(cli_statuses) == N_CLI and len(up_statuses) == len(uploads)
    # the articles both writers had: whichever came second skipped them, in one process or the other
    final_count = len({content_hash(a["text"]) for a in articles})
    assert "refused" not in cli_statuses + up_statuses
    assert N_BEFORE + cli_statuses.count("added") + up_statuses.count("added") == final_count
    for t in sessions:
        assert not t.is_alive() and not t.errors, (t.name, t.errors[:5])
        assert t.checks > 0
    reports = []
    for r, (out, err) in zip(readers, outs, strict=True):
        assert r.returncode == 0, err[-3000:]
        reports.append(json.loads(out))

    # the reads ran during the ingest and saw it progress, article by article
    during = [s for t in sessions for started, s in t.reads if cli_start <= started <= cli_end]
    assert len(during) >= 200, f"only {len(during)} reads during a {cli_end - cli_start:.1f} s ingest"
    seen = set().union(*(t.counts for t in sessions), *(rep["articles_seen"] for rep in reports))
    assert any(N_BEFORE < c < final_count for c in seen), f"no reader saw the ingest in progress: {sorted(seen)}"
    # and were never held up for long: not by the writers, not by each other
    slowest = max([s for t in sessions for _, s in t.reads] + [rep["max_read_s"] for rep in reports])
    assert slowest < MAX_READ_S, f"a read took {slowest:.2f} s during a {cli_end - cli_start:.1f} s CLI ingest"

    # nothing lost, nothing twice, every article whole, the old ones untouched
    with Store.open(store_dir) as s:
        assert s.integrity_check() == "ok"
        stored = s.articles()
        assert sorted(content_hash(a.text) for a in stored) == sorted({content_hash(a["text"]) for a in articles})
        assert all(_whole(s, a.id, a.text) for a in stored)
        assert [(a, s.passages(article_id=a.id, kind=None)) for a in stored[:N_BEFORE]] == old
        passage_ids = s.passage_ids()

    # every process's in-memory index caught up with what the others wrote
    fc.search("anything", k=1)
    assert sorted(int(i) for i in fc.index.ids()) == passage_ids
    assert all(rep["fresh"] for rep in reports), reports
    probe = max((p.text for p in passages_of(articles[N_BEFORE + N_CLI - 1]["text"]) if p.kind == "body"), key=len)
    hits = fc.search(probe, k=1, per_source=False)  # the CLI's last article, found by this process's checks
    assert hits and hits[0].text == probe

    # a fresh process finds the saved index consistent with the store: nothing to repair
    doctor = subprocess.run([sys.executable, str(TESTS / "reliability_support.py"), "cli", "doctor", "--store",
                             str(store_dir), "--json"], capture_output=True, text=True, timeout=300)
    assert doctor.returncode == 0, doctor.stderr[-3000:]
    notes = json.loads(doctor.stdout)["notes"]
    assert notes == ["database: ok", f"index: {len(passage_ids)} vectors = {len(passage_ids)} passages"], notes


@pytest.mark.model
def test_real_cli_ingest_while_sessions_check(tmp_path: Path):
    """The installed `factcheck ingest` and `factcheck doctor`, real models, while sessions with the real
    encoder check in threads of this process."""
    from reliability_support import FixedVerifier

    from factcheck.settings import Settings

    articles = allsides_articles(12)
    _write(tmp_path / "in", articles)
    store_dir = tmp_path / "store"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}

    def factcheck(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "factcheck", *args, "--store", str(store_dir), "--json"],
                              capture_output=True, text=True, timeout=1800, env=env)

    first = factcheck("ingest", str(tmp_path / "in" / "0000.json"))
    assert first.returncode == 0, first.stderr
    fc = Factcheck(Settings(store_dir=store_dir), verifier=FixedVerifier())
    fc.check("warm up: load the encoder, the index and spaCy")
    stop = threading.Event()
    sessions = [Session(fc, stop, i) for i in range(2)]
    for t in sessions:
        t.start()
    t0 = time.monotonic()
    try:
        cli = factcheck("ingest", str(tmp_path / "in"))
    finally:
        ingest_s = time.monotonic() - t0
        stop.set()
        for t in sessions:
            t.join(timeout=300)
    assert cli.returncode == 0, cli.stderr
    for t in sessions:
        assert not t.errors, t.errors[:5]
    slowest = max(s for t in sessions for _, s in t.reads)
    assert slowest < max(MAX_READ_S, ingest_s / 4), (slowest, ingest_s)
    with Store.open(store_dir) as store:
        assert store.integrity_check() == "ok"
        stored = store.articles()
        assert len(stored) == len({content_hash(a["text"]) for a in articles})
        assert all(_whole(store, a.id, a.text) for a in stored)
    fc.search("anything", k=1)
    assert len(fc.index) == len(fc.store.passage_ids())
    doctor = factcheck("doctor")
    assert doctor.returncode == 0 and json.loads(doctor.stdout)["notes"][0] == "database: ok", doctor.stderr
