"""Settings: from the environment (the store folder, private URLs, the input size limit), each value checked when
made, and the dashboard's upload cap kept equal to the input limit."""
from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from factcheck.errors import FactcheckError, SettingsError
from factcheck.settings import DEFAULTS, ENV_MAX_INPUT_BYTES, ENV_STORE, RANGES, Settings, store_dir_from_env


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


# --- every setting is checked when a Settings is made --------------------------------------------------
@pytest.mark.parametrize(("name", "value", "why"), [
    ("top_k", 0, "use 1 or more"), ("top_k", 2.5, "whole number"), ("top_k", True, "whole number"),
    ("claim_threshold", 1.5, "from 0 to 1"), ("claim_threshold", "0.5", "use a number"),
    ("min_similarity", -1.5, "from -1 to 1"), ("evidence_similarity", float("nan"), "finite"),
    ("conflict_similarity", 2.0, "from -1 to 1"), ("verify_supports_at", -0.1, "from 0 to 1"),
    ("duplicate_similarity", None, "use a number"), ("max_input_bytes", 0, "1 or more"),
    ("url_timeout_s", 0.0, "0.001 or more"), ("url_max_redirects", -1, "0 or more"),
    ("verify_reads_context", 1, "True or False"), ("allow_private_urls", "yes", "True or False"),
    ("vector_backend", "chroma", "'chroma' is not a vector backend factcheck has; use one of faiss, milvus"),
    ("store_dir", "/tmp/store", "use a Path"), ("milvus_uri", 19530, "use a str"),
])
def test_a_bad_value_is_refused_by_name_when_settings_are_made(name: str, value: object, why: str):
    with pytest.raises(SettingsError) as e:
        Settings(**{name: value})  # type: ignore[arg-type]
    msg = str(e.value)
    assert msg.startswith(f"The setting {name}=") and why in msg and "\n" not in msg, msg
    with pytest.raises(SettingsError, match=f"The setting {name}="):
        Settings().replace(**{name: value})  # the sidebar's and the facade's door (Factcheck.with_settings)


def test_a_credential_is_never_shown_in_a_refusal():
    with pytest.raises(SettingsError) as e:
        Settings(milvus_token=12345)  # type: ignore[arg-type]
    assert "12345" not in str(e.value) and "milvus_token=(hidden)" in str(e.value)


def test_an_unknown_setting_is_refused_by_name():
    for make in (lambda: Settings().replace(topk=3), lambda: Settings.from_env(topk=3)):
        with pytest.raises(SettingsError) as e:
            make()
        assert str(e.value).startswith("'topk' is not a factcheck setting; the settings are store_dir, ")
        assert "top_k" in str(e.value)


def test_the_edges_of_each_range_and_none_where_a_rule_can_be_off_are_accepted():
    s = Settings(claim_threshold=0.0, top_k=1, min_similarity=-1.0, evidence_similarity=1.0,
                 conflict_similarity=None, verify_bare_conflicts_at=None, same_event_similarity=None,
                 url_max_redirects=0, url_timeout_s=0.3, vector_backend="milvus", milvus_uri="http://x:19530")
    assert s.replace(top_k=20).top_k == 20 and s.replace().top_k == 1


def test_every_number_has_a_range_and_every_range_a_setting():
    numbers = {f.name for f in fields(Settings) if f.type in ("int", "float", "float | None")}
    assert set(RANGES) == numbers
    assert Settings() == DEFAULTS


def test_the_dashboards_upload_cap_is_the_input_limit():
    """Streamlit reads server.maxUploadSize in MiB (its upload route multiplies by 1024 * 1024): a cap above the
    limit lets an upload through that ingest then refuses; one below refuses what the CLI would take."""
    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == Settings().max_input_bytes
