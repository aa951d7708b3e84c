"""hygie's own look inside containers (no engine): hostile archives are never "fine"."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile

import pytest

from hygie.media.canaries import (
    RawMember,
    build_zip,
    deflated,
    eicar_bytes,
    encrypted,
    named,
    nested_zip,
    office_document,
    zeros_then,
)
from hygie.media.containers import inspect
from hygie.media.engines import Limits
from hygie.media.verdicts import Reason

MB = 1024 * 1024
L = Limits(
    max_file_size=8 * MB,
    max_scan_size=32 * MB,
    stream_max_length=8 * MB,
    max_recursion=6,
    max_files=50,
)


def check(data: bytes) -> Reason | None:
    f = inspect(io.BytesIO(data), len(data), data[:8192], L)
    return f.reason if f else None


def test_ordinary_documents_pass() -> None:
    assert (
        check(office_document("word/media/image1.png", deflated(b"\x89PNG" + bytes(5000)))) is None
    )
    assert check(nested_zip(b"hello", L.trusted_depth)) is None
    assert check(b"%PDF-1.4 just a pdf") is None
    assert check(build_zip([])) is None  # an empty zip


def test_canary_builders_are_real_zips() -> None:
    z = zipfile.ZipFile(io.BytesIO(build_zip([named(encrypted(deflated(b"secret"), b"pw"), "a")])))
    assert z.read("a", pwd=b"pw") == b"secret"  # real PKWARE encryption
    big = zeros_then(3 * MB + 5, b"TAIL")
    z = zipfile.ZipFile(io.BytesIO(build_zip([named(big, "b")])))
    data = z.read("b")
    assert len(data) == 3 * MB + 9 and data.endswith(b"TAIL") and not any(data[: 3 * MB])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (build_zip([named(zeros_then(9 * MB, eicar_bytes()), "image1.png")]), Reason.OVER_LIMIT),
        (office_document("word/media/image1.png", zeros_then(9 * MB, b"x")), Reason.OVER_LIMIT),
        (build_zip([named(encrypted(deflated(eicar_bytes()), b"x"), "e.com")]), Reason.ENCRYPTED),
        (nested_zip(eicar_bytes(), L.trusted_depth + 1), Reason.TOO_DEEP),
        (nested_zip(eicar_bytes(), 20), Reason.TOO_DEEP),
        (build_zip([named(deflated(b"a"), f"f{i}") for i in range(60)]), Reason.OVER_LIMIT),
        (b"7z\xbc\xaf\x27\x1c" + bytes(100), Reason.UNINSPECTABLE),
        (b"Rar!\x1a\x07\x00" + bytes(100), Reason.UNINSPECTABLE),
        (b"PK\x03\x04 broken zip", Reason.UNINSPECTABLE),
    ],
)
def test_hostile_zips(data: bytes, reason: Reason) -> None:
    assert check(data) is reason


def test_a_lying_declared_size_is_caught() -> None:
    big = zeros_then(9 * MB, eicar_bytes())
    liar = RawMember("x.bin", big.data, big.crc, 100)  # says 100 bytes, holds 9 MiB
    assert check(build_zip([liar])) is Reason.OVER_LIMIT
    small = deflated(bytes(2000))
    liar2 = RawMember("y.bin", small.data, small.crc, 10)
    assert check(build_zip([liar2])) in (None, Reason.UNINSPECTABLE)


def test_zip_appended_to_another_file_is_inspected() -> None:
    poly = (
        b"\x89PNG\r\n\x1a\n"
        + bytes(20000)
        + build_zip([named(encrypted(deflated(eicar_bytes()), b"x"), "e.com")])
    )
    assert check(poly) is Reason.ENCRYPTED
    noise = bytes(20000) + b"PK\x05\x06" + bytes(50)  # a lookalike, not a zip
    assert check(noise) is None


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_tar_and_compressed_streams() -> None:
    assert check(gzip.compress(_tar({"a.txt": b"hello"}))) is None
    assert check(gzip.compress(_tar({"big.bin": bytes(9 * MB)}))) is Reason.OVER_LIMIT
    assert check(bz2.compress(bytes(9 * MB))) is Reason.OVER_LIMIT
    assert check(lzma.compress(bytes(100))) is None
    inner = build_zip([named(encrypted(deflated(b"s"), b"x"), "s")])
    assert check(gzip.compress(_tar({"in.zip": inner}))) is Reason.ENCRYPTED


def test_encrypted_office_document() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le")
    assert check(ole) is Reason.ENCRYPTED
    assert check(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) is None


def test_details_never_name_members() -> None:
    data = office_document("word/media/Dupont-Jean.png", zeros_then(9 * MB, b"x"))
    f = inspect(io.BytesIO(data), len(data), data[:8192], L)
    assert f is not None and "Dupont" not in f.detail and "member #3" in f.detail


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"PK\x05\x06" + bytes(18), "zip"),
        (b"PK\x07\x08rest", "zip"),
        (b"\x1f\x8b\x08rest", "gzip"),
        (b"BZh9rest", "bzip2"),
        (b"\xfd7zXZ\x00rest", "xz"),
        (b"7z\xbc\xaf\x27\x1crest", "7z"),
        (b"Rar!\x1a\x07", "rar"),
        (b"MSCFrest", "cab"),
        (b"\x28\xb5\x2f\xfdrest", "zstd"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "ole"),
        (b"a" * 257 + b"ustar\x0000" + bytes(200), "tar"),  # any first byte
        (b"P" * 257 + b"ustar\x0000" + bytes(200), "tar"),
        (b"PDF and text", ""),
        (b"compte rendu de visite", ""),
        (b"", ""),
        (b"\x89PNG\r\n", ""),
    ],
)
def test_container_kind_by_magic(head: bytes, kind: str) -> None:
    from hygie.media.containers import container_kind

    assert container_kind(head) == kind


def test_a_whole_file_in_its_head_needs_no_reader() -> None:
    """Small files are judged from their first bytes alone (the scanner's fast path), and
    still opened as containers when they are one."""
    locked = build_zip([named(encrypted(deflated(eicar_bytes()), b"pw"), "e.com")])
    assert len(locked) < 8192
    f = inspect(None, len(locked), locked, L)
    assert f is not None and f.reason is Reason.ENCRYPTED
    appended = b"MZ notes " + locked  # a zip after something else, found by its directory
    f = inspect(None, len(appended), appended, L)
    assert f is not None and f.reason is Reason.ENCRYPTED
    assert inspect(None, 11, b"plain notes", L) is None
    with pytest.raises(ValueError):
        inspect(None, 100_000, b"plain notes", L)  # larger than its head: a reader is needed
