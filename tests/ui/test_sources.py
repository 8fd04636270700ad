"""Page "Sources": first-start ingest, paste / upload / URL, the source list, reading an article, removal."""
from __future__ import annotations

import json

from ui_support import app, assert_inert, errors, html_text, load_articles, markdown_text, no_exceptions, seed

from factcheck.api import Factcheck
from factcheck.settings import Settings

ARTICLE = ("Mexico City, January 17, 2026. President Claudia Sheinbaum said on Friday that the homicide rate "
           "fell by 25 percent in 2025.\n\nShe said fentanyl seizures at the border dropped sharply, "
           "according to U.S. Customs data released on Thursday.")


def test_first_start_ingests_the_sample_folder(tmp_path, monkeypatch):
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "one.txt").write_text(ARTICLE, encoding="utf-8")
    at = app(monkeypatch, tmp_path / "store", sample_dir=sample, page="sources")
    no_exceptions(at)
    assert not at.error, errors(at)
    assert at.dataframe[0].value["articles"].sum() == 1
    # a store emptied on purpose is not seeded again
    at.selectbox(key="fc_remove_choice").select_index(0)
    at.checkbox(key="fc_remove_confirm").check().run()
    at.button(key="fc_remove_button").click().run()
    no_exceptions(at)
    at.run()
    assert any("empty" in i.value for i in at.info)


def test_lists_sources_articles_and_claim_counts(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="sources")
    no_exceptions(at)
    sources = at.dataframe[0].value
    assert sorted(sources["source"]) == sorted(a["source"] for a in load_articles())
    assert sources.set_index("source").loc["Daily Planet", "claims"] == 3
    articles = at.dataframe[1].value
    assert set(articles.columns) >= {"source", "title", "date", "claims"}
    assert len(articles) == 3


def test_open_article_marks_claims_and_keeps_comments_apart(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="sources")
    at.selectbox(key="fc_open_article").select_index(0).run()
    no_exceptions(at)
    html = html_text(at)
    assert html.count('<mark class="fc-claim"') == 3
    assert "Great article, thanks!" in html
    article_html = next(el.proto.body for el in at.get("html") if "fc-claim" in el.proto.body)
    assert "Great article" not in article_html  # the comment is not part of the article body
    assert any("Reader comments (1)" in e.label for e in at.expander)


def test_hostile_article_shows_as_text(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="sources")
    hostile = next(i for i, label in enumerate(at.selectbox(key="fc_open_article").options) if "<img" in label)
    at.selectbox(key="fc_open_article").select_index(hostile).run()
    no_exceptions(at)
    assert_inert(at)
    html = html_text(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[x](javascript:alert(1))" in html  # literally, as text: st.html renders no markdown
    assert "\\[x\\]" in markdown_text(at) or "[x]" not in markdown_text(at)


def test_paste_adds_an_article_with_progress(tmp_path, monkeypatch):
    at = app(monkeypatch, tmp_path, page="sources")
    at.text_area(key="fc_paste_text").input(ARTICLE)
    at.text_input(key="fc_paste_source").input("Pasted Post")
    at.button(key="fc_paste_submit").click().run()
    no_exceptions(at)
    assert not at.error, [e.value for e in at.error]
    assert at.status[0].label.startswith("1 of 1 added")
    assert "Pasted Post" in list(at.dataframe[-2].value["source"])  # the sources table after the results


def test_paste_without_source_or_text_gives_a_reason(tmp_path, monkeypatch):
    at = app(monkeypatch, tmp_path, page="sources")
    at.text_area(key="fc_paste_text").input(ARTICLE)
    at.button(key="fc_paste_submit").click().run()
    assert "Name the source" in at.error[0].value
    at.text_area(key="fc_paste_text").input("")
    at.text_input(key="fc_paste_source").input("Pasted Post")
    at.button(key="fc_paste_submit").click().run()
    no_exceptions(at)
    assert at.error  # an empty article is refused with a reason


def test_upload_several_files_good_and_bad(tmp_path, monkeypatch):
    at = app(monkeypatch, tmp_path, page="sources")
    good = json.dumps({"source": "JSON Times", "title": "Seizures", "text": ARTICLE}).encode()
    at.file_uploader(key="fc_upload_files").set_value(
        [("a.json", good, "application/json"), ("b.txt", b"\x00\x01\x02binary\xff\xfe", "text/plain"),
         ("c.json", b"{broken", "application/json")])
    at.button(key="fc_upload_submit").click().run()
    no_exceptions(at)
    assert at.status[0].label.startswith("1 of 3 added")
    errors = " ".join(e.value for e in at.error)
    assert "b\\.txt" in errors and "c\\.json" in errors


def test_a_file_that_breaks_the_reader_is_refused_and_the_rest_of_the_upload_added(tmp_path, monkeypatch):
    """A 50,000-deep JSON used to end the upload with "Something went wrong": later files were never added."""
    real = Factcheck.ingest_bytes

    def store_fails_for_one(self, name, data, **kw):  # a failure past reading (the store, a model): its line too
        if name == "boom.txt":
            raise RuntimeError("disk on fire")
        return real(self, name, data, **kw)

    monkeypatch.setattr(Factcheck, "ingest_bytes", store_fails_for_one)
    at = app(monkeypatch, tmp_path, page="sources")
    good = json.dumps({"source": "JSON Times", "title": "Seizures", "text": ARTICLE}).encode()
    at.file_uploader(key="fc_upload_files").set_value(
        [("deep.json", b"[" * 50_000 + b"]" * 50_000, "application/json"), ("boom.txt", b"x", "text/plain"),
         ("good.json", good, "application/json")])
    at.button(key="fc_upload_submit").click().run()
    no_exceptions(at)
    assert at.status[0].label.startswith("1 of 3 added")
    deep, boom = (e.value for e in at.error)
    assert "deep\\.json" in deep and "nested too deep" in deep
    assert "boom\\.txt" in boom and "disk on fire" in boom
    assert at.dataframe[-1].value["source"].tolist() == ["JSON Times"]


def test_url_field_refuses_local_paths_and_private_addresses(tmp_path, monkeypatch):
    at = app(monkeypatch, tmp_path, page="sources")
    at.text_input(key="fc_url").input("/etc/passwd")
    at.button(key="fc_url_submit").click().run()
    assert "http" in at.error[0].value
    at.text_input(key="fc_url").input("http://127.0.0.1:9/x")
    at.button(key="fc_url_submit").click().run()
    no_exceptions(at)
    assert at.error and at.status[0].label.startswith("0 of 1 added")


def test_a_read_only_store_opens_without_an_error_and_is_not_seeded(tmp_path, monkeypatch, deny_writes):
    """A store filled by the CLI and then read-only (another user's, a read-only mount): the dashboard shows it;
    first start used to write its 'seeded' flag and put the read-only refusal on every page."""
    store = tmp_path / "store"
    seed(store)
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "one.txt").write_text(ARTICLE, encoding="utf-8")
    deny_writes(store)
    at = app(monkeypatch, store, sample_dir=sample, page="sources")
    no_exceptions(at)
    assert not at.error, errors(at)
    assert sorted(at.dataframe[0].value["source"]) == sorted(a["source"] for a in load_articles())


def test_first_start_imports_the_sample_fact_checks_and_no_article_from_them(tmp_path, monkeypatch):
    from pathlib import Path

    sample = tmp_path / "sample"
    (sample / "factchecks").mkdir(parents=True)
    (sample / "one.txt").write_text(ARTICLE, encoding="utf-8")
    fixtures = Path(__file__).parents[1] / "data" / "factchecks"
    for name in ("feed.json", "review_trump_hitting_land.html"):
        (sample / "factchecks" / name).write_bytes((fixtures / name).read_bytes())
    at = app(monkeypatch, tmp_path / "store", sample_dir=sample, page="sources")
    no_exceptions(at)
    assert not at.error, errors(at)
    assert at.dataframe[0].value["articles"].sum() == 1
    from factcheck.store import Store

    with Store.open(tmp_path / "store") as store:
        assert len(store.reviews()) == 11


def test_profiles_are_edited_on_the_sources_page(tmp_path, monkeypatch):
    from factcheck.store import Store

    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="sources")
    no_exceptions(at)
    names = sorted(a["source"] for a in load_articles())
    row = names.index("Daily Planet")
    at.selectbox(key="fc_profile_outlet").set_value(row).run()
    at.text_input(key=f"fc_profile_country_{row}").input("Freedonia")
    at.text_input(key=f"fc_profile_rating_{row}").input("Low")
    at.button(key="fc_profile_save").click().run()
    no_exceptions(at)
    assert any("rating_source" in e for e in errors(at))  # a rating without its source is refused ...
    with Store.open(tmp_path) as store:
        assert store.profiles() == []  # ... and nothing stored
    at.text_input(key=f"fc_profile_rating_source_{row}").input("my reading")
    at.button(key="fc_profile_save").click().run()
    no_exceptions(at)
    assert not at.error, errors(at)
    with Store.open(tmp_path) as store:
        (p,) = store.profiles()
    assert (p.name, p.country, p.rating, p.rating_source) == ("Daily Planet", "Freedonia", "Low", "my reading")
    table = at.dataframe[0].value.set_index("source")
    assert table.loc["Daily Planet", "profile"] == "Freedonia · rating: Low (per my reading)"
    # picking the outlet again shows what was saved
    assert at.text_input(key=f"fc_profile_country_{row}").value == "Freedonia"


def test_an_open_articles_compound_claims_are_listed_with_their_parts(tmp_path, monkeypatch):
    at = app(monkeypatch, tmp_path, page="sources")
    at.text_area(key="fc_paste_text").input("The storm killed 12 people, destroyed 300 homes and left 40,000 "
                                            "customers without power on <b>Monday</b>.")
    at.text_input(key="fc_paste_source").input("Storm Post")
    at.button(key="fc_paste_submit").click().run()
    at.selectbox(key="fc_open_article").select_index(0).run()
    no_exceptions(at)
    box = next(e for e in at.expander if e.label.startswith("Compound claims (1)"))
    shown = [m.value for m in box.markdown]
    assert shown[1].splitlines() == ["- The storm killed 12 people\\.", "- The storm destroyed 300 homes\\.",
                                     "- The storm left 40,000 customers without power on \\<b\\>Monday\\</b\\>\\."]


def test_published_fact_checks_are_imported_from_an_upload_and_a_bad_file_is_named(tmp_path, monkeypatch):
    from pathlib import Path

    fixtures = Path(__file__).parents[1] / "data" / "factchecks"
    at = app(monkeypatch, tmp_path, page="sources")
    files = [("review.html", (fixtures / "review_trump_hitting_land.html").read_bytes(), "text/html"),
             ("feed.json", (fixtures / "feed.json").read_bytes(), "application/json"),
             ("<b>broken</b>.json", b"{broken", "application/json"),
             ("odd.csv", b"\x00\x01\x02\xff\xfe", "text/csv")]
    at.file_uploader(key="fc_factchecks_files").set_value(files)
    at.button(key="fc_factchecks_import").click().run()
    no_exceptions(at)
    done = [s.value for s in at.success]
    assert len(done) == 2 and done[0].startswith("review\\.html: 1 read, 1 added")
    errors = " ".join(e.value for e in at.error)
    assert "\\<b\\>broken\\</b\\>\\.json" in errors and "<b>" not in errors and "odd\\.csv" in errors
    stored = Factcheck(Settings(store_dir=tmp_path)).factchecks()
    assert stored and any(f"{len(stored)} published fact-check(s) stored" in c.value for c in at.caption)
    at.file_uploader(key="fc_factchecks_files").set_value(files[:1])
    at.button(key="fc_factchecks_import").click().run()
    assert [s.value for s in at.success] == ["review\\.html: 1 read, 0 added, 1 already stored."]
