"""The FAISS backend's files in the store folder: what is saved, and how opening tells a good index from a
damaged, an older or another model's one.

Three files: `index.faiss` (FAISS's own format — never pickle), `index.fields` (each vector's passage id,
source and article, what filters read: a numpy .npz loaded without pickle, factcheck.vectors.faiss_fields)
and `index.json` (format, model, dim, count, kind, and the size and sha256 of the other two). Opening checks
the json against the files and the model in use: another model or dimension is refused (IndexMismatchError)
unless a rebuild is asked for; a damaged, truncated or miscounted file, or an index saved before the fields
existed (format 1: index.faiss and index.json only), is a message saying it starts again.

Several processes may share a store (dashboard, CLI): a save swaps the three files under an exclusive flock
on `index.lock` and an open reads them under a shared one, so an open never pairs one save's index with
another's fields or metadata. A save that fails (a full disk: FAISS says so in a RuntimeError) is a
StoreError saying so, removes its temp files and leaves the saved files as they were; opening sweeps the
temp files of saves that were killed. FAISS reads and writes through factcheck.vectors.faiss_build;
checksums, fsync and the file lock come from factcheck.durable.
"""
from __future__ import annotations

import json
import logging
import os
import zipfile
from pathlib import Path
from typing import Any

from factcheck.durable import (
    files_locked,
    fsync_dir,
    out_of_space,
    read_small,
    sha256,
    sweep_temp_files,
    temp_path,
    writing,
)
from factcheck.errors import IndexMismatchError, StoreError
from factcheck.vectors.base import mismatch
from factcheck.vectors.faiss_build import read_index, write_index
from factcheck.vectors.faiss_fields import Fields

log = logging.getLogger(__name__)

INDEX_FILE = "index.faiss"
FIELDS_FILE = "index.fields"
META_FILE = "index.json"
LOCK_FILE = "index.lock"
FORMAT = 2  # 1: no fields file (factcheck before the vector backends): opened as a rebuild
KINDS = ("flat", "ivf")
META_MAX_BYTES = 1 << 16  # index.json holds a few fields: a bigger one is not ours


def load(d: Path, model_name: str, dim: int, *,
         rebuild_on_mismatch: bool = False) -> tuple[str, Any, Fields] | str | None:
    """The saved (kind, FAISS index, fields) in d; None when nothing is saved; a message when it must start
    again (damaged, saved by an older factcheck, or another model when rebuild_on_mismatch). Sweeps the temp
    files of saves that died first, and reads under the shared lock."""
    if os.access(d, os.W_OK):  # what saves that were killed or failed left: each as big as the index
        for gone in sweep_temp_files(d, (INDEX_FILE, FIELDS_FILE, META_FILE)):
            log.info("removed %s, left by a save that did not finish", gone.name)
    with files_locked(d / LOCK_FILE, exclusive=False):  # no save swaps the files while they are read
        return _read(d, model_name, dim, rebuild_on_mismatch)


def _read(d: Path, model_name: str, dim: int, rebuild_on_mismatch: bool) -> tuple[str, Any, Fields] | str | None:
    meta_path, index_path, fields_path = d / META_FILE, d / INDEX_FILE, d / FIELDS_FILE
    if not meta_path.exists() and not index_path.exists():
        return None

    def damaged(reason: str) -> str:
        return f"The search index in {d} was damaged ({reason}); rebuilding it from the stored passages."

    try:
        meta = json.loads(read_small(meta_path, META_MAX_BYTES))
        m_model, m_dim, m_count = str(meta["model"]), int(meta["dim"]), int(meta["count"])
        m_kind, m_size, m_sum = str(meta["kind"]), int(meta["size"]), str(meta["sha256"])
        m_format = meta.get("format")
    except FileNotFoundError:
        return damaged(f"{META_FILE} is missing")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        return damaged(f"{META_FILE} is unreadable: {e}")
    if (m_model, m_dim) != (model_name, int(dim)):
        if not rebuild_on_mismatch:
            raise IndexMismatchError(mismatch(f" in {d}", (m_model, m_dim), model_name, dim, rebuild=False))
        return mismatch(f" in {d}", (m_model, m_dim), model_name, dim, rebuild=True)
    if m_format != FORMAT:
        if m_format is None or (isinstance(m_format, int) and m_format < FORMAT):
            return (f"The search index in {d} was saved by an older factcheck, without each passage's source and "
                    "article; rebuilding it from the stored passages.")
        return damaged(f"{META_FILE} says format {m_format!r}, this factcheck reads format {FORMAT}")
    try:
        f_size, f_sum = int(meta["fields_size"]), str(meta["fields_sha256"])
    except (KeyError, TypeError, ValueError) as e:
        return damaged(f"{META_FILE} is unreadable: {e}")
    reason = _file_problem(index_path, m_size, m_sum) or _file_problem(fields_path, f_size, f_sum)
    if reason:
        return damaged(reason)
    try:
        fx = read_index(index_path)
    except RuntimeError as e:
        return damaged(f"FAISS cannot read it: {str(e).splitlines()[0][:200]}")
    if fx.d != m_dim or fx.ntotal != m_count or m_kind not in KINDS:
        return damaged(f"it holds {fx.ntotal} vectors of dim {fx.d}, {m_count} of dim {m_dim} were recorded")
    try:
        fields = Fields.read(fields_path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        return damaged(f"{FIELDS_FILE} is unreadable: {e}")
    if len(fields) != fx.ntotal:
        return damaged(f"{FIELDS_FILE} describes {len(fields)} vectors, the index holds {fx.ntotal}")
    return m_kind, fx, fields



def save(d: Path, index: Any, fields: Fields, *, model_name: str, dim: int, kind: str) -> None:
    """Write the three files atomically (temp file, fsync, os.replace): a crash leaves old or new, never half.
    A failed save (a full disk) removes its temp files and leaves the saved files as they were."""
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp, ftmp, mtmp = temp_path(d / INDEX_FILE), temp_path(d / FIELDS_FILE), temp_path(d / META_FILE)
        with writing(tmp) as f, writing(ftmp) as ff, writing(mtmp) as mf:
            write_index(index, tmp)  # the same file: `writing` holds its lock
            os.fsync(f.fileno())
            fields.write(ff)
            ff.flush()
            os.fsync(ff.fileno())
            meta = {"format": FORMAT, "model": model_name, "dim": dim, "count": int(index.ntotal),
                    "kind": kind, "size": tmp.stat().st_size, "sha256": sha256(tmp),
                    "fields_size": ftmp.stat().st_size, "fields_sha256": sha256(ftmp)}
            mf.write(json.dumps(meta).encode("utf-8"))
            mf.flush()
            os.fsync(mf.fileno())
            # the slow part (writing, hashing) is done: swap them while no other process reads or swaps them
            with files_locked(d / LOCK_FILE, exclusive=True):
                os.replace(tmp, d / INDEX_FILE)
                os.replace(ftmp, d / FIELDS_FILE)
                os.replace(mtmp, d / META_FILE)
                fsync_dir(d)
    except (OSError, RuntimeError) as e:  # FAISS raises RuntimeError for a failed write
        if out_of_space(e):
            raise StoreError(f"The disk holding {d} is full: the search index was not saved (what was "
                             "stored is kept, and the index is rebuilt from it). Free some space, then "
                             "run `factcheck doctor`.") from e
        raise StoreError(f"Cannot write the search index in {d}: {str(e).splitlines()[0][:300]}. Check the "
                         "folder is writable, then run `factcheck doctor`.") from e


def _file_problem(path: Path, size: int, digest: str) -> str | None:
    """Why a saved file is not the one index.json describes, or None when it is."""
    if not path.exists():
        return f"{path.name} is missing"
    if not path.is_file():  # a FIFO would block the read for ever, /dev/zero never end it
        return f"{path.name} is not a regular file"
    found = path.stat().st_size
    if found != size:
        return f"{path.name} has {found} bytes, {size} were written"
    if sha256(path) != digest:
        return f"{path.name} does not match its checksum"
    return None
