"""factcheck: which outlets say the same thing, who contradicts whom, which claims rest on one source.

The public API, for a program that uses factcheck as a library::

    from factcheck import Factcheck, Settings

    fc = Factcheck(Settings.from_env())
    fc.ingest_paths(["articles/"])
    check = fc.check("The council closed 12 bridges")   # a Check: its Verdict and the Evidence behind it

Each name below is imported from its module when first used (PEP 562), so `import factcheck` and
`factcheck --help` load no model library, nor even numpy. `__version__` is the installed package's version
(pyproject.toml's, read from the package metadata).
"""
from __future__ import annotations

# not `from typing import TYPE_CHECKING`: typing would double the import's time; type checkers read this name alike
TYPE_CHECKING = False

# the module that defines each public name
_MODULES: dict[str, tuple[str, ...]] = {
    "factcheck.api": ("Factcheck",),
    "factcheck.settings": ("Settings",),
    # errors a user can cause: str(error) is the sentence to show them
    "factcheck.errors": ("FactcheckError", "IngestError", "StoreError", "IndexMismatchError", "ModelMissingError",
                         "BackendMissingError", "ClusterError", "SettingsError"),
    # what the facade returns
    "factcheck.records": ("Source", "Article", "Passage", "IngestResult", "Review", "PublishedCheck",
                          "FactcheckImport", "SourceProfile", "ProfileImport", "Story"),
    "factcheck.verdict": ("Check", "Verdict", "Evidence"),
    "factcheck.retrieve": ("Hit",),
    "factcheck.mismatch": ("Mismatch",),
    "factcheck.consistency": ("Consistency",),
    "factcheck.timeline": ("Timeline",),
    # the labels those records carry
    "factcheck.labels": ("Verification", "Probabilities", "SourceStance", "VerdictLabel", "Carried", "Stance",
                         "StanceProbabilities", "PassageKind", "IngestStatus", "MismatchKind"),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [  # _MODULES' names (tests/test_package.py holds the two equal)
    "__version__", "Factcheck", "Settings",
    "FactcheckError", "IngestError", "StoreError", "IndexMismatchError", "ModelMissingError", "BackendMissingError",
    "ClusterError", "SettingsError",
    "Source", "Article", "Passage", "IngestResult", "Review", "PublishedCheck", "FactcheckImport", "SourceProfile",
    "ProfileImport", "Story",
    "Check", "Verdict", "Evidence", "Hit", "Mismatch", "Consistency", "Timeline",
    "Verification", "Probabilities", "SourceStance", "VerdictLabel", "Carried", "Stance", "StanceProbabilities",
    "PassageKind", "IngestStatus", "MismatchKind",
]

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ imports each on first use
    from factcheck.api import Factcheck
    from factcheck.consistency import Consistency
    from factcheck.errors import (
        BackendMissingError,
        ClusterError,
        FactcheckError,
        IndexMismatchError,
        IngestError,
        ModelMissingError,
        SettingsError,
        StoreError,
    )
    from factcheck.labels import (
        Carried,
        IngestStatus,
        MismatchKind,
        PassageKind,
        Probabilities,
        SourceStance,
        Stance,
        StanceProbabilities,
        VerdictLabel,
        Verification,
    )
    from factcheck.mismatch import Mismatch
    from factcheck.records import (
        Article,
        FactcheckImport,
        IngestResult,
        Passage,
        ProfileImport,
        PublishedCheck,
        Review,
        Source,
        SourceProfile,
        Story,
    )
    from factcheck.retrieve import Hit
    from factcheck.settings import Settings
    from factcheck.timeline import Timeline
    from factcheck.verdict import Check, Evidence, Verdict

    __version__: str


if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name is their error, not an `object`
    def __getattr__(name: str) -> object:
        if name == "__version__":
            from importlib.metadata import PackageNotFoundError, version

            try:
                value = version("factcheck")
            except PackageNotFoundError:  # a checkout on sys.path, never installed: no metadata to read
                value = "0+unknown"
        elif name in _EXPORTS:
            from importlib import import_module

            value = getattr(import_module(_EXPORTS[name]), name)
        else:
            raise AttributeError(f"module 'factcheck' has no attribute {name!r}")
        globals()[name] = value  # looked up once
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
