"""One Settings object, built at the edge (env, CLI flags, sidebar) and passed in.

Every default and threshold lives here, nowhere else.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

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
    # near-duplicate wording (syndicated copy) is collapsed at or above this cosine
    duplicate_similarity: float = 0.95
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
        return replace(s, **overrides) if overrides else s  # type: ignore[arg-type]
