import errno
import fcntl
import hashlib
import os
import subprocess
import sys
import time

import pytest

from factcheck.durable import (
    STALE_TEMP_S,
    files_locked,
    fsync_dir,
    out_of_space,
    sha256,
    sweep_temp_files,
    temp_path,
    writing,
)


def test_sha256_is_the_file_digest(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"abc" * 100_000)
    assert sha256(f) == hashlib.sha256(b"abc" * 100_000).hexdigest()


def test_exclusive_lock_keeps_out_others_until_the_block_ends(tmp_path):
    lock = tmp_path / "index.lock"
    with files_locked(lock, exclusive=True):
        assert lock.exists()
        with lock.open("a+b") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)  # a second open file description
    with lock.open("a+b") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again


def test_shared_locks_coexist_and_an_unwritable_folder_does_not_block(tmp_path):
    lock = tmp_path / "index.lock"
    with files_locked(lock, exclusive=False), lock.open("a+b") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    with files_locked(tmp_path / "missing" / "index.lock", exclusive=True):
        pass  # cannot create the lock file: nothing to race with, the block still runs
    fsync_dir(tmp_path / "missing")  # a folder that is gone is not an error


def test_a_failed_write_removes_its_temp_file(tmp_path):
    tmp = temp_path(tmp_path / "index.faiss")
    assert tmp.name == f".index.faiss.{os.getpid()}.tmp"
    with pytest.raises(OSError) as e, writing(tmp) as f:
        f.write(b"\0" * 4096)
        raise OSError(errno.ENOSPC, "No space left on device")
    assert out_of_space(e.value) and not tmp.exists()
    assert out_of_space(RuntimeError("write error in x: 0 != 1 (No space left on device)"))
    assert not out_of_space(OSError(errno.EACCES, "Permission denied"))


def test_sweep_removes_only_temp_files_no_save_can_still_be_writing(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead, alive = int(done.stdout), os.getppid()
    names = {n: tmp_path / n for n in (f".a.{dead}.tmp", f".a.{alive}.tmp", f".a.{os.getpid()}.tmp",
                                        f".b.{dead}.tmp", f".a.{dead}.tmp.x", "a", f".a.{alive}.old.tmp")}
    for p in names.values():
        p.write_bytes(b"x")
    old = tmp_path / f".a.{alive}.old.tmp"
    os.utime(old, (time.time() - 2 * STALE_TEMP_S,) * 2)
    locked = tmp_path / f".a.{dead + 1_000_000}.tmp"  # a save in another pid namespace, writing now
    with writing(locked):
        removed = sweep_temp_files(tmp_path, ["a"])
        assert locked.exists()
    locked.unlink()
    assert sorted(p.name for p in removed) == [f".a.{dead}.tmp"]
    assert not names[f".a.{dead}.tmp"].exists() and names[f".a.{alive}.tmp"].exists()
    # "a.<alive>.old" is not NAME.<pid>: kept; a file of an hour ago under a live pid would go
    (tmp_path / f".a.{alive}.tmp").touch()
    os.utime(tmp_path / f".a.{alive}.tmp", (time.time() - 2 * STALE_TEMP_S,) * 2)
    assert [p.name for p in sweep_temp_files(tmp_path, ["a"])] == [f".a.{alive}.tmp"]
