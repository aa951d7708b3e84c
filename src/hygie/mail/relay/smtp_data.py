"""The SMTP protocol side of the relay: aiosmtpd's server with a bulk DATA reader.

aiosmtpd reads a message line by line (one ``readuntil`` coroutine, a log call and several
checks per line); profiled, that was the relay's largest own cost per message after the scan
(docs/benchmarks.md). :class:`GuardSMTP` reads the message in large blocks up to the
terminator ``CRLF . CRLF`` and removes the dot-stuffing with one ``bytes.replace``; the
result is byte-for-byte what aiosmtpd would give (``Envelope.original_content``), which
``tests/integration/mail/test_smtp_data.py`` checks against aiosmtpd's own reader.

``_getaddr`` (MAIL FROM, RCPT TO) is aiosmtpd's without the class it defined per call.

What is kept from aiosmtpd's DATA: the HELO/AUTH/RCPT preconditions, ``data_size_limit``
(``552`` after the data was drained), the handler hook, the post-DATA state. What is not:
the 1,000-character line limit (a longer line is passed on as it is; the upstream decides).
Written against aiosmtpd 1.4.6 (pinned in pyproject.toml).

The upstream side has the mirror image: :func:`send_data` dot-stuffs with ``bytes.replace``
instead of smtplib's per-line regular expression.
"""

from __future__ import annotations

import asyncio
import smtplib
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP

_TERMINATOR = b"\r\n.\r\n"
#: StreamReader.read(n) returns everything buffered up to n: this drains the buffer.
_READ_ALL = 1 << 30


class GuardSMTP(SMTP):
    """aiosmtpd's SMTP server with a bulk DATA reader (see the module docstring)."""

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's own, less the typing ``Protocol`` class it defines on every call
        (a class per MAIL FROM and per RCPT TO: ~30 µs each, profiled). Same answers:
        ``tests/integration/mail/test_smtp_data.py`` compares them."""
        if not arg:
            return "", ""
        try:
            if arg.lstrip().startswith("<"):
                angle, rest = get_angle_addr(arg)
                addr = angle.addr_spec
            else:
                spec, rest = get_addr_spec(arg)
                addr = spec.addr_spec
        except HeaderParseError:
            return None, None
        localpart, _atsign, _domainpart = addr.rpartition("@")
        if self.local_part_limit and len(localpart) > self.local_part_limit:
            return None, None
        return addr, rest

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            got = await self._read_data()
        except asyncio.CancelledError:
            self._writer.close()  # the connection was reset during DATA
            raise
        if got is None:  # the client closed the connection before the end of data
            return
        body, too_much = got
        if too_much:
            await self.push("552 Error: Too much mail data")
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            return
        self.envelope.content = body  # decode_data is False: the bytes as received
        self.envelope.original_content = body
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)

    async def _read_data(self) -> tuple[bytes, bool] | None:
        """The message up to ``CRLF . CRLF``, dot-unstuffed, and whether it was too big."""
        reader = self._reader
        limit = self.data_size_limit
        # The DATA command's own CRLF precedes the data: with it, the terminator is always
        # CRLF "." CRLF, even for an empty message.
        buf = bytearray(b"\r\n")
        searched = 0
        dropped = 0
        while True:
            chunk = await reader.read(_READ_ALL)
            if not chunk:
                return None
            buf += chunk
            idx = buf.find(_TERMINATOR, max(0, searched - 4))
            if idx >= 0:
                break
            searched = len(buf)
            if limit and dropped + len(buf) - 2 > limit:  # too much: keep only a tail where
                dropped += len(buf) - 4  # the terminator may begin, and keep draining
                del buf[:-4]
                searched = len(buf)
        leftover = bytes(buf[idx + len(_TERMINATOR) :])
        if leftover and not reader.at_eof():
            # Bytes sent before our reply (no PIPELINING is offered, but be exact): the
            # buffer was drained by read(), so they go back in front, in order.
            reader.feed_data(leftover)
        size = dropped + idx
        if dropped or (limit and size > limit):
            return b"", True
        # A dot starting a line is transparency (RFC 5321 4.5.2): removed. The leading CRLF
        # makes the first line like the others; bytes.replace is ~50x faster than a regex.
        return bytes(buf[: idx + 2]).replace(b"\r\n.", b"\r\n")[2:], False


class GuardController(Controller):
    """aiosmtpd's threaded controller serving :class:`GuardSMTP`."""

    def factory(self) -> Any:
        return GuardSMTP(self.handler, **self.SMTP_kwargs)


def send_data(smtp: smtplib.SMTP, data: bytes) -> tuple[int, bytes]:
    """``smtp.data(data)`` with the dot-stuffing done by ``bytes.replace`` (same bytes on the
    wire as smtplib: a dot after every LF and at the start is doubled, CRLF added if the data
    does not end with one)."""
    code, repl = smtp.docmd("data")
    if code != 354:
        return code, repl
    return send_body(smtp, data)


def send_body(smtp: smtplib.SMTP, data: bytes) -> tuple[int, bytes]:
    """The message after the server's 354, dot-stuffed, and the server's final reply."""
    q = data.replace(b"\n.", b"\n..")
    if q.startswith(b"."):
        q = b"." + q
    if not q.endswith(b"\r\n"):
        q += b"\r\n"
    smtp.send(q + b".\r\n")
    return smtp.getreply()
