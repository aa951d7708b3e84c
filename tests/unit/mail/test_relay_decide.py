"""The relay's decision on the MIME path: malformed corpus and a hypothesis fuzz test.

Invariant: a message to a non-MSSanté recipient is relayed only when the scanner said
"clean" (or "patient_data" under the ``warn`` policy, with the header); everything else is
refused. Never a crash.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.mail import decide
from hygie.mail.relay.replies import ascii_reply
from tests.mailtools import VALID_NIR, make_message, scanner

NIR = VALID_NIR
B = "----=_b0undary"


def _hdr(ct: str, extra: str = "") -> bytes:
    return (
        f"From: a@cabinet.fr\r\nTo: b@gmail.com\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {ct}\r\n{extra}\r\n"
    ).encode()


MALFORMED: dict[str, bytes] = {
    "boundary_never_appears": _hdr(f'multipart/mixed; boundary="{B}"')
    + f"texte NIR {NIR}\r\n".encode(),
    "no_boundary_parameter": _hdr("multipart/mixed")
    + f"--x\r\n\r\nNIR {NIR}\r\n--x--\r\n".encode(),
    "close_boundary_missing": _hdr(f'multipart/mixed; boundary="{B}"')
    + f"--{B}\r\nContent-Type: text/plain\r\n\r\nNIR {NIR}\r\n".encode(),
    "invalid_base64_attachment": _hdr(f'multipart/mixed; boundary="{B}"')
    + (
        f"--{B}\r\nContent-Type: text/plain\r\n\r\nbonjour\r\n--{B}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="cr.txt"\r\n\r\n'
        f"{base64.b64encode(f'NIR {NIR}'.encode()).decode()[:-3]}!!*\r\n--{B}--\r\n"
    ).encode(),
    "unknown_transfer_encoding": _hdr("text/plain", "Content-Transfer-Encoding: x-zorglub\r\n")
    + f"NIR {NIR}\r\n".encode(),
    "no_header_body_separator": b"From: a@cabinet.fr\r\nTo: b@gmail.com\r\nNIR "
    + NIR.encode()
    + b"\r\n",
    "nul_and_8bit_in_headers": b"From: a\x00@cabinet.fr\r\nSubject: \xff\xfe\r\n"
    + b"To: b@gmail.com\r\n\r\n"
    + f"NIR {NIR}\r\n".encode(),
    "smime_encrypted": _hdr('application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"')
    + b"MIAGCSqGSIb3DQEHA6CAMIACAQAxggE\r\n",
    "pgp_encrypted": _hdr(
        f'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="{B}"'
    )
    + (
        f"--{B}\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--{B}\r\n"
        "Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nhQEM\r\n"
        f"-----END PGP MESSAGE-----\r\n--{B}--\r\n"
    ).encode(),
    "deep_nesting": _hdr('multipart/mixed; boundary="b0"')
    + "".join(
        f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n' for i in range(60)
    ).encode()
    + f"--b60\r\nContent-Type: text/plain\r\n\r\nNIR {NIR}\r\n".encode(),
    "qp_soft_break_inside_nir": _hdr(
        "text/plain", "Content-Transfer-Encoding: quoted-printable\r\n"
    )
    + f"NIR {NIR[:7]}=\r\n{NIR[7:]}\r\n".encode(),
    "empty": b"",
    "binary_garbage": bytes(range(256)) * 4,
}


class Recorder:
    def __init__(self) -> None:
        self.fn = scanner()
        self.last: Any = None

    def __call__(self, raw: bytes, *, deadline: float) -> Any:
        self.last = None
        self.last = self.fn(raw, deadline=deadline)
        return self.last


def _check_invariant(raw: bytes, rec: Recorder, policy: str = "reject") -> Any:
    v = decide(["b@gmail.com"], raw, policy=policy, scanner=rec, scan_timeout_s=5, max_size=10**7)
    if v.relay:
        assert rec.last is not None, "relayed without a scan"
        verdict = rec.last.verdict
        assert verdict == "clean" or (policy == "warn" and verdict == "found" and v.header)
    else:
        assert v.reply[:1] in "45" and v.reply.isascii()
        assert NIR not in v.reply
    return v


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_corpus_is_never_relayed_unscanned(case: str) -> None:
    _check_invariant(MALFORMED[case], Recorder())


@pytest.mark.parametrize(
    "case",
    ["close_boundary_missing", "qp_soft_break_inside_nir", "smime_encrypted", "pgp_encrypted"],
)
def test_hidden_or_encrypted_content_is_refused(case: str) -> None:
    v = _check_invariant(MALFORMED[case], Recorder())
    assert not v.relay


def test_mssante_only_is_relayed_without_scan() -> None:
    rec = Recorder()
    v = decide(
        ["a@infirmiers.mssante.fr"],
        make_message(body=f"NIR {NIR}"),
        policy="reject",
        scanner=rec,
        scan_timeout_s=5,
        max_size=10**7,
    )
    assert v.relay and v.decision == "relayed_mssante" and rec.last is None


def test_ascii_reply() -> None:
    assert ascii_reply("Données « MSSanté » – é") == 'Donnees "MSSante" ? e'


_clean = make_message(body="Bonjour, à demain.")
_dirty = make_message(body=f"Patient NIR {NIR}", attachment=("cr.txt", f"NIR {NIR}".encode()))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    base = bytearray(draw(st.sampled_from([_clean, _dirty, *MALFORMED.values()])))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "dup"]))
        if not base:
            break
        i = draw(st.integers(0, len(base) - 1))
        if op == "flip":
            base[i] = draw(st.integers(0, 255))
        elif op == "insert":
            base[i:i] = draw(
                st.sampled_from(
                    [b"\r\n", b"--", b"=\r\n", b"\x00", b"Content-Type: multipart/mixed\r\n"]
                )
            )
        elif op == "delete":
            del base[i : i + draw(st.integers(1, 40))]
        else:
            base[i:i] = base[i : i + draw(st.integers(1, 80))]
    return bytes(base)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(["reject", "quarantine", "warn"]))
def test_fuzz_mime_path_never_relays_unscanned(raw: bytes, policy: str) -> None:
    _check_invariant(raw, Recorder(), policy)


def test_webmail_upstream_removes_the_mssante_exemption() -> None:
    kw: dict[str, Any] = {"policy": "reject", "scan_timeout_s": 5, "max_size": 10**7}
    dirty = make_message(to="a@infirmiers.mssante.fr", body=f"NIR {NIR}")
    clean = make_message(to="a@infirmiers.mssante.fr", body="bonjour")
    v = decide(
        ["a@infirmiers.mssante.fr"], dirty, scanner=Recorder(), upstream_is_webmail=True, **kw
    )
    assert not v.relay and v.reply.startswith("550") and "messagerie gratuite" in v.reply
    v = decide(
        ["a@infirmiers.mssante.fr"], clean, scanner=Recorder(), upstream_is_webmail=True, **kw
    )
    assert v.relay and v.decision == "relayed_clean"
    v = decide(["a@infirmiers.mssante.fr"], dirty, scanner=Recorder(), **kw)
    assert v.relay and v.decision == "relayed_mssante"
