from __future__ import annotations

import hashlib
import os
from pathlib import Path

from hygie.hashing import pread, sha256_fd, sha256_path


def test_path_and_fd_digests_match_hashlib_and_keep_the_offset(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)
    f = tmp_path / "f.bin"
    f.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_path(f) == expected
    fd = os.open(f, os.O_RDONLY)
    try:
        os.lseek(fd, 5, os.SEEK_SET)
        assert sha256_fd(fd, chunk=4096) == expected
        assert os.lseek(fd, 0, os.SEEK_CUR) == 5
        assert pread(fd, 4, 1) == data[1:5]
    finally:
        os.close(fd)


def test_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty"
    f.write_bytes(b"")
    assert sha256_path(f) == hashlib.sha256(b"").hexdigest()
