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


def _zip(files: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in files.items():
            zf.writestr(n, d)
    return buf.getvalue()


def test_nested_zip_bomb_stops_at_the_unpacking_budget(monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setattr("hygie.scan.extract.MAX_TOTAL_UNPACKED", 4 * 1024 * 1024)
    try:
        level = _zip({"a.txt": b"0" * (1024 * 1024)})
        for i in range(4):  # each level doubles what unpacks: 16 MB from a few KB
            level = _zip({f"l{i}.zip": level, f"m{i}.zip": level})
        r = scan_bytes(level, "bombe.zip")
    finally:
        mp.undo()
    assert r.verdict == "unscannable"
    assert r.unscannable_code == "zip_too_big"


def test_deeply_nested_multiparts_are_refused_not_crashing() -> None:
    n = 3000
    body = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(n)
    )
    body += "Content-Type: text/plain\r\n\r\nhello\r\n"
    body += "".join(f"--b{i}--\r\n" for i in reversed(range(n)))
    r = scan_email(("From: a@b\r\nSubject: x\r\nMIME-Version: 1.0\r\n" + body).encode())
    assert r.verdict == "unscannable"


def test_duplicate_content_type_in_any_case_is_ambiguous() -> None:
    raw = b"From: a@b\r\nSubject: x\r\nContent-Type: text/plain\r\ncontent-type: text/html\r\n\r\nx"
    assert scan_email(raw).unscannable_code == "mime_ambiguous"


def test_long_text_is_analysed_in_chunks_with_the_deadline() -> None:
    import time

    from tests.id_helpers import with_key

    nir = with_key("1850578006084")
    text = ("Le cabinet est ouvert. " * 100_000) + f"Assuré NIR {nir}"  # 2.3 MB, NIR at the end
    assert scan_bytes(text.encode(), "long.txt").verdict == "found"
    late = scan_bytes(text.encode(), "long.txt", deadline=time.monotonic() - 1)
    assert late.verdict == "unscannable" and late.timed_out
