"""Stories: the pair model and the grouping on hand-made signatures, and a store's stories through the facade
(fake encoder): two events told by three outlets end in two stories; a user's merge, rename and moved article
survive a regroup; removing articles takes their links, and an emptied story goes."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from conftest import FakeEncoder, make_draft

from factcheck import stories
from factcheck.api import Factcheck
from factcheck.errors import FactcheckError, ModelMissingError
from factcheck.records import ArticleDraft
from factcheck.settings import Settings
from factcheck.stories import Signature

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
QUAKE = [("Outlet A", "Earthquake of magnitude 6.1 shakes central Chile", "A magnitude 6.1 earthquake struck central "
          "Chile on Wednesday, cutting power to thousands of homes."),
         ("Outlet B", "Strong quake rattles Chile, knocking out power", "Thousands of Chilean homes lost power after a "
          "6.1-magnitude earthquake hit the centre of the country on Wednesday.")]


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _sig(vec: np.ndarray, day: int | None = None, text: str = "") -> Signature:
    return Signature(vec, day, text)


def _event_sigs(day: int | None = 100) -> list[Signature]:
    """Three flood and three vote articles: fake-encoder vectors of title and lede, text as TF-IDF reads it."""
    enc = FakeEncoder()
    rows = FLOOD + VOTE
    vecs = enc.encode([stories.head_text(t, lede) for _, t, lede in rows])
    return [Signature(v, day, stories.tfidf_text(t, lede)) for v, (_, t, lede) in zip(vecs, rows, strict=True)]


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


# --- the model file ---------------------------------------------------------------------------------------
def test_the_packaged_model_loads_and_names_the_features_this_code_computes():
    m = stories.load_model()
    assert m.features == stories.FEATURES and len(m.coef) == len(stories.FEATURES)
    assert 0 < m.threshold < 1 and m.linkage == "complete" and m.window_days == 3 and m.rank_cap == 50
    spec = json.loads(stories.MODEL_FILE.read_text(encoding="utf-8"))
    assert spec["format"] == stories.FORMAT and "even story ids" in spec["data"]


@pytest.mark.parametrize("damage", ["missing", "not json", "other format", "fewer weights", "other features"])
def test_a_missing_or_damaged_model_file_is_a_model_missing_error(tmp_path, damage):
    spec = json.loads(stories.MODEL_FILE.read_text(encoding="utf-8"))
    path = tmp_path / damage.replace(" ", "_") / "pairs.json"
    path.parent.mkdir()
    if damage == "not json":
        path.write_text("{oops", encoding="utf-8")
    elif damage == "other format":
        path.write_text(json.dumps({**spec, "format": "something-else/9"}), encoding="utf-8")
    elif damage == "fewer weights":
        spec["model"]["coef"] = spec["model"]["coef"][:-1]
        path.write_text(json.dumps(spec), encoding="utf-8")
    elif damage == "other features":
        path.write_text(json.dumps({**spec, "features": ["cos_lede"]}), encoding="utf-8")
    with pytest.raises(ModelMissingError, match="train_stories.py"):
        stories.load_model(path)


# --- pair features and probabilities on hand-made signatures ---------------------------------------------
def test_ranks_count_closer_neighbours_within_the_window_and_an_undated_article_is_everyones_neighbour():
    sim = np.array([[1.0, 0.9, 0.8, 0.7],
                    [0.9, 1.0, 0.2, 0.95],
                    [0.8, 0.2, 1.0, 0.1],
                    [0.7, 0.95, 0.1, 1.0]])
    days = np.array([100.0, 100.0, 102.0, np.nan])
    r = stories.ranks(sim, days, window_days=3, cap=50)
    assert r[0].tolist()[1:] == [0, 1, 2]  # 1 is 0's nearest, then 2, then 3 (undated: in the window)
    assert r[1, 3] == 0 and r[1, 0] == 1 and r[1, 2] == 2
    r1 = stories.ranks(sim, days, window_days=1, cap=50)
    # 2 is out of 0's and 1's one-day window: below both their neighbours, tied with the rest out of it
    assert r1[0, 2] == 3 == r1[1, 2]
    assert r1[2, 3] == 0 and r1[2, 0] == 3  # 2's only neighbour is the undated article 3
    assert stories.ranks(sim, days, window_days=3, cap=1).max() == 1
    tied = stories.ranks(np.array([[1.0, 0.5, 0.5, 0.2], [0.5, 1.0, 0.0, 0.0], [0.5, 0.0, 1.0, 0.0],
                                   [0.2, 0.0, 0.0, 1.0]]), np.full(4, 100.0), window_days=3, cap=50)
    assert tied[0, 1:].tolist() == [1, 1, 2]  # a tie counts against: neither of the two leads the other
    assert tied[1, 2] == tied[1, 3] == 2  # sharing nothing with any neighbour leads none of them


def test_leads_read_a_quiet_week_as_no_evidence_and_the_nearest_of_many_as_much():
    sim = np.array([[1.0, 0.9, 0.8, 0.1],
                    [0.9, 1.0, 0.2, 0.1],
                    [0.8, 0.2, 1.0, 0.1],
                    [0.1, 0.1, 0.1, 1.0]])
    days = np.array([100.0, 100.0, 100.0, 110.0])
    lead = stories.leads(sim, days, window_days=3, cap=50)
    assert lead[0, 1] == pytest.approx(np.log1p(2))  # 0's nearest of its 2 neighbours
    assert lead[0, 2] == pytest.approx(np.log1p(2) - np.log1p(1)) == lead[1, 2]  # each beaten by one neighbour
    assert lead[3, 0] == 0.0 and lead[0, 3] == 0.0  # 3 has no neighbour: it leads nothing, nothing leads it
    lone = stories.leads(np.array([[1.0, 0.1], [0.1, 1.0]]), np.array([100.0, 100.0]), window_days=3, cap=50)
    assert lone[0, 1] == pytest.approx(np.log1p(1))  # a two-article store: little to beat


def test_probabilities_are_symmetric_in_0_1_and_higher_for_the_same_event():
    sigs = _event_sigs()
    p = stories.probabilities(sigs)
    assert p.shape == (6, 6) and np.allclose(p, p.T) and ((p >= 0) & (p <= 1)).all()
    assert np.allclose(np.diag(p), 1.0)
    assert p[:3, :3].min() > p[:3, 3:].max() and p[3:, 3:].min() > p[:3, 3:].max()


def test_group_joins_each_event_and_keeps_the_other_apart():
    labels = stories.group(_event_sigs()).tolist()
    assert labels[0] == labels[1] == labels[2] and labels[3] == labels[4] == labels[5] and labels[0] != labels[3]


def test_dates_far_apart_keep_twin_articles_apart_and_an_unknown_date_does_not():
    base = _event_sigs()[0]
    twins = [replace(base, day=d) for d in (100, 101, 130, None)]
    p = stories.probabilities(twins)
    threshold = stories.load_model().threshold
    assert 1 - p[0, 1] <= threshold and 1 - p[0, 2] > threshold  # a day apart: together; a month: apart
    assert 1 - p[2, 3] <= threshold and 1 - p[0, 3] <= threshold  # the undated one is close to both
    labels = stories.group(twins).tolist()
    assert labels[0] == labels[1] != labels[2]


def test_settle_one_at_a_time_equals_settle_in_one_call_and_the_batch():
    sigs = _event_sigs()
    labels: list[int] = []
    for i in range(len(sigs)):
        labels = stories.settle(sigs[: i + 1], [*labels, None])
    assert labels == [0, 0, 0, 1, 1, 1]
    assert stories.settle(sigs, [None] * len(sigs)) == labels
    assert stories.settle(sigs, [0, 0, 0, None, None, None]) == labels
    assert stories.settle(sigs, [5, 5, None, None, None, None]) == [5, 5, 5, 6, 6, 6]  # new labels above 5
    assert len(set(stories.group(sigs).tolist())) == 2


def test_settle_regroups_a_newcomers_days_but_not_what_is_fixed_or_dated_further():
    sigs = _event_sigs()
    split = [0, 1, None, 2, 2, 2]  # two flood articles in two stories, a third flood article arrives
    assert stories.settle(sigs, split) == [0, 0, 0, 2, 2, 2]  # its day read again: one flood story
    # the user placed them: they stay, and the newcomer joins one of them
    kept = stories.settle(sigs, split, [True, True, False, False, False, False])
    assert kept[:2] == [0, 1] and kept[2] in (0, 1) and kept[3:] == [2, 2, 2]
    # the flood articles are a week before the newcomer: out of its days, left as they were
    later = [replace(s, day=107) if i == 2 else s for i, s in enumerate(sigs)]
    assert stories.settle(later, split, days_around=1)[:2] == [0, 1]
    # an undated newcomer: only it is placed
    undated = [replace(s, day=None) if i == 2 else s for i, s in enumerate(sigs)]
    assert stories.settle(undated, split)[:2] == [0, 1]
    assert stories.settle(sigs, [3, 3, 3, 4, 4, 4]) == [3, 3, 3, 4, 4, 4]  # nothing new: nothing moves


def test_settle_reads_only_what_can_matter_and_a_story_reaching_beyond_cannot_be_joined():
    sigs = _event_sigs()
    model = stories.load_model()
    far = model.apart_days + stories.SETTLE_DAYS + model.window_days + 1
    # flood 0 sits in story 0 with a flood article dated far later (not read: beyond every pair's reach); the
    # newcomer (flood, day 100) takes flood 0 along into a story of their own, the far one keeps story 0
    spread = [replace(s, day=100 + far) if i == 1 else s for i, s in enumerate(sigs)]
    got = stories.settle(spread, [0, 0, None, 2, 2, 2], days_around=0)
    # never read: a vector of another size out of reach changes nothing (in reach it could not be compared)
    unreadable = [replace(s, vec=np.ones(3, dtype=np.float32)) if i == 1 else s for i, s in enumerate(spread)]
    assert stories.settle(unreadable, [0, 0, None, 2, 2, 2], days_around=0) == got
    assert got[0] == got[2] not in (0, 2) and got[1] == 0 and got[3:] == [2, 2, 2]
    # flood 0 pinned there: the newcomer cannot join story 0 (its far member is beyond apart_days of it)
    pinned = stories.settle(spread, [0, 0, None, 2, 2, 2], [True, False, False, False, False, False], days_around=0)
    assert pinned[:2] == [0, 0] and pinned[2] not in (0, 2)
    with pytest.raises(ValueError, match=">= 0"):
        stories.settle(sigs, [-1, None, None, None, None, None])


def test_regroup_keeps_fixed_articles_and_lets_close_free_ones_join_them():
    sigs = _event_sigs()
    out = stories.regroup(sigs, [7, None, None, None, None, 7])
    assert out[0] == 7 and out[5] == 7  # kept where they were, though 0 (flood) and 5 (vote) are far apart
    assert out[1] == out[2] and out[3] == out[4] and out[1] != out[3]
    assert out[1] < 0 and out[3] < 0  # complete linkage: neither event's cluster joins a story holding the other
    assert stories.regroup(sigs, [7, 7, None, None, None, None])[2] == 7  # a flood article joins the flood story
    assert stories.regroup(sigs, [1, 2, 3, 4, 5, 6]) == [1, 2, 3, 4, 5, 6]


def test_default_name_is_the_title_shortened():
    assert stories.default_name("Short", "lede") == "Short"
    long = stories.default_name("word " * 40, None)
    assert len(long) == stories.NAME_CHARS and long.endswith("…")
    assert stories.default_name(None, "First sentence.") == "First sentence."


def test_tfidf_reads_title_and_text_cut_and_a_wordless_set_compares_as_nothing():
    assert stories.tfidf_text(" Title ", "Body " * 500).startswith("Title. Body")
    assert len(stories.tfidf_text("T", "x" * 5000)) == stories.TEXT_CHARS
    assert (stories.tfidf_cosines(["the", "and the", ""]) == 0).all()
    two = stories.tfidf_cosines(["river floods Valencia", "Valencia river floods streets"])
    assert two[0, 1] > 0.5  # two articles still share their words: no cut of common words in a small set


@pytest.mark.model
def test_real_vectors_group_each_event_of_a_hand_written_fixture():
    from factcheck.embed import load_encoder

    rows = FLOOD + VOTE + QUAKE
    vecs = load_encoder().encode([stories.head_text(t, lede) for _, t, lede in rows])
    sigs = [Signature(v, 100, stories.tfidf_text(t, lede)) for v, (_, t, lede) in zip(vecs, rows, strict=True)]
    want = [0, 0, 0, 1, 1, 1, 2, 2]
    one_by_one: list[int] = []
    for i in range(len(sigs)):
        one_by_one = stories.settle(sigs[: i + 1], [*one_by_one, None])
    for labels in (stories.group(sigs).tolist(), stories.settle(sigs, [None] * len(sigs)), one_by_one):
        assert all((labels[i] == labels[j]) == (want[i] == want[j]) for i in range(8) for j in range(8))


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


def test_an_ingest_regroups_its_days_and_names_each_story_after_its_earliest_article(fc):
    flood, vote = _ingest(fc, FLOOD[:1]), _ingest(fc, VOTE[:1], date="2024-10-30")
    # an unpinned story holding both events, as a weaker grouping left it, named after the flood
    fc.store.set_stories([(None, flood + vote, FLOOD[0][1])])
    assert _groups(fc) == {frozenset(flood + vote)}
    more = _ingest(fc, FLOOD[1:])
    assert _groups(fc) == {frozenset(flood + more), frozenset(vote)}
    names = {frozenset(s.articles): s.name for s in fc.stories()}
    assert names[frozenset(flood + more)] == FLOOD[0][1] and names[frozenset(vote)] == VOTE[0][1]


def test_a_story_that_only_loses_an_article_to_an_ingest_is_renamed_after_its_earliest_remaining(fc):
    flood, vote = _ingest(fc, FLOOD[:1]), _ingest(fc, VOTE, date="2024-10-30")
    fc.store.set_stories([(None, flood + vote, FLOOD[0][1])])  # named after the flood, its earliest article
    (before,) = fc.stories()
    more = _ingest(fc, FLOOD[1:2])
    after = {frozenset(s.articles): s for s in fc.stories()}
    assert set(after) == {frozenset(vote), frozenset(flood + more)}
    assert after[frozenset(vote)].id == before.id and after[frozenset(vote)].name == VOTE[0][1]
    assert after[frozenset(flood + more)].name == FLOOD[0][1]


def test_an_ingest_leaves_pinned_articles_and_edited_stories_as_they_are(fc):
    flood, vote = _ingest(fc, FLOOD[:1]), _ingest(fc, VOTE)
    s_vote = next(s.id for s in fc.stories() if vote[0] in s.articles)
    fc.move_article(flood[0], s_vote)  # pinned among the vote articles, the vote story edited
    more = _ingest(fc, FLOOD[1:])
    groups = _groups(fc)
    assert frozenset(vote + flood) in groups and frozenset(more) in groups


@pytest.mark.model
def test_real_vectors_keep_unrelated_articles_apart_in_a_small_store():
    """A store of a few articles has quiet weeks: nearness among few must not read as one event."""
    from factcheck.embed import load_encoder

    rows = [FLOOD[0], VOTE[0], QUAKE[0]]
    vecs = load_encoder().encode([stories.head_text(t, lede) for _, t, lede in rows])
    for days in ([100, 100, 100], [100, 101, 103], [100, 105, 110]):
        sigs = [Signature(v, d, stories.tfidf_text(t, lede))
                for v, (_, t, lede), d in zip(vecs, rows, days, strict=True)]
        assert len(set(stories.group(sigs).tolist())) == 3, days
        one_by_one: list[int] = []
        for i in range(3):
            one_by_one = stories.settle(sigs[: i + 1], [*one_by_one, None])
        assert len(set(one_by_one)) == 3, days
    p = stories.probabilities([Signature(v, 100, stories.tfidf_text(t, lede))
                               for v, (_, t, lede) in zip(vecs[:2], rows[:2], strict=True)])
    assert p[0, 1] < 1 - stories.load_model().threshold


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


@pytest.mark.model
def test_the_sample_corpus_two_outlets_on_one_event_is_one_story(tmp_path):
    """The seeds (one dated, one not), each ingested as the dashboard's sample corpus is: one story."""
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    f = Factcheck(Settings(store_dir=tmp_path / "store"))
    try:
        for path in sorted(seeds.glob("*.txt")):
            assert [r.status for r in f.ingest_paths([path])] == ["added"]
        (story,) = f.stories()
        assert len(story.articles) == 2
    finally:
        f.store.close()
