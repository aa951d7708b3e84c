"""A corpus of realistic *clean* practice mail, to measure false refusals (issue #13).

What a nurse's mailbox holds without any patient data: signatures with a logo (inline
``multipart/related`` image), newsletters (HTML, tracking pixels, long links), meeting
invitations (``text/calendar``), S/MIME-signed mail (``smime.p7s``), forwarded threads
(``message/rfc822`` and quoted replies), invoices with a logo in a PDF, vCards, office
attachments, delivery reports. Each generated from a seed; none holds an identifier.
"""

from __future__ import annotations

import base64
import datetime
import random
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tests.scan_corpus import FILLER, FIRST, SURNAMES
from tests.scan_docs import make_docx, make_pdf_text_and_image, make_png

ORGS = ("URPS Infirmiers", "Ordre national des infirmiers", "CPTS du Val", "Maison de santé")
SUBJECTS = (
    "Planning de la semaine",
    "Réunion de coordination",
    "Commande de matériel",
    "Votre facture du mois",
    "Lettre d'information",
    "Remplacement cet été",
    "Formation DPC",
    "Re: tournée de dimanche",
)


def _logo(rng: random.Random) -> bytes:
    return make_png([rng.choice(("Cabinet infirmier", "Soins à domicile", "CPTS"))])


def _base(rng: random.Random, subject: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    first, last = rng.choice(FIRST), rng.choice(SURNAMES)
    msg["From"] = f"{first} {last} <{first.lower()}.{last.lower()}@example.org>"
    msg["To"] = "cabinet@example.org"
    msg["Subject"] = subject or rng.choice(SUBJECTS)
    msg["Date"] = format_datetime(datetime.datetime(2026, 3, rng.randint(1, 28)))
    msg["Message-ID"] = make_msgid(domain="example.org")
    return msg


def _prose(rng: random.Random, n: int = 3) -> str:
    return "\n".join(rng.sample(FILLER, n))


def _signature(rng: random.Random) -> str:
    return (
        f"\n\n--\n{rng.choice(FIRST)} {rng.choice(SURNAMES)}\nInfirmière libérale\n"
        f"Tél. : 0{rng.randint(1, 7)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)} {rng.randint(10, 99)}\n12 rue des Lilas, 35000 Rennes"
    )


def signature_with_logo(rng: random.Random) -> bytes:
    msg = _base(rng)
    text = "Bonjour,\n\n" + _prose(rng) + _signature(rng)
    msg.set_content(text)
    html = text.replace("\n", "<br>") + '<br><img src="cid:logo1" alt="Logo du cabinet">'
    msg.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(_logo(rng), "image", "png", cid="<logo1>")
    return msg.as_bytes()


def newsletter(rng: random.Random) -> bytes:
    msg = _base(rng, f"{rng.choice(ORGS)} — lettre n° {rng.randint(10, 300)}")
    links = "".join(
        f'<p><a href="https://news.example.org/c/{rng.getrandbits(128):032x}?u='
        f'{rng.randint(10**14, 10**15 - 1)}&utm_source=newsletter">{rng.choice(FILLER)}</a></p>'
        for _ in range(5)
    )
    msg.set_content("Version texte : " + _prose(rng, 4))
    msg.add_alternative(
        "<!DOCTYPE html><html><head><style>p{color:#333}</style><title>Lettre</title>"
        f"<body><h1>{rng.choice(ORGS)}</h1>{links}"
        '<img src="https://t.example.org/open.gif" width="1" height="1" alt="">'
        '<p style="display:none">Préheader : les nouveautés du mois</p>'
        "<p>Se désabonner</p></body></html>",
        subtype="html",
    )
    return msg.as_bytes()


def invitation(rng: random.Random) -> bytes:
    msg = _base(rng, "Invitation : réunion de coordination")
    day = rng.randint(1, 28)
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//FR\r\nMETHOD:REQUEST\r\n"
        f"BEGIN:VEVENT\r\nUID:{rng.getrandbits(64):016x}@example.org\r\n"
        f"DTSTART:202604{day:02d}T140000Z\r\nDTEND:202604{day:02d}T150000Z\r\n"
        "SUMMARY:Réunion de coordination de la CPTS\r\nLOCATION:Salle 2\r\n"
        f"DESCRIPTION:{rng.choice(FILLER)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    msg.set_content("Vous êtes invitée à la réunion de coordination.")
    msg.add_alternative(ics, subtype="calendar", params={"method": "REQUEST"})
    msg.add_attachment(ics.encode(), maintype="application", subtype="ics", filename="invite.ics")
    return msg.as_bytes()


def signed(rng: random.Random, body: str | None = None) -> bytes:
    """An S/MIME-signed mail (multipart/signed + smime.p7s), as Outlook or Thunderbird send."""
    inner = EmailMessage()
    inner.set_content(body or "Bonjour,\n\n" + _prose(rng) + _signature(rng))
    sig = base64.encodebytes(rng.randbytes(1200))
    boundary = f"sig{rng.getrandbits(48):012x}"
    headers = _base(rng)
    raw = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    raw += (
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        f'micalg=sha-256; boundary="{boundary}"\r\n\r\n'
        "This is a cryptographically signed message in MIME format.\r\n\r\n"
        f"--{boundary}\r\n" + inner.as_string().replace("\n", "\r\n") + f"\r\n--{boundary}\r\n"
        'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="smime.p7s"\r\n'
        "Content-Description: S/MIME Cryptographic Signature\r\n\r\n"
        + sig.decode().replace("\n", "\r\n")
        + f"\r\n--{boundary}--\r\n"
    )
    return raw.encode()


def forwarded(rng: random.Random) -> bytes:
    original = _base(rng, "Planning")
    original.set_content("Bonjour,\n\n" + _prose(rng) + _signature(rng))
    msg = _base(rng, "Tr: Planning")
    msg.set_content(
        "Pour info, voir le message ci-dessous.\n\n> " + _prose(rng, 2).replace("\n", "\n> ")
    )
    msg.add_attachment(original)
    return msg.as_bytes()


def invoice(rng: random.Random) -> bytes:
    msg = _base(rng, "Votre facture")
    msg.set_content("Bonjour,\n\nVeuillez trouver votre facture ci-jointe.\n" + _signature(rng))
    text = f"FACTURE FA-2026-{rng.randint(1, 99999):05d} - Total TTC {rng.randint(10, 500)} EUR"
    pdf = make_pdf_text_and_image(text, _logo(rng))
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="facture.pdf")
    return msg.as_bytes()


def vcard(rng: random.Random) -> bytes:
    msg = _base(rng, "Mes coordonnées")
    first, last = rng.choice(FIRST), rng.choice(SURNAMES)
    card = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{first} {last}\r\nN:{last};{first};;;\r\n"
        f"TEL;TYPE=WORK:+33 2 99 {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)}\r\nEMAIL:{first.lower()}@example.org\r\nEND:VCARD\r\n"
    )
    msg.set_content("Voici mes coordonnées.")
    msg.add_attachment(card.encode(), maintype="text", subtype="vcard", filename="contact.vcf")
    return msg.as_bytes()


def office(rng: random.Random) -> bytes:
    msg = _base(rng, "Planning du mois")
    msg.set_content("Le planning du mois en pièce jointe.")
    rows = [["Jour", "Matin", "Soir"]] + [
        [str(d), rng.choice(FIRST), rng.choice(FIRST)] for d in range(1, 8)
    ]
    doc = make_docx([_prose(rng, 2)], rows)
    msg.add_attachment(
        doc,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="planning.docx",
    )
    return msg.as_bytes()


def delivery_report(rng: random.Random) -> bytes:
    msg = _base(rng, "Undelivered Mail Returned to Sender")
    msg.set_content("Le message n'a pas pu être remis.")
    msg.add_attachment(
        b"Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; x@example.org\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n",
        maintype="text",
        subtype="plain",
        filename="details.txt",
    )
    return msg.as_bytes()


KINDS = (
    ("signature_with_logo", signature_with_logo),
    ("newsletter", newsletter),
    ("invitation", invitation),
    ("signed", signed),
    ("forwarded", forwarded),
    ("invoice", invoice),
    ("vcard", vcard),
    ("office", office),
    ("delivery_report", delivery_report),
)


def generate(n: int, *, seed: int = 5) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind, fn = KINDS[i % len(KINDS)]
        out.append((kind, fn(rng)))
    return out
