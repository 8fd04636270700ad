"""Stories: the grouping rule on hand-made vectors, and a store's stories through the facade (fake encoder):
two events told by three outlets end in two stories; a user's merge, rename and moved article survive a
regroup; removing articles takes their links, and an emptied story goes."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import FakeEncoder, make_draft

from factcheck import stories
from factcheck.api import Factcheck
from factcheck.errors import FactcheckError
from factcheck.records import ArticleDraft
from factcheck.settings import Settings
from factcheck.stories import Rule, Signature

FLOOD = [("Outlet A", "Floods hit Valencia as river bursts its banks", "The river Turia burst its banks in Valencia "
          "on Tuesday, flooding streets."),
         ("Outlet B", "River bursts its banks in Valencia, floods hit streets", "Floods hit Valencia on Tuesday "
          "after the river Turia burst its banks."),
         ("Outlet C", "Valencia floods: river Turia bursts its banks", "Streets in Valencia were flooded on Tuesday "
          "as the river Turia burst its banks.")]
VOTE = [("Outlet A", "Senate passes the farm subsidy bill 61 to 39", "The Senate passed the farm subsidy bill by "
         "61 votes to 39 on Thursday."),
        ("Outlet B", "Farm subsidy bill passes the Senate 61 to 39", "On Thursday the Senate passed the farm "
         "subsidy bill, 61 votes to 39."),
        ("Outlet C", "Senate vote: farm subsidy bill passes 61 to 39", "The farm subsidy bill passed the Senate "
         "61 to 39 on Thursday.")]


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _draft(source: str, title: str, lede: str, date: str | None = "2024-10-29") -> ArticleDraft:
    return replace(make_draft(source, [lede, f"{source} reported more on it later."], title=title), date=date)


@pytest.fixture
def fc(tmp_path):
    f = Factcheck(Settings(store_dir=tmp_path / "store"), encoder=FakeEncoder(),
                  scorer=lambda texts: np.full(len(texts), 0.9))
    yield f
    f.store.close()


def _ingest(fc: Factcheck, rows, date: str | None = "2024-10-29") -> list[int]:
    from factcheck.ingest import pipeline

    results = fc._ingest(lambda: pipeline.ingest(fc.store, [_draft(s, t, lede, date) for s, t, lede in rows],
                                               fc.settings, scorer=fc._score), None)
    return [r.article_id for r in results]


def _groups(fc: Factcheck) -> set[frozenset[int]]:
    return {frozenset(s.articles) for s in fc.stories()}


# --- the rule on hand-made vectors ------------------------------------------------------------------------
def test_group_joins_close_vectors_and_keeps_far_ones_apart():
    sigs = [Signature(_unit(1, 0.1, 0), frozenset(), None), Signature(_unit(1, 0.15, 0), frozenset(), None),
             Signature(_unit(0, 1, 0.1), frozenset(), None), Signature(_unit(0, 1, 0.2), frozenset(), None)]
    labels = stories.group(sigs, Rule(threshold=0.3))
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]


def test_dates_outside_the_window_keep_twin_articles_apart_and_an_unknown_date_does_not():
    v = _unit(1, 0, 0)
    sigs = [Signature(v, frozenset(), 100), Signature(v, frozenset(), 101), Signature(v, frozenset(), 110),
             Signature(v, frozenset(), None)]
    d = stories.distances(sigs, sigs, Rule(window_days=2))
    assert d[0, 1] == pytest.approx(0.0, abs=1e-6) and d[0, 2] == stories.FAR and d[2, 3] == pytest.approx(0, abs=1e-6)
    assert stories.distances(sigs, sigs, Rule(window_days=None))[0, 2] == pytest.approx(0.0, abs=1e-6)


def test_entities_pull_articles_naming_the_same_people_together():
    v1, v2 = _unit(1, 0.5, 0), _unit(1, 0, 0.5)
    same = stories.distances([Signature(v1, frozenset({"biden", "kabul"}), None)],
                             [Signature(v2, frozenset({"biden", "kabul"}), None)], Rule(entity_weight=0.5))
    other = stories.distances([Signature(v1, frozenset({"biden", "kabul"}), None)],
                              [Signature(v2, frozenset({"newsom"}), None)], Rule(entity_weight=0.5))
    assert same[0, 0] < other[0, 0]


def test_entities_are_names_and_numbers_not_sentence_starts_or_weekdays():
    found = stories.entities("The Senate passed it on Monday, 61 to 39, Schumer said. After that Kabul fell.")
    assert {"senate", "61", "39", "schumer", "kabul"} <= found
    assert not found & {"the", "monday", "after"}
    assert all(w == w.lower() for w in stories.NOT_NAMES)


def test_assign_one_at_a_time_matches_the_batch_on_clear_groups():
    sigs = [Signature(_unit(1, 0.05 * i, 0), frozenset(), None) for i in range(3)] + \
            [Signature(_unit(0, 0.05 * i, 1), frozenset(), None) for i in range(3)]
    rule = Rule(threshold=0.3)
    labels: list[int | None] = []
    for i in range(len(sigs)):
        labels = [*stories.assign(sigs[: i + 1], [*labels, None], rule)]
    assert labels == [0, 0, 0, 1, 1, 1]
    assert len(set(stories.group(sigs, rule).tolist())) == 2


def test_regroup_keeps_fixed_articles_and_lets_close_free_ones_join_them():
    sigs = [Signature(_unit(1, 0, 0), frozenset(), None), Signature(_unit(1, 0.1, 0), frozenset(), None),
             Signature(_unit(0, 0, 1), frozenset(), None)]
    out = stories.regroup(sigs, [7, None, 7], Rule(threshold=0.3, linkage="average"))
    assert out[0] == 7 and out[2] == 7  # kept where they were, though article 2 is far from article 0
    assert out[1] == 7 or out[1] < 0


def test_default_name_is_the_title_shortened():
    assert stories.default_name("Short", "lede") == "Short"
    long = stories.default_name("word " * 40, None)
    assert len(long) == stories.NAME_CHARS and long.endswith("…")
    assert stories.default_name(None, "First sentence.") == "First sentence."


# --- a store's stories, through the facade --------------------------------------------------------------
def test_two_events_by_three_outlets_end_in_two_stories(fc):
    flood = _ingest(fc, FLOOD)
    vote = _ingest(fc, VOTE)
    assert _groups(fc) == {frozenset(flood), frozenset(vote)}
    by_articles = {frozenset(s.articles): s for s in fc.stories()}
    assert by_articles[frozenset(flood)].sources == ("Outlet A", "Outlet B", "Outlet C")
    assert by_articles[frozenset(flood)].name == FLOOD[0][1]  # the earliest article's title
    assert by_articles[frozenset(flood)].first == "2024-10-29"
    fc.regroup()
    assert _groups(fc) == {frozenset(flood), frozenset(vote)}


def test_a_merge_and_a_rename_survive_a_regroup(fc):
    flood, vote = _ingest(fc, FLOOD), _ingest(fc, VOTE)
    s_flood, s_vote = (next(s.id for s in fc.stories() if a[0] in s.articles) for a in (flood, vote))
    merged = fc.merge_stories([s_flood, s_vote])
    assert set(merged.articles) == set(flood + vote) and merged.edited
    fc.rename_story(merged.id, "  Autumn <b>news</b>  ")
    fc.regroup()
    (only,) = fc.stories()
    assert only.id == merged.id and set(only.articles) == set(flood + vote)
    assert only.name == "Autumn <b>news</b>"  # stored as typed (spaces tidied); escaped where shown


def test_a_moved_article_stays_pinned_through_a_regroup(fc):
    flood, vote = _ingest(fc, FLOOD), _ingest(fc, VOTE)
    s_vote = next(s.id for s in fc.stories() if vote[0] in s.articles)
    fc.move_article(flood[0], s_vote)
    fc.regroup()
    groups = _groups(fc)
    assert frozenset(vote + [flood[0]]) in groups and frozenset(flood[1:]) in groups


def test_split_makes_a_new_story_that_a_regroup_keeps(fc):
    flood = _ingest(fc, FLOOD)
    (story,) = fc.stories()
    new = fc.split_story(story.id, [flood[2]], name="Aftermath")
    assert new.name == "Aftermath" and new.articles == (flood[2],)
    fc.regroup()
    assert _groups(fc) == {frozenset(flood[:2]), frozenset([flood[2]])}
    with pytest.raises(FactcheckError, match="not all"):
        fc.split_story(new.id, [flood[2]])


def test_removing_articles_removes_their_links_and_an_emptied_story_goes(fc):
    flood, vote = _ingest(fc, FLOOD), _ingest(fc, VOTE)
    fc.store.remove_article(flood[0])
    assert frozenset(flood[1:]) in _groups(fc)
    fc.remove_source("Outlet A")
    fc.remove_source("Outlet B")
    assert _groups(fc) == {frozenset([flood[2]]), frozenset([vote[2]])}
    fc.remove_source("Outlet C")
    assert fc.stories() == []
    assert fc.store._rows("SELECT COUNT(*) FROM stories")[0][0] == 0


def test_articles_dated_far_apart_are_two_stories(fc):
    a = _ingest(fc, FLOOD[:1], date="2024-10-29")
    b = _ingest(fc, FLOOD[1:2], date="2024-12-20")
    assert _groups(fc) == {frozenset(a), frozenset(b)}


def test_edits_refuse_what_does_not_exist_with_a_sentence(fc):
    _ingest(fc, FLOOD)
    with pytest.raises(FactcheckError, match="No story 999"):
        fc.rename_story(999, "x")
    with pytest.raises(FactcheckError, match="cannot be empty"):
        fc.rename_story(fc.stories()[0].id, "   ")
    with pytest.raises(FactcheckError, match="two or more"):
        fc.merge_stories([fc.stories()[0].id])
    with pytest.raises(FactcheckError, match="No article 999"):
        fc.move_article(999, fc.stories()[0].id)


def test_compare_of_a_story_reads_its_articles_only(fc):
    from ui_support import FakeVerifier

    fc._shared.verifier = FakeVerifier()
    flood, _ = _ingest(fc, FLOOD), _ingest(fc, VOTE)
    s_flood = next(s.id for s in fc.stories() if flood[0] in s.articles)
    cons = fc.compare(story=s_flood)
    assert cons.checks and all(c.claim_passage_id is not None for c in cons.checks)
    flood_passages = {p.id for a in flood for p in fc.passages(article_id=a)}
    assert {c.claim_passage_id for c in cons.checks} <= flood_passages
    for check in cons.checks:
        assert all(e.article_id in flood for e in check.evidence)
    hits = fc.search(VOTE[0][2], articles=frozenset(flood), min_similarity=-1.0)  # the vote's own text, yet
    assert hits and all(h.article_id in flood for h in hits)
    with pytest.raises(FactcheckError, match="No story"):
        fc.compare(story=12345)
