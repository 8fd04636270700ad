"""The story picker on Compare and Consistency, and the Sources page's stories panel."""
from __future__ import annotations

from ui_support import app, html_text, no_exceptions, seed

from factcheck.store import Store

HOSTILE = "<script>alert(1)</script> **Floods**"


def _two_stories(tmp_path) -> tuple[int, int]:
    """The fixture articles split in two stories: the first two articles (named with markup) and the rest."""
    seed(tmp_path)
    with Store.open(tmp_path) as store:
        ids = [a.id for a in store.articles()]
        first, rest = store.set_stories([(None, ids[:2], HOSTILE), (None, ids[2:], "The rest")])
        return first, rest


def test_compare_with_a_story_shows_its_articles_claims_only(tmp_path, monkeypatch):
    first, _ = _two_stories(tmp_path)
    at = app(monkeypatch, tmp_path, page="compare")
    no_exceptions(at)
    picker = at.selectbox(key="fc_compare_story")
    assert picker.value is None and "All stories" in picker.options
    assert any(HOSTILE in o for o in picker.options)  # plain text: shown as typed, never run
    every = html_text(at)
    picker.set_value(first).run()
    no_exceptions(at)
    with Store.open(tmp_path) as store:
        story = next(s for s in store.stories() if s.id == first)
        inside = {p.text for a in story.articles for p in store.passages(article_id=a)}
        outside = {p.text for p in store.passages() if p.article_id not in story.articles}
    shown = html_text(at)
    assert shown != every
    assert not [t for t in outside if t in shown and t not in inside]
    assert "<script>" not in shown


def test_consistency_has_the_story_picker(tmp_path, monkeypatch):
    first, _ = _two_stories(tmp_path)
    at = app(monkeypatch, tmp_path, page="consistency")
    no_exceptions(at)
    at.selectbox(key="fc_cons_story").set_value(first).run()
    no_exceptions(at)


def test_sources_panel_renames_and_merges(tmp_path, monkeypatch):
    first, rest = _two_stories(tmp_path)
    at = app(monkeypatch, tmp_path, page="sources")
    no_exceptions(at)
    at.selectbox(key="fc_story_rename_choice").set_value(rest)
    at.text_input(key="fc_story_rename_name").set_value("Budget <b>vote</b>")
    at.button(key="fc_story_rename").click().run()
    no_exceptions(at)
    with Store.open(tmp_path) as store:
        assert {s.id: s.name for s in store.stories()}[rest] == "Budget <b>vote</b>"
    at.multiselect(key="fc_story_merge_choice").set_value([first, rest])
    at.button(key="fc_story_merge").click().run()
    no_exceptions(at)
    with Store.open(tmp_path) as store:
        (only,) = store.stories()
    assert only.id == first and only.edited


def test_the_stories_table_shows_names_as_text_never_a_link_or_an_image(tmp_path, monkeypatch):
    from ui_support import assert_inert

    seed(tmp_path)
    with Store.open(tmp_path) as store:
        ids = [a.id for a in store.articles()]
        store.set_stories([(None, ids[:2], "![x](https://evil.example/p.png) [login](https://phish.example)"),
                           (None, ids[2:], HOSTILE)])
    at = app(monkeypatch, tmp_path, page="sources")
    no_exceptions(at)
    cells = [str(v) for el in at.table for v in el.value.to_numpy().ravel()]
    assert any("evil" in c and "p.png" in c.replace("\\", "") for c in cells)  # the name is there, as text
    assert_inert(at)
