"""The package's own face (factcheck/__init__.py): the public API by name, imported lazily, and its version."""
from __future__ import annotations

import importlib
import importlib.metadata
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import factcheck

ROOT = Path(__file__).parents[1]
HEAVY = ("numpy", "torch", "sentence_transformers", "transformers", "faiss", "spacy", "sklearn", "streamlit")


def test_all_lists_each_exported_name_once_and_the_version():
    assert factcheck.__all__ == ["__version__", *factcheck._EXPORTS]
    assert len(set(factcheck.__all__)) == len(factcheck.__all__)


@pytest.mark.parametrize("name", list(factcheck._EXPORTS))
def test_each_public_name_is_the_object_its_module_defines(name: str):
    module = importlib.import_module(factcheck._EXPORTS[name])
    assert getattr(factcheck, name) is getattr(module, name)
    assert name in dir(factcheck)


def test_the_api_a_program_reads_first():
    from factcheck import Factcheck, FactcheckError, Settings, SettingsError, VerdictLabel

    assert issubclass(SettingsError, FactcheckError) and Factcheck.__module__ == "factcheck.api"
    assert Settings().top_k >= 1 and "corroborated" in {v.value for v in VerdictLabel}


def test_a_name_that_is_not_exported_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'factcheck' has no attribute 'store_dir'"):
        factcheck.store_dir  # noqa: B018


def test_the_version_is_pyprojects_read_from_the_package_metadata():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert factcheck.__version__ == importlib.metadata.version("factcheck") == pyproject["project"]["version"]


def _modules_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=120, cwd=ROOT)
    return json.loads(out.stdout.splitlines()[-1])


def test_import_factcheck_imports_none_of_its_modules_nor_a_heavy_library():
    """What keeps `import factcheck` fast: the names above are imported on first use (PEP 562)."""
    loaded = _modules_after("import factcheck; factcheck.__version__")
    assert [m for m in loaded if m.startswith("factcheck")] == ["factcheck"]
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_the_command_lines_help_loads_no_model_library():
    """`factcheck --help` answers before any model library is imported (numpy may come with the settings)."""
    loaded = _modules_after("import contextlib, io\nfrom factcheck.cli import main\n"
                            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                            "    main(['--help'])")
    assert not [m for m in loaded if m.split(".")[0] in HEAVY[1:]]
