"""Durable files: checksums, directory fsync, and the advisory lock that pairs files saved together.

The FAISS backend (factcheck.vectors.faiss) saves three files with temp file, fsync and os.replace, swaps
them under an exclusive lock and reads them under a shared one; these are the pieces it needs from the filesystem.
A temp file is named `.NAME.<pid>.tmp`, flocked while it is written and removed when its save fails;
`sweep_temp_files` removes those that saves killed mid-way left behind (as big as the index itself).
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

# A temp file this old is swept even when its pid is alive (a pid reused since): no save takes an hour
# between writing its file and renaming it, and a live one holds its file's lock anyway.
STALE_TEMP_S = 3600.0
_TEMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.tmp")


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


def read_small(path: Path, limit: int) -> str:
    """A small metadata file's text; a FIFO, a device or a file past `limit` bytes is refused (ValueError),
    never read whole or waited on."""
    if not path.exists():
        raise FileNotFoundError(path)
    if not path.is_file():
        raise ValueError("it is not a regular file")
    with path.open("rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"it is over {limit:,} bytes")
    return data.decode("utf-8")


def temp_path(target: Path) -> Path:
    """Where a save of `target` writes first: `.NAME.<pid>.tmp` beside it, so a sweep can tell whose it is."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def out_of_space(e: BaseException) -> bool:
    """Did this write fail for want of space (or quota)? FAISS says so only in its RuntimeError's text."""
    if isinstance(e, OSError):
        return e.errno in (errno.ENOSPC, errno.EDQUOT)
    return "No space left on device" in str(e) or "Disk quota exceeded" in str(e)


@contextlib.contextmanager
def writing(tmp: Path) -> Iterator[BinaryIO]:
    """A new temp file, flocked while the block writes it (a sweep in another process leaves it alone);
    removed if the block fails, so a failed save (a full disk) leaves nothing behind."""
    f = tmp.open("w+b")
    try:
        with contextlib.suppress(ImportError, OSError):
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # a sweep's probe holds it for microseconds at most
        try:
            yield f
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    finally:
        f.close()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: alive
    return True


def in_use(path: Path, *, by_anyone: bool = False) -> bool:
    """Does another process hold this file's flock: a writer's (a save writing this temp file now), or with
    `by_anyone` any lock at all (milvus-lite's on its LOCK file while a process has its store open)? A file
    that cannot be opened, or a system without flock, says no."""
    try:
        import fcntl

        with path.open("rb") as f:
            try:
                fcntl.flock(f.fileno(), (fcntl.LOCK_EX if by_anyone else fcntl.LOCK_SH) | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
    except (ImportError, OSError):
        return False
    return False


def sweep_temp_files(directory: Path, names: Iterable[str], *, max_age_s: float = STALE_TEMP_S) -> list[Path]:
    """Remove the temp files (`.NAME.<pid>.tmp`, NAME in `names`) that saves killed or failed left in
    `directory`: those of a process that is gone, or older than max_age_s, unless a save holds them.
    This process's own are left to its saves. Returns what was removed; a file that cannot be is kept."""
    wanted, removed, now = set(names), [], time.time()
    try:
        candidates = list(directory.iterdir())
    except OSError:
        return []
    for path in candidates:
        m = _TEMP.fullmatch(path.name)
        if m is None or m["name"] not in wanted:
            continue
        pid = int(m["pid"])
        try:
            old = now - path.stat().st_mtime > max_age_s
        except OSError:
            continue
        if pid == os.getpid() or (pid > 0 and _pid_alive(pid) and not old) or in_use(path):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed
