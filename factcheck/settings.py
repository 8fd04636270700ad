"""One Settings object, built at the edge (env, CLI flags, sidebar) and passed in.

What it holds: every value a user may tune (the store folder; the claim threshold; retrieval's k and
similarity floor; the stance, evidence and verifier thresholds; the near-duplicate cut-off; how published
fact-checks are matched; the size, time and redirect limits on inputs and URLs; the vector backend and its
server) and its default. A function of the core that takes one of these as an argument takes its default from
here (`DEFAULTS`), so the two cannot disagree, or has none, or defaults to None where None switches its rule
off. Each value is checked when a Settings is made, its type and its range (`RANGES`): a bad one is a
SettingsError naming the setting.

What it does not hold: the constants of an implementation, fixed by a model, a format or a measurement and
tuned by no user: model file names, token lengths and batch sizes; regexes and word lists (factcheck.lexicon);
the rules' inner constants (verify.DETAIL_TO_CONFLICTS, mismatch's tolerances, verdict's word-overlap test for
copies); the format guards of readers (factchecks.MAX_RECORDS, profiles.MAX_ROWS); index building
(factcheck.vectors); the story-grouping models (factcheck/models/stories, scripts/train_stories.py); the dashboard's own
caps (factcheck.ui.state).
"""
from __future__ import annotations

import dataclasses
import functools
import math
import os
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, cast

from factcheck.errors import SettingsError
from factcheck.vectors.base import BACKENDS, BackendName

ENV_STORE = "FACTCHECK_STORE"
ENV_ALLOW_PRIVATE = "FACTCHECK_ALLOW_PRIVATE_URLS"
ENV_MAX_INPUT_BYTES = "FACTCHECK_MAX_INPUT_BYTES"
ENV_VECTOR_BACKEND = "FACTCHECK_VECTOR_BACKEND"
ENV_MILVUS_URI = "FACTCHECK_MILVUS_URI"
ENV_MILVUS_TOKEN = "FACTCHECK_MILVUS_TOKEN"


def default_store_dir() -> Path:
    """Per-user default: $XDG_DATA_HOME/factcheck, else ~/.local/share/factcheck."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "factcheck"


def store_dir_from_env(store: str | os.PathLike[str] | None = None) -> Path:
    """--store DIR, else $FACTCHECK_STORE, else the per-user default."""
    env_store = os.environ.get(ENV_STORE)
    return (Path(store) if store else Path(env_store) if env_store else default_store_dir()).expanduser()


def _env_bytes(name: str, default: int) -> int:
    """A size in bytes from the environment; a value that is not one is refused by name, not a traceback."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SettingsError(f"{name}={raw!r} is not a size factcheck can use; set it to a whole number of bytes "
                            f"(e.g. {name}={40 * 1024 * 1024} for 40 MB), or unset it for the default of "
                            f"{default // (1024 * 1024)} MB.")
    return value


# The range (inclusive) each number may take, by setting: a score or probability, a cosine similarity, a count or
# size of at least one
_SCORE = (0.0, 1.0)
_COSINE = (-1.0, 1.0)
_COUNT = (1, math.inf)
RANGES: dict[str, tuple[float, float]] = {
    "claim_threshold": _SCORE, "top_k": _COUNT, "min_similarity": _COSINE, "triage_similarity": _COSINE,
    "on_topic_similarity": _COSINE, "evidence_similarity": _COSINE, "conflict_similarity": _COSINE,
    "verify_supports_at": _SCORE, "verify_conflicts_at": _SCORE, "verify_bare_conflicts_at": _SCORE,
    "same_event_similarity": _COSINE, "duplicate_similarity": _COSINE, "published_k": _COUNT,
    "published_pool": _COUNT, "published_similarity": _COSINE, "published_nei_similarity": _COSINE,
    "max_input_bytes": _COUNT,
    "max_text_chars": _COUNT, "max_claim_chars": _COUNT, "url_timeout_s": (0.001, math.inf),
    "url_max_bytes": _COUNT, "url_max_redirects": (0, math.inf),
}


@dataclass(frozen=True)
class Settings:
    store_dir: Path = Path(".")
    # check-worthiness: sentences scoring at or above this are claims
    claim_threshold: float = 0.5
    # retrieval
    top_k: int = 5
    min_similarity: float = 0.3
    # stance: a pair whose best cosine is below this is "unrelated" without running the cross-encoder
    # 0.27 keeps ~99% of related FNC-1 train pairs and drops ~79% of unrelated ones (bench/stance.py tune-triage)
    triage_similarity: float = 0.27
    # and a whole article with a sentence at or above this cosine is on topic: never "unrelated". 99.5% of
    # unrelated FNC-1 train pairs fall below 0.50 (bench/stance.py tune-triage); on dev it adds 1.3 FNC points
    on_topic_similarity: float = 0.50
    # a passage less similar than this to a claim is about the story, not the claim: it can neither
    # support nor contradict it (true counterparts in the seed corpus sit at 0.55-0.80, off-claim ones below 0.4)
    evidence_similarity: float = 0.45
    # ... except that a passage contradicting the claim through a differing detail (another figure, date, outcome;
    # factcheck.verify.judge) may sit down to this cosine: it can conflict there, never support (None: no
    # exception; chosen on the suite's dev half, bench/verify.py rules)
    conflict_similarity: float | None = 0.35
    # a passage supports (conflicts with) a claim when the verifier gives that side at least this probability and
    # more than the other side, even where "not enough information" is more probable: the decision thresholds on
    # its calibrated probabilities (chosen on the dev half of bench/data/verify_suite_*: bench/verify.py rules)
    verify_supports_at: float = 0.5
    verify_conflicts_at: float = 0.4
    # a contradiction with no differing detail to show (no other figure, date, outcome or negation) needs this
    # much: the verifier alone read one outlet's restatement as a contradiction at 0.51 (None: no extra bar)
    verify_bare_conflicts_at: float | None = 0.6
    # a passage at least this close to a claim (retrieval cosine) describes the same event or quantity: another
    # figure, date or outcome in it contradicts the claim even where the verifier reads "not enough information"
    # (factcheck.verify.judge; None switches the rule off; chosen on the suite's dev half, bench/verify.py rules)
    same_event_similarity: float | None = 0.7
    # a passage that points back ("She cited …", "The 69-year-old …") is read with the sentence before it
    # (factcheck.verdict.in_context; chosen on the suite's dev half, bench/verify.py rules)
    verify_reads_context: bool = True
    # check and compare check each checkable part of a compound claim on its own as well (factcheck.parts: "A did
    # X and B did Y", "…highlighted A, B, and C"); a source contradicting a part contradicts the sentence
    # (verdict.with_parts), while support is never borrowed from a part
    check_parts: bool = True
    # near-duplicate wording (syndicated copy) is collapsed at or above this cosine
    duplicate_similarity: float = 0.95
    # published fact-checks shown beside a verdict (factcheck.factchecks.match; MiniLM cosines picked on
    # bench/factchecks.py: every paraphrase's review was at 0.69 or more, unrelated claims' closest at 0.57 or less):
    # how many are shown, how many of the closest the verifier reads, the cosine any review must reach, and the
    # higher one a review the verifier calls another claim must reach
    published_k: int = 3
    published_pool: int = 5
    published_similarity: float = 0.5
    published_nei_similarity: float = 0.65
    # ingestion limits
    max_input_bytes: int = 20 * 1024 * 1024
    max_text_chars: int = 2_000_000
    max_claim_chars: int = 2_000
    url_timeout_s: float = 10.0
    url_max_bytes: int = 10 * 1024 * 1024
    url_max_redirects: int = 5
    allow_private_urls: bool = False
    # where passage vectors live: "faiss" (files in the store folder) or "milvus" (pip install -e .[milvus])
    vector_backend: BackendName = "faiss"
    # Milvus: a server ("http://127.0.0.1:19530") or a milvus-lite file; None: milvus-lite in the store folder
    milvus_uri: str | None = None
    milvus_token: str | None = field(default=None, repr=False)  # credentials: never shown

    def __post_init__(self) -> None:
        hints = _hints()
        for f in fields(self):
            problem = _problem(f.name, getattr(self, f.name), hints[f.name], RANGES.get(f.name))
            if problem:
                shown = "(hidden)" if not f.repr else repr(getattr(self, f.name))  # credentials: never shown
                raise SettingsError(f"The setting {f.name}={shown} cannot be used: {problem}.")

    def replace(self, **changes: object) -> Settings:
        """A copy with some settings changed (the sidebar's, a CLI flag's); a name that is no setting, or a
        value a setting cannot take, is a SettingsError naming it."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise SettingsError(f"{unknown[0]!r} is not a factcheck setting; the settings are "
                                f"{', '.join(f.name for f in fields(self))}.")
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, store: str | os.PathLike[str] | None = None, **overrides: object) -> Settings:
        """The store (see store_dir_from_env), $FACTCHECK_ALLOW_PRIVATE_URLS, $FACTCHECK_MAX_INPUT_BYTES,
        $FACTCHECK_VECTOR_BACKEND, $FACTCHECK_MILVUS_URI and $FACTCHECK_MILVUS_TOKEN; a value that cannot be
        used raises SettingsError."""
        allow = os.environ.get(ENV_ALLOW_PRIVATE, "").lower() in {"1", "true", "yes"}
        max_bytes = _env_bytes(ENV_MAX_INPUT_BYTES, cls.max_input_bytes)
        backend = os.environ.get(ENV_VECTOR_BACKEND, "").strip().lower() or cls.vector_backend
        if backend not in BACKENDS:
            raise SettingsError(f"{ENV_VECTOR_BACKEND}={backend!r} is not a vector backend factcheck has; set it "
                                f"to one of {', '.join(BACKENDS)}, or unset it for the default (faiss).")
        uri = os.environ.get(ENV_MILVUS_URI, "").strip() or None
        token = os.environ.get(ENV_MILVUS_TOKEN, "").strip() or None
        s = cls(store_dir=store_dir_from_env(store), allow_private_urls=allow, max_input_bytes=max_bytes,
                vector_backend=cast(BackendName, backend), milvus_uri=uri, milvus_token=token)
        return s.replace(**overrides) if overrides else s


@functools.cache
def _hints() -> dict[str, Any]:  # annotations as runtime objects (a type, a union, a Literal)
    return typing.get_type_hints(Settings)


def _problem(name: str, value: object, hint: Any, bounds: tuple[float, float] | None) -> str | None:
    """Why `value` is no value of type `hint` within `bounds` (inclusive), or None when it is one."""
    if isinstance(hint, types.UnionType):  # X | None
        if value is None and type(None) in hint.__args__:
            return None
        (hint,) = [a for a in hint.__args__ if a is not type(None)]
    if typing.get_origin(hint) is Literal:
        choices = typing.get_args(hint)
        return None if value in choices else (f"{value!r} is not a {name.replace('_', ' ')} factcheck has; use "
                                              f"one of {', '.join(map(str, choices))}")
    if hint is bool:
        return None if isinstance(value, bool) else "use True or False"
    if hint is float or hint is int:
        whole = hint is int
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            return "use a whole number" if whole else "use a number"
        if not math.isfinite(value):
            return "use a finite number"
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            lo, hi = bounds
            return f"use {lo:g} or more" if hi == math.inf else f"use a number from {lo:g} to {hi:g}"
        return None
    return None if isinstance(value, hint) else f"use a {hint.__name__}"


DEFAULTS = Settings()
"""Every default, for the functions of the core whose arguments are settings."""
