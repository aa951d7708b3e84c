"""Fewer false refusals, no new leaks: real mail through the real ``hygie mail relay`` process.

One relay subprocess (the real CLI, config file, password on stdin) in front of a real
aiosmtpd upstream with STARTTLS and AUTH. Clean mail a practice really sends (an HTML
signature with an inline logo, an S/MIME-signed message with a real signature) is relayed
byte for byte; the NIR variants of issue #13 and ambiguous MIME are refused, and no reply
quotes the number in clear.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import smtplib
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from hygie.scan import ocr
from tests.mailtools import Sink, free_port, nir_with_key, run_sink

pytestmark = pytest.mark.integration

HYGIE = str(Path(sys.executable).with_name("hygie"))
NIR = nir_with_key("1850578006084")  # 185057800608491, the issue's example
KEY = NIR[13:]
SPACED = " ".join([NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13]])
needs_ocr = pytest.mark.skipif(not ocr.available(), reason="tesseract-ocr-fra not installed")


class Relay:
    def __init__(self, sink: Sink, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.sink, self.port, self.proc = sink, port, proc

    def send(self, data: bytes, rcpts: tuple[str, ...] = ("dr.martin@gmail.com",)) -> str:
        """Send one message; returns "" when accepted, else the refusal "code text"."""
        with smtplib.SMTP("127.0.0.1", self.port, timeout=60) as c:
            try:
                c.sendmail("idel@cabinet.example", list(rcpts), data)
            except smtplib.SMTPDataError as exc:
                return f"{exc.smtp_code} {exc.smtp_error.decode()}"
        return ""


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Relay]:
    from tests.integration.mail.test_relay_cli import _wait_port

    home = tmp_path_factory.mktemp("relay-home")
    env = dict(os.environ, HYGIE_HOME=str(home), HYGIE_KEYRING="file")
    env.pop("HYGIE_LANG", None)
    with run_sink() as sink:
        ca = sink.ca_file(home)
        port = free_port()
        (home / "config").mkdir()
        (home / "config" / "config.toml").write_text(
            "[mail.relay]\n"
            f'listen = "127.0.0.1:{port}"\n'
            f'upstream = "127.0.0.1:{sink.port}"\n'
            f'upstream_user = "{sink.user}"\n'
            f'upstream_ca = "{ca}"\n'
            "scan_timeout_s = 30\n",
            encoding="utf-8",
        )
        subprocess.run(
            [HYGIE, "mail", "relay", "set-password"],
            input=(sink.password + "\n").encode(),
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        proc = subprocess.Popen(
            [HYGIE, "mail", "relay"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            _wait_port(port, proc)
            yield Relay(sink, port, proc)
        finally:
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=60)
        log = err.decode()
        assert NIR not in log and SPACED not in log and "gmail" not in log


def _relayed(relay: Relay, data: bytes) -> None:
    before = len(relay.sink.received)
    reply = relay.send(data)
    assert reply == "", reply
    assert relay.sink.received[before:] == [("idel@cabinet.example", ["dr.martin@gmail.com"], data)]


def _refused(relay: Relay, data: bytes, code: int = 550) -> str:
    before = len(relay.sink.received)
    reply = relay.send(data)
    assert reply.startswith(f"{code} "), reply
    assert len(relay.sink.received) == before
    digits = "".join(c for c in reply if c.isdigit())
    assert NIR not in digits and NIR[:13] not in digits, reply  # never the number in clear
    return reply


# --- clean mail a practice really sends ------------------------------------------------------
def _logo_png() -> bytes:
    """A practice logo: coloured shapes, no text (what OCR reads as nothing)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 80), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.ellipse((8, 8, 72, 72), fill=(0, 122, 94))
    d.rectangle((90, 30, 230, 50), fill=(120, 190, 220))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _base(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Cabinet infirmier des Tilleuls <idel@cabinet.example>"
    msg["To"] = "Dr Martin <dr.martin@gmail.com>"
    msg["Subject"] = subject
    msg["Date"] = "Sun, 29 Nov 2026 10:00:00 +0100"
    msg["Message-ID"] = "<e2e-1@cabinet.example>"
    return msg


def _crlf(msg: EmailMessage) -> bytes:
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def inline_logo_mail() -> bytes:
    msg = _base("Commande de matériel")
    cid = make_msgid(domain="cabinet.example")
    msg.set_content(
        "Bonjour,\n\nPouvez-vous livrer 3 boîtes de compresses ?\n\nCabinet des Tilleuls"
    )
    msg.add_alternative(
        "<html><body><p>Bonjour,</p><p>Pouvez-vous livrer 3 boîtes de compresses ?</p>"
        f'<p><img src="cid:{cid[1:-1]}" alt="Cabinet des Tilleuls"></p></body></html>',
        subtype="html",
    )
    html = msg.get_body(("html",))
    assert isinstance(html, EmailMessage)
    html.add_related(_logo_png(), "image", "png", cid=cid, filename="logo.png")
    return _crlf(msg)


def smime_signed_mail(body: str) -> bytes:
    """A message really signed with S/MIME (detached signature, smime.p7s), as Thunderbird or
    Outlook send it with a practice certificate."""
    import trustme
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    ca = trustme.CA()
    leaf = ca.issue_cert("idel@cabinet.example", not_after=dt.datetime(2030, 1, 1))
    cert = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), password=None)
    inner = EmailMessage()
    inner.set_content(body)
    content = _crlf(inner)
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())  # type: ignore[arg-type]
        .sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
    )
    head = (
        b"From: Cabinet infirmier des Tilleuls <idel@cabinet.example>\r\n"
        b"To: Dr Martin <dr.martin@gmail.com>\r\n"
        b"Subject: Compte rendu de la tournee\r\n"
        b"Date: Sun, 29 Nov 2026 10:00:00 +0100\r\n"
        b"Message-ID: <e2e-2@cabinet.example>\r\n"
    )
    return head + signed.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@needs_ocr
def test_inline_logo_mail_is_relayed(relay: Relay) -> None:
    data = inline_logo_mail()
    assert b"image/png" in data and b"Content-ID" in data  # the premise: an inline picture
    _relayed(relay, data)  # asserts: empty reply, the sink got the message byte for byte


def test_smime_signed_clean_mail_is_relayed(relay: Relay) -> None:
    data = smime_signed_mail("Bonjour,\n\nLa tournée de demain commence à 7 h.\n\nCordialement")
    assert b"pkcs7-signature" in data and b"smime.p7s" in data  # x-pkcs7-signature here
    _relayed(relay, data)


def test_smime_signed_mail_with_a_nir_is_refused(relay: Relay) -> None:
    data = smime_signed_mail(f"Bonjour,\n\nNIR de Mme X : {NIR}, pansement.\n")
    assert b"smime.p7s" in data  # the premise: a signed mail (its signature part is skipped)
    reply = _refused(relay, data)  # asserts: 550, nothing relayed, no NIR in the reply
    assert reply.count(" 5.") == 1  # one enhanced status code, not doubled


# --- the NIR variants of issue #13 -----------------------------------------------------------
def _plain(body: str, **headers: str) -> bytes:
    msg = _base(headers.pop("Subject", "Passage de ce matin"))
    for k, v in headers.items():
        if k in msg:
            del msg[k]
        msg[k] = v
    msg.set_content(body)
    return _crlf(msg)


def _with_attachment(name: str, content: bytes) -> bytes:
    msg = _base("Document")
    msg.set_content("Bonjour, ci-joint le document.")
    msg.add_attachment(content, maintype="application", subtype="pdf", filename=name)
    return _crlf(msg)


SEPARATORS = {
    "slash": "/",
    "en_dash": "\u2013",
    "non_breaking_hyphen": "\u2011",
    "middle_dot": "\u00b7",
    "figure_space": "\u2007",
    "ideographic_space": "\u3000",
}

VARIANTS: dict[str, bytes] = {
    "no_key_in_care_context": _plain(f"Patiente vue ce matin, n° de sécurité sociale {SPACED}."),
    "written_key": _plain(f"NIR du patient : {SPACED}, clé {KEY}. Pansement refait."),
    "after_reference_label": _plain(f"Référence dossier : {NIR} — pansement à refaire."),
    "fullwidth_digits": _plain(
        "NIR : " + "".join(chr(0xFF10 + int(c)) for c in NIR) + " (patiente de Mme B.)"
    ),
    "zero_width_spaces": _plain("N° sécu : " + "\u200b".join(SPACED.split(" ")) + f" {KEY}"),
    "soft_hyphens": _plain("N° sécu : " + "\u00ad".join(NIR[i : i + 3] for i in range(0, 15, 3))),
    "subject": _plain("Bonjour", Subject=f"Dossier {NIR}"),
    "display_name": _plain("Bonjour", To=f'"Patient {NIR}" <dr.martin@gmail.com>'),
    "comments_header": _plain("Bonjour", Comments=f"NIR {NIR}"),
    "attachment_file_name": _with_attachment(f"scan_{NIR}.pdf", b"%PDF-1.4\n%%EOF\n"),
    "html_head_without_close": (
        b"From: idel@cabinet.example\r\nTo: dr.martin@gmail.com\r\nSubject: Passage\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + f"<html><head><title>cr</title><body><p>NIR {NIR}</p></body></html>\r\n".encode()
    ),
}
for _name, _sep in SEPARATORS.items():
    VARIANTS[f"separator_{_name}"] = _plain(
        f"N° de sécurité sociale : {SPACED.replace(' ', _sep)} {KEY}"
    )


@pytest.mark.parametrize("case", sorted(VARIANTS))
def test_nir_variants_are_refused(relay: Relay, case: str) -> None:
    data = VARIANTS[case]
    reply = _refused(relay, data, 550) if case != "attachment_file_name" else relay.send(data)
    if case == "attachment_file_name":  # refused: as patient data, or the dummy PDF unreadable
        assert reply[:3] in ("550", "554"), reply
        assert NIR not in reply
    else:
        assert "MSSante" in reply


def test_ambiguous_mime_is_refused(relay: Relay) -> None:
    data = (
        b"From: idel@cabinet.example\r\nTo: dr.martin@gmail.com\r\nSubject: x\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Type: application/octet-stream\r\n\r\nBonjour, rien de personnel.\r\n"
    )
    reply = _refused(relay, data, 554)
    assert "illisible" in reply
