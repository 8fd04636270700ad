"""Durable files: checksums, directory fsync, and the advisory lock that pairs files saved together.

The index (factcheck.index) saves two files with temp file, fsync and os.replace, swaps them under an
exclusive lock and reads them under a shared one; these are the pieces it needs from the filesystem.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on a directory; the file itself was synced
    finally:
        os.close(fd)


@contextlib.contextmanager
def files_locked(lock_file: Path, *, exclusive: bool) -> Iterator[None]:
    """An advisory flock on `lock_file` (created if missing), released when the block ends."""
    try:
        import fcntl

        f = lock_file.open("a+b")
    except (ImportError, OSError):  # no flock (Windows) or a folder we cannot write: no save can race here
        yield
        return
    with f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
