"""Typed labels: every family of labels factcheck writes, one ``StrEnum`` each, and the verifier's probabilities as
named fields.

Members compare equal to their values ("supports", "single-source", …) and format as them, so JSON, CSV, SQLite and
the models' configs read and write plain strings; a mistyped member fails mypy instead of matching nothing.
How a label is shown to people (its colour, its words) is factcheck.display's.
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple


class Verification(StrEnum):
    """What the verifier says of one (claim, passage) pair."""

    SUPPORTS = "supports"  # the passage states the claim: every checkable detail present and consistent
    CONFLICTS = "conflicts"  # it states something incompatible: another number, date, name, outcome, or the negation
    NEI = "nei"  # on topic but does not settle it, or off topic


VERIFICATIONS: tuple[Verification, ...] = tuple(Verification)


class Probabilities(NamedTuple):
    """The verifier's probabilities of one pair, a field per `Verification` (a tuple in VERIFICATIONS order, so
    it is written as the same JSON array the plain tuple was)."""

    supports: float
    conflicts: float
    nei: float

    @classmethod
    def of_row(cls, row: Iterable[float]) -> Probabilities:
        """A model's output row (columns in VERIFICATIONS order) as plain floats."""
        return cls(*(float(x) for x in row))

    def of(self, label: Verification | str) -> float:
        return float(getattr(self, Verification(label).value))


class SourceStance(StrEnum):
    """What one other source says of a claim, through its deciding passage (factcheck.verdict, rule 5)."""

    SUPPORTS = "supports"  # its deciding passage states the claim
    CONFLICTS = "conflicts"  # its deciding passage contradicts it
    NEUTRAL = "neutral"  # a counted passage is on the claim's topic, none settles it
    SILENT = "silent"  # nothing it published was retrieved or on topic


SOURCE_STANCES: tuple[SourceStance, ...] = tuple(SourceStance)
SIDES: tuple[SourceStance, ...] = (SourceStance.SUPPORTS, SourceStance.CONFLICTS)  # the stances that take a side


class VerdictLabel(StrEnum):
    """A claim's verdict from the other sources' stances (factcheck.verdict, rule 6)."""

    CORROBORATED = "corroborated"  # some independent source states it, none contradicts it
    CONTESTED = "contested"  # some contradict it, none states it
    MIXED = "mixed"  # some state it and some contradict it
    SINGLE_SOURCE = "single-source"  # only its own outlet says it
    NOT_ENOUGH_EVIDENCE = "not enough evidence"  # a pasted claim no source states or contradicts


VERDICTS: tuple[VerdictLabel, ...] = tuple(VerdictLabel)


class Carried(StrEnum):
    """How an outlet carries a claim on a timeline (factcheck.timeline) or in the claim × source chart: the claim is
    its own sentence, or its deciding passage states or contradicts it."""

    OWN = "own"
    SUPPORTS = "supports"
    CONFLICTS = "conflicts"


class Stance(StrEnum):
    """What the stance model (factcheck.stance, `factcheck stance`) says of a whole article; its output order."""

    SUPPORTS = "supports"
    CONFLICTS = "conflicts"
    NEUTRAL = "neutral"
    UNRELATED = "unrelated"


STANCES: tuple[Stance, ...] = tuple(Stance)


class StanceProbabilities(NamedTuple):
    """The stance model's probabilities of one pair, a field per `Stance` (STANCES order)."""

    supports: float
    conflicts: float
    neutral: float
    unrelated: float

    @classmethod
    def of_row(cls, row: Iterable[float]) -> StanceProbabilities:
        return cls(*(float(x) for x in row))


class PassageKind(StrEnum):
    """What part of an article a stored passage is (factcheck.ingest.clean sets the rest apart as chrome)."""

    BODY = "body"
    COMMENT = "comment"


class IngestStatus(StrEnum):
    """What one input of an ingest became (records.IngestResult)."""

    ADDED = "added"
    SKIPPED = "skipped"  # the same content is already stored
    REFUSED = "refused"  # with a reason a person can act on


INGEST_STATUSES: tuple[IngestStatus, ...] = tuple(IngestStatus)


class MismatchKind(StrEnum):
    """The detail in which a passage differs from a claim (factcheck.mismatch)."""

    NUMBER = "number"
    DATE = "date"
    ENTITY = "entity"
    NEGATION = "negation"
    DIRECTION = "direction"
    OPPOSITE = "opposite"
