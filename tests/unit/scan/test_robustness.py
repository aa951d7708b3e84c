"""The engine never raises and never calls garbage "clean" when it could not read it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.scan_docs import make_email, make_pdf

from hygie.scan import scan_bytes, scan_email
from hygie.scan.html import html_to_text

STATUSES = {"clean", "found", "unscannable"}

_headers = st.sampled_from(
    [
        b"From: a@b\r\nSubject: x\r\n",
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Type: text/plain; charset=x-unknown\r\n",
        b"",
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(_headers, max_size=4), body=st.binary(max_size=400))
def test_scan_email_never_raises(headers: list[bytes], body: bytes) -> None:
    r = scan_email(b"".join(headers) + b"\r\n" + body)
    assert r.verdict in STATUSES
    assert r.to_dict()["verdict"] == r.verdict


@settings(max_examples=80, deadline=None)
@given(
    data=st.binary(max_size=300),
    name=st.sampled_from(["a.pdf", "a.docx", "a.eml", "a.mbox", "a.txt", "a", "a.png"]),
)
def test_scan_bytes_never_raises(data: bytes, name: str) -> None:
    assert scan_bytes(data, name).verdict in STATUSES


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=1, max_value=2000))
def test_truncated_documents_are_never_clean_when_unreadable(cut: int) -> None:
    pdf = make_pdf(["Compte rendu : pansement."])
    r = scan_bytes(pdf[: min(cut, len(pdf) - 1)], "cr.pdf")
    assert r.verdict in {"unscannable", "clean"}
    if r.verdict == "clean":  # pdfium repaired it: then every page was really read
        assert r.parts


def test_hostile_html_is_handled() -> None:
    # An unclosed script: its body is read as text (it travels with the message).
    assert html_to_text("<script>" + "<script" * 50_000).strip().startswith("<script")
    assert "a" in html_to_text("<p>" * 50_000 + "a<" * 50_000)
    big = make_email("x", html="<div>" * 20_000 + "fin")
    assert scan_email(big).verdict == "clean"
