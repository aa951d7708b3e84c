"""Every text-bearing place is scanned (issue #13): one row per place, presidio-style tables.

Each positive row hides a valid NIR in one place only and must be ``found`` (with the NIR
never in clear in the result); each negative twin puts ordinary text in the same place and
must be ``clean``: the place is read *and* not a source of false alarms.
"""

from __future__ import annotations

import base64

import pytest
from tests.id_helpers import with_key
from tests.scan_docs import (
    make_email,
    make_rtf,
)
from tests.scan_structures import DOCUMENTS

from hygie.scan import scan_bytes, scan_email

NIR = with_key("1850578006084")
SPACED = " ".join([NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]])
CLEAN = "Réunion de la maison de santé jeudi à 14 h"


def raw_mail(headers: str, body: str = "Bonjour,\n\nVoir ci-dessous.\n") -> bytes:
    base = "From: idel@example.org\nTo: confrere@example.org\nSubject: Suivi\n"
    return (base + headers + "\n" + body).replace("\n", "\r\n").encode()


def multipart(parts: str, preamble: str = "", epilogue: str = "", headers: str = "") -> bytes:
    return raw_mail(
        headers + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n',
        f"{preamble}\n--b1\nContent-Type: text/plain; charset=utf-8\n\nBonjour.\n"
        f"{parts}--b1--\n{epilogue}",
    )


def attachment(name_header: str, body: str = "Bonjour", ctype: str = "text/plain") -> str:
    return f"--b1\nContent-Type: {ctype}\n{name_header}\n\n{body}\n"


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


def attach_file(name: str, data: bytes, ctype: str = "application/octet-stream") -> bytes:
    return multipart(
        f'--b1\nContent-Type: {ctype}\nContent-Disposition: attachment; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{b64(data)}"
    )


def rfc2231(value: str) -> str:
    from urllib.parse import quote

    return f"Content-Disposition: attachment; filename*=utf-8''{quote(value)}"


MAIL_PLACES = {
    "subject": lambda v: raw_mail(f"X-Dummy: 1\nComments: {CLEAN}\n", "x").replace(
        b"Subject: Suivi", f"Subject: Dossier {v}".encode()
    ),
    "display name": lambda v: raw_mail("").replace(
        b"To: confrere@example.org", f'To: "Patient {v}" <confrere@example.org>'.encode()
    ),
    "Comments header": lambda v: raw_mail(f"Comments: assuré {v}\n"),
    "Keywords header": lambda v: raw_mail(f"Keywords: dossier, {v}\n"),
    "X- header": lambda v: raw_mail(f"X-Patient-Ref: {v}\n"),
    "RFC 2047 header": lambda v: raw_mail(
        f"Comments: =?utf-8?b?{base64.b64encode(f'sécu {v}'.encode()).decode()}?=\n"
    ),
    "Content-Description": lambda v: multipart(
        attachment(f"Content-Description: Carte de l'assuré {v}")
    ),
    "attachment file name": lambda v: multipart(
        attachment(f'Content-Disposition: attachment; filename="scan_{v}.txt"')
    ),
    "attachment name RFC 2231": lambda v: multipart(attachment(rfc2231(f"carte {v}.txt"))),
    "Content-Type name": lambda v: multipart(
        attachment("Content-Disposition: attachment", ctype=f'text/plain; name="NIR{v}.txt"')
    ),
    "preamble": lambda v: multipart("", preamble=f"Assuré : {v}"),
    "epilogue": lambda v: multipart("", epilogue=f"Assuré : {v}"),
    "calendar invitation": lambda v: multipart(
        attachment(
            "",
            f"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Pansement\nDESCRIPTION:NIR {v}\n"
            "END:VEVENT\nEND:VCALENDAR",
            "text/calendar; method=REQUEST",
        )
    ),
    "vCard": lambda v: multipart(
        attachment("", f"BEGIN:VCARD\nFN:Patient\nNOTE:sécu {v}\nEND:VCARD", "text/vcard")
    ),
    "RTF body": lambda v: multipart(attachment("", make_rtf(f"Assuré : {v}").decode(), "text/rtf")),
}


@pytest.mark.parametrize("place", sorted(MAIL_PLACES))
def test_mail_place_is_read(place: str) -> None:
    r = scan_email(MAIL_PLACES[place](SPACED))
    assert r.verdict == "found", (place, r)
    assert NIR not in repr(r.to_dict()) and SPACED not in repr(r.to_dict())


@pytest.mark.parametrize("place", sorted(MAIL_PLACES))
def test_mail_place_with_ordinary_text_is_clean(place: str) -> None:
    r = scan_email(MAIL_PLACES[place](CLEAN))
    assert r.verdict == "clean", (place, r)


HTML_CASES = {
    "head without </head>": "<html><head><title>Suivi</title><body><p>Assuré {v}</p>",
    "hidden element": '<p>Bonjour</p><div style="display:none">Assuré {v}</div>',
    "zero-width entity between blocks": "<p>NIR {a}</p>&#8203;<p>{b}</p>",
    "digits split across blocks": "<div>NIR {a}</div><div>{b}</div>",
    "alt attribute": '<img src="cid:x" alt="NIR {v}">',
    "title attribute": '<span title="sécu {v}">voir</span>',
    "mailto link": '<a href="mailto:{nir}@patient.mssante.fr">écrire</a>',
    "comment": "<p>Bonjour</p><!-- assuré {v} -->",
}


@pytest.mark.parametrize("case", sorted(HTML_CASES))
def test_html_place_is_read(case: str) -> None:
    html = HTML_CASES[case].format(v=SPACED, a=SPACED[:10], b=SPACED[11:], nir=NIR)
    r = scan_email(make_email("Bonjour", html=html))
    assert r.verdict == "found", (case, r)


@pytest.mark.parametrize("case", sorted(DOCUMENTS))
def test_document_place_is_read(case: str) -> None:
    data, name = DOCUMENTS[case](SPACED)
    r = scan_bytes(data, name)
    assert r.verdict == "found", (case, r)
    assert NIR not in repr(r.to_dict()) and SPACED not in repr(r.to_dict())


@pytest.mark.parametrize("case", sorted(DOCUMENTS))
def test_document_place_with_ordinary_text_is_clean(case: str) -> None:
    data, name = DOCUMENTS[case]("Pansement jeudi")
    r = scan_bytes(data, name)
    assert r.verdict == "clean", (case, r)


def test_document_in_a_mail_attachment() -> None:
    data, _name = DOCUMENTS["pdf form field"](SPACED)
    r = scan_email(attach_file("cerfa.pdf", data, "application/pdf"))
    assert r.verdict == "found"
    assert {f.place for f in r.patient_findings} == {"attachment"}


@pytest.mark.parametrize(
    "headers",
    [
        "Content-Type: text/plain\nContent-Type: text/html\n",
        "Content-Transfer-Encoding: base64\nContent-Transfer-Encoding: 7bit\n",
    ],
    ids=["two Content-Type", "two Content-Transfer-Encoding"],
)
def test_ambiguous_mime_is_unscannable(headers: str) -> None:
    r = scan_email(raw_mail("MIME-Version: 1.0\n" + headers, "Bonjour"))
    assert r.verdict == "unscannable"
    assert r.unscannable_code == "mime_ambiguous"


def test_ambiguous_mime_in_a_part_is_unscannable() -> None:
    r = scan_email(
        multipart("--b1\nContent-Type: text/plain\nContent-Type: text/html\n\nBonjour\n")
    )
    assert r.unscannable_code == "mime_ambiguous"


def test_a_header_context_does_not_lend_to_another_header() -> None:
    # A JavaMail Message-ID holds a millisecond timestamp shaped like a key-less NIR.
    raw = raw_mail("Message-ID: <1732912345678.12.JavaMail@example.org>\n").replace(
        b"Subject: Suivi", b"Subject: Suivi du patient, carte vitale"
    )
    assert scan_email(raw).verdict == "clean"
