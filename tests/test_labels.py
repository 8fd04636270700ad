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
