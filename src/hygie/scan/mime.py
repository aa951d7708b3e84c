"""Every text-bearing place of an e-mail (RFC 5322/MIME), depth-first; names in French.

Read: every header but the routing and signature ones (Subject, display names, Comments,
Keywords, X-…; RFC 2047 decoded), each part's own headers (Content-Description, the
attachment's file name, plain or RFC 2231), the multipart preamble and epilogue, text parts
(plain, HTML through :mod:`hygie.scan.html`, RTF, calendar invitations, vCards), attachments
and inline parts as documents, attached messages recursively.

Refused as unscannable (never guessed): MIME defects, an entity with two Content-Type or two
Content-Transfer-Encoding headers (two readers would see two different messages), encrypted
content (PGP/MIME, S/MIME enveloped data), damaged base64, too deep nesting.
Skipped, as they carry no message text: S/MIME and PGP signatures and pure certificate parts
(the signed content itself is read).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.header
import email.policy
import email.utils
import re
from collections.abc import Callable, Iterator
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message

from hygie.i18n import _
from hygie.scan.extract import MAX_DEPTH, Deadline, NotScannable, Part, decode_text, join
from hygie.scan.html import html_to_text
from hygie.scan.result import PlaceKind
from hygie.scan.rtf import rtf_to_text

Extractor = Callable[[bytes, str, Deadline, str, int, PlaceKind], Iterator[Part]]

#: Defects of the stdlib parser that mean the MIME structure was not fully understood.
_BENIGN_DEFECTS = {"MissingHeaderBodySeparatorDefect"}

ENCRYPTED_TYPES = frozenset(
    {
        "multipart/encrypted",
        "application/pgp-encrypted",
        "application/pkcs7-mime",
        "application/x-pkcs7-mime",
    }
)
#: Signatures and certificates: no message text, skipped (the signed content is read).
SIGNATURE_TYPES = frozenset(
    {
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
        "application/pgp-signature",
        "application/pkix-cert",
        "application/x-x509-ca-cert",
        "application/x-x509-user-cert",
        "application/pkcs7-certificates",
        "application/x-pkcs7-certificates",
    }
)
_SIGNATURE_NAME = re.compile(r"(?i)^(?:smime\.p7s|signature\.asc)$")
PGP_ARMOR = "-----BEGIN PGP MESSAGE-----"
#: Headers not read: routing and transport signatures (machine-made, no text of the sender).
_SKIP_HEADERS = frozenset(
    {
        "received",
        "dkim-signature",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "authentication-results",
        "received-spf",
        "x-google-dkim-signature",
        "x-gm-message-state",
        "x-google-smtp-source",
        "x-received",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "mime-version",
        # machine-made links of mailing lists (numeric subscriber ids)
        "list-unsubscribe",
        "list-unsubscribe-post",
        "feedback-id",
    }
)
_TEXT_TYPES = frozenset(
    {
        "text/plain",
        "text/html",
        "text/enriched",
        "text/csv",
        "text/calendar",
        "text/vcard",
        "text/x-vcard",
        "text/directory",
        "text/rtf",
        "application/rtf",
        "text/richtext",
        "text/markdown",
        "text/tab-separated-values",
        "text/xml",
        "application/ics",
    }
)


def _defects(msg: Message) -> list[str]:
    return [type(d).__name__ for d in msg.defects if type(d).__name__ not in _BENIGN_DEFECTS]


#: (specialised class, base class) -> the header class the registry makes of them.
_HEADER_CLASSES: dict[tuple[type, type], type[BaseHeader]] = {}


class _OncePerMessage(HeaderRegistry):
    """The standard header registry, building each distinct header once per message.

    ``email.policy.default`` builds a new header object on every access: reading one part
    (its type, file name, charset, disposition, encoding) parsed its Content-Type three
    times. Header objects are immutable, so giving back the same object is the same answer;
    the cache lives as long as the message (never across messages: no header text is kept).
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        # The stdlib makes a new class (with its ABC machinery) on every call, from the
        # specialised class the name maps to: made once per process per specialised class
        # (a bounded set: never keyed by a header name a message chose).
        cls = self.registry.get(name.lower(), self.default_class)
        key = (cls, self.base_class)
        made = _HEADER_CLASSES.get(key)
        if made is None:
            made = _HEADER_CLASSES[key] = type("_" + cls.__name__, (cls, self.base_class), {})
        return made

    def __call__(self, name: str, value: str) -> BaseHeader:
        if not isinstance(value, str):  # only ever str when reading; be exact otherwise
            return super().__call__(name, value)
        key = (name, value)
        header = self._made.get(key)
        if header is None:
            header = self._made[key] = super().__call__(name, value)
        return header


def parse_email(raw: bytes) -> EmailMessage:
    """``raw`` parsed with the standard library's ``email.policy.default``."""
    policy = email.policy.default.clone(header_factory=_OncePerMessage())
    msg = email.message_from_bytes(raw, policy=policy)
    assert isinstance(msg, EmailMessage)
    return msg


def _decode_part(part: Message) -> bytes:
    cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if cte == "base64":
        # The stdlib decodes leniently (it skips bad characters); hygie does not.
        encoded = part.get_payload(decode=False)
        if not isinstance(encoded, str):
            raise NotScannable("part_unreadable")
        compact = "".join(encoded.split())
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise NotScannable("base64_damaged") from exc
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise NotScannable("part_unreadable")
    return payload


def _charset_decode(data: bytes, charset: str | None) -> str:
    if b"\x00" in data:
        raise NotScannable("binary_in_text")
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def iter_email_parts(
    raw: bytes, deadline: Deadline, extract: Extractor, prefix: str = "", depth: int = 0
) -> Iterator[Part]:
    """Every text-bearing place of a message (see the module docstring)."""
    if depth > MAX_DEPTH:
        yield Part(prefix or _("message"), None, "too_deep")
        return
    try:
        msg = parse_email(raw)
    except Exception:  # the stdlib parser raises various errors on hostile input
        yield Part(prefix or _("message"), None, "mime_malformed")
        return
    yield from _message_parts(msg, deadline, extract, prefix, depth)


def _ambiguous(part: Message) -> bool:
    keys = [k.strip().lower() for k in part]
    return keys.count("content-type") > 1 or keys.count("content-transfer-encoding") > 1


#: Headers read one by one (context words of one header never lend to another: "Subject:
#: Suivi du patient" says nothing about the digits of a Message-ID); past this many, the rest
#: is read as one text (a flood of headers stays linear).
MAX_HEADER_PARTS = 200


def _decoded(value: str) -> str:
    """A raw header value unfolded, with RFC 2047 encoded-words decoded (the stdlib's header
    registry is several times slower and not needed to read text)."""
    value = value.replace("\r\n", "").replace("\n", "")
    if "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except Exception:  # an undecodable encoded-word: read the raw form
        return value


def _header_parts(part: Message, prefix: str) -> Iterator[Part]:
    rest: list[str] = []
    for n, (key, value) in enumerate(part.raw_items()):
        if key.strip().lower() in _SKIP_HEADERS:
            continue
        line = f"{key} : {_decoded(str(value))}"
        if n >= MAX_HEADER_PARTS:
            rest.append(line)
            continue
        name = join(prefix, _("en-tête {name}").format(name=key.strip()[:60]))
        yield Part(name, line, None, "header")
    if rest:
        yield Part(join(prefix, _("autres en-têtes")), "\n".join(rest), None, "header")


def _message_parts(
    msg: Message, deadline: Deadline, extract: Extractor, prefix: str, depth: int
) -> Iterator[Part]:
    if depth > MAX_DEPTH:
        yield Part(prefix or _("message"), None, "too_deep")
        return
    if _defects(msg):
        yield Part(prefix or _("message"), None, "mime_structure")
        return
    yield from _header_parts(msg, prefix)
    state = {"body": False}
    yield from _entity_parts(msg, deadline, extract, prefix, depth, state, top=True)


def _entity_parts(
    part: Message,
    deadline: Deadline,
    extract: Extractor,
    prefix: str,
    depth: int,
    state: dict[str, bool],
    *,
    top: bool = False,
) -> Iterator[Part]:
    where = prefix or _("message")
    if deadline.expired():
        yield Part(where, None, "timeout")
        return
    if _defects(part):
        yield Part(where, None, "mime_structure")
        return
    if _ambiguous(part):
        yield Part(where, None, "mime_ambiguous")
        return
    ctype = part.get_content_type()
    filename = _filename(part)
    if not top:
        yield from _header_parts(part, prefix)
    if filename:
        yield Part(join(prefix, _("nom de la pièce jointe")), filename, None, "file_name")
    if ctype in SIGNATURE_TYPES or (filename and _SIGNATURE_NAME.match(filename)):
        return  # a signature or a certificate: no text of the message
    if ctype in ENCRYPTED_TYPES:
        if ctype.endswith("pkcs7-mime") and part.get_param("smime-type") == "certs-only":
            return  # certificates only
        # Encrypted content (PGP/MIME, S/MIME) cannot be read: never call it clean.
        yield Part(where, None, "encrypted")
        return
    if part.is_multipart():
        children = part.get_payload()
        if not isinstance(children, list) or not all(isinstance(c, Message) for c in children):
            yield Part(where, None, "mime_structure")
            return
        if ctype == "message/rfc822":
            for child in children:
                assert isinstance(child, Message)
                yield from _message_parts(
                    child, deadline, extract, join(prefix, _("message joint")), depth + 1
                )
            return
        for extra, label in ((part.preamble, _("préambule")), (part.epilogue, _("épilogue"))):
            if extra and extra.strip():
                yield Part(join(prefix, label), extra, None, "body")
        for child in children:
            assert isinstance(child, Message)
            yield from _entity_parts(child, deadline, extract, prefix, depth, state)
        return
    try:
        data = _decode_part(part)
    except NotScannable as exc:
        yield Part(join(prefix, filename or ctype), None, exc.code, "attachment")
        return
    if ctype.startswith("message/") and ctype not in ("message/delivery-status",):
        yield from iter_email_parts(
            data, deadline, extract, join(prefix, _("message joint")), depth + 1
        )
        return
    disposition = part.get_content_disposition()
    if filename or disposition == "attachment":
        name = join(prefix, _("pièce jointe {name}").format(name=filename or ctype))
        yield from extract(
            data, filename or _guess_name(ctype), deadline, name, depth + 1, "attachment"
        )
        return
    if ctype in _TEXT_TYPES or ctype.startswith("text/"):
        label = (
            _("corps du message")
            if not state["body"]
            else _("corps du message ({type})").format(type=ctype)
        )
        state["body"] = True
        try:
            if ctype in ("text/rtf", "application/rtf", "text/richtext"):
                text = rtf_to_text(data)
            else:
                text = _charset_decode(data, part.get_content_charset())
        except NotScannable as exc:
            yield Part(join(prefix, label), None, exc.code)
            return
        if PGP_ARMOR in text:
            yield Part(join(prefix, label), None, "encrypted")
            return
        if ctype == "text/html":
            text = html_to_text(text)
        yield Part(join(prefix, label), text)
        return
    # Inline non-text part without a name (an inline image...): a document too.
    yield from extract(
        data, _guess_name(ctype), deadline, join(prefix, ctype), depth + 1, "attachment"
    )


def _filename(part: Message) -> str:
    """The attachment's name: Content-Disposition filename (RFC 2231 too) or Content-Type
    name; "" when none."""
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        return ""
    if isinstance(name, tuple):  # an undecoded RFC 2231 triple
        name = email.utils.collapse_rfc2231_value(name)
    return str(name)


def _guess_name(ctype: str) -> str:
    ext = {
        "application/pdf": ".pdf",
        "image/png": ".png",
        "image/jpeg": ".jpg",
        "image/gif": ".gif",
        "text/plain": ".txt",
        "text/html": ".html",
        "text/csv": ".csv",
        "text/calendar": ".ics",
        "text/vcard": ".vcf",
        "text/rtf": ".rtf",
        "application/rtf": ".rtf",
        "application/zip": ".zip",
    }.get(ctype, ".bin")
    return "sans-nom" + ext


_MBOX_SPLIT = re.compile(rb"(?:\A|\n)From [^\n]*\n")


def split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox file (mboxrd/mboxo: "From " lines; ">From " unescaped)."""
    chunks = [c for c in _MBOX_SPLIT.split(data) if c.strip()]
    return [re.sub(rb"\n>(>*From )", rb"\n\1", c) for c in chunks]
