import csv
import io
import json

from factcheck.consistency import build_consistency
from factcheck.labels import Verification
from factcheck.mismatch import Mismatch
from factcheck.report import CSV_FIELDS, to_csv, to_json, to_markdown
from factcheck.verdict import Check, Evidence, decide

HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) | pipe"
NUMBER = Mismatch("number", (18, 21), (17, 20), "15%", "12%")


def _checks():
    # B: the verifier read support, the differing figure made it a contradiction (verify.judge)
    e1 = Evidence(text="Homicides fell by 12%", source="B", article_id=2, passage_id=5,
                  label=Verification.CONFLICTS, scores=(0.0, 0.66, 0.34), mismatches=(NUMBER,), similarity=0.81,
                  model_scores=(0.8, 0.1, 0.1), blocked_by=NUMBER)
    # B's other passage, weaker: not the one that decides B's stance
    e0 = Evidence(text="Crime data were published on Monday, officials said", source="B", article_id=2,
                  passage_id=4, label=Verification.NEI, scores=(0.1, 0.1, 0.8), mismatches=(), similarity=0.9,
                  reported=True)
    e2 = Evidence(text=HOSTILE, source="C", article_id=3, passage_id=6, label=Verification.SUPPORTS,
                  scores=(0.7, 0.1, 0.2), mismatches=(), similarity=0.6, model_scores=(0.7, 0.1, 0.2))
    c1 = Check("Homicides fell by 15%", "A", decide([e0, e1, e2], claim_source="A"), (e0, e1, e2))
    c2 = Check("Nobody else says this", "B", decide([], claim_source="B"), ())
    return [c1, c2]


def test_json_round_trip():
    cons = build_consistency(_checks())
    d = json.loads(to_json(consistency=cons))
    assert [c["verdict"] for c in d["checks"]] == ["mixed", "single-source"]
    check = d["checks"][0]
    assert check["deciding"] == {"B": 5, "C": 6} and check["sources"] == {"B": "conflicts", "C": "supports"}
    ev = check["evidence"][1]
    assert set(ev) >= {"text", "source", "article", "label", "scores", "mismatches", "model_label", "model_scores",
                       "blocked_by"}
    assert ev["label"] == "conflicts" and ev["model_label"] == "supports"
    assert ev["scores"] == {"supports": 0.0, "conflicts": 0.66, "nei": 0.34}
    assert ev["model_scores"] == {"supports": 0.8, "conflicts": 0.1, "nei": 0.1}
    assert ev["blocked_by"] == ev["mismatches"][0] and ev["blocked_by"]["passage"] == "12%"
    unjudged = check["evidence"][0]  # no model scores recorded: null, not a guess
    assert unjudged["model_scores"] is None and unjudged["blocked_by"] is None and unjudged["reported"] is True
    assert unjudged["model_label"] == "nei"
    assert d["consistency"]["matrix"][0]["stances"] == {"A": "supports", "B": "conflicts", "C": "supports"}
    assert d["consistency"]["pairs"][0]["a"] == "A"


def test_csv_one_row_per_claim_and_other_source():
    rows = list(csv.DictReader(io.StringIO(to_csv(consistency=build_consistency(_checks())))))
    assert tuple(rows[0]) == CSV_FIELDS
    assert {"p_supports", "p_conflicts", "p_nei", "deciding_detail"} <= set(CSV_FIELDS)
    assert not {"p_neutral", "p_unrelated"} & set(CSV_FIELDS)
    assert [(r["claim_source"], r["source"], r["stance"]) for r in rows] == [
        ("A", "B", "conflicts"), ("A", "C", "supports"), ("B", "A", "silent"), ("B", "C", "silent")]
    # B's row shows the passage that decides its stance, not its most similar one
    assert rows[0]["evidence"] == "Homicides fell by 12%" and rows[0]["label"] == "conflicts"
    assert (rows[0]["p_supports"], rows[0]["p_conflicts"], rows[0]["p_nei"]) == ("0.0", "0.66", "0.34")
    assert rows[0]["mismatches"] == "number: 15% vs 12%"
    assert rows[0]["deciding_detail"] == "number: the passage says 12%; the claim says 15%"
    assert rows[1]["evidence"] == HOSTILE  # CSV keeps text as is; quoting protects the format
    assert rows[1]["deciding_detail"] == ""
    assert rows[2]["evidence"] == rows[2]["p_nei"] == rows[2]["label"] == ""  # silent: nothing to show


def test_csv_of_checks_alone():
    rows = list(csv.DictReader(io.StringIO(to_csv(checks=_checks()[:1]))))
    assert [r["source"] for r in rows] == ["B", "C"]


def test_markdown_escapes_user_text():
    md = to_markdown(consistency=build_consistency(_checks()))
    assert "<script>" not in md and "](javascript:" not in md
    assert "\\<script\\>" in md and "\\| pipe" in md
    assert "**Verdict: mixed**" in md and "| A | B | 2 |" not in md
    assert "| B | conflicts | 0.66 | Homicides fell by 12% | number: 15% vs 12% |" in md
    assert "| B | nei (reported statement) | 0.80 |" in md
    assert "Verification." not in md  # labels written as their strings
    assert "| A | 1 | 0 | 0 | 1 | 0 |" in md and "| B | 1 | 0 | 0 | 0 | 1 |" in md
