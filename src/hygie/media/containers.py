"""hygie's own look inside archive-like files, before any engine's word is trusted.

ClamAV 1.4 answers ``OK`` for a zip member that inflates past ``MaxFileSize`` (even with
``AlertExceedsMax``), and an engine without ``AlertEncrypted``/``AlertExceedsMax`` answers
``OK`` for an encrypted member or a nesting deeper than ``MaxRecursion``: a file it did not
fully read comes back "clean". So, before the verdict, hygie opens every container it can
parse itself and compares what it holds with the engine's :class:`~hygie.media.engines.Limits`:

* **zip** (and so OOXML ``.docx/.xlsx/.pptx``, OpenDocument ``.odt/.ods``, ``.jar``,
  ``.epub``…), found by its magic at the start *or* by its end-of-directory record in the
  last 64 KiB (a zip appended to another file): every member's declared sizes; for a member
  whose content could exceed the limit, its actual inflated size (deflate is inflated and
  counted, never trusted); encryption flags; members that are themselves containers, layer
  by layer;
* **tar**, **gzip**, **bzip2**, **xz** (so ``.tar.gz``…): sizes read or counted the same way;
* **OLE** Office files: a password-protected (``EncryptedPackage``) document is encrypted;
* **7-Zip, RAR, CAB, zstd**: hygie cannot open them, so it cannot know the engine saw all of
  them: not scanned (:attr:`~hygie.media.verdicts.Reason.UNINSPECTABLE`).

A finding makes the file "not scanned" (never clean, never copied). Details name members by
their index, never by their name (a member's name can be a patient's).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, cast

from hygie.media.engines import Limits
from hygie.media.verdicts import Reason

ZIP_LOCAL = b"PK\x03\x04"
ZIP_EOCD = b"PK\x05\x06"
ZIP_EMPTY = ZIP_EOCD
TAIL = 65536 + 22  # the end-of-directory record sits in the last 64 KiB + 22 bytes
PEEK = 1024  # enough to see any container's magic (tar: offset 257)
CHUNK = 1024 * 1024
DEFLATE_MAX_RATIO = 1032  # deflate cannot expand more than this (RFC 1951: 258 bytes / 2 bits)
NESTED_MEMORY_CAP = 64 * 1024 * 1024  # nested containers are opened in memory, never on disk
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
MAX_OLE_READ = 64 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    reason: Reason
    detail: str


_PARSE_ERRORS = (
    OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, tarfile.TarError,
    zipfile.BadZipFile, NotImplementedError, RuntimeError, struct.error, KeyError,
)  # fmt: skip


class _Stop(Exception):
    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.detail)
        self.finding = finding


# The first byte of every magic below (and of tar's: any, its magic is at offset 257).
_MAGIC_FIRST = frozenset(b"P\x1fB\xfd7R\x4d\x28\xd0")


def container_kind(head: bytes) -> str:
    """The container a buffer starts with ("" when none)."""
    if head[:1] and head[0] not in _MAGIC_FIRST:
        # Most files (text, pictures, videos): one test, then only tar's magic remains.
        return "tar" if len(head) > 262 and head[257:262] == b"ustar" else ""
    if head[:4] in (ZIP_LOCAL, ZIP_EMPTY, b"PK\x07\x08"):
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh":
        return "bzip2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if head[:6] == b"7z\xbc\xaf\x27\x1c":
        return "7z"
    if head[:4] == b"Rar!":
        return "rar"
    if head[:4] == b"MSCF":
        return "cab"
    if head[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if head[:8] == OLE_MAGIC:
        return "ole"
    return ""


UNINSPECTABLE_KINDS = {"7z": "7-Zip", "rar": "RAR", "cab": "CAB", "zstd": "zstd"}


class _Budget:
    """clamd's per-file budgets: files extracted (MaxFiles), bytes extracted (MaxScanSize)."""

    def __init__(self, limits: Limits, outer_size: int) -> None:
        self.limits = limits
        self.files = 0
        self.bytes = outer_size
        self.members = 0  # a running index for details

    def member(self, size: int) -> int:
        self.files += 1
        self.members += 1
        self.bytes += size
        if self.files > self.limits.max_files:
            raise _Stop(Finding(Reason.OVER_LIMIT, f"more than MaxFiles={self.limits.max_files} "
                                "members"))  # fmt: skip
        if self.bytes > self.limits.max_scan_size:
            raise _Stop(
                Finding(Reason.OVER_LIMIT, f"content larger than MaxScanSize="
                        f"{self.limits.max_scan_size} once unpacked")
            )  # fmt: skip
        return self.members


def inspect(fobj: IO[bytes] | None, size: int, head: bytes, limits: Limits) -> Finding | None:
    """What stops the engine from seeing all of this file, or None when nothing does.

    ``fobj`` is a seekable binary view of the file (never moved for the caller: it is a
    private reader), ``head`` its first bytes; ``fobj`` may be None when ``head`` is the
    whole file (most files of a key of notes: nothing more is built for them). Never raises
    for a hostile file.
    """
    kind = container_kind(head)
    if not kind and size <= len(head):
        if ZIP_EOCD not in head:
            return None
        kind = "zip-tail"
    elif not kind:
        if fobj is None:
            raise ValueError("a reader is needed for a file larger than its head")
        # A zip appended to something else (self-extracting, polyglot): its directory is at
        # the end. The engine finds and opens those too.
        fobj.seek(max(0, size - TAIL))
        if ZIP_EOCD in fobj.read(TAIL):
            kind = "zip-tail"
    if not kind:
        return None
    if fobj is None:
        fobj = io.BytesIO(head)
    budget = _Budget(limits, size)
    try:
        _container(kind, fobj, size, 1, budget, limits)
    except _Stop as stop:
        return stop.finding
    except _PARSE_ERRORS as exc:
        if kind == "zip-tail":
            return None  # an end-of-directory lookalike inside other data: not a zip
        return Finding(Reason.UNINSPECTABLE, f"{kind} structure unreadable ({type(exc).__name__})")
    return None


def _container(
    kind: str, fobj: IO[bytes], size: int, depth: int, budget: _Budget, limits: Limits
) -> None:
    if kind in UNINSPECTABLE_KINDS:
        raise _Stop(
            Finding(Reason.UNINSPECTABLE, f"{UNINSPECTABLE_KINDS[kind]} archive (layer {depth}): "
                    "hygie cannot check what the engine saw in it")
        )  # fmt: skip
    if kind == "ole":
        _ole(fobj)
        return
    if depth > limits.trusted_depth:
        raise _Stop(
            Finding(Reason.TOO_DEEP, f"containers nested {depth} deep (the engine stops at "
                    f"MaxRecursion={limits.max_recursion})")
        )  # fmt: skip
    if kind in ("zip", "zip-tail"):
        _zip(fobj, depth, budget, limits)
    elif kind == "tar":
        fobj.seek(0)
        with tarfile.open(fileobj=fobj, mode="r:") as tf:
            _tar(tf, depth, budget, limits)
    else:
        _compressed(kind, fobj, depth, budget, limits)


def _ole(fobj: IO[bytes]) -> None:
    fobj.seek(0)
    data = fobj.read(MAX_OLE_READ)
    if OLE_ENCRYPTED in data:
        raise _Stop(Finding(Reason.ENCRYPTED, "password-protected Office document"))


# -- zip ----------------------------------------------------------------------------------
def _zip(fobj: IO[bytes], depth: int, budget: _Budget, limits: Limits) -> None:
    fobj.seek(0)
    zf = zipfile.ZipFile(fobj)
    for info in zf.infolist():
        if info.is_dir():
            continue
        declared = max(info.file_size, info.compress_size)
        n = budget.member(info.file_size)
        if info.flag_bits & 0x1:
            raise _Stop(Finding(Reason.ENCRYPTED, f"member #{n} (layer {depth}) is encrypted"))
        if declared > limits.max_file_size:
            raise _Stop(_too_big(n, depth, declared, limits, "declared"))
        _zip_member(zf, fobj, info, n, depth, budget, limits)


def _too_big(n: int, depth: int, size: int, limits: Limits, how: str) -> Finding:
    return Finding(
        Reason.OVER_LIMIT,
        f"member #{n} (layer {depth}): {how} size {size} > MaxFileSize={limits.max_file_size}",
    )


def _raw_member(fobj: IO[bytes], info: zipfile.ZipInfo) -> tuple[int, int]:
    """(offset of the member's data, compressed length) from its local header."""
    fobj.seek(info.header_offset)
    local = fobj.read(30)
    if len(local) != 30 or local[:4] != ZIP_LOCAL:
        raise zipfile.BadZipFile("bad local header")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


def _zip_member(
    zf: zipfile.ZipFile,
    fobj: IO[bytes],
    info: zipfile.ZipInfo,
    n: int,
    depth: int,
    budget: _Budget,
    limits: Limits,
) -> None:
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise _Stop(Finding(Reason.UNINSPECTABLE, f"member #{n} (layer {depth}): stored "
                                "sizes disagree"))  # fmt: skip
        offset, length = _raw_member(fobj, info)
        fobj.seek(offset)
        peek = fobj.read(min(PEEK, length))
        if container_kind(peek):
            fobj.seek(offset)
            _nested(peek, lambda: _read_exact(fobj, length), n, depth, budget, limits)
        return
    if info.compress_type == zipfile.ZIP_DEFLATED:
        _deflated_member(fobj, info, n, depth, budget, limits)
        return
    if info.compress_type in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        # Counted through zipfile (which stops at the declared size and checks the CRC).
        with zf.open(info) as member:
            peek = member.read(PEEK)
        if container_kind(peek):

            def read_all() -> bytes:
                with zf.open(info) as m:
                    return m.read(NESTED_MEMORY_CAP + 1)

            _nested(peek, read_all, n, depth, budget, limits)
        return
    raise _Stop(Finding(Reason.UNINSPECTABLE, f"member #{n} (layer {depth}): compression "
                        f"method {info.compress_type} unknown to hygie"))  # fmt: skip


def _read_exact(fobj: IO[bytes], length: int) -> bytes:
    if length > NESTED_MEMORY_CAP:
        raise _Stop(Finding(Reason.UNINSPECTABLE, "nested container too large to open"))
    data = fobj.read(length)
    if len(data) != length:
        raise EOFError("truncated member")
    return data


def _deflated_member(
    fobj: IO[bytes], info: zipfile.ZipInfo, n: int, depth: int, budget: _Budget, limits: Limits
) -> None:
    offset, length = _raw_member(fobj, info)
    could_exceed = length * DEFLATE_MAX_RATIO + DEFLATE_MAX_RATIO > limits.max_file_size
    d = zlib.decompressobj(-15)
    fobj.seek(offset)
    left = length
    produced = 0
    first = b""
    keep: list[bytes] | None = None
    while left > 0:
        raw = fobj.read(min(CHUNK, left))
        if not raw:
            raise EOFError("truncated member")
        left -= len(raw)
        out = d.decompress(raw, CHUNK)
        while True:
            produced += len(out)
            if produced > limits.max_file_size:
                raise _Stop(_too_big(n, depth, produced, limits, "actual (inflated)"))
            if len(first) < PEEK:
                first += out[: PEEK - len(first)]
                if len(first) >= PEEK or d.eof:
                    if container_kind(first):
                        keep = []
                    elif not could_exceed:
                        return  # small and not a container: nothing more to learn
            if keep is not None:
                if produced > NESTED_MEMORY_CAP:
                    raise _Stop(Finding(Reason.UNINSPECTABLE, "nested container too large "
                                        "to open"))  # fmt: skip
                keep.append(out)
            if not d.unconsumed_tail:
                break
            out = d.decompress(d.unconsumed_tail, CHUNK)
        if d.eof:
            break
    if not d.eof:
        raise _Stop(Finding(Reason.UNINSPECTABLE, f"member #{n} (layer {depth}): compressed "
                            "data truncated"))  # fmt: skip
    if produced != info.file_size:
        raise _Stop(
            Finding(Reason.UNINSPECTABLE, f"member #{n} (layer {depth}): declared size "
                    f"{info.file_size} but {produced} bytes inside")
        )  # fmt: skip
    if container_kind(first) and keep is not None:
        data = b"".join(keep)
        _nested(first, lambda: data, n, depth, budget, limits)


def _nested(
    peek: bytes, read_all: Callable[[], bytes], n: int, depth: int, budget: _Budget, limits: Limits
) -> None:
    """Open a member that is itself a container (in memory, bounded) one layer deeper."""
    kind = container_kind(peek)
    if kind in UNINSPECTABLE_KINDS:
        _container(kind, io.BytesIO(peek), len(peek), depth + 1, budget, limits)
    data = read_all()
    if len(data) > NESTED_MEMORY_CAP:
        raise _Stop(Finding(Reason.UNINSPECTABLE, f"member #{n} (layer {depth}): nested "
                            "container too large to open"))  # fmt: skip
    _container(kind, io.BytesIO(data), len(data), depth + 1, budget, limits)


# -- tar and single-stream compressors ------------------------------------------------------
def _tar(tf: tarfile.TarFile, depth: int, budget: _Budget, limits: Limits) -> None:
    for member in tf:
        if not member.isfile():
            continue
        n = budget.member(member.size)
        if member.size > limits.max_file_size:
            raise _Stop(_too_big(n, depth, member.size, limits, "declared"))
        fh = tf.extractfile(member)
        if fh is None:
            continue
        peek = fh.read(PEEK)
        if container_kind(peek):
            rest = fh.read(NESTED_MEMORY_CAP + 1 - len(peek))
            data = peek + rest
            _nested(peek, lambda data=data: data, n, depth, budget, limits)  # type: ignore[misc]


def _open_compressed(kind: str, fobj: IO[bytes]) -> IO[bytes]:
    fobj.seek(0)
    if kind == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=fobj, mode="rb"))
    if kind == "bzip2":
        return cast(IO[bytes], bz2.BZ2File(fobj, mode="rb"))
    return cast(IO[bytes], lzma.LZMAFile(fobj, mode="rb"))


def _compressed(kind: str, fobj: IO[bytes], depth: int, budget: _Budget, limits: Limits) -> None:
    with _open_compressed(kind, fobj) as stream:
        peek = stream.read(PEEK)
    inner = container_kind(peek)
    if inner == "tar":
        if depth + 1 > limits.trusted_depth:
            _container("tar", io.BytesIO(peek), len(peek), depth + 1, budget, limits)
        with _open_compressed(kind, fobj) as stream, tarfile.open(fileobj=stream, mode="r|") as tf:
            _tar(tf, depth + 1, budget, limits)
        return
    # One member: count what it inflates to.
    produced = 0
    keep: list[bytes] = []
    with _open_compressed(kind, fobj) as stream:
        while True:
            out = stream.read(CHUNK)
            if not out:
                break
            produced += len(out)
            if produced > limits.max_file_size:
                n = budget.member(produced)
                raise _Stop(_too_big(n, depth, produced, limits, "actual (inflated)"))
            if inner:
                if produced > NESTED_MEMORY_CAP:
                    raise _Stop(Finding(Reason.UNINSPECTABLE, "nested container too large "
                                        "to open"))  # fmt: skip
                keep.append(out)
    n = budget.member(produced)
    if inner:
        data = b"".join(keep)
        _nested(peek, lambda: data, n, depth, budget, limits)
