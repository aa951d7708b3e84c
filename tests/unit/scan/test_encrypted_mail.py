"""Encrypted mail (PGP/MIME, inline PGP, S/MIME) cannot be read, so it is never "clean"."""

from __future__ import annotations

import pytest

from hygie.scan import scan_email

HEAD = b"From: a@b.fr\r\nTo: c@gmail.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
PGP_MIME = HEAD + (
    b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n'
    b"\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b\r\n"
    b'Content-Type: application/octet-stream; name="encrypted.asc"\r\n\r\n'
    b"-----BEGIN PGP MESSAGE-----\r\nhQEMA1234\r\n-----END PGP MESSAGE-----\r\n--b--\r\n"
)
PGP_INLINE = HEAD + (
    b"Content-Type: text/plain\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nhQEMA12\r\n"
    b"-----END PGP MESSAGE-----\r\n"
)
SMIME = HEAD + (
    b'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n"
)


@pytest.mark.parametrize(
    "raw", [PGP_MIME, PGP_INLINE, SMIME], ids=["pgp-mime", "pgp-inline", "smime"]
)
def test_encrypted_mail_is_not_scannable(raw: bytes) -> None:
    result = scan_email(raw)
    assert result.verdict == "unscannable"
    assert "chiffré" in (result.unscannable_reason or "")
