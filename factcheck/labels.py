"""Typed labels: what a verifier says of one (claim, evidence) pair.

`Verification` is a ``StrEnum``: members compare equal to their values ("supports", "conflicts", "nei"),
so JSON, CSV and the model's config read and write plain strings.
"""
from __future__ import annotations

from enum import StrEnum


class Verification(StrEnum):
    SUPPORTS = "supports"  # the passage states the claim: every checkable detail present and consistent
    CONFLICTS = "conflicts"  # it states something incompatible: another number, date, name, outcome, or the negation
    NEI = "nei"  # on topic but does not settle it, or off topic


VERIFICATIONS: tuple[Verification, ...] = tuple(Verification)
