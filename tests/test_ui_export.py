"""Page "Export": JSON, CSV and Markdown downloads equal to what factcheck.report (the CLI's report) writes."""
from __future__ import annotations

import json

from ui_support import app, errors, fake_factcheck, no_exceptions, seed

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
