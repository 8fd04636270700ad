"""`factcheck dashboard`: it starts Streamlit where the project's dashboard settings are read."""
from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from factcheck.cli import main
from factcheck.cli.maintenance import app_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_dashboard_runs_beside_app_py_whatever_the_folder_it_is_typed_in(tmp_path: Path, monkeypatch,
                                                                              capsys) -> None:
    calls: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, **kw: calls.append((cmd, kw)) or 0)
    monkeypatch.chdir(tmp_path)  # somewhere without .streamlit/config.toml
    assert main(["--store", str(tmp_path / "store"), "dashboard", "--headless"]) == 0
    (cmd, kw), = calls
    assert cmd[cmd.index("run") + 1] == str(app_path())
    # Streamlit reads .streamlit/config.toml from its working folder: the upload cap and the switched-off
    # table export would not hold from anywhere else
    assert Path(kw["cwd"]) == app_path().parent
    assert (Path(kw["cwd"]) / ".streamlit" / "config.toml").is_file()
    assert kw["env"]["FACTCHECK_STORE"] == str(tmp_path / "store")


@pytest.mark.parametrize(("section", "key", "value"), [
    # a watched source file that changed put up "File change. Rerun" and the next form submitted never ran
    ("server", "fileWatcherType", "none"),
    ("server", "runOnSave", False),
    ("client", "disableDataExport", True),
    ("client", "showErrorDetails", "none"),
])
def test_the_dashboard_settings_people_rely_on(section: str, key: str, value: object) -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config[section][key] == value
