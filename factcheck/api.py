"""The Python API: one facade the CLI and the dashboard both call.

    from factcheck.api import Factcheck
    fc = Factcheck(Settings.from_env())
    fc.ingest_paths(["data/"])
    result = fc.check("Mexico's homicide rate has dropped significantly")

Models and the index load lazily, once per Factcheck; the dashboard keeps one Factcheck per
store per process. Writes go to the store first (one transaction per article), then the index
is brought in line with the store, so a crash between the two leaves an index `sync` repairs.

The index is a vector backend (factcheck.vectors: FAISS files in the store folder unless
Settings.vector_backend says otherwise), opened and synced through factcheck.index; a search or check
encodes its claim once and retrieves with that vector (factcheck.retrieve).

Concurrency: any number of threads may call one Factcheck. Writes (ingest, remove, reindex) take
turns; a search waits only while the vector backend itself changes (milliseconds), never while an
ingest reads, scores or embeds. Another process's writes (a CLI ingest while the dashboard runs) reach
this process's index at its next search: the store's passages_version tells it to sync.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.errors import FactcheckError
from factcheck.labels import IngestStatus, PassageKind
from factcheck.progress import Progress
from factcheck.records import Article, IngestResult, Passage, Source
from factcheck.settings import Settings
from factcheck.store import Store

if TYPE_CHECKING:
    import numpy as np

    from factcheck.analysis import Refresh
    from factcheck.claims import CheckworthyScorer
    from factcheck.consistency import Consistency
    from factcheck.embed import Encoder
    from factcheck.factchecks import Read
    from factcheck.parts import Part
    from factcheck.records import FactcheckImport, ProfileImport, PublishedCheck, Review, SourceProfile, Story
    from factcheck.retrieve import Hit
    from factcheck.stance import ArticleStance, StanceModel
    from factcheck.timeline import Timeline
    from factcheck.vectors import VectorBackend
    from factcheck.verdict import Check
    from factcheck.verify import Judgement, Verifier

MAX_STORY_NAME = 200


class _Shared:
    """What every view of one store shares: loaded models, the index, its locks, messages."""

    def __init__(self, encoder: Encoder | None, stance_model: StanceModel | None, scorer: CheckworthyScorer | None,
                 verifier: Verifier | None = None) -> None:
        self.encoder = encoder
        self.stance = stance_model
        self.verifier = verifier
        self.scorer = scorer
        self.given_encoder = encoder  # the encoder given, if any: what texts that are not stored are encoded with
        self.store: Store | None = None  # opened on first use
        self.opening = threading.Lock()  # the store opens once
        self.memo: Encoder | None = None  # stance's article vectors, by content hash (`factcheck stance`)
        self.index: VectorBackend | None = None
        self.version: int | None = None  # store.passages_version() the index was last synced to
        # (passages_version, names of the sources holding an article): what a per-source search goes through
        self.pool: tuple[int | None, list[str]] | None = None
        self.messages: list[str] = []  # things a user should know (e.g. "index rebuilt")
        # one writer at a time in this process (ingest, remove, reindex, syncing the index)
        self.writer = threading.RLock()
        # a vector backend is not safe to search while it changes: held for a search or a change, never for a model
        self.vectors = threading.Lock()
        self.loading = threading.Lock()  # a model loads once, however many sessions ask at once
        # the stored fact-checks and their vectors, with Store.reviews_version and the model they were read for
        self.reviews: tuple[tuple[int, int], str, list[Review], Any] | None = None


class Factcheck:
    """One store and lazily loaded models, both opened when first used. `encoder`, `verifier` (claim, passage →
    supports/conflicts/nei), `stance_model` (whole articles, `factcheck stance`) and `scorer` (check-worthiness:
    texts -> scores in [0, 1]) replace the packaged models: this constructor is the one door for models, the
    packaged ones and the fakes of tests alike."""

    def __init__(self, settings: Settings, *, encoder: Encoder | None = None, verifier: Verifier | None = None,
                 stance_model: StanceModel | None = None, scorer: CheckworthyScorer | None = None) -> None:
        self.settings = settings
        self._shared = _Shared(encoder, stance_model, scorer, verifier)

    @classmethod
    def open(cls, settings: Settings, *, stance_model: StanceModel | None = None) -> Factcheck:
        """The facade every face builds from its Settings (each CLI verb, the dashboard): the packaged models,
        loaded when first used; `stance_model` one the user picked (`factcheck stance --model DIR`). Tests make
        this give a facade of fake models (tests/conftest.py, `fake_models`), built by the constructor."""
        return cls(settings, stance_model=stance_model)

    @property
    def store(self) -> Store:
        """The store, opened on first use: a facade that only scores texts (verify, stance, checkworthy) opens
        none, so those verbs neither need nor create a store folder."""
        sh = self._shared
        if sh.store is None:
            with sh.opening:
                if sh.store is None:
                    sh.store = Store.open(self.settings.store_dir)
        return sh.store

    @property
    def messages(self) -> list[str]:
        return self._shared.messages

    @property
    def read_only(self) -> bool:
        """The store is not this user's to write: reads work, writes raise StoreError."""
        return self.store.read_only

    def meta(self, key: str) -> str | None:
        return self.store.meta(key)

    def set_meta(self, key: str, value: str) -> None:
        self.store.set_meta(key, value)

    # --- lazy resources ---------------------------------------------------------------------
    @property
    def encoder(self) -> Encoder:
        sh = self._shared
        if sh.encoder is None:
            with sh.loading:
                if sh.encoder is None:
                    from factcheck.embed import CachedEncoder, load_encoder

                    sh.encoder = CachedEncoder(self.store, load_encoder())
        return sh.encoder

    @property
    def stance_model(self) -> StanceModel:
        sh = self._shared
        if sh.stance is None:
            with sh.loading:
                if sh.stance is None:
                    from factcheck.stance import load_stance_model

                    sh.stance = load_stance_model()
        return sh.stance

    @property
    def verifier(self) -> Verifier:
        sh = self._shared
        if sh.verifier is None:
            with sh.loading:
                if sh.verifier is None:
                    from factcheck.verify import load_verifier

                    sh.verifier = load_verifier()
        return sh.verifier

    def _plain_encoder(self) -> Encoder:
        """The sentence encoder without the store's embedding cache, for texts that are not stored (stance's
        articles, checkworthy's lines): they would only grow the cache, and need no store."""
        if self._shared.given_encoder is not None:
            return self._shared.given_encoder
        from factcheck.embed import load_encoder

        return load_encoder()

    @property
    def index(self) -> VectorBackend:
        return self._fresh_index(None, sync_others=False)

    def _fresh_index(self, progress: Progress | None, *, sync_others: bool = True) -> VectorBackend:
        """The index, opened and synced on first use, and then synced with what other processes committed
        since (a CLI ingest while the dashboard runs). That second sync is skipped while this process writes:
        its own sync follows, and a reader waits for no one."""
        sh = self._shared
        idx = sh.index
        if idx is None:
            with sh.writer:
                idx = sh.index  # an empty index is falsy: compare with None
                if idx is None:
                    return self._refresh(progress)
        if sync_others and self.store.passages_version() != sh.version and sh.writer.acquire(blocking=False):
            try:
                idx = self._refresh(progress, save=False)  # a reader leaves saving to the process that wrote
            finally:
                sh.writer.release()
        return idx

    def _refresh(self, progress: Progress | None, *, save: bool = True) -> VectorBackend:
        """Open the index if need be and sync it with the store; the caller holds the writer lock."""
        sh = self._shared
        version = self.store.passages_version()  # read first: a commit after it is caught next time
        idx = sh.index
        if idx is None:
            idx = self._open_index()
        self._sync(idx, progress, save=save)
        sh.index, sh.version = idx, version
        return idx

    def _open_index(self) -> VectorBackend:
        """The index as stored, for the encoder in use (factcheck.index), not yet synced; what it found (damage,
        a rebuild) goes to `messages`. The one place the facade opens it: searches, doctor."""
        from factcheck.index import open_index

        enc = self.encoder
        idx = open_index(self.settings, self.store, enc.name, enc.dim)
        self.messages.extend(idx.messages)
        return idx

    def _sync(self, idx: VectorBackend, progress: Progress | None, *, save: bool = True) -> None:
        from factcheck.index import sync

        # an index no search can see yet (opening, reindex) is filled without holding searches up
        lock = self._shared.vectors if idx is self._shared.index else None
        sync(self.store, idx, self.encoder, progress=progress, save=save, lock=lock)

    def _pool(self) -> list[str]:
        """The sources a per-source search goes through, read again only when passages were added or removed
        (Store.sources counts every source's claims: a scan of all passages, too slow for every search)."""
        sh = self._shared
        version, pool = sh.version, sh.pool
        if pool is None or pool[0] != version:
            pool = sh.pool = (version, [s.name for s in self.store.sources() if s.articles])
        return pool[1]

    def with_settings(self, **changes: Any) -> Factcheck:
        """Same store, models and index; other thresholds (the dashboard's sidebar)."""
        clone = object.__new__(Factcheck)
        clone.__dict__.update(self.__dict__)
        clone.settings = self.settings.replace(**changes)  # an unknown name or bad value: SettingsError
        return clone

    def _score(self, texts: Sequence[str]) -> Any:
        """Check-worthiness through the shared cached encoder: the sentence vectors it computes are
        the ones the index needs next, so each sentence is embedded once."""
        if self._shared.scorer is not None:
            return self._shared.scorer(texts)
        from factcheck import claims

        return claims.score(texts, encoder=self.encoder)

    # --- ingestion --------------------------------------------------------------------------
    def _ingest(self, run: Callable[[], list[IngestResult]], progress: Progress | None) -> list[IngestResult]:
        with self._shared.writer:
            results = run()
            if any(r.status == IngestStatus.ADDED for r in results):
                self._refresh(progress)
                self._group([r.article_id for r in results
                             if r.status == IngestStatus.ADDED and r.article_id is not None])
            return results

    def _group(self, added: Sequence[int]) -> None:
        """New articles into stories (factcheck.stories): one encode of each title and lede, through the cache."""
        from factcheck import stories

        stories.on_ingest(self.store, self.encoder, added)

    def ingest_paths(self, inputs: Sequence[str | Path], *, source: str | None = None,
                     progress: Progress | None = None) -> list[IngestResult]:
        """Files, folders and http(s) URLs."""
        from factcheck.ingest import pipeline

        return self._ingest(lambda: pipeline.ingest(self.store, [str(i) for i in inputs], self.settings,
                                                  source=source, progress=progress,
                                                  scorer=self._score),
                            progress)

    def ingest_url(self, url: str, *, source: str | None = None,
                   progress: Progress | None = None) -> list[IngestResult]:
        """One http(s) URL, a result per article it holds (a JSON or CSV feed may hold several); anything else
        (a local path, file://) is refused, so a form that asks for a URL cannot be used to read files on the
        server. The page is downloaded before the writer lock is taken: a slow server (up to
        Settings.url_timeout_s) then holds up this call only, not every session's writes."""
        from factcheck.ingest import corpus, pipeline

        if not url.strip().lower().startswith(("http://", "https://")):
            return [IngestResult(origin=url, status=IngestStatus.REFUSED,
                                 reason=f"{url!r} is not an http(s) URL: give an address starting with https://")]
        url = url.strip()
        try:
            drafts = corpus.read_url(url, self.settings)
        except Exception as e:  # noqa: BLE001 - as pipeline.ingest does: a page that cannot be read is refused
            return [pipeline.refused(url, e)]
        results = self._ingest(lambda: pipeline.ingest(self.store, drafts, self.settings, source=source,
                                                     progress=progress, scorer=self._score), progress)
        return results or [IngestResult(origin=url, status=IngestStatus.REFUSED,
                                        reason=f"{url}: no article found on the page.")]

    def ingest_text(self, text: str, *, source: str, title: str | None = None, date: str | None = None,
                    url: str | None = None, progress: Progress | None = None) -> IngestResult:
        from factcheck.ingest import corpus, pipeline

        def run() -> list[IngestResult]:
            try:
                draft = corpus.from_text(text, source=source, title=title, date=date, url=url, settings=self.settings)
            except FactcheckError as e:  # refused like a file is, not raised
                return [pipeline.refused("paste", e)]
            return pipeline.ingest(self.store, [draft], self.settings, progress=progress, scorer=self._score)

        return self._ingest(run, progress)[0]

    def ingest_bytes(self, name: str, data: bytes, *, source: str | None = None,
                     progress: Progress | None = None) -> list[IngestResult]:
        """An uploaded file: its bytes and its name (the name picks the reader). Refused or added on its own:
        whatever goes wrong reading it is its refusal, so the next file of an upload is still added."""
        from factcheck.ingest import corpus, pipeline

        shown = corpus.shown(name)  # a name with odd bytes (from a script's os.listdir) prints and stores as \\xff

        def run() -> list[IngestResult]:
            try:
                drafts = corpus.read_bytes(shown, data, self.settings)
            except Exception as e:  # noqa: BLE001 - the per-file boundary: one bad upload stops nothing else
                return [pipeline.refused(shown, e)]
            return pipeline.ingest(self.store, drafts, self.settings, source=source, progress=progress,
                                 scorer=self._score)

        return self._ingest(run, progress)

    def ingest_distributed(self, inputs: Sequence[str | Path], *, address: str | None = None,
                           source: str | None = None, progress: Progress | None = None) -> list[IngestResult]:
        """Files, folders and URLs as ingest_paths takes them, with the reading, splitting, scoring and embedding
        spread over a Ray cluster's workers (factcheck.ingest.distributed): `address` None starts a local Ray on this
        machine's CPUs, or none when the files are too few for it to pay (said in `messages`). The results, the
        stored articles and the index are those ingest_paths gives."""
        from factcheck.ingest import distributed

        models = distributed.WorkerModels.like(self._shared.encoder, self._shared.scorer)
        return self._ingest(lambda: distributed.ingest_files(self.store, [str(i) for i in inputs], self.settings,
                                                             address=address, scorer=self._score, models=models,
                                                             source=source, progress=progress, notes=self.messages),
                            progress)

    def remove_source(self, name: str) -> int:
        """Remove a source, its articles and passages from the store and the index; returns passages removed."""
        with self._shared.writer:
            ids = self.store.remove_source(name)
            if self._shared.index is not None:
                self._refresh(None)
            return len(ids)

    def remove_article(self, article_id: int) -> int:
        """Remove one article and its passages from the store and the index; returns passages removed."""
        if self.store.article(article_id) is None:
            raise FactcheckError(f"No article {article_id} in the store (`factcheck stories --json` lists each "
                                 "story's articles).")
        with self._shared.writer:
            ids = self.store.remove_article(article_id)
            if self._shared.index is not None:
                self._refresh(None)
            return len(ids)

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the vector index from the stored passages (cached vectors make this cheap)."""
        from factcheck.index import rebuild

        self.store.require_writable()  # before building a whole index that could not be saved
        sh = self._shared
        with sh.writer:
            version = self.store.passages_version()
            # searches use the old index meanwhile: the new one is filled where no search sees it
            idx, _ = rebuild(self.settings, self.store, self.encoder, progress)
            with sh.vectors:  # a search reads sh.index under this lock, so none is using the old one after
                old, sh.index, sh.version = sh.index, idx, version
            if old is not None:
                old.close()
            return len(idx)

    # --- reading ----------------------------------------------------------------------------
    def sources(self) -> list[Source]:
        return self.store.sources(self.settings.claim_threshold)

    def articles(self, source: str | None = None) -> list[Article]:
        return self.store.articles(source)

    def article(self, article_id: int) -> Article | None:
        return self.store.article(article_id)

    def passages(self, *, article_id: int | None = None, kind: PassageKind | None = PassageKind.BODY) -> list[Passage]:
        return self.store.passages(article_id=article_id, kind=kind)

    def claims(self, source: str | None = None) -> list[Passage]:
        return self.store.claims(self.settings.claim_threshold, source=source)

    def parts(self, claim: str) -> tuple[Part, ...]:
        """A compound claim's checkable parts, as compare checks them (factcheck.parts); () when it is one fact or
        the check_parts setting is off. Offsets index `claim`."""
        from factcheck.parts import split

        return split(claim) if self.settings.check_parts else ()

    def stats(self) -> dict[str, int]:
        return self.store.stats(self.settings.claim_threshold)

    # --- analysis ---------------------------------------------------------------------------
    def search(self, text: str, *, k: int | None = None, sources: Sequence[str] | None = None,
               exclude_article: int | None = None, exclude_source: str | None = None,
               min_similarity: float | None = None, per_source: bool = True,
               progress: Progress | None = None, articles: frozenset[int] | None = None) -> list[Hit]:
        """The stored passages closest to a text: the top k of each source (or overall), best first; `articles`:
        only passages of these articles (a story's). `progress` hears of the indexing a first search (or one
        after another process wrote) does before it answers."""
        vec = self._vector(self._claim_text(text))
        return self._retrieve(vec, k=k, sources=sources, exclude_article=exclude_article,
                              exclude_source=exclude_source, min_similarity=min_similarity, per_source=per_source,
                              progress=progress, articles=articles)

    def _vector(self, text: str) -> Any:
        """A claim's unit vector: a stored claim's from the store's embedding cache, a claim checked again from the
        encoder's memory (CachedEncoder.vector); a query is not written to the store."""
        from factcheck.embed import CachedEncoder

        enc = self.encoder
        return enc.vector(text) if isinstance(enc, CachedEncoder) else enc.encode([text])[0]

    def _retrieve(self, vec: Any, *, k: int | None = None, sources: Sequence[str] | None = None,
                  exclude_article: int | None = None, exclude_source: str | None = None,
                  min_similarity: float | None = None, per_source: bool = True,
                  progress: Progress | None = None, articles: frozenset[int] | None = None) -> list[Hit]:
        from factcheck.retrieve import retrieve

        sh = self._shared
        self._fresh_index(progress)
        pool = self._pool() if per_source else None
        with sh.vectors:
            index = sh.index
            assert index is not None, "_fresh_index opened it"
            return retrieve(self.store, index, vec, k=k or self.settings.top_k, per_source=per_source,
                            exclude_article=exclude_article, exclude_source=exclude_source,
                            sources=list(sources) if sources else None, pool=pool, articles=articles,
                            min_similarity=self.settings.min_similarity if min_similarity is None else min_similarity)

    def _claim_text(self, text: str) -> str:
        text = " ".join(text.split())
        if not text:
            raise FactcheckError("The claim is empty: type or paste a sentence to check.")
        if len(text) > self.settings.max_claim_chars:
            raise FactcheckError(f"The claim is {len(text):,} characters long; the limit is "
                                 f"{self.settings.max_claim_chars:,}. Check one sentence at a time.")
        return text

    def check(self, claim: str, *, k: int | None = None, claim_source: str | None = None,
              exclude_article: int | None = None) -> Check:
        """A claim against the corpus: passages from each other source, each judged by the verifier, and a verdict;
        a compound claim's parts (Factcheck.parts) each checked on its own too, in `Check.parts`."""
        claim = self._claim_text(claim)
        found = [(t, self._retrieve(self._vector(t), k=k, exclude_article=exclude_article))
                 for t in [claim, *(p.text for p in self.parts(claim))]]
        return self._judged(found, claim_source=claim_source)

    def _judged(self, found: Sequence[tuple[str, Sequence[Hit]]], *, claim_source: str | None,
                claim_passage: Passage | None = None) -> Check:
        """The check of a claim and of its parts from what retrieval found for each (the claim first), what the
        parts contradict brought into the claim's verdict (verdict.with_parts)."""
        from factcheck.verdict import check_claim, with_parts

        whole, *parts = [check_claim(t, hits, self.verifier, claim_source=claim_source, settings=self.settings,
                                     claim_passage=claim_passage, context=self._context(hits)) for t, hits in found]
        return with_parts(replace(whole, parts=tuple(parts)), on_topic=self.settings.evidence_similarity,
                          duplicate_similarity=self.settings.duplicate_similarity)

    def _context(self, hits: Sequence[Hit]) -> dict[int, str]:
        """The sentence before each hit, for the verifier to read a passage that points back with it."""
        return self.store.preceding([h.passage_id for h in hits]) if self.settings.verify_reads_context else {}

    def verify(self, claims: Sequence[str], evidence: Sequence[str]) -> list[Judgement]:
        """(claim, evidence passage) pairs → a judgement each: label, probabilities, the differing details."""
        from factcheck.verify import judge_pairs

        if len(claims) != len(evidence):
            raise FactcheckError(f"{len(claims)} claims but {len(evidence)} evidence passages")
        return judge_pairs(self.verifier, claims, evidence)

    def stance(self, claims: Sequence[str], texts: Sequence[str]) -> list[ArticleStance]:
        """(claim, whole article) pairs → each claim's stance towards its article (factcheck.stance.stance_many,
        differing details folded in by factcheck.mismatch.adjust_pair). Articles are not stored: they are
        encoded outside the store's cache, each distinct text once for the life of this facade (a memo bounded
        in size), so a body repeated across calls (`factcheck stance` streams its input) is encoded once."""
        from factcheck.embed import CachedEncoder, MemoryCache
        from factcheck.mismatch import adjust_pair
        from factcheck.stance import stance_many

        if len(claims) != len(texts):
            raise FactcheckError(f"{len(claims)} claims but {len(texts)} articles")
        sh = self._shared
        model = self.stance_model  # loaded first: a missing model is reported before any text is encoded
        with sh.loading:
            if sh.memo is None:
                sh.memo = CachedEncoder(MemoryCache(), self._plain_encoder())
        return stance_many(list(zip(claims, texts, strict=True)), sh.memo, model,
                           triage_similarity=self.settings.triage_similarity,
                           on_topic_similarity=self.settings.on_topic_similarity, adjust=adjust_pair)

    def checkworthiness(self, texts: Sequence[str]) -> np.ndarray:
        """Check-worthiness in [0, 1] of sentences that are not stored (`factcheck checkworthy`): the scorer
        ingest uses, with the encoder outside the store's embedding cache."""
        if self._shared.scorer is not None:
            return self._shared.scorer(texts)
        from factcheck import claims

        return claims.score(texts, encoder=self._plain_encoder())

    def compare(self, *, sources: Sequence[str] | None = None, story: int | None = None,
                progress: Progress | None = None) -> Consistency:
        """Every claim of the chosen sources checked against the others: agreement, matrix, verdicts. `story`: its
        articles' claims only, checked against its articles' passages only. Checks come from the stored analysis
        (factcheck.analysis) where still current; only the others are checked again, and stored."""
        from factcheck.analysis import narrowed
        from factcheck.consistency import build_consistency

        if story is not None:  # a story's sources, without counting every source's claims (Factcheck.sources)
            found = set(self.story(story).sources)
            chosen = found & set(sources) if sources else found
        else:
            chosen = set(sources) if sources else {s.name for s in self.sources()}
        checks, _ = self._analysed(story, lambda c: c.source in chosen, progress)
        return build_consistency([narrowed(c, chosen, self.settings) for c in checks], sources=sorted(chosen))

    def analyse(self, *, story: int | None = None, progress: Progress | None = None) -> Refresh:
        """Bring the stored analysis of every claim (of one story's articles, when given) up to date: what compare
        would check again, checked now. Returns how many claims were current and how many were checked again."""
        return self._analysed(story, lambda c: True, progress)[1]

    def analyse_stories(self, progress: Progress | None = None) -> dict[int, Refresh]:
        """Bring the stored analysis of every story up to date, as analyse(story=) on each would: each story's
        claims against its own articles. One pass: the stories and the fingerprint are read once, and each
        story's test reads that story's rows only, so a store where one story changed costs that story's checks
        again and a look at each other story's own rows. Returns each story's Refresh, by story id; `progress`
        counts stories."""
        stories = self.stories()
        fp = self._fingerprint()
        out: dict[int, Refresh] = {}
        for i, s in enumerate(stories):
            if progress:
                progress(i, len(stories), "bringing stories up to date")
            out[s.id] = self._analysed(s.id, lambda c: True, None, articles=frozenset(s.articles), fp=fp)[1]
        if progress:
            progress(len(stories), len(stories), "bringing stories up to date")
        return out

    def _fingerprint(self) -> str:
        """What a stored check must have been computed with (analysis.fingerprint), for this facade's models."""
        from factcheck import analysis

        sh = self._shared
        return analysis.fingerprint(self.settings, verifier=sh.verifier, encoder_name=sh.encoder.name
                                    if sh.encoder is not None else _default_encoder_name())

    def _analysed(self, story: int | None, wanted: Callable[[Passage], bool], progress: Progress | None, *,
                  articles: frozenset[int] | None = None, fp: str | None = None) -> tuple[list[Check], Refresh]:
        """The checks of the scope's claims that `wanted` keeps, in claim order: stored ones still current, the
        others checked against every other source of the scope and stored (in batches: an interrupted run
        keeps what it did). `articles` (the story's) and `fp` (the fingerprint): read here unless given."""
        from factcheck import analysis

        if story is not None and articles is None:
            articles = frozenset(self.story(story).articles)
        # a story's claims read without the rest of the store's
        claims = [c for c in self.store.claims(self.settings.claim_threshold, articles=articles) if wanted(c)]
        scope = analysis.scope_of(story)
        sh = self._shared
        fp = fp or self._fingerprint()
        done = analysis.current(self.store, claims, analysis.read(self.store, scope), fingerprint=fp,
                                articles=articles, encode=lambda texts: self.encoder.encode(list(texts)),
                                k=self.settings.top_k, min_similarity=self.settings.min_similarity)
        todo = [c for c in claims if c.id not in done]
        # the bar starts at the claims already up to date ("40/50": 40 of 50 read from the store, 10 to check)
        reused = len(claims) - len(todo)
        if progress:
            progress(reused, len(claims), "checking claims")
        if todo:
            index = self._fresh_index(progress)
            ids = index.ids()
            seen = int(ids.max()) if len(ids) else 0  # ids only grow: what the index lacks comes after this one
            batch: list[tuple[int, str, str, str]] = []
            for i, c in enumerate(todo):
                # the sentence, then each checkable part of a compound one (factcheck.parts), each on its own
                found = [(t, self.search(t, exclude_article=c.article_id, exclude_source=c.source, articles=articles))
                         for t in [c.text, *(p.text for p in self.parts(c.text))]]
                check = self._judged(found, claim_source=c.source, claim_passage=c)
                done[c.id] = check
                hits = [h for _, h in found]
                batch.append((c.id, fp, analysis.encode_hits(hits[0], seen=seen, articles=articles, parts=hits[1:]),
                              analysis.encode_check(check)))
                if len(batch) >= 50 or i == len(todo) - 1:
                    # remembered only from an index that had caught up with the store: one that skipped a sync
                    # (another writer held the lock) may have given a source fewer hits than it has, a check
                    # the staleness test could not tell from a current one. A read-only store is compared,
                    # just not remembered.
                    if not self.store.read_only and sh.version == self.store.passages_version():
                        self.store.put_checks(scope, batch)
                    batch = []
                if progress:
                    progress(reused + i + 1, len(claims), "checking claims")
        return [done[c.id] for c in claims], analysis.Refresh(len(claims), reused, len(todo))

    def timeline(self, *, story: int | None = None, consistency: Consistency | None = None,
                 progress: Progress | None = None) -> Timeline:
        """When each outlet first carried each claim and how its wording drifted (factcheck.timeline): of
        `consistency` when given (a comparison already made), else of `compare(story=story)`."""
        from factcheck import timeline

        found = self.story(story) if story is not None else None
        if consistency is None:
            consistency = self.compare(story=story, progress=progress)
        wanted = {c.claim_article_id for c in consistency.checks} | {e.article_id for c in consistency.checks
                                                                       for e in c.evidence}
        articles = [a for a in map(self.store.article, sorted(i for i in wanted if i is not None)) if a is not None]
        return timeline.build(consistency.checks, articles, story_id=story,
                              name=found.name if found is not None else "All stories")

    # --- stories (factcheck.stories groups them on ingest; the user edits) ----------------------
    def stories(self) -> list[Story]:
        return self.store.stories()

    def story(self, story_id: int) -> Story:
        """One story, or a FactcheckError naming the known ones."""
        found = self.store.story(story_id)
        if found is None:
            known = ", ".join(str(s.id) for s in self.store.stories()[:20]) or "none yet"
            raise FactcheckError(f"No story {story_id} in the store; known stories: {known} "
                                 "(`factcheck stories` lists them).")
        return found

    def regroup(self) -> list[Story]:
        """Group every article again; articles the user moved and stories the user edited stay as they are."""
        from factcheck import stories

        with self._shared.writer:
            stories.regroup_store(self.store, self.encoder)
        return self.stories()

    def rename_story(self, story_id: int, name: str) -> Story:
        name = " ".join(name.split())
        if not name:
            raise FactcheckError("A story's name cannot be empty: give a few words.")
        if len(name) > MAX_STORY_NAME:
            raise FactcheckError(f"A story's name is at most {MAX_STORY_NAME} characters; this one is {len(name)}.")
        self.story(story_id)
        self.store.rename_story(story_id, name)
        return self.story(story_id)

    def merge_stories(self, story_ids: Sequence[int]) -> Story:
        """The articles of every story into the first one (kept whole by later regroups)."""
        ids = list(dict.fromkeys(story_ids))
        if len(ids) < 2:
            raise FactcheckError("Merging needs two or more different stories.")
        for i in ids:
            self.story(i)
        with self._shared.writer:
            self.store.merge_stories(ids[0], ids[1:])
        return self.story(ids[0])

    def move_article(self, article_id: int, story_id: int) -> Story:
        """Put an article in another story, pinned there: a regroup leaves it."""
        if self.store.article(article_id) is None:
            raise FactcheckError(f"No article {article_id} in the store (`factcheck stories --json` lists each "
                                 "story's articles).")
        self.story(story_id)
        with self._shared.writer:
            self.store.move_articles([article_id], story_id)
        return self.story(story_id)

    def split_story(self, story_id: int, article_ids: Sequence[int], name: str | None = None) -> Story:
        """Some of a story's articles into a new story of their own (named after its earliest, unless `name`)."""
        from factcheck import stories

        found = self.story(story_id)
        moving = list(dict.fromkeys(article_ids))
        outside = [a for a in moving if a not in found.articles]
        if outside or not moving or len(moving) == len(found.articles):
            held = ", ".join(map(str, found.articles))
            raise FactcheckError(f"Split off some, not all, of story {story_id}'s articles ({held})"
                                 + (f"; not in it: {', '.join(map(str, outside))}" if outside else "") + ".")
        heads = [h for h in self.store.article_heads() if h.id in moving]
        first = min(heads, key=lambda h: (stories.day_of(h.date) or 10**9, h.id))
        with self._shared.writer:
            new = self.store.move_articles(moving, None, name=" ".join((name or "").split())
                                           or stories.default_name(first.title, first.lede))
        return self.story(new)

    # --- published fact-checks and outlet profiles --------------------------------------------
    def ingest_factchecks(self, path_or_url: str | Path) -> FactcheckImport:
        """Import published fact-checks (ClaimReview in HTML pages' JSON-LD, a Fact Check Tools style JSON feed,
        a schema.org DataFeed, CSV) from a file, a folder or an http(s) URL; one already stored is not added
        again. An input that cannot be read at all raises IngestError; records without a claim or a rating are
        skipped and counted by reason."""
        from factcheck import factchecks

        return self._store_reviews(factchecks.read(str(path_or_url), self.settings))

    def ingest_factcheck_bytes(self, name: str, data: bytes) -> FactcheckImport:
        """Import published fact-checks from one uploaded file's bytes (the dashboard's upload), as
        `ingest_factchecks` does from a path: the format from the name's suffix, else from the bytes."""
        from factcheck import factchecks
        from factcheck.ingest import corpus

        # the name as people can read it (odd bytes as \xNN, no control characters), as ingest_bytes shows it
        return self._store_reviews(factchecks.read_bytes(corpus.shown(name), data, self.settings))

    def _store_reviews(self, found: Read) -> FactcheckImport:
        from factcheck import factchecks
        from factcheck.records import FactcheckImport

        unique = list({factchecks.key(d): d for d in found.drafts}.items())
        added = self.store.add_reviews([d for _, d in unique], [k for k, _ in unique]) if unique else 0
        return FactcheckImport(origin=found.origin, read=len(found.drafts), added=added,
                               already=len(found.drafts) - added, skipped=tuple(sorted(found.skipped.items())))

    def factchecks(self) -> list[Review]:
        return self.store.reviews()

    def factchecks_version(self) -> tuple[int, int]:
        """Changes whenever a fact-check is imported (Store.reviews_version): what a kept match is keyed by."""
        return self.store.reviews_version()

    def published_checks(self, claim: str, *, k: int | None = None, min_similarity: float | None = None,
                         nei_similarity: float | None = None) -> list[PublishedCheck]:
        """The stored fact-checks closest to a claim (at most k), each with how the verifier matched it: shown
        beside a verdict, never folded into it. k and the similarities default to the settings' published_k,
        published_similarity and published_nei_similarity (see factchecks.match)."""
        from factcheck import factchecks

        claim = self._claim_text(claim)
        version = self.store.reviews_version()
        if not version[0]:
            return []
        enc = self.encoder
        sh = self._shared
        kept = sh.reviews
        if kept is None or kept[0] != version or kept[1] != enc.name:
            reviews = self.store.reviews()
            kept = sh.reviews = (version, enc.name, reviews, enc.encode([r.claim for r in reviews]))
        return factchecks.match(
            claim, self._vector(claim), kept[2], kept[3], self.verifier, pool=self.settings.published_pool,
            k=self.settings.published_k if k is None else k,
            min_similarity=self.settings.published_similarity if min_similarity is None else min_similarity,
            nei_similarity=self.settings.published_nei_similarity if nei_similarity is None else nei_similarity)

    def profiles(self) -> list[SourceProfile]:
        return self.store.profiles()

    def set_profile(self, name: str, **fields: str | None) -> SourceProfile:
        """Record (or replace) what the user knows of an outlet; checked as profiles.make checks it."""
        from factcheck import profiles

        profile = profiles.make(name, **fields)
        self.store.set_profiles([profile])
        return profile

    def remove_profile(self, name: str) -> bool:
        return self.store.remove_profile(name)

    def import_profiles(self, path: str | Path) -> ProfileImport:
        """Outlet profiles from a CSV (name,country,owner,rating,rating_source,notes): the rows that pass the
        checks are stored, replacing the columns the file gives of profiles of the same name (a file of names and
        countries keeps the ratings and notes already stored); the others are listed in `refused`."""
        from factcheck import profiles

        found = profiles.read_csv(path, self.settings)
        if found.profiles:
            stored = {p.name: p for p in self.store.profiles()}
            absent = [c for c in profiles.COLUMNS if c not in found.columns]
            self.store.set_profiles([replace(p, **{c: getattr(stored[p.name], c) for c in absent})
                                     if p.name in stored else p for p in found.profiles])
        return found

    def doctor(self) -> list[str]:
        """Integrity report: SQLite integrity_check, then the index as found (before any sync, or there
        would be nothing to find) against the stored passages, rebuilt when they differ. A damaged
        database leaves the index as it is: it may be all that is left of the passages."""
        import numpy as np

        ok = self.store.integrity_check()
        notes = [f"database: {ok}"]
        if ok != "ok":
            notes.append("index: left as it is, since the database is damaged: restore the database from a backup")
            return notes
        sh = self._shared
        with sh.writer:
            version = self.store.passages_version()  # read first: a commit after it is caught next time
            want = np.asarray(self.store.passage_ids(), dtype=np.int64)
            idx, opened = sh.index, sh.index is None
            if idx is None:
                idx = self._open_index()
            had = len(idx)  # before a reindex closes it
            if np.array_equal(np.sort(idx.ids()), want):
                sh.index, sh.version = idx, version
                notes.append(f"index: {had} vectors = {len(want)} passages")
            elif self.store.read_only:
                notes.append(f"index: had {had} vectors for {len(want)} passages; not rebuilt: the store "
                             "is read-only")
            else:
                n = self.reindex()
                others = ", other ones" if had == len(want) else ""
                notes.append(f"index: had {had} vectors for {len(want)} passages{others}; rebuilt ({n})")
            if opened and idx is not sh.index:  # opened here and not kept: let go of its files or connection
                idx.close()
        return notes


def _default_encoder_name() -> str:
    from factcheck.embed import MODEL_NAME

    return MODEL_NAME

