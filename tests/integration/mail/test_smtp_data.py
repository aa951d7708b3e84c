"""The relay's bulk DATA reader gives byte-for-byte what aiosmtpd's own line reader gives.

Two real servers on 127.0.0.1, aiosmtpd's stock ``SMTP`` and the relay's ``GuardSMTP``, get
the same bytes on the wire (dot-stuffed as a client sends them, cut into random TCP writes,
the terminator split across writes); what each hands to its handler must be identical.
"""

from __future__ import annotations

import smtplib
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.mail.relay.smtp_data import GuardController, send_data
from tests.mailtools import free_port

pytestmark = pytest.mark.integration


class Recorder:
    def __init__(self) -> None:
        self.got: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.got.append(bytes(envelope.original_content))
        return "250 2.0.0 kept"


class Pair:
    def __init__(self) -> None:
        self.stock, self.guard = Recorder(), Recorder()
        kw: dict[str, Any] = {
            "hostname": "127.0.0.1",
            "decode_data": False,
            "data_size_limit": 4000,
        }
        self.c1 = Controller(self.stock, port=free_port(), **kw)
        self.c2 = GuardController(self.guard, port=free_port(), **kw)

    def ports(self) -> tuple[int, int]:
        return self.c1.port, self.c2.port


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    p = Pair()
    p.c1.start()
    p.c2.start()
    try:
        yield p
    finally:
        p.c1.stop()
        p.c2.stop()


def _stuff(body: bytes) -> bytes:
    q = body.replace(b"\n.", b"\n..")
    if q.startswith(b"."):
        q = b"." + q
    if not q.endswith(b"\r\n"):
        q += b"\r\n"
    return q + b".\r\n"


def _converse(port: int, wire: bytes, cuts: list[int], tail: bytes = b"") -> list[bytes]:
    """EHLO, MAIL, RCPT, DATA, then ``wire`` in pieces cut at ``cuts``; the replies."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        f = s.makefile("rb")

        def reply() -> bytes:
            lines = [f.readline()]
            while lines[-1][3:4] == b"-":
                lines.append(f.readline())
            return lines[-1]

        reply()
        for cmd in (b"EHLO t", b"MAIL FROM:<a@b.fr>", b"RCPT TO:<c@d.fr>", b"DATA"):
            s.sendall(cmd + b"\r\n")
            reply()
        pos = 0
        for cut in [*sorted(set(cuts)), len(wire)]:
            if pos < cut <= len(wire):
                s.sendall(wire[pos:cut])
                time.sleep(0.001)
                pos = cut
        s.sendall(tail)
        out = [reply()]
        if tail:
            out.append(reply())
        return out


CASES = {
    "plain": b"Subject: x\r\n\r\nbonjour\r\n",
    "dots": b"Subject: x\r\n\r\n.\r\n..\r\n. point\r\n.x\r\nfin\r\n",
    "starts_with_dot": b".premiere ligne\r\nsuite\r\n",
    "empty": b"",
    "no_final_crlf": b"Subject: x\r\n\r\nsans fin de ligne",
    "bare_lf_and_cr": b"a\nb\r.c\n.d\r\n\r\n.\n",
    "8bit": "Réunion à 14 h\r\n".encode(),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_bytes_as_aiosmtpd(pair: Pair, case: str) -> None:
    wire = _stuff(CASES[case])
    for cuts in ([], [1], [len(wire) - 3], [len(wire) - 1, len(wire) - 4], list(range(len(wire)))):
        n1, n2 = len(pair.stock.got), len(pair.guard.got)
        r1 = _converse(pair.c1.port, wire, cuts)
        r2 = _converse(pair.c2.port, wire, cuts)
        assert r1 == r2 == [b"250 2.0.0 kept\r\n"], (r1, r2)
        assert pair.stock.got[n1:] == pair.guard.got[n2:]
        assert len(pair.guard.got[n2:]) == 1


def test_too_much_data_is_refused_like_aiosmtpd(pair: Pair) -> None:
    wire = _stuff(b"x" * 100 + b"\r\n" + (b"y" * 90 + b"\r\n") * 60)  # > 4000 bytes
    n1, n2 = len(pair.stock.got), len(pair.guard.got)
    r1 = _converse(pair.c1.port, wire, [50, 3000])
    r2 = _converse(pair.c2.port, wire, [50, 3000])
    assert r1 == r2 and r1[0].startswith(b"552")
    assert len(pair.stock.got) == n1 and len(pair.guard.got) == n2
    # the session goes on after the refusal, as with aiosmtpd
    assert _converse(pair.c2.port, _stuff(b"ok\r\n"), []) == [b"250 2.0.0 kept\r\n"]


def test_bytes_sent_before_the_reply_are_kept_in_order(pair: Pair) -> None:
    wire = _stuff(b"Subject: x\r\n\r\nbonjour\r\n")
    r = _converse(pair.c2.port, wire, [], tail=b"NOOP\r\n")
    assert r == [b"250 2.0.0 kept\r\n", b"250 OK\r\n"]


_piece = st.sampled_from([b"a", b".", b"..", b"\r\n", b"\n", b"\r", b"\r\n.", b"\xc3\xa9"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(_piece, max_size=60).map(b"".join),
    cuts=st.lists(st.integers(0, 200), max_size=6),
)
def test_fuzz_same_bytes_as_aiosmtpd(pair: Pair, body: bytes, cuts: list[int]) -> None:
    wire = _stuff(body)
    n1, n2 = len(pair.stock.got), len(pair.guard.got)
    assert _converse(pair.c1.port, wire, cuts) == _converse(pair.c2.port, wire, cuts)
    assert pair.stock.got[n1:] == pair.guard.got[n2:]


def test_send_data_puts_the_same_bytes_on_the_wire_as_smtplib(pair: Pair) -> None:
    body = b".a\r\nb\n.c\r\n..d\r\nsans fin"
    with smtplib.SMTP("127.0.0.1", pair.c1.port, timeout=10) as c:
        c.ehlo()
        c.mail("a@b.fr")
        c.rcpt("c@d.fr")
        assert c.data(body)[0] == 250
        c.mail("a@b.fr")
        c.rcpt("c@d.fr")
        assert send_data(c, body) == (250, b"2.0.0 kept")
    assert pair.stock.got[-1] == pair.stock.got[-2]


def test_client_gone_during_data_leaves_the_server_serving(pair: Pair) -> None:
    n = len(pair.guard.got)
    with socket.create_connection(("127.0.0.1", pair.c2.port), timeout=10) as s:
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"EHLO t\r\nMAIL FROM:<a@b.fr>\r\nRCPT TO:<c@d.fr>\r\nDATA\r\n")
        while not f.readline().startswith(b"354"):
            pass
        s.sendall(b"Subject: x\r\n\r\nmoitie du messa")  # then the connection drops
    time.sleep(0.2)
    assert len(pair.guard.got) == n  # nothing handed to the handler
    assert _converse(pair.c2.port, _stuff(b"ok\r\n"), []) == [b"250 2.0.0 kept\r\n"]


_ADDR_ARGS = [
    "",
    "<dr.martin@gmail.com>",
    "<dr.martin@gmail.com> SIZE=1000 BODY=8BITMIME",
    "dr.martin@gmail.com",
    " <a@b.fr>",
    "<>",
    "<a@b",
    "<@relay.example:a@b.fr>",
    '<"quoted local"@b.fr>',
    "<" + "x" * 70 + "@b.fr>",
    "<a(comment)@b.fr>",
    "not an address",
    "<a@[127.0.0.1]>",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(st.sampled_from(_ADDR_ARGS), st.text('<>@.a "(),:[]x\\', max_size=20)))
def test_getaddr_answers_as_aiosmtpd(arg: str) -> None:
    """GuardSMTP's _getaddr (no class per call) gives aiosmtpd's answer, with and without
    the local-part limit."""
    from aiosmtpd.smtp import SMTP

    from hygie.mail.relay.smtp_data import GuardSMTP

    for limit in (0, 64):
        ours, theirs = GuardSMTP(object()), SMTP(object())
        ours.local_part_limit = theirs.local_part_limit = limit
        try:
            expected: Any = theirs._getaddr(arg)
        except Exception as exc:  # the same failure, if any
            expected = type(exc)
        try:
            got: Any = ours._getaddr(arg)
        except Exception as exc:
            got = type(exc)
        assert got == expected, arg
