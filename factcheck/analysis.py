"""The stored analysis: every claim's check kept with what it depended on, so the Compare and Consistency pages
read results instead of re-checking every claim each session.

A stored check is keyed by (claim passage id, scope), scope "all" or "story:<id>" (`scope_of`), and holds the
Check as JSON (`encode_check` / `decode_check`: plain JSON, never pickle), the passages retrieval returned (id,
source, article, cosine), the highest passage id the index held then (`seen`), a story's articles then, and a
`fingerprint` of everything else a check reads: the verifier's files, the encoder's name, the Settings fields of
retrieval and of the verdict rules, and the source of the modules that make the rules.

A stored check is reused (`current`) when its fingerprint matches and its neighbourhood is unchanged:
(a) every passage it saw still exists (and, for a story, still belongs to it), and (b) no passage added since
(an id above `seen`, or an article that joined the story) would enter its per-source top k: its cosine to the
claim stays below that source's k-th stored cosine, or below min_similarity where the source gave fewer than k.
Retrieval is exact up to IVF's approximation (indexes past 40k vectors), so (b) is the test retrieval itself
would make. A check is stored against every other source in its scope; a Consistency of fewer sources narrows it
(`narrowed`): the dropped sources' evidence goes, duplicates are marked again and the verdict decided again,
which is what checking the narrowed hits gives, since each passage is judged on its own.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from factcheck.labels import MismatchKind, Verification
from factcheck.mismatch import Mismatch
from factcheck.settings import Settings
from factcheck.verdict import Check, Evidence, HitLike, Verdict, decide, mark_duplicates, with_parts

if TYPE_CHECKING:
    from factcheck.records import Passage
    from factcheck.store import Store

SCOPE_ALL = "all"
CODEC = 1  # the JSON layout of a stored check: part of the fingerprint
# the Settings fields a check reads: retrieval (top_k, min_similarity) and the verdict rules (verdict.check_claim)
CHECK_SETTINGS = ("top_k", "min_similarity", "evidence_similarity", "conflict_similarity", "verify_supports_at",
                  "verify_conflicts_at", "verify_bare_conflicts_at", "same_event_similarity",
                  "verify_reads_context", "duplicate_similarity", "check_parts")
# the modules whose code makes a verdict: a change to one (a new rule) makes every stored check stale
RULE_MODULES = ("verdict.py", "verify.py", "mismatch.py", "attribution.py", "retrieve.py", "labels.py", "analysis.py",
                "parts.py")
# a cosine computed here (texts embedded in a batch) and the one retrieval computed (the claim embedded alone) may
# differ: by the last float32 bits, or by ~1e-3 where the sentence model runs in bfloat16 (a vector moves with its
# batch's shape; bench/precision.py). Lean towards re-checking: a passage within EPS of a source's k-th hit counts
EPS = 5e-3
Encode = Callable[[Sequence[str]], np.ndarray]


def scope_of(story: int | None) -> str:
    return SCOPE_ALL if story is None else f"story:{story}"


# --- what a check depended on ---------------------------------------------------------------------
def _files(path: Path) -> list[tuple[str, int, int]]:
    try:
        return sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in path.iterdir() if f.is_file())
    except OSError:
        return []


def verifier_identity(verifier: object) -> str:
    """The packaged (or a given) verifier by its files' names, sizes and times, without loading it; any other
    verifier (a fake in tests) by its class and its `version` attribute, if it has one."""
    from factcheck.verify import DEFAULT_MODEL_DIR

    path = getattr(verifier, "path", None) if verifier is not None else DEFAULT_MODEL_DIR
    if isinstance(path, Path):
        return json.dumps([str(path.resolve()), _files(path)])
    kind = type(verifier)
    return f"{kind.__module__}.{kind.__qualname__}:{getattr(verifier, 'version', '')}"


def _runtime(verifier: object) -> dict[str, object]:
    """What this machine changes in a verdict without a file changing: bf16 or fp32 arithmetic (the verifier's, the
    sentence model's), and whether names (factcheck.mismatch) and a compound claim's parts (factcheck.parts) come
    from spaCy's model or the regex fallback, with spaCy's version and the model package's (a new model reads other
    names and parts), told without loading it."""
    import importlib.metadata
    import importlib.util

    from factcheck import mismatch
    from factcheck.embed import uses_bf16 as embed_bf16
    from factcheck.verify import uses_bf16

    try:
        ner = (f"{importlib.metadata.version('spacy')}/{importlib.metadata.version(mismatch.NER_MODEL)}"
               if importlib.util.find_spec(mismatch.NER_MODEL) else None)
    except (importlib.metadata.PackageNotFoundError, ValueError, ImportError):
        ner = None
    return {"bf16": getattr(verifier, "bf16", None) if verifier is not None else uses_bf16(),
            "embed_bf16": embed_bf16(), "ner": ner}


_RULES: str | None = None


def _rules_hash() -> str:
    global _RULES  # noqa: PLW0603 - the modules' source does not change while the process runs
    if _RULES is None:
        here = Path(__file__).resolve().parent
        h = hashlib.sha256()
        for name in RULE_MODULES:
            try:
                h.update((here / name).read_bytes())
            except OSError:
                h.update(name.encode())
        _RULES = h.hexdigest()
    return _RULES


def fingerprint(settings: Settings, *, verifier: object, encoder_name: str) -> str:
    """What a stored check must have been computed with to be reused (besides its neighbourhood)."""
    parts = {"codec": CODEC, "verifier": verifier_identity(verifier), "encoder": encoder_name,
             "rules": _rules_hash(), "settings": {f: getattr(settings, f) for f in CHECK_SETTINGS},
             "runtime": _runtime(verifier)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


# --- the JSON of a Check -----------------------------------------------------------------------------
def encode_check(check: Check) -> str:
    return json.dumps(dataclasses.asdict(check), ensure_ascii=False, separators=(",", ":"))


def _tuples(x: Any) -> Any:
    """JSON arrays back to the tuples the frozen dataclasses hold."""
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


def _mismatch(d: dict[str, Any]) -> Mismatch:
    f = {k: _tuples(v) for k, v in d.items()}
    f["kind"] = MismatchKind(d["kind"])  # another kind (a newer or damaged row) is a ValueError: checked again
    return Mismatch(**f)


def _evidence(d: dict[str, Any]) -> Evidence:
    f = {k: _tuples(v) for k, v in d.items() if k not in ("mismatches", "blocked_by")}
    f["label"] = Verification(d["label"])
    return Evidence(**f, mismatches=tuple(_mismatch(m) for m in d["mismatches"]),
                    blocked_by=_mismatch(d["blocked_by"]) if d.get("blocked_by") else None)


def decode_check(text: str) -> Check:
    """A Check from encode_check's JSON; raises ValueError (or KeyError, TypeError, AttributeError) on anything
    else."""
    return _check(json.loads(text))


def _check(d: dict[str, Any]) -> Check:
    verdict = Verdict(**{k: _tuples(v) for k, v in d["verdict"].items()})
    return Check(claim=d["claim"], claim_source=d["claim_source"], verdict=verdict,
                 evidence=tuple(_evidence(e) for e in d["evidence"]),
                 claim_passage_id=d.get("claim_passage_id"), claim_article_id=d.get("claim_article_id"),
                 parts=tuple(_check(p) for p in d.get("parts", ())))


# --- stored checks ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredHit:
    passage_id: int
    source: str
    article_id: int
    score: float


@dataclass(frozen=True)
class Stored:
    passage_id: int  # the claim
    fingerprint: str
    hits: tuple[StoredHit, ...]  # what retrieval returned, every other source of the scope
    seen: int  # the highest passage id the index held when it was computed
    articles: frozenset[int] | None  # a story's articles then; None for scope "all"
    check: Check
    part_hits: tuple[tuple[StoredHit, ...], ...] = ()  # what retrieval returned for each of check.parts

    def probes(self, claim: str) -> list[tuple[str, tuple[StoredHit, ...]]]:
        """Each text retrieval ran for, with what it returned: the claim, then each of its parts."""
        return [(claim, self.hits), *((p.claim, h) for p, h in zip(self.check.parts, self.part_hits, strict=False))]


@dataclass(frozen=True)
class Refresh:
    """What bringing a scope's analysis up to date did."""

    claims: int
    reused: int
    rechecked: int


def encode_hits(hits: Iterable[HitLike], *, seen: int, articles: frozenset[int] | None,
                parts: Sequence[Iterable[HitLike]] = ()) -> str:
    """What retrieval returned for a claim (`hits`) and for each of its checked parts (`parts`, in order)."""
    def rows(found: Iterable[HitLike]) -> list[list[object]]:
        return [[h.passage_id, h.source, h.article_id, float(h.score)] for h in found]

    out: dict[str, object] = {"seen": seen, "articles": sorted(articles) if articles is not None else None,
                              "hits": rows(hits)}
    if parts:
        out["parts"] = [rows(p) for p in parts]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _hits(rows: Iterable[Sequence[Any]]) -> tuple[StoredHit, ...]:
    return tuple(StoredHit(int(i), str(s), int(a), float(c)) for i, s, a, c in rows)


def read(store: Store, scope: str) -> dict[int, Stored]:
    """The stored checks of a scope by claim passage id; a row that cannot be read is left out (re-checked)."""
    out: dict[int, Stored] = {}
    for pid, fp, hits_json, result in store.checks(scope):
        try:
            h = json.loads(hits_json)
            arts = h["articles"]
            check = decode_check(result)
            part_hits = tuple(_hits(p) for p in h.get("parts", ()))
            if len(part_hits) != len(check.parts):
                continue
            out[pid] = Stored(pid, fp, _hits(h["hits"]), int(h["seen"]),
                              frozenset(int(a) for a in arts) if arts is not None else None, check, part_hits)
        except (ValueError, KeyError, TypeError, AttributeError):
            # damaged or from another layout ("verdict": [] has no .items()): computed again, never a crash
            continue
    return out


def current(store: Store, claims: Sequence[Passage], stored: dict[int, Stored], *, fingerprint: str,
            articles: frozenset[int] | None, encode: Encode, k: int, min_similarity: float) -> dict[int, Check]:
    """The stored checks of `claims` that are still what checking them again would give (see the module's
    docstring), by claim passage id. `encode` gives unit vectors (the facade's cached encoder); it is called only
    when passages were added since some check was computed. A story's test reads the story's passages only, so
    bringing every story up to date costs what the stories hold, not the store's size once per story."""
    candidates = [(c, s) for c in claims if (s := stored.get(c.id)) is not None and s.fingerprint == fingerprint]
    if not candidates:
        return {}
    # the passages a check may have seen and may see now: the store's, or those of the story's articles now
    held: list[Passage] = [] if articles is None else store.passages(articles=articles)
    present = set(store.passage_ids()) if articles is None else {p.id for p in held}
    # (a) every passage it saw still exists and, for a story, still belongs to it (passages go only with their
    # article: one of the story's articles now holds each passage it saw, or one of them left or went)
    candidates = [(c, s) for c, s in candidates
                  if all(h.passage_id in present for _, hits in s.probes(c.text) for h in hits)]
    if not candidates:
        return {}
    since = min(s.seen for _, s in candidates)
    added: list[Passage]
    if articles is None:
        added = store.passages_after(since)
    else:  # new to the story: added to the index since, or of an article that joined the story after some check
        joined = set().union(*(articles - s.articles for _, s in candidates if s.articles is not None))
        added = [p for p in held if p.id > since or p.article_id in joined]
    ok = {c.id: s.check for c, s in candidates}
    if not added:
        return ok
    # each text retrieval ran for (a claim, and each of its checked parts) with the claim it belongs to
    probes = [(c, s, hits, text) for c, s in candidates for text, hits in s.probes(c.text)]
    probe_vecs = encode([text for *_, text in probes])
    added_vecs = encode([p.text for p in added])
    for lo in range(0, len(probes), 1024):  # bounded memory: 1,024 texts × the added passages at a time
        sims = probe_vecs[lo:lo + 1024] @ added_vecs.T
        for row, (c, s, hits, _) in enumerate(probes[lo:lo + 1024]):
            near = np.flatnonzero(sims[row] >= min_similarity - EPS)
            if c.id in ok and near.size and _enters(c, s, hits, [added[j] for j in near], sims[row, near], articles,
                                                    k, min_similarity):
                del ok[c.id]  # (b) an added passage would be among its hits, or a part's
    return ok


def _enters(claim: Passage, s: Stored, hits: Sequence[StoredHit], added: Sequence[Passage], sims: np.ndarray,
            articles: frozenset[int] | None, k: int, min_similarity: float) -> bool:
    """Would one of these added passages (each at its cosine to the text retrieval ran for) enter that text's
    per-source top k (`hits`: what retrieval returned for it)?"""
    by_source: dict[str, list[float]] = {}
    for h in hits:
        by_source.setdefault(h.source, []).append(h.score)
    for p, sim in zip(added, sims.tolist(), strict=True):
        new = p.id > s.seen or (articles is not None and s.articles is not None and p.article_id not in s.articles)
        if not new or p.source == claim.source or p.article_id == claim.article_id:
            continue
        got = sorted(by_source.get(p.source, ()), reverse=True)
        bar = got[k - 1] if len(got) >= k else min_similarity
        if sim >= bar - EPS:
            return True
    return False


def narrowed(check: Check, sources: Iterable[str], settings: Settings) -> Check:
    """A check stored against every other source, as checking it against `sources` only gives: their evidence,
    duplicates marked again among it, the verdict decided again (a compound claim's parts too, and what they
    contradict brought into the sentence's verdict again: verdict.with_parts)."""
    keep = set(sources)
    if check.parts:
        check = replace(check, parts=tuple(narrowed(p, keep, settings) for p in check.parts))
    if not all(e.source in keep for e in check.evidence):
        ev = [replace(e, duplicate_of=None) for e in check.evidence if e.source in keep]
        ev = mark_duplicates(ev, claim=check.claim, claim_source=check.claim_source,
                             duplicate_similarity=settings.duplicate_similarity)
        check = replace(check, evidence=tuple(ev), verdict=decide(ev, claim_source=check.claim_source,
                                                                   claim=check.claim,
                                                                   on_topic=settings.evidence_similarity))
    return with_parts(check, on_topic=settings.evidence_similarity,
                      duplicate_similarity=settings.duplicate_similarity) if check.parts else check
