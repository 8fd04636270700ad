"""Connecting to Milvus for `factcheck.vectors.milvus`: a server or cluster URI, or a milvus-lite file (the store
folder's `milvus.db` when no URI is given), and what a failure there means for the user.

pymilvus and milvus-lite are imported here and in `milvus`, inside functions; a missing install is a
BackendMissingError naming the extra. milvus-lite runs its server in this process, one per file: the last
client on a file in this process stops it, and a file another process holds is refused with what to do.
A failed call (unreachable server, wrong token, refusal) becomes one StoreError sentence naming the server
without its credentials, never a traceback: pymilvus's own logging is kept quiet for that.
"""
from __future__ import annotations

import importlib.util
import logging
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from factcheck.durable import in_use
from factcheck.errors import BackendMissingError, FactcheckError, StoreError
from factcheck.vectors.base import Location

LITE_FILE = "milvus.db"  # milvus-lite's data folder in the store folder when no URI is given
CONNECT_TIMEOUT_S = 10.0
INSTALL_HINT = ("Milvus support is not installed: run pip install -e '.[milvus]' (pymilvus and milvus-lite), "
                "or set FACTCHECK_VECTOR_BACKEND=faiss.")

_lite_lock = threading.Lock()
_lite_users: dict[str, int] = {}  # clients open on each milvus-lite file in this process


def pymilvus() -> Any:
    """pymilvus, imported on first use; a missing install says which extra brings it."""
    try:
        import pymilvus as pm
    except ImportError as e:
        raise BackendMissingError(INSTALL_HINT) from e
    # pymilvus logs every failed call with its traceback on its own handler; failures reach the user as one
    # sentence (`translated`), so its logger says nothing below CRITICAL
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    return pm


def is_lite(where: Location) -> bool:
    return where.uri is None or where.uri.endswith(".db")


def lite_path(where: Location) -> Path:
    return where.store_dir / LITE_FILE if where.uri is None else Path(where.uri).expanduser()


def shown_uri(uri: str) -> str:
    """A server URI for people: without user, password or query (a token may hide in any of them)."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the Milvus server in FACTCHECK_MILVUS_URI"
    if not parts.scheme or not host:
        return uri.split("@")[-1].split("?")[0]
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}{parts.path}"


def shown(where: Location) -> str:
    """Where the vectors are, for people: the milvus-lite file, or the server without its credentials."""
    return str(lite_path(where)) if is_lite(where) else shown_uri(str(where.uri))


def place(where: Location) -> str:
    return f"the milvus-lite file {lite_path(where)}" if is_lite(where) else shown_uri(str(where.uri))


def connect(where: Location) -> Any:
    """A MilvusClient for `where`; a milvus-lite file is opened (its server started) on first use here."""
    pm = pymilvus()
    if not is_lite(where):
        with translated(where, "connect"):
            return pm.MilvusClient(uri=str(where.uri), token=where.token or "", timeout=CONNECT_TIMEOUT_S)
    if importlib.util.find_spec("milvus_lite") is None:
        raise BackendMissingError(INSTALL_HINT)
    # milvus-lite's gRPC server runs in this process and logs, with a traceback, each call it does not
    # implement (pymilvus's id iterator asks for a timestamp, then does without): not the user's concern
    logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    path = lite_path(where)
    with _lite_lock:
        try:
            client = pm.MilvusClient(uri=str(path), timeout=CONNECT_TIMEOUT_S)
        except pm.exceptions.MilvusException as e:
            raise _lite_problem(path, e) from e
        key = str(path.resolve())
        _lite_users[key] = _lite_users.get(key, 0) + 1
    return client


def disconnect(where: Location, client: Any) -> None:
    """Close a client from `connect`; the last one on a milvus-lite file in this process stops its server."""
    with suppress(Exception):
        client.close()
    if not is_lite(where):
        return
    key = str(lite_path(where).resolve())
    with _lite_lock:
        left = _lite_users.get(key, 1) - 1
        if left > 0:
            _lite_users[key] = left
            return
        _lite_users.pop(key, None)
        with suppress(Exception):
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(key)


@contextmanager
def translated(where: Location, doing: str) -> Iterator[None]:
    """pymilvus and gRPC failures as one-line StoreErrors; factcheck's own errors and bugs pass as they are."""
    try:
        yield
    except FactcheckError:
        raise
    except Exception as e:
        if isinstance(e, _client_errors()):
            raise failure(where, doing, e) from e
        raise


def failure(where: Location, doing: str, e: BaseException) -> StoreError:
    """What a failed Milvus call means for the user, in one sentence with what to do."""
    at, status, msg = place(where), _grpc_status(e), _message(e)
    if status in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return StoreError(f"Milvus at {at} refused the credentials while trying to {doing}: check "
                          "FACTCHECK_MILVUS_TOKEN ('user:password', or an API key).")
    if "Fail connecting" in msg or status in ("UNAVAILABLE", "DEADLINE_EXCEEDED"):
        if not is_lite(where) and _reachable(str(where.uri)):  # pymilvus tells a wrong token as unreachable
            return StoreError(f"Milvus at {at} refused the connection while trying to {doing}: check "
                              "FACTCHECK_MILVUS_TOKEN ('user:password', or an API key) and that this address is "
                              "a Milvus server.")
        return StoreError(f"Cannot reach Milvus at {at} to {doing}: check FACTCHECK_MILVUS_URI and that the "
                          "server is running, or unset FACTCHECK_MILVUS_URI to keep the vectors in a milvus-lite "
                          "file in the store folder.")
    return StoreError(f"Milvus at {at} failed to {doing}: {msg}. Check the server (its log says more), then try "
                      "again, or run `factcheck doctor`.")


def connection_lost(e: BaseException) -> bool:
    """Did this call fail for the connection (not for what it asked)?"""
    return bool(_grpc_status(e)) or "Fail connecting" in _message(e)


def _client_errors() -> tuple[type[BaseException], ...]:
    """The exception classes of pymilvus and gRPC, where imported (they are, once a client exists)."""
    found: list[type[BaseException]] = []
    if (pm := sys.modules.get("pymilvus.exceptions")) is not None:
        found.append(pm.MilvusException)
    if (grpc := sys.modules.get("grpc")) is not None:
        found.append(grpc.RpcError)
    return tuple(found)


def _causes(e: BaseException) -> Iterator[BaseException]:
    """e and what caused it, each once (pymilvus chains its retries into a loop)."""
    seen: set[int] = set()
    x: BaseException | None = e
    while x is not None and id(x) not in seen and len(seen) < 20:
        seen.add(id(x))
        yield x
        x = x.__cause__ or x.__context__


def _grpc_status(e: BaseException) -> str:
    """The gRPC status name somewhere in e's causes ('UNAUTHENTICATED', 'UNAVAILABLE', ...), or ''."""
    for x in _causes(e):
        code = getattr(x, "code", None)
        if callable(code):
            with suppress(Exception):
                return str(getattr(code(), "name", ""))
    return ""


def _reachable(uri: str) -> bool:
    """Does anything accept a TCP connection where the URI points?"""
    try:
        parts = urlsplit(uri)
        host, port = parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 19530)
        with socket.create_connection((host, port), timeout=3):
            return True
    except (OSError, ValueError):
        return False


def _message(e: BaseException) -> str:
    msg = str(getattr(e, "message", "") or e).strip().splitlines()
    return (msg[0] if msg else type(e).__name__)[:300]


def _lite_problem(path: Path, e: BaseException) -> StoreError:
    """Why milvus-lite would not open its file: another process holds it, the folder is not writable, or else."""
    if not path.parent.is_dir():
        return StoreError(f"Cannot open the milvus-lite file {path}: its folder does not exist. Check the store "
                          "folder (--store DIR) or FACTCHECK_MILVUS_URI.")
    # milvus-lite holds an advisory lock on its LOCK file while a process has the file open
    if in_use(path / "LOCK", by_anyone=True):
        return StoreError(f"The milvus-lite file {path} is in use by another process (milvus-lite serves one "
                          "process at a time): close the other factcheck (the dashboard?) and try again, or "
                          "point FACTCHECK_MILVUS_URI at a Milvus server to share the vectors.")
    return StoreError(f"Cannot open the milvus-lite file {path} ({_message(e)}): check the store folder is "
                      "writable and has space, then try again.")
