"""Signed session cookies, CSRF tokens, scrypt password hashes, spreadsheet-safe cells."""

from __future__ import annotations

import time

import pytest

from hygie.fleet.errors import OperatorNameInvalid, OperatorPasswordRefused
from hygie.fleet.server.ui import accounts, sessions
from hygie.fleet.server.ui.exports import cell

SECRET = b"s" * 32


def test_a_signed_session_reads_back_and_tampering_fails() -> None:
    raw = sessions.make_session(SECRET, 7, 3)
    claim = sessions.read_session(SECRET, raw)
    assert claim is not None and (claim.operator_id, claim.epoch) == (7, 3)
    parts = raw.split(".")
    forged = ".".join([parts[0], "1", *parts[2:]])  # another operator, same signature
    assert sessions.read_session(SECRET, forged) is None
    assert sessions.read_session(b"t" * 32, raw) is None  # another server's secret
    for junk in ("", "1.2.3", "x" * 300, raw + ".", raw[:-2]):
        assert sessions.read_session(SECRET, junk) is None


def test_a_session_expires() -> None:
    raw = sessions.make_session(SECRET, 1, 0, now=time.time() - sessions.SESSION_TTL - 1)
    assert sessions.read_session(SECRET, raw) is None


def test_csrf_tokens_are_per_session_and_per_purpose() -> None:
    a = sessions.read_session(SECRET, sessions.make_session(SECRET, 1, 0))
    b = sessions.read_session(SECRET, sessions.make_session(SECRET, 1, 0))
    assert a is not None and b is not None
    assert a.csrf(SECRET) != b.csrf(SECRET)
    assert sessions.login_csrf(SECRET, a.nonce) != a.csrf(SECRET)
    assert sessions.csrf_matches(a.csrf(SECRET), a.csrf(SECRET))
    assert not sessions.csrf_matches(None, a.csrf(SECRET))


def test_password_hash_is_scrypt_salted_and_checks() -> None:
    h1 = accounts.hash_password("une longue phrase")
    h2 = accounts.hash_password("une longue phrase")
    assert h1.startswith("scrypt$17$8$1$") and h1 != h2
    assert "une longue phrase" not in h1
    assert accounts.verify_password("une longue phrase", h1)
    assert not accounts.verify_password("une longue phrasE", h1)
    for bad in ("", "scrypt$", "scrypt$40$8$1$AA==$AA==", "bcrypt$x", "scrypt$a$b$c$d$e"):
        assert not accounts.verify_password("x", bad)
    assert not accounts.verify_password("x" * (accounts.MAX_PASSWORD + 1), h1)


def test_names_and_new_passwords_are_checked() -> None:
    assert accounts.check_name("marie.dupont") == "marie.dupont"
    for bad in ("", "Marie", "-x", "a b", "é", "x" * 65):
        with pytest.raises(OperatorNameInvalid):
            accounts.check_name(bad)
    for bad in ("", "   ", "court", "x" * (accounts.MAX_PASSWORD + 1)):
        with pytest.raises(OperatorPasswordRefused):
            accounts.check_new_password(bad)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_a_formula_is_kept_as_text(text: str) -> None:
    assert cell(text) == "'" + text
    assert cell("PC accueil") == "PC accueil"
    assert cell(-3) == -3
