import csv
import io
import json

from factcheck.consistency import build_consistency
from factcheck.mismatch import Mismatch
from factcheck.report import to_csv, to_json, to_markdown
from factcheck.verdict import Check, Evidence, decide

HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) | pipe"


def _checks():
    e1 = Evidence(text="Homicides fell by 12%", source="B", article_id=2, passage_id=5, label="supports",
                  scores=(0.8, 0.1, 0.05, 0.05), mismatches=(Mismatch("number", (18, 21), (17, 20), "15%", "12%"),),
                  similarity=0.81)
    e2 = Evidence(text=HOSTILE, source="C", article_id=3, passage_id=6, label="conflicts",
                  scores=(0.1, 0.7, 0.1, 0.1), mismatches=(), similarity=0.6)
    c1 = Check("Homicides fell by 15%", "A", decide([e1, e2], claim_source="A"), (e1, e2))
    c2 = Check("Nobody else says this", "B", decide([], claim_source="B"), ())
    return [c1, c2]


def test_json_round_trip():
    cons = build_consistency(_checks())
    d = json.loads(to_json(consistency=cons))
    assert [c["verdict"] for c in d["checks"]] == ["mixed", "single-source"]
    ev = d["checks"][0]["evidence"][0]
    assert set(ev) >= {"text", "source", "article", "label", "scores", "mismatches"}
    assert ev["scores"]["supports"] == 0.8 and ev["mismatches"][0]["passage"] == "12%"
    assert d["consistency"]["matrix"][0]["stances"] == {"A": "supports", "B": "supports", "C": "conflicts"}
    assert d["consistency"]["pairs"][0]["a"] == "A"


def test_csv_one_row_per_claim_and_other_source():
    rows = list(csv.DictReader(io.StringIO(to_csv(consistency=build_consistency(_checks())))))
    assert [(r["claim_source"], r["source"], r["stance"]) for r in rows] == [
        ("A", "B", "supports"), ("A", "C", "conflicts"), ("B", "A", "silent"), ("B", "C", "silent")]
    assert rows[0]["p_supports"] == "0.8" and rows[0]["mismatches"] == "number: 15% vs 12%"
    assert rows[1]["evidence"] == HOSTILE  # CSV keeps text as is; quoting protects the format


def test_csv_of_checks_alone():
    rows = list(csv.DictReader(io.StringIO(to_csv(checks=_checks()[:1]))))
    assert [r["source"] for r in rows] == ["B", "C"]


def test_markdown_escapes_user_text():
    md = to_markdown(consistency=build_consistency(_checks()))
    assert "<script>" not in md and "](javascript:" not in md
    assert "\\<script\\>" in md and "\\| pipe" in md
    assert "**Verdict: mixed**" in md and "| A | B | 2 |" not in md
    assert "| A | 1 | 0 | 0 | 1 | 0 |" in md and "| B | 1 | 0 | 0 | 0 | 1 |" in md
