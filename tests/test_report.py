import csv
import io
import json
import re

import pytest

from factcheck.consistency import build_consistency
from factcheck.labels import Verification
from factcheck.mismatch import Mismatch
from factcheck.records import SourceProfile
from factcheck.report import CSV_FIELDS, to_csv, to_json, to_markdown
from factcheck.verdict import Check, Evidence, decide

HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) | pipe"
NUMBER = Mismatch("number", (18, 21), (18, 21), "15%", "12%")


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
    assert "| B | conflicts | 0.66 | Homicides fell by 12\\% | number: 15\\% vs 12\\% |" in md
    assert "| B | nei (reported statement) | 0.80 |" in md
    assert "Verification." not in md  # labels written as their strings
    assert "| A | 1 | 0 | 0 | 1 | 0 |" in md and "| B | 1 | 0 | 0 | 0 | 1 |" in md


# --- hostile text in exports (issue 16) -------------------------------------------------------------

FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)",
            "\t=1+1", "\r=1+1", " =1+1")


def _hostile_checks(text: str, source: str):
    e = Evidence(text=text, source=source, article_id=2, passage_id=5, label=Verification.SUPPORTS,
                 scores=(0.7, 0.1, 0.2), mismatches=(Mismatch("number", (0, 1), (0, 1), text, text),),
                 similarity=0.6)
    return [Check(text, source + " own", decide([e], claim_source=source + " own"), (e,))]


def test_csv_cells_that_start_a_formula_are_text():
    """OWASP CSV injection: a cell a spreadsheet would read as a formula gets a leading ' (shown as text)."""
    for payload in FORMULAS:
        rows = list(csv.DictReader(io.StringIO(to_csv(checks=_hostile_checks(payload, payload)))))
        row = rows[0]
        for field in ("claim", "claim_source", "source", "evidence"):
            assert row[field][0] == "'", (payload, field, row[field])
        assert row["claim"] == "'" + payload and row["source"] == "'" + payload  # the text itself is kept
        assert row["mismatches"].startswith("number: ")  # starts with our own word: left alone


def test_csv_numbers_stay_numbers_and_text_is_quoted():
    out = to_csv(checks=_hostile_checks("a;=1+1 -5", "-Outlet"))
    header, line = out.splitlines()
    assert header == ",".join(CSV_FIELDS)  # plain, as before
    # probabilities and counts are unquoted numbers; every text cell is quoted, so a spreadsheet whose
    # separator is ';' cannot split "a;=1+1" into a cell that starts with '='
    assert line == ('"a;=1+1 -5","\'-Outlet own","corroborated",1,0,"\'-Outlet","supports","a;=1+1 -5","supports",'
                    '0.7,0.1,0.2,"number: a;=1+1 -5 vs a;=1+1 -5","","","","","",""')  # last: part_of
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["source"] == "'-Outlet" and row["p_supports"] == "0.7" and row["supporting"] == "1"


def test_markdown_backslash_cannot_undo_the_escaping():
    """Escaping '<' alone: '\\<img…\\>' became '\\\\<img…>' — an escaped backslash, then a live tag."""
    hostile = "\\<img src=x onerror=alert(1)\\> a\\|b ![i](http://x/y.png) &lt;b&gt; &#60;i&#62;"
    md = to_markdown(checks=_hostile_checks(hostile, hostile))
    assert "\\\\\\<img" in md and "\\\\\\|b" in md  # the backslash escaped, then the character
    assert "\\!\\[i\\]" in md and "\\&lt;b" in md and "\\&\\#60;i" in md
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in html and "<i>" not in html and "<b>" not in html
    # the table of evidence keeps its 5 columns: no pipe in the text opened a new cell
    rows = [r for r in html.split("<tr>")[1:]]
    assert rows and all(r.count("<td") + r.count("<th") == 5 for r in rows)


def test_markdown_replaces_control_characters():
    md = to_markdown(checks=_hostile_checks("Homicides\x1b]0;pwned\x07 fell\x9b2J", "Out\x00let"))
    assert not any(ord(ch) < 32 and ch != "\n" or 0x7f <= ord(ch) <= 0x9f for ch in md)
    assert "Homicides\\\\u001b\\]0;pwned\\\\u0007 fell\\\\u009b2J" in md


def test_a_carriage_return_in_a_cell_cannot_start_a_row():
    """Python's csv left a lone '\\r' unquoted, and spreadsheets end a row at it: the rest of the cell became a
    row of its own, its first cell a DDE formula past the first-character check."""
    text = "Homicides fell\r=cmd|' /C calc'!A0"
    out = to_csv(checks=_hostile_checks(text, "B"))
    assert '"Homicides fell\r=cmd|' in out  # inside one quoted cell
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 2 and all(len(r) == len(CSV_FIELDS) for r in rows) and rows[1][0] == text


def test_source_profiles_go_into_every_export_escaped():
    from factcheck.records import SourceProfile

    evil = SourceProfile(name="-Outlet", country="=cmd|' /C calc'!A0", owner="<b>Owner</b> [x](javascript:1)",
                         rating="Low", rating_source="My | notes")
    checks = _hostile_checks("Crime fell", "-Outlet")
    data = json.loads(to_json(checks=checks, profiles=[evil]))
    assert data["sources"] == [{"name": "-Outlet", "country": "=cmd|' /C calc'!A0",
                                "owner": "<b>Owner</b> [x](javascript:1)", "rating": "Low",
                                "rating_source": "My | notes", "notes": None}]
    assert "sources" not in json.loads(to_json(checks=checks))
    row = next(csv.DictReader(io.StringIO(to_csv(checks=checks, profiles=[evil]))))
    assert row["source_country"].startswith("'=") and row["source_rating"] == "Low"
    md = to_markdown(checks=checks, profiles=[evil])
    assert "## Source profiles" in md
    line = next(x for x in md.splitlines() if x.startswith("| \\-Outlet"))
    assert "<b>" not in line and "](" not in line and line.count(" | ") == 5  # the pipe in a cell is escaped


def _hostile_timeline():
    from factcheck.records import Article
    from factcheck.timeline import build

    checks = _checks()
    arts = [Article(2, "B", "t", HOSTILE, "2025-03-01", "javascript:alert(1)", None, "test", "2025-03-09T08:00:00"),
            Article(3, "C", "t", None, None, None, None, "test", "2025-03-09T08:00:00")]
    return checks, build(checks, arts, name=HOSTILE + " \"quoted\" 'single'")


def test_html_report_shows_verdicts_evidence_timeline_and_marks_differing_words():
    from factcheck.report import to_html

    checks, tl = _hostile_timeline()
    page = to_html(consistency=build_consistency(checks), timeline=tl, charts=False)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<td>mixed</td>" in page and "<td>single-source</td>" in page
    # B's figure marked in its passage, the claim's own figure marked in the claim beside it
    assert '<mark class="fc-mismatch" title="number: the claim says “15%”">12%</mark>' in page
    assert '<mark class="fc-mismatch" title="number: the passage says “12%”">15%</mark>' in page
    # C was seen only at ingest: said so; B carried it on its article's date
    assert "no date; ingested 2025-03-09 08:00" in page and "<td>2025-03-01</td>" in page
    assert "Timeline and wording" in page and "first stated by" in page


def test_html_report_leaves_hostile_text_inert():
    """Source names, passages, titles, a story name and a javascript: address come out as text: no tag, no
    attribute, no link, no quote that could end an attribute."""
    from factcheck.report import to_html

    checks, tl = _hostile_timeline()
    profile = SourceProfile(name="B", country='"><script>alert(2)</script>', notes="javascript:alert(3)")
    page = to_html(consistency=build_consistency(checks), timeline=tl, profiles=[profile])
    # the only script elements are plotly's (its library, then one call per chart): no text closes one early
    # (the figures' JSON writes '<' as \\u003c), and what lies outside them is ours, every tag of it
    assert page.count("<script") == page.count("</script>") == 2 + 5  # config, plotly.js, 5 charts
    assert "alert(1)</script>" not in page and "<script>alert" not in page
    outside = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "<script" not in outside and "<img" not in outside
    assert "href" not in outside.lower() and "src=" not in outside and '="javascript:' not in outside
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outside and "javascript:alert(3)" in outside  # as text
    assert "&quot;quoted&quot;" in outside and "&#x27;single&#x27;" in outside and '"><script>' not in page
    # no network: plotly.js is inline, never fetched, and the page forbids any load or connection
    assert "<script src" not in page and "connect-src &#x27;none&#x27;" in page and "Copyright" in page
    assert page.count("Plotly.newPlot") == 5  # timeline + the four consistency charts


def test_html_report_without_charts_is_small_and_still_complete():
    from factcheck.report import to_html

    page = to_html(checks=_checks(), charts=False)
    assert "Plotly" not in page and len(page) < 20_000
    assert "Homicides fell by 12%" in page and "Timeline and wording" not in page


def _compound():
    part_evidence = Evidence(text="Homicides fell by 15% last year", source="C", article_id=3, passage_id=7,
                             label=Verification.SUPPORTS, scores=(0.8, 0.1, 0.1), mismatches=(), similarity=0.7)
    part = Check("Homicides fell by 15%", "A", decide([part_evidence], claim_source="A"), (part_evidence,))
    alone = Check(HOSTILE, "A", decide([], claim_source="A"), ())
    whole = Check(f"Homicides fell by 15% and {HOSTILE}", "A", decide([], claim_source="A"), (), parts=(part, alone))
    return whole


def test_a_compound_claims_parts_are_in_every_export_each_with_its_own_verdict():
    whole = _compound()
    d = json.loads(to_json(checks=[whole]))["checks"][0]
    assert [(p["claim"], p["verdict"]) for p in d["parts"]] == [("Homicides fell by 15%", "corroborated"),
                                                                (HOSTILE, "single-source")]
    assert d["verdict"] == "single-source" and d["parts"][0]["parts"] == []
    rows = list(csv.DictReader(io.StringIO(to_csv(checks=[whole]))))
    assert [(r["claim"], r["part_of"]) for r in rows] == [(whole.claim, ""), ("Homicides fell by 15%", whole.claim),
                                                          (HOSTILE, whole.claim)]
    md = to_markdown(checks=[whole])
    assert "- Homicides fell by 15\\% — **corroborated**" in md
    assert "<script>" not in md and "Checked in parts" in md
    from factcheck.report import to_html

    page = to_html(checks=[whole], charts=False)
    assert "<li>Homicides fell by 15% — <b>corroborated</b>" in page and "<script>alert" not in page


def test_published_fact_checks_sit_beside_a_verdict_escaped_and_only_when_given():
    from factcheck.records import PublishedCheck, Review
    from factcheck.report import to_html

    c1 = _checks()[0]
    review = Review(id=1, claim=HOSTILE, rating="<i>False</i>", publisher="Desk | x", date=None,
                    url="https://desk.example/<x>", claimant=None, origin="t", added="2026-01-01")
    given = {c1.claim: [PublishedCheck(review, 0.9, Verification.SUPPORTS, 0.8)]}
    assert "published_checks" not in json.loads(to_json(checks=[c1]))["checks"][0]
    row = json.loads(to_json(checks=[c1], published=given))["checks"][0]
    assert row["published_checks"][0]["rating"] == "<i>False</i>" and row["published_checks"][0]["match"] == "supports"
    assert row["verdict"] == "mixed"  # beside the verdict, never in it
    md = to_markdown(checks=[c1], published=given)
    assert "- Desk \\| x: **\\<i\\>False\\</i\\>** (undated)" in md and "<script>" not in md
    page = to_html(checks=[c1], published=given, charts=False)
    assert "<li>Desk | x: <b>&lt;i&gt;False&lt;/i&gt;</b> (undated)" in page and "<script>alert" not in page
    assert 'href="https://desk.example' not in page  # an address is text, never a link


def test_html_report_shows_a_fact_several_outlets_state_once_naming_their_claims():
    from dataclasses import replace

    from factcheck.records import Article
    from factcheck.report import to_html
    from factcheck.timeline import build

    c1, c2 = _checks()
    c1 = replace(c1, claim_passage_id=1, claim_article_id=1)
    # C's own claim is the passage that supports A's claim: one fact, told by A and by C
    c3 = Check(HOSTILE, "C", decide([], claim_source="C"), (), claim_passage_id=6, claim_article_id=3)
    checks = [c1, c2, c3]
    arts = [Article(1, "A", "t", None, "2025-03-02", None, None, "test", "2025-03-09T08:00:00"),
            Article(3, "C", "t", None, "2025-03-01", None, None, "test", "2025-03-09T08:00:00")]
    tl = build(checks, arts)
    assert tl.labels == ["C1 = C3", "C2"]
    page = to_html(consistency=build_consistency(checks), timeline=tl, charts=False)
    timeline_part = page.split("Timeline and wording", 1)[1].split("Claims and evidence", 1)[0]
    # a table for the fact (C1, C3) and one for C2: none of its own for C3
    assert timeline_part.count("<table>") == 2 and "<h3>C1: Homicides fell by 15%</h3>" in timeline_part
    assert "<h3>C3" not in timeline_part
    assert ("The same fact in other outlets’ claims" in timeline_part or
            "The same fact in other outlets' claims" in timeline_part)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in timeline_part
    # C3's row in the verdicts table names who stated the fact first: C, on 1 March
    row = next(x for x in page.split("<tr>") if x.startswith("<td>C3</td>"))
    assert "<td>C (2025-03-01)</td>" in row
