import fcntl
import hashlib

import pytest

from factcheck.durable import files_locked, fsync_dir, sha256


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
