"""scan_email over a MIME corpus: nested multiparts, base64/QP, attachments, malformed."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest
from tests.id_helpers import with_key
from tests.scan_docs import make_docx, make_email, make_encrypted_pdf, make_pdf

from hygie.scan import REASONS, scan_email

NIR = with_key("1690599350123")
SECRET = f"Monsieur Martin, n° de sécurité sociale {NIR}, injection d'insuline."
PLAIN = "Bonjour, la réunion est déplacée à jeudi. Bonne journée."


def _nested() -> bytes:
    inner = EmailMessage()
    inner["Subject"] = "transfert"
    inner.set_content(PLAIN)
    inner.add_alternative(f"<p>{SECRET}</p>", subtype="html")
    outer = EmailMessage()
    outer["From"] = "a@example.org"
    outer["To"] = "b@example.org"
    outer["Subject"] = "Fwd"
    outer.set_content("Voir le message joint.")
    outer.add_attachment(inner)
    return outer.as_bytes()


def _html_entities() -> bytes:
    nir_html = "&#32;".join([NIR[:5], NIR[5:10], NIR[10:]])
    return make_email(PLAIN, html=f"<div>Patient :<br>NIR&nbsp;{nir_html}</div>")


def _mixed_alternative() -> bytes:
    msg = EmailMessage()
    msg["Subject"] = "x"
    msg.set_content(PLAIN)
    msg.add_alternative(f"<b>{PLAIN}</b>", subtype="html")
    msg.add_attachment(
        make_docx([SECRET]),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="transmissions.docx",
    )
    return msg.as_bytes()


POSITIVE = {
    "plain-7bit": make_email(SECRET),
    "quoted-printable": make_email(SECRET, cte="quoted-printable"),
    "base64-body": make_email(SECRET, cte="base64"),
    "subject": make_email(PLAIN, subject=f"NIR {NIR}"),
    "html-only": make_email(PLAIN, html=f"<p>{SECRET}</p>"),
    "html-entities": _html_entities(),
    "pdf-attachment": make_email(
        PLAIN, attachments=[("ordonnance.pdf", make_pdf([SECRET]), "application/pdf")]
    ),
    "nested-rfc822": _nested(),
    "docx-in-multipart-alternative": _mixed_alternative(),
    "latin1-body": (
        b"From: a@b\nTo: c@d\nSubject: x\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"
        + SECRET.encode("latin-1")
    ),
}


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_patient_data_found(name: str) -> None:
    r = scan_email(POSITIVE[name])
    assert r.verdict == "found", r
    assert NIR not in repr(r.to_dict())


def test_part_names() -> None:
    r = scan_email(POSITIVE["pdf-attachment"])
    assert {f.part for f in r.findings if f.patient} == {"pièce jointe ordonnance.pdf › page 1"}
    assert {f.place for f in r.findings if f.patient} == {"attachment"}


def test_clean_message() -> None:
    r = scan_email(
        make_email(
            PLAIN,
            html=f"<p>{PLAIN}</p>",
            attachments=[("cr.pdf", make_pdf([PLAIN]), "application/pdf")],
        )
    )
    assert r.verdict == "clean", r


def _raw(headers: str, body: str) -> bytes:
    return (headers + "\n\n" + body).replace("\n", "\r\n").encode()


MALFORMED = {
    "missing-boundary": _raw(
        "From: a@b\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed",
        "--zz\nContent-Type: text/plain\n\nhello\n--zz--",
    ),
    "wrong-boundary": _raw(
        'From: a@b\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"',
        "--yy\nContent-Type: text/plain\n\n" + SECRET + "\n--yy--",
    ),
    "no-close-boundary": _raw(
        'From: a@b\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"',
        "--zz\nContent-Type: text/plain\n\nhello\n",
    ),
    "bad-base64": _raw(
        "From: a@b\nSubject: x\nMIME-Version: 1.0\nContent-Type: text/plain\n"
        "Content-Transfer-Encoding: base64",
        base64.b64encode(PLAIN.encode()).decode()[:-5] + "!!*",
    ),
    "encrypted-pdf-attachment": make_email(
        PLAIN, attachments=[("secret.pdf", make_encrypted_pdf(SECRET), "application/pdf")]
    ),
    "image-attachment": make_email(
        PLAIN, attachments=[("carte-vitale.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "image/jpeg")]
    ),
    "unknown-attachment": make_email(
        PLAIN, attachments=[("x.bin", bytes(range(256)), "application/octet-stream")]
    ),
    "bad-charset-binary": _raw(
        "From: a@b\nSubject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit",
        "\x00\x01\x02 binaire",
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_is_not_scannable(name: str) -> None:
    r = scan_email(MALFORMED[name])
    assert r.verdict == "unscannable", r
    assert r.unscannable_code in REASONS and r.unscannable_reason == REASONS[r.unscannable_code]


def test_patient_data_wins_over_an_unreadable_part() -> None:
    raw = make_email(SECRET, attachments=[("photo.png", b"\x89PNG\r\n\x1a\n", "image/png")])
    r = scan_email(raw)
    assert r.verdict == "found"
    assert r.unreadable


def test_deeply_nested_messages_are_not_scannable() -> None:
    raw = make_email(PLAIN)
    for _ in range(8):
        outer = EmailMessage()
        outer["Subject"] = "fwd"
        outer.set_content("voir pièce jointe")
        from email import message_from_bytes, policy

        outer.add_attachment(message_from_bytes(raw, policy=policy.default))
        raw = outer.as_bytes()
    assert scan_email(raw).verdict == "unscannable"
