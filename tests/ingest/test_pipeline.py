from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from factcheck.ingest import corpus
from factcheck.ingest.pipeline import ingest, passages_of
from factcheck.settings import Settings
from factcheck.store import Store

DATA = Path(__file__).parents[1] / "data"
SEEDS = [DATA / "corpus_seed_000.txt", DATA / "corpus_seed_001.txt"]


def every_sentence(texts: Sequence[str]) -> np.ndarray:
    """A scorer that calls every body sentence a claim: whatever clean() lets through shows up as one."""
    return np.ones(len(texts))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


def snapshot(store: Store) -> tuple[dict[str, int], list[tuple[int, str, int, int, str, float]]]:
    return store.stats(), [(p.id, p.kind, p.start, p.end, p.text, p.score) for p in store.passages(kind=None)]


# --- acceptance on the seeds ----------------------------------------------------------------------
CHROME_AND_COMMENTS = [
    "Listen to the article", "Discover, Engage & Empower", "The Europe Today", "Fact Checker",
    "Verify the accuracy", "8 Comments", "Mexican President Touts Anti-Cartel Progress",
    "Mexican President Sheinbaum Says Crackdown", "extremely worrying", "cooler heads prevail",
    "Agreed,", "Absolutely,", "nuanced, diplomatic approach", "best path forward",
]


def test_seeds_yield_their_claims_and_nothing_else(store: Store, settings: Settings):
    results = ingest(store, SEEDS, settings, scorer=every_sentence)
    assert [r.status for r in results] == ["added", "added"]
    body = [p.text for p in store.claims(settings.claim_threshold)]
    for fragment in CHROME_AND_COMMENTS:
        assert not [b for b in body if fragment in b], fragment
    assert "Mexican" not in body  # the lone tag line
    joined = "\n".join(body)
    for claim in ("producing “compelling results,”", "There are very compelling results",
                  "Marco Rubio and Mexican Foreign Secretary Juan Ramón de la Fuente issued a joint statement",
                  "reduced fentanyl seizures by U.S. authorities", "decrease in fentanyl seizures",
                  "removed President Nicolás Maduro from power"):
        assert claim in joined, claim
    assert not any(b.startswith("Mexico City, January 17") for b in body)  # the dateline is not a claim


def test_seed_comments_are_stored_as_comments_with_score_zero(store: Store, settings: Settings):
    ingest(store, SEEDS, settings, scorer=every_sentence)
    comments = store.passages(kind="comment")
    assert len(comments) == 8
    assert all(c.score == 0 for c in comments)
    assert comments[0].text.startswith("The threat of U.S. military action")
    assert store.stats()["comments"] == 8


def test_offsets_point_into_the_stored_text(store: Store, settings: Settings):
    ingest(store, [*SEEDS, DATA / "corpus_chrome.txt", DATA / "corpus_article.html"], settings,
           scorer=every_sentence)
    for a in store.articles():
        for p in store.passages(article_id=a.id, kind=None):
            assert a.text[p.start:p.end] == p.text


@pytest.mark.model
def test_seeds_with_the_real_check_worthiness_model(store: Store, settings: Settings):
    ingest(store, SEEDS, settings)
    claims = [p.text for p in store.claims(settings.claim_threshold)]
    joined = "\n".join(claims)
    for fragment in CHROME_AND_COMMENTS:
        assert fragment not in joined, fragment
    # each article yields its own real claims: the "compelling results" statement, the fentanyl seizures
    # figure, the phone call and the Rubio–de la Fuente joint statement
    by_article = {a.id: "\n".join(p.text for p in store.claims(settings.claim_threshold) if p.article_id == a.id)
                  for a in store.articles()}
    assert len(by_article) == 2
    for text in by_article.values():
        for fact in ("compelling results", "fentanyl seizures", "by phone", "joint statement"):
            assert fact in text, (fact, text)
    assert "Juan Ramón de la Fuente issued a joint statement" in joined
    assert "The officials released a joint statement" in joined
    assert all(p.score == 0 for p in store.passages(kind="comment"))


# --- results, duplicates, refusals -----------------------------------------------------------------
def test_duplicates_are_skipped_and_source_override_applies(store: Store, settings: Settings):
    first = ingest(store, SEEDS[:1], settings, source="Override", scorer=every_sentence)
    again = ingest(store, SEEDS[:1], settings, scorer=every_sentence)
    assert first[0].status == "added" and first[0].source == "Override" and first[0].claims == 11
    assert again[0].status == "skipped" and "already in the store" in again[0].reason
    assert again[0].article_id == first[0].article_id
    assert [s.name for s in store.sources()] == ["Override"]


def test_a_re_ingest_scores_only_what_is_new_and_reports_what_is_stored(store: Store, settings: Settings):
    """Check-worthiness is the costly part of ingest: a folder ingested again scores its new articles only, and a
    stored article's result gives the claims the store holds (not a fresh scoring that could differ)."""
    seen: list[str] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        seen.extend(texts)
        return every_sentence(texts)

    first = ingest(store, SEEDS[:1], settings, scorer=counting)
    scored_first = len(seen)
    assert scored_first > 0 and first[0].claims == 11
    seen.clear()
    again = ingest(store, SEEDS, settings, scorer=counting)
    assert [r.status for r in again] == ["skipped", "added"]
    new_body = [p.text for p in store.passages(article_id=again[1].article_id, kind="body")]
    assert seen == new_body  # the stored article's sentences were not scored again
    assert again[0].claims == first[0].claims == 11 and again[0].article_id == first[0].article_id
    # what is reported is what the store holds: at a higher threshold, fewer of the stored scores count
    with store.transaction() as c:
        c.execute("UPDATE passages SET score = 0.2 WHERE article_id = ?", (first[0].article_id,))
    assert ingest(store, SEEDS[:1], settings, scorer=counting)[0].claims == 0


def test_one_bad_file_in_a_folder_stops_nothing(store: Store, settings: Settings, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS[0], folder / "a.txt")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    shutil.copy(DATA / "corpus_broken.json", folder / "c.json")
    (folder / "d.txt").write_text("   \n")
    shutil.copy(DATA / "corpus_articles.csv", folder / "e.csv")
    seen: list[tuple[int, int, str]] = []
    results = ingest(store, [folder], settings, scorer=every_sentence, progress=lambda *a: seen.append(a))
    assert [(Path(r.origin.split("#")[0]).name, r.status) for r in results] == [
        ("a.txt", "added"), ("b.txt", "refused"), ("c.json", "refused"), ("d.txt", "refused"),
        ("e.csv", "added"), ("e.csv", "added")]
    assert "binary" in results[1].reason and "line 3" in results[2].reason and "empty" in results[3].reason
    assert [(d, t) for d, t, _ in seen] == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert store.stats()["articles"] == 3


@pytest.mark.skipif(os.name != "posix", reason="FIFOs, symlinks and byte file names are POSIX")
def test_a_folder_with_a_fifo_a_link_out_and_a_non_utf8_name_adds_every_other_file(
        store: Store, settings: Settings, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS[0], folder / "a.txt")
    (tmp_path / "secret.txt").write_text("The secret memo said 12 bridges will close on Monday.\n")
    (folder / "b-passwd.txt").symlink_to(tmp_path / "secret.txt")
    os.mkfifo(folder / "c-pipe.txt")
    with open(os.fsencode(folder) + b"/d-\xff.txt", "wb") as f:  # a Latin-1 era name: not UTF-8
        f.write(SEEDS[1].read_bytes())
    shutil.copy(DATA / "corpus_articles.csv", folder / "e.csv")
    # were the FIFO opened, ingest would wait for a writer for ever: one comes after 10 s, so this fails, not hangs
    unblock = threading.Timer(10, _open_for_writing, args=(folder / "c-pipe.txt",))
    unblock.start()
    try:
        results = ingest(store, [folder], settings, scorer=every_sentence)
    finally:
        unblock.cancel()
    assert [(Path(r.origin.split("#")[0]).name, r.status) for r in results] == [
        ("a.txt", "added"), ("b-passwd.txt", "refused"), ("c-pipe.txt", "refused"), ("d-\\xff.txt", "added"),
        ("e.csv", "added"), ("e.csv", "added")]
    assert results[1].reason == f"{folder}/b-passwd.txt: a link that leads outside the folder {folder}; it is " \
                                "not read. Give the file it points to by its own path to read it."
    assert results[2].reason == f"{folder}/c-pipe.txt: a named pipe (FIFO), not a file; only regular files are read."
    stored = {a.origin: a for a in store.articles()}
    assert f"{folder}/d-\\xff.txt" in stored and stored[f"{folder}/d-\\xff.txt"].source == "d-\\xff"
    assert not any("secret memo" in a.text for a in stored.values())


def _open_for_writing(fifo: Path) -> None:
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass  # ENXIO: nobody is reading it, which is the point


def test_refused_inputs_leave_the_store_as_it_was(store: Store, settings: Settings, tmp_path: Path):
    ingest(store, SEEDS, settings, scorer=every_sentence)
    before = snapshot(store)
    bad_list = tmp_path / "list.json"  # the second article has no text: the whole file is refused
    bad_list.write_text(json.dumps([{"text": "The port handled 41 million tonnes in 2025, officials said."},
                                    {"title": "no text"}]))
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(30 * 1024 * 1024)
    results = ingest(store, [bad_list, big, tmp_path / "missing.txt", "file:///etc/passwd",
                             "http://169.254.169.254/latest/meta-data/"], settings, scorer=every_sentence)
    assert [r.status for r in results] == ["refused"] * 5
    assert all(r.reason and "\n" not in r.reason for r in results)
    assert snapshot(store) == before


def test_draft_inputs_and_passages_of(store: Store, settings: Settings):
    draft = corpus.from_text("Big News Headline Today\nThe dam holds 23 percent of its capacity, officials said. "
                             "What a shame.\n3 Comments\nI saw it myself.", source="Paste")
    (r,) = ingest(store, [draft], settings, scorer=lambda t: np.array([0.9, 0.1]))
    assert (r.status, r.claims, r.title) == ("added", 1, "Big News Headline Today")
    kinds = [(p.kind, p.text, p.score) for p in passages_of(draft.text, [0.9, 0.1])]
    assert kinds == [("body", "The dam holds 23 percent of its capacity, officials said.", 0.9),
                     ("body", "What a shame.", 0.1), ("comment", "I saw it myself.", 0.0)]


def test_scores_are_clipped_and_nan_is_zero(store: Store, settings: Settings):
    ingest(store, [corpus.from_text("A fell 3%. B rose 4%. C held.", source="S")], settings,
           scorer=lambda t: np.array([1.7, float("nan"), -0.2]))
    assert [p.score for p in store.passages()] == [1.0, 0.0, 0.0]


def test_a_scorer_that_miscounts_is_an_error(store: Store, settings: Settings):
    with pytest.raises(ValueError, match="returned 1 scores for 3"):
        ingest(store, [corpus.from_text("A fell 3%. B rose 4%. C held.", source="S")], settings,
               scorer=lambda t: np.array([0.5]))
    assert store.stats()["articles"] == 0


def test_scoring_is_batched_across_articles(store: Store, settings: Settings, tmp_path: Path):
    calls: list[int] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.ones(len(texts))

    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(f"Article {i} says the river rose {i} metres on Monday. It flooded.")
    results = ingest(store, [tmp_path], settings, scorer=counting)
    assert [r.status for r in results] == ["added"] * 5
    assert calls == [10]
