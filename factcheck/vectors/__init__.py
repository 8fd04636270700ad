"""Vector backends: where passage vectors live and are searched. `base` is the contract; `faiss` the embedded
default (files in the store folder), `milvus` the optional one for archives (pip install -e .[milvus]).
`open_backend` picks one from Settings (FACTCHECK_VECTOR_BACKEND, FACTCHECK_MILVUS_URI)."""
from __future__ import annotations

from factcheck.errors import SettingsError
from factcheck.vectors.base import BACKENDS, BackendName, Description, Location, VectorBackend, Where, as_ids

__all__ = ["BACKENDS", "BackendName", "Description", "Location", "VectorBackend", "Where", "as_ids", "backend_class"]


def backend_class(name: BackendName) -> type[VectorBackend]:
    """The class of a backend by its name; a missing optional install is a ModelMissingError naming the extra."""
    if name == "faiss":
        from factcheck.vectors.faiss import FaissBackend

        return FaissBackend
    if name == "milvus":
        from factcheck.vectors.milvus import MilvusBackend  # says which extra to install when pymilvus is missing

        return MilvusBackend
    raise SettingsError(f"{name!r} is not a vector backend factcheck has: use one of {', '.join(BACKENDS)}.")
