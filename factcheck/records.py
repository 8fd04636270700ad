"""The records factcheck stores and returns: frozen dataclasses, no behaviour."""
from __future__ import annotations

from dataclasses import dataclass, field

from factcheck.labels import IngestStatus, PassageKind, Verification


@dataclass(frozen=True)
class PassageDraft:
    """A sentence of an article before it is stored; offsets index the article's text."""

    kind: PassageKind
    start: int
    end: int
    text: str
    score: float = 0.0  # check-worthiness in [0, 1]; comments keep 0


@dataclass(frozen=True)
class ArticleDraft:
    """An article as ingestion produced it, before the store assigns ids."""

    source: str
    text: str  # the text as ingested; every passage offset points into it
    title: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known
    url: str | None = None
    author: str | None = None
    origin: str = ""  # file path, URL or "paste": where it came from
    passages: tuple[PassageDraft, ...] = field(default=())


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    articles: int
    claims: int


@dataclass(frozen=True)
class Article:
    id: int
    source: str
    text: str
    title: str | None
    date: str | None
    url: str | None
    author: str | None
    origin: str
    added: str


@dataclass(frozen=True)
class Passage:
    id: int
    article_id: int
    source: str
    kind: PassageKind
    seq: int
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class IngestResult:
    """What one input became: added, skipped (duplicate) or refused, with a reason a person can act on."""

    origin: str
    status: IngestStatus
    reason: str = ""
    article_id: int | None = None
    title: str | None = None
    source: str | None = None
    claims: int = 0


@dataclass(frozen=True)
class ReviewDraft:
    """A published fact-check (schema.org ClaimReview) as read from a page, a feed or a CSV, before it is stored."""

    claim: str  # the claim reviewed, one line
    rating: str  # the publisher's textual rating ("False", "Misleading", …): theirs, never adopted as a verdict
    publisher: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known
    url: str | None = None  # the review's page; http(s) only
    claimant: str | None = None  # who made the claim, when the review says
    origin: str = ""  # the file or URL it was read from


@dataclass(frozen=True)
class Review:
    """A stored published fact-check."""

    id: int
    claim: str
    rating: str | None
    publisher: str | None
    date: str | None
    url: str | None
    claimant: str | None
    origin: str
    added: str


@dataclass(frozen=True)
class PublishedCheck:
    """A stored fact-check matched to a checked claim: shown beside the verdict, never folded into it. `match` is
    what the verifier read of the review's claim against the checked one: supports = the same claim, conflicts =
    its opposite, nei = another claim on the subject (kept only when the wording is close)."""

    review: Review
    similarity: float  # cosine of the two claims' sentence vectors
    match: Verification
    p_match: float  # the verifier's probability of `match`, after the detail rule


@dataclass(frozen=True)
class FactcheckImport:
    """What one import of fact-checks did: records read, newly stored, already stored, and those skipped, with
    the reason and how many for each."""

    origin: str
    read: int
    added: int
    already: int
    skipped: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class SourceProfile:
    """What the user records about an outlet, by source name. Nothing here is shipped as fact: a rating is the
    user's, or the named `rating_source`'s."""

    name: str
    country: str | None = None
    owner: str | None = None
    rating: str | None = None
    rating_source: str | None = None  # where the rating comes from: required with a rating
    notes: str | None = None
    updated: str = ""


@dataclass(frozen=True)
class ProfileImport:
    """What one CSV of outlet profiles gave: the profiles that passed the checks, and each row refused, with its
    line and reason."""

    origin: str
    profiles: tuple[SourceProfile, ...]
    refused: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # the columns the file gave: an import keeps what is stored in the others


@dataclass(frozen=True)
class Story:
    """Articles on one event (factcheck.stories groups them on ingest; the user may rename, merge, split, move).
    `name` is the user's once `edited`, else its earliest article's title, shortened."""

    id: int
    name: str
    articles: tuple[int, ...]
    sources: tuple[str, ...]
    first: str | None  # the earliest and latest of its articles' dates, when known
    last: str | None
    edited: bool = False


@dataclass(frozen=True)
class ArticleHead:
    """What grouping reads of a stored article: its title, first body sentence, date, story (if any) and text."""

    id: int
    source: str
    title: str | None
    date: str | None
    lede: str
    story_id: int | None = None
    pinned: bool = False
    text: str = ""  # the start of its text as stored (Store.article_heads reads as much as it is asked)
