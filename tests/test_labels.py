"""factcheck.labels: the verifier's three labels, as strings everywhere they are written."""
from __future__ import annotations

import json

import pytest

from factcheck.labels import VERIFICATIONS, Verification


def test_order_is_the_models_output_order():
    # the verifier's columns, the report's p_* columns and scores_dict all rely on this order
    assert VERIFICATIONS == (Verification.SUPPORTS, Verification.CONFLICTS, Verification.NEI)
    assert [str(v) for v in VERIFICATIONS] == ["supports", "conflicts", "nei"]


def test_members_are_their_strings():
    assert Verification.SUPPORTS == "supports" and Verification("nei") is Verification.NEI
    assert f"{Verification.CONFLICTS}" == "conflicts"  # as reports format them
    assert json.dumps({"label": Verification.NEI}) == '{"label": "nei"}'
    assert {"supports": 1}[Verification.SUPPORTS] == 1  # usable as a key of plain-string dicts


def test_the_old_stance_labels_are_not_verifications():
    for old in ("neutral", "unrelated", "discuss"):
        with pytest.raises(ValueError):
            Verification(old)


def test_probabilities_are_named_and_written_as_the_tuple_was():
    from factcheck.labels import Probabilities

    p = Probabilities.of_row([0.7, 0.2, 0.1])
    assert (p.supports, p.conflicts, p.nei) == (0.7, 0.2, 0.1) and p == (0.7, 0.2, 0.1)
    assert p.of(Verification.CONFLICTS) == 0.2 and p.of("nei") == 0.1
    assert json.dumps(p) == "[0.7, 0.2, 0.1]"  # stored checks and exports keep their arrays


def test_every_label_family_is_its_strings():
    from factcheck.labels import (
        INGEST_STATUSES,
        SIDES,
        SOURCE_STANCES,
        STANCES,
        VERDICTS,
        Carried,
        MismatchKind,
        PassageKind,
    )

    assert VERDICTS == ("corroborated", "contested", "mixed", "single-source", "not enough evidence")
    assert SOURCE_STANCES == ("supports", "conflicts", "neutral", "silent") and SIDES == ("supports", "conflicts")
    assert STANCES == ("supports", "conflicts", "neutral", "unrelated")  # the stance model's output order
    assert INGEST_STATUSES == ("added", "skipped", "refused")
    assert tuple(PassageKind) == ("body", "comment") and tuple(Carried) == ("own", "supports", "conflicts")
    assert set(MismatchKind) == {"number", "date", "entity", "negation", "direction", "opposite"}
