"""app.py, the dashboard's router: nothing it configures makes the browser fetch from the internet."""
from __future__ import annotations

import re

from streamlit.commands import page_config
from ui_support import ROOT, app, no_exceptions


def test_the_favicon_is_served_by_the_app_itself(tmp_path, monkeypatch):
    """A ':material/…:' page icon makes the browser fetch its favicon from fonts.gstatic.com, an emoji one from
    nowhere but shows an emoji font's glyph; a shipped image is served by the dashboard (issue 16)."""
    favicons: list[str] = []
    keep = page_config._get_favicon_string

    def record(icon):
        favicons.append(keep(icon))
        return favicons[-1]

    monkeypatch.setattr(page_config, "_get_favicon_string", record)
    at = app(monkeypatch, tmp_path)
    no_exceptions(at)
    assert favicons, "app.py sets no page icon: Streamlit would show its own"
    for favicon in favicons:
        # a media URL of the app's own server, e.g. /media/<hash>.png; never :material/ or http(s)://
        assert favicon.startswith("/") and favicon.endswith(".png"), favicon


def test_no_external_address_in_the_router_or_its_config():
    for path in (ROOT / "app.py", ROOT / ".streamlit" / "config.toml"):
        assert not re.search(r"https?://", path.read_text(encoding="utf-8")), path


def test_tables_have_no_export_of_their_own():
    """st.dataframe's own "Download as CSV" writes cells as they are (a source named =HYPERLINK(…) would run in a
    spreadsheet); the Export page's CSV is the one that neutralises formulas (issue 16)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
