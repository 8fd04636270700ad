"""Distributed ingest: the plain ingest's steps spread over a Ray cluster's workers with Ray Data.

    fc.ingest_distributed(["archive/"])                  # a local Ray on this machine's CPUs
    factcheck ingest archive/ --ray                      # the same from the command line
    factcheck ingest archive/ --ray auto                 # a running cluster (`ray start --head`)

Workers compute, the driver writes. Reader tasks turn each input file into articles with their passages
(`ingest.prepare`: read, clean, split); a pool of actors, each loading its models once (on a GPU where the
cluster has them), scores every batch of articles (`ingest.scored` with `claims.score`) and keeps the sentence
vectors the scorer computed. The driver takes the batches in input order, puts their vectors in the store's
embedding cache, then stores each article (`ingest.store_article`); the facade's usual index sync afterwards
finds every vector cached and embeds nothing again. Both sides run the plain ingest's own functions, so the
same inputs give the same articles, passages and scores, and vectors equal to rounding (batches differ).

A crash loses nothing stored and duplicates nothing: an article lands whole or not at all (content-hash dedup),
and a re-run sends the stored articles' hashes to the readers, which pass those articles on without any model
work; the driver reports them with the claims the store holds, scoring nothing again, as a plain re-run does
(one removed meanwhile is scored from the cached vectors and stored again).

On a cluster, every node needs factcheck installed (`pip install -e '.[ray]'`) and the input files at the same
path (a shared filesystem), as for any Ray Data read of local files. URLs are read by the driver. Without an
address, files holding fewer than LOCAL_MIN_PASSAGES sentences are ingested plainly: a local Ray's start would
cost more than it saves.

Scaling (bench/ingest_ray.py, 2 CPUs): a body passage costs a worker ~20 ms of one core (MiniLM and the
check-worthiness features), a reader ~0.35 ms, the driver ~0.16 ms (the store's inserts of the passage and its
vector, then the index's add from the cache). With n single-core workers the rate is
min(n / 20 ms, ceil(n / 8) / 0.35 ms, 1 / 0.16 ms) = min(50 n, 2,900 ceil(n / 8), 6,400) passages/s: linear
in n up to ~128 workers, where the driver's single writer becomes the limit (a GPU worker reaches it sooner).
"""
from __future__ import annotations

import functools
import logging
import math
import os
import re
import socket
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from factcheck.embed import MODEL_NAME
from factcheck.errors import ClusterError, FactcheckError
from factcheck.hashes import text_hash
from factcheck.ingest import corpus, pipeline
from factcheck.labels import PassageKind
from factcheck.progress import Progress
from factcheck.records import ArticleDraft, IngestResult, PassageDraft
from factcheck.settings import Settings
from factcheck.store import Store, content_hash

if TYPE_CHECKING:
    from factcheck.claims import CheckworthyScorer
    from factcheck.embed import Encoder

INSTALL = "pip install -e '.[ray]'"
# articles a worker scores in one call: the plain ingest's batch, so both embed alike
BATCH_ARTICLES = pipeline.SCORE_BATCH_ARTICLES
# a reader task for every this many CPUs: reading and splitting cost ~1/60 of scoring and embedding
CPUS_PER_READER = 8
BLOCK_BYTES = 1 << 19
# A local Ray pays for its start from about this many body passages: on 2 CPUs it costs ~19 CPU-seconds more
# than the plain ingest's (a cluster's processes, a model in every worker) and saves ~9 ms a passage (one
# single-threaded model per core against one model on two threads). bench/ingest_ray.py: AllSides' 5,594
# passages took 145 CPU-s plain, 114 through Ray; 116 passages, 8 and 26.
LOCAL_MIN_PASSAGES = 2000
# Inputs this big hold LOCAL_MIN_PASSAGES sentences whatever their format (2 KB a sentence is more than an
# HTML page's chrome spends): a local Ray is started without reading them twice to count
LOCAL_RAY_BYTES = LOCAL_MIN_PASSAGES * 2048


@dataclass(frozen=True)
class WorkerModels:
    """What each worker loads once. `encoder` None: the packaged MiniLM, loaded by every worker itself (on its
    GPU when it has one); `scorer` None: claims.score over that encoder's vectors. Anything else given (a
    fake in tests) is sent to the workers as it is, so it must pickle."""

    encoder: Encoder | None = None
    scorer: CheckworthyScorer | None = None

    @property
    def name(self) -> str:
        """The model name the store's embedding cache keys the vectors by (CachedEncoder's)."""
        return self.encoder.name if self.encoder is not None else MODEL_NAME

    @classmethod
    def like(cls, encoder: Encoder | None, scorer: CheckworthyScorer | None) -> WorkerModels:
        """The models a facade holds, as workers should get them: the packaged one by name, never its weights."""
        from factcheck.embed import CachedEncoder, SentenceTransformerEncoder

        inner = encoder.encoder if isinstance(encoder, CachedEncoder) else encoder
        if isinstance(inner, SentenceTransformerEncoder) and inner.name == MODEL_NAME:
            inner = None
        return cls(encoder=inner, scorer=scorer)


@dataclass(frozen=True)
class Plan:
    """How the work is spread: `workers` actors of `cpus` CPUs and `gpus` GPUs each, `readers` read tasks."""

    workers: int
    cpus: float
    gpus: float
    readers: int

    @classmethod
    def for_cluster(cls, resources: Mapping[str, float]) -> Plan:
        """One single-core worker per CPU, or one per GPU where the cluster has GPUs (each GPU then does the
        work of tens of cores); readers ask for no CPU of their own, so they never wait behind the workers."""
        cpus, gpus = int(resources.get("CPU", 0)), int(resources.get("GPU", 0))
        readers = max(1, math.ceil(cpus / CPUS_PER_READER))
        if gpus:
            return cls(workers=gpus, cpus=1, gpus=1, readers=readers)
        return cls(workers=max(1, cpus), cpus=1, gpus=0, readers=readers)


def ingest_files(store: Store, inputs: Iterable[pipeline.Input], settings: Settings, *, address: str | None = None,
                 scorer: CheckworthyScorer, models: WorkerModels = WorkerModels(), source: str | None = None,
                 progress: Progress | None = None, notes: list[str] | None = None) -> list[IngestResult]:
    """Ingest files, folders and URLs through Ray: one result per article (or refused input), in input order,
    as pipeline.ingest gives them. `address`: None starts a local Ray on this machine's CPUs, else a cluster's
    address for ray.init ("auto", "HOST:6379", "ray://HOST:10001"); a Ray already started in this process is
    used as it is. `scorer` scores what the driver reads itself (URLs) and articles stored before (a re-run).
    Files too small for a local Ray to pay for its start (LOCAL_MIN_PASSAGES) are ingested plainly, which
    `notes` is told."""
    inputs = list(inputs)
    items = pipeline.expand(inputs)
    results: list[list[IngestResult]] = [[] for _ in items]
    files = {i: (origin, item) for i, (origin, item) in enumerate(items)
             if isinstance(item, os.PathLike) and not isinstance(item, str)}
    if address is None and not _ray_running() and not _worth_a_local_ray([f for _, f in files.values()], settings):
        if notes is not None:
            notes.append(f"ingested without Ray: for fewer than {LOCAL_MIN_PASSAGES:,} sentences, starting a local "
                         "Ray costs more than it saves")
        return pipeline.ingest(store, inputs, settings, source=source, progress=progress, scorer=scorer)
    here = [i for i in range(len(items)) if i not in files]  # URLs (and drafts): the driver reads them
    done = 0
    waiting = iter(files)  # files complete in input order: rows come in input order
    nxt = next(waiting, None)

    def finished(i: int) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(items), items[i][0])

    def reached(i: int | None) -> None:
        """A row of input i is about to be stored (None: all are): every file before it is complete."""
        nonlocal nxt
        while nxt is not None and (i is None or nxt < i):
            finished(nxt)
            nxt = next(waiting, None)

    with _cluster(address) as ray, _quiet():
        for i in here:  # downloads need no worker: read first, by the plain ingest
            results[i] = pipeline.ingest(store, [items[i][1]], settings, source=source, scorer=scorer)
            finished(i)
        if files:
            ds = _dataset(ray, [(i, *files[i]) for i in files], settings, source=source, models=models,
                          known=_known_keys(store))
            try:
                for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
                    for i, result in _write(store, batch, settings, models.name, scorer, reached):
                        results[i].append(result)
            except ray.exceptions.RayError as e:
                raise _worker_failed(e) from None
            reached(None)
    return [r for rs in results for r in rs]


def _ray_running() -> bool:
    ray = sys.modules.get("ray")
    return ray is not None and bool(ray.is_initialized())


def _worth_a_local_ray(files: Sequence[os.PathLike[str]], settings: Settings) -> bool:
    """Do the files hold LOCAL_MIN_PASSAGES body passages, on a machine with more than one CPU? Read here until
    they do (a second or so), or to the end of a small input (then the plain ingest reads it again)."""
    if _local_cpus() < 2:
        return False  # one worker on one core: what the plain ingest does, after Ray's start
    size = 0
    for item in files:
        with suppress(OSError):  # unreadable: refused by whichever ingest runs
            size += os.stat(item).st_size
    if size >= LOCAL_RAY_BYTES:  # an archive: no serial read of it on the driver before Ray starts
        return True
    n = 0
    for item in files:
        try:
            n += sum(1 for _, passages in pipeline.prepare(item, settings) for p in passages
                     if p.kind == PassageKind.BODY)
        except Exception:  # noqa: BLE001 - refused by whichever ingest runs, as pipeline.ingest refuses it
            continue
        if n >= LOCAL_MIN_PASSAGES:
            return True
    return False


# --- the driver ----------------------------------------------------------------------------------

def _write(store: Store, batch: Mapping[str, np.ndarray], settings: Settings, model: str, score: CheckworthyScorer,
           reached: Callable[[int], None]) -> list[tuple[int, IngestResult]]:
    """Store one batch from the workers: (input index, result) per row, in order; `reached(input)` before each.
    A row is an IngestResult (its input was refused) or an ArticleDraft: scored, with its body passages'
    vectors, unless stored before."""
    failure = next((f for f in batch["failure"] if f), "")
    if failure:
        raise ClusterError(f"A Ray worker failed: {failure}")
    rows, known = batch["row"], batch["known"]
    articles = [k for k in range(len(rows)) if isinstance(rows[k], ArticleDraft)]
    # the vectors first: a crash between the two leaves a warmer cache, never a stored article whose
    # vectors a re-run would not bring (a re-run skips the stored articles' model work)
    store.put_embeddings(model, {text_hash(p.text): v for k in articles if not known[k]
                                 for p, v in zip(_body(rows[k]), batch["vectors"][k], strict=True)}
                         | {text_hash(_head(rows[k])): batch["head"][k] for k in articles if not known[k]})
    # articles stored before (a re-run): reported as stored, not scored again, as a plain re-run does; one the
    # workers took for stored but that is gone since (removed meanwhile) is scored here from the cached vectors
    stored = {k: r for k in articles if known[k] and (r := pipeline.already_stored(store, rows[k], settings))}
    gone = [k for k in articles if known[k] and k not in stored]
    rescored = dict(zip(gone, pipeline.scored([(rows[k], rows[k].passages) for k in gone], score), strict=True))
    out = []
    for k, row in enumerate(rows):
        i = int(batch["input"][k])
        reached(i)
        out.append((i, row if isinstance(row, IngestResult) else
                    stored.get(k) or pipeline.store_article(store, rescored.get(k, row), settings)))
    return out


def _body(draft: ArticleDraft) -> list[PassageDraft]:
    return [p for p in draft.passages if p.kind == PassageKind.BODY]


def _head(draft: ArticleDraft) -> str:
    """The text the driver groups the article into a story by (factcheck.stories.head_text)."""
    from factcheck.stories import head_text

    body = _body(draft)
    return head_text(draft.title, body[0].text if body else None)


def _known_keys(store: Store) -> np.ndarray:
    """The stored articles' content hashes as sorted 64-bit prefixes: 8 bytes an article to send each reader.
    A prefix shared by chance only sends an article to the driver's scorer; the store still decides."""
    return np.unique(np.array([int(h[:16], 16) for h in store.content_hashes()], dtype=np.uint64))


def _is_known(keys: np.ndarray, text: str) -> bool:
    key = np.uint64(int(content_hash(text)[:16], 16))
    pos = int(np.searchsorted(keys, key))
    return pos < len(keys) and keys[pos] == key


def _worker_failed(e: Exception) -> ClusterError:
    """What Ray raised for a worker's failure, as one line: the original exception's own last line of the
    traceback Ray sends as text (its type and message), with what to do."""
    said = [line.strip() for line in str(e).splitlines()
            if _RAISED.match(line.strip()) and not line.strip().startswith("ray.")]
    what = said[-1] if said else type(e).__name__
    return ClusterError(f"The Ray ingest failed on a worker ({what}). What was stored so far stays: run the same "
                        "ingest again to go on from there.")


_RAISED = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


# --- the cluster ---------------------------------------------------------------------------------

@contextmanager
def _quiet() -> Iterator[None]:
    """Ray Data's own chatter off while it runs (execution plans, a warning for a pool bigger than a small
    input, its deprecations): the caller's progress callback reports, and failures come back as ClusterError."""
    log = logging.getLogger("ray.data")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The minimum number of concurrent actors")
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray\.")
            yield
    finally:
        log.setLevel(level)


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401 - Ray Data is the part this ingest needs
    except ImportError as e:
        raise ClusterError(f"Ray is not installed, and a distributed ingest runs on it: run `{INSTALL}` "
                           "(or leave out --ray to ingest on this machine alone).") from e
    return ray


@contextmanager
def _cluster(address: str | None) -> Iterator[Any]:
    """Ray, started or joined for the ingest and let go after; a Ray this process started before is kept."""
    ray = _import_ray()
    if ray.is_initialized():
        yield ray
        return
    quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
    if address is not None:
        _check_answers(address)
    try:
        if address is None:
            ray.init(address="local", num_cpus=_local_cpus(), include_dashboard=False, **quiet)
        else:
            ray.init(address=address, **quiet)
    except (ConnectionError, TimeoutError, RuntimeError, ValueError) as e:
        why = (str(e).strip().splitlines() or [type(e).__name__])[0]
        if address is None:
            raise ClusterError(f"Could not start a local Ray ({why}). `ray start --head` shows why; or leave out "
                               "--ray to ingest without it.") from e
        raise ClusterError(f"Could not reach the Ray cluster at {address!r} ({why}). Check the address: "
                           "`ray status` on the cluster's head node prints it.") from e
    try:
        yield ray
    finally:
        ray.shutdown()


def _check_answers(address: str, timeout_s: float = 5.0) -> None:
    """Refuse a HOST:PORT (or ray://HOST:PORT) that nothing listens on: ray.init would retry it for minutes."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # "auto" and the like: ray.init finds the cluster, or says at once that there is none
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as e:
        raise ClusterError(f"Nothing answers at {address!r} ({e.strerror or e}): check the Ray cluster's address "
                           "(`ray status` on its head node prints it) and that the cluster is up.") from e


def _local_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (a container's share)
    except AttributeError:
        return os.cpu_count() or 1


def _dataset(ray: Any, files: Sequence[tuple[int, str, os.PathLike[str]]], settings: Settings, *,
             source: str | None, models: WorkerModels, known: np.ndarray) -> Any:
    plan = Plan.for_cluster(ray.cluster_resources())
    ds = ray.data.from_items([_input_row(i, origin, item) for i, origin, item in files],
                             override_num_blocks=min(len(files), 8 * plan.readers * plan.workers))
    ds.context.execution_options.preserve_order = True  # results in input order, as the plain ingest stores
    ds.context.enable_progress_bars = False  # the caller's progress callback reports
    # a reader's rows go out in blocks of ~50 articles, so one big .jsonl still feeds every worker
    ds.context.target_max_block_size = BLOCK_BYTES
    read = functools.partial(_read, settings=settings, source=source, known=known)
    return ds.flat_map(read, num_cpus=0, compute=ray.data.TaskPoolStrategy(size=plan.readers)).map_batches(
        _Worker, fn_constructor_kwargs={"models": models, "device": "cuda" if plan.gpus else "cpu"},
        batch_size=BATCH_ARTICLES, batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=plan.workers),
        num_cpus=plan.cpus, num_gpus=plan.gpus or None, zero_copy_batch=False)


# --- the workers ---------------------------------------------------------------------------------

def _input_row(i: int, origin: str, item: os.PathLike[str]) -> dict[str, Any]:
    """An input file as Ray Data holds it: paths as bytes (a file name need not be UTF-8), the folder it was
    found in (b"" for a file named itself), so the reader refuses a link out of that folder as ingest does."""
    folder = item.folder if isinstance(item, corpus.FolderFile) else None
    return {"input": i, "origin": origin, "path": os.fsencode(item), "folder": os.fsencode(folder) if folder else b""}


def _read(row: Mapping[str, Any], *, settings: Settings, source: str | None, known: np.ndarray) -> list[dict[str, Any]]:
    """A reader task: one input's rows, an article each (passages split, not scored), or its refusal."""
    i, origin, path = int(row["input"]), str(row["origin"]), Path(os.fsdecode(row["path"]))
    item = corpus.FolderFile(path, Path(os.fsdecode(row["folder"]))) if row["folder"] else path
    try:
        prepared = pipeline.prepare(item, settings, source=source)
    except Exception as e:  # noqa: BLE001 - one unreadable input must not stop the others (as pipeline.ingest)
        return [{"input": i, "row": pipeline.refused(origin, e), "known": False}]
    return [{"input": i, "row": replace(d, passages=p), "known": _is_known(known, d.text)} for d, p in prepared]


class _Worker:
    """A Ray actor: loads the models once, then scores and embeds batches of read articles. A FactcheckError
    (a model missing on this node) comes back as the batch's `failure`, its sentence intact: raised, Ray
    would turn it into a traceback."""

    def __init__(self, models: WorkerModels, device: str) -> None:
        from factcheck.embed import load_encoder

        self.failure = ""
        self.scorer = models.scorer
        self.batch_size = 256 if device == "cuda" else 64
        try:
            self.encoder = models.encoder if models.encoder is not None else load_encoder(device)
        except FactcheckError as e:
            self.failure = str(e)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        failure, vectors = self.failure, np.empty(len(batch["row"]), dtype=object)
        heads = np.empty(len(batch["row"]), dtype=object)
        out = batch["row"].copy()
        if not failure:
            try:
                self._score(batch, out, vectors, heads)
            except FactcheckError as e:
                failure = str(e)
        # every row gets a matrix, if an empty one: a column of nothing but None would not stay one
        for k in range(len(vectors)):
            if vectors[k] is None:
                vectors[k] = np.zeros((0, 1), dtype=np.float32)
            if heads[k] is None:
                heads[k] = np.zeros(1, dtype=np.float32)
        return {**batch, "row": out, "vectors": vectors, "head": heads,
                "failure": np.full(len(out), failure, dtype=object)}

    def _score(self, batch: Mapping[str, np.ndarray], out: np.ndarray, vectors: np.ndarray,
               heads: np.ndarray) -> None:
        from factcheck import claims
        from factcheck.embed import CachedEncoder, MemoryCache

        rows, known = batch["row"], batch["known"]
        todo = [k for k in range(len(rows)) if isinstance(rows[k], ArticleDraft) and not known[k]]
        # each text embedded once, as claims.score sees it; the vectors are kept for the store's cache
        memo = CachedEncoder(MemoryCache(), self.encoder, batch_size=self.batch_size)
        score = self.scorer or functools.partial(claims.score, encoder=memo)
        drafts = pipeline.scored([(rows[k], rows[k].passages) for k in todo], score)
        # every body passage's vector goes to the cache (a scorer of its own embeds none: embedded here)
        # and its story-grouping text's (factcheck.stories): the driver groups from the cache
        sizes = [len(_body(d)) for d in drafts]
        vecs = memo.encode([p.text for d in drafts for p in _body(d)] + [_head(d) for d in drafts])
        ends = np.cumsum(sizes)
        for n, (k, draft) in enumerate(zip(todo, drafts, strict=True)):
            out[k] = draft
            vectors[k] = vecs[ends[n] - sizes[n]:ends[n]]
            heads[k] = vecs[int(ends[-1]) + n]
