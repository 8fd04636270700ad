"""Settings from the environment: the store folder, private URLs, the input size limit."""
from __future__ import annotations

from pathlib import Path

import pytest

from factcheck.errors import FactcheckError, SettingsError
from factcheck.settings import ENV_MAX_INPUT_BYTES, ENV_STORE, Settings, store_dir_from_env


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ENV_STORE, ENV_MAX_INPUT_BYTES, "FACTCHECK_ALLOW_PRIVATE_URLS"):
        monkeypatch.delenv(name, raising=False)


def test_store_flag_then_env_then_per_user_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert store_dir_from_env() == tmp_path / "xdg" / "factcheck"
    monkeypatch.setenv(ENV_STORE, str(tmp_path / "env"))
    assert Settings.from_env().store_dir == tmp_path / "env"
    assert Settings.from_env(tmp_path / "flag").store_dir == tmp_path / "flag"


def test_max_input_bytes_defaults_to_20_mb():
    assert Settings.from_env().max_input_bytes == 20 * 1024 * 1024 == Settings().max_input_bytes


@pytest.mark.parametrize(("raw", "expected"), [("41943040", 41943040), (" 100 ", 100), ("", 20 * 1024 * 1024)])
def test_max_input_bytes_from_the_environment(monkeypatch: pytest.MonkeyPatch, raw: str, expected: int):
    monkeypatch.setenv(ENV_MAX_INPUT_BYTES, raw)
    assert Settings.from_env().max_input_bytes == expected


@pytest.mark.parametrize("raw", ["lots", "40MB", "1.5", "0", "-5"])
def test_a_max_input_bytes_that_is_no_size_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, raw: str):
    monkeypatch.setenv(ENV_MAX_INPUT_BYTES, raw)
    with pytest.raises(SettingsError) as e:
        Settings.from_env()
    assert isinstance(e.value, FactcheckError)  # the CLI and the dashboard show it as one line
    msg = str(e.value)
    assert msg.startswith(f"FACTCHECK_MAX_INPUT_BYTES={raw!r} is not a size factcheck can use")
    assert "whole number of bytes" in msg and "unset it for the default of 20 MB" in msg and "\n" not in msg
