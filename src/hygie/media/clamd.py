"""A small client for ClamAV's daemon, speaking its socket protocol directly.

Commands are sent in the ``z`` form (``zCOMMAND\\0``) so that every reply is terminated by a
NUL byte. Scans go through ``FILDES`` (the open file descriptor is passed over the unix socket
with ``SCM_RIGHTS``, so clamd never opens a path itself) or ``INSTREAM`` (chunks prefixed by
their length as a 4-byte big-endian integer, ended by a zero-length chunk) when the daemon is
reached over TCP. ``MULTISCAN``/``CONTSCAN`` scan a path the daemon opens itself, ``RELOAD``
reloads the signatures, ``IDSESSION`` keeps one connection for several commands.

Replies are parsed strictly (:func:`parse_scan_reply`): only ``<label>: OK`` is a clean
result; ``<label>: <signature> FOUND`` is a detection; anything ending in ``ERROR`` or not
understood is an error; a connection closed before a full reply raises
:class:`ClamdConnectionError`. Nothing here decides what is "clean" for the user: that is
:mod:`hygie.media.verdicts`' job, which fails closed.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from hygie.hashing import pread

CHUNK_SIZE = 256 * 1024
_LEN = struct.Struct("!L")


class ClamdError(Exception):
    """Base class of protocol-level problems (mapped to user errors by the callers)."""


class ClamdConnectionError(ClamdError):
    """The daemon could not be reached, or dropped the connection before replying."""


class ClamdTimeout(ClamdError):
    """The daemon did not answer in time."""


class ClamdProtocolError(ClamdError):
    """The daemon answered something this client does not understand."""


@dataclass(frozen=True)
class Address:
    """Where the daemon listens: ``unix:/path/to/socket`` or ``tcp:host:port``."""

    kind: str  # "unix" or "tcp"
    path: str = ""
    host: str = ""
    port: int = 0

    @classmethod
    def parse(cls, text: str) -> Address:
        text = text.strip()
        if text.startswith("unix:"):
            path = text[5:]
            if not path:
                raise ValueError("empty unix socket path")
            return cls("unix", path=path)
        if text.startswith("tcp:"):
            rest = text[4:]
            host, sep, port = rest.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"invalid tcp address {text!r} (expected tcp:HOST:PORT)")
            return cls("tcp", host=host.strip("[]"), port=int(port))
        if text.startswith("/"):
            return cls("unix", path=text)
        raise ValueError(f"invalid clamd address {text!r} (expected unix:PATH or tcp:HOST:PORT)")

    @property
    def can_pass_fds(self) -> bool:
        return self.kind == "unix" and hasattr(socket, "send_fds")

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix:{self.path}"
        return f"tcp:{self.host}:{self.port}"


class ReplyStatus(StrEnum):
    OK = "ok"
    FOUND = "found"
    ERROR = "error"
    SIZE_LIMIT = "size_limit"


@dataclass(frozen=True)
class ScanReply:
    """One scan result line from clamd."""

    status: ReplyStatus
    label: str = ""  # "stream", "fd[5]" or the path clamd scanned
    signature: str = ""
    detail: str = ""
    raw: str = ""


_SESSION_PREFIX = re.compile(r"^(\d+): ")
_OK = ScanReply(ReplyStatus.OK, "fd", raw="fd: OK")  # a pipelined clean reply (label dropped)
_SOL_SOCKET = getattr(socket, "SOL_SOCKET", 1)
_SCM_RIGHTS = getattr(socket, "SCM_RIGHTS", 1)  # absent on Windows (no descriptor passing)


def parse_scan_reply(raw: bytes | str) -> ScanReply:
    """Parse one reply line strictly. Anything not recognised is an ERROR (fail closed)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.rstrip("\0\n")
    if text.endswith("INSTREAM size limit exceeded. ERROR"):
        return ScanReply(ReplyStatus.SIZE_LIMIT, "stream", detail=text, raw=text)
    if text.endswith(" ERROR"):
        label, sep, detail = text[: -len(" ERROR")].partition(": ")
        return ScanReply(
            ReplyStatus.ERROR, label if sep else "", detail=detail if sep else label, raw=text
        )
    if text.endswith(" FOUND"):
        label, sep, sig = text[: -len(" FOUND")].rpartition(": ")
        if sep and sig and " " not in sig:
            return ScanReply(ReplyStatus.FOUND, label, signature=sig, raw=text)
        return ScanReply(ReplyStatus.ERROR, detail=f"unparsable reply: {text[:200]}", raw=text)
    label, sep, rest = text.rpartition(": ")
    if sep and rest == "OK" and label:
        return ScanReply(ReplyStatus.OK, label, raw=text)
    return ScanReply(ReplyStatus.ERROR, detail=f"unexpected reply: {text[:200]!r}", raw=text)


def _recv_until_nul(sock: socket.socket, buf: bytearray) -> bytes:
    """Read one NUL-terminated reply (``buf`` keeps what was read past it)."""
    while True:
        idx = buf.find(b"\0")
        if idx >= 0:
            line = bytes(buf[:idx])
            del buf[: idx + 1]
            return line
        try:
            data = sock.recv(65536)
        except TimeoutError as exc:
            raise ClamdTimeout("no reply from clamd in time") from exc
        except OSError as exc:
            raise ClamdConnectionError(f"connection to clamd lost: {exc}") from exc
        if not data:
            raise ClamdConnectionError("clamd closed the connection without a full reply")
        buf.extend(data)


class ClamdClient:
    """One-shot commands; each opens its own connection (safe to share between threads)."""

    def __init__(self, address: Address, timeout: float = 60.0) -> None:
        self.address = address
        self.timeout = timeout

    # -- plumbing ------------------------------------------------------------------------
    def connect(self, timeout: float | None = None) -> socket.socket:
        t = self.timeout if timeout is None else timeout
        try:
            if self.address.kind == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(t)
                sock.connect(self.address.path)
            else:
                sock = socket.create_connection((self.address.host, self.address.port), timeout=t)
        except TimeoutError as exc:
            raise ClamdTimeout(f"clamd at {self.address} did not accept in time") from exc
        except OSError as exc:
            raise ClamdConnectionError(f"cannot reach clamd at {self.address}: {exc}") from exc
        return sock

    def _simple(self, command: str, timeout: float | None = None) -> str:
        with contextlib.closing(self.connect(timeout)) as sock:
            _send(sock, f"z{command}\0".encode())
            return _recv_until_nul(sock, bytearray()).decode("utf-8", "replace")

    # -- commands ------------------------------------------------------------------------
    def ping(self, timeout: float = 5.0) -> None:
        """Raise unless the daemon answers ``PONG``."""
        reply = self._simple("PING", timeout)
        if reply != "PONG":
            raise ClamdProtocolError(f"unexpected PING reply {reply[:100]!r}")

    def version(self) -> str:
        reply = self._simple("VERSION", 10.0)
        if not reply.startswith("ClamAV "):
            raise ClamdProtocolError(f"unexpected VERSION reply {reply[:100]!r}")
        return reply

    def reload(self) -> None:
        reply = self._simple("RELOAD", 10.0)
        if reply != "RELOADING":
            raise ClamdProtocolError(f"unexpected RELOAD reply {reply[:100]!r}")

    def stats(self) -> str:
        with contextlib.closing(self.connect(10.0)) as sock:
            _send(sock, b"zSTATS\0")
            return _recv_until_nul(sock, bytearray()).decode("utf-8", "replace")

    def instream(self, fd: int, size_hint: int = -1) -> ScanReply:
        """Stream the content of an open file descriptor (read with pread from offset 0)."""
        with contextlib.closing(self.connect()) as sock:
            return _instream(sock, b"zINSTREAM\0", _pread_chunks(fd), bytearray())

    def instream_bytes(self, data: bytes) -> ScanReply:
        with contextlib.closing(self.connect()) as sock:
            chunks = (data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE))
            return _instream(sock, b"zINSTREAM\0", chunks, bytearray())

    def fildes(self, fd: int) -> ScanReply:
        """Pass an open file descriptor to the daemon (unix socket only)."""
        if not self.address.can_pass_fds:
            raise ClamdProtocolError("FILDES needs a unix socket")
        with contextlib.closing(self.connect()) as sock:
            return _fildes(sock, b"zFILDES\0", fd, bytearray())

    def scan_fd(self, fd: int) -> ScanReply:
        """FILDES when possible, INSTREAM otherwise."""
        if self.address.can_pass_fds:
            return self.fildes(fd)
        return self.instream(fd)

    def multiscan(self, path: str) -> list[ScanReply]:
        """``MULTISCAN`` (the daemon opens the files itself, in parallel)."""
        return self._multi("MULTISCAN", path)

    def contscan(self, path: str) -> list[ScanReply]:
        """``CONTSCAN`` (the daemon opens the files itself, keeps going after a detection)."""
        return self._multi("CONTSCAN", path)

    def _multi(self, command: str, path: str) -> list[ScanReply]:
        if "\0" in path or "\n" in path:
            raise ValueError("path with NUL or newline")
        out: list[ScanReply] = []
        with contextlib.closing(self.connect()) as sock:
            _send(sock, f"z{command} {path}\0".encode("utf-8", "surrogateescape"))
            buf = bytearray()
            while True:
                try:
                    data = sock.recv(65536)
                except TimeoutError as exc:
                    raise ClamdTimeout("no reply from clamd in time") from exc
                except OSError as exc:
                    raise ClamdConnectionError(str(exc)) from exc
                if not data:
                    break
                buf.extend(data)
            if buf and not buf.endswith(b"\0"):
                raise ClamdConnectionError("clamd closed the connection in the middle of a reply")
            for part in bytes(buf).split(b"\0"):
                if part:
                    out.append(parse_scan_reply(part))
        return out

    def pipeline(self) -> PipelinedSession:
        """An ``IDSESSION`` carrying many ``FILDES`` at once (unix socket only); the caller
        closes it."""
        if not self.address.can_pass_fds:
            raise ClamdProtocolError("a pipelined session passes descriptors: unix socket only")
        sock = self.connect()
        try:
            _send(sock, b"zIDSESSION\0")
        except ClamdError:
            sock.close()
            raise
        return PipelinedSession(sock, self.timeout)

    @contextlib.contextmanager
    def session(self) -> Iterator[ClamdSession]:
        """An ``IDSESSION``: several commands on one connection, replies numbered."""
        sock = self.connect()
        sess = ClamdSession(sock, self.address)
        try:
            _send(sock, b"zIDSESSION\0")
            yield sess
        finally:
            with contextlib.suppress(OSError):
                if not sess.broken:
                    sock.sendall(b"zEND\0")
            sock.close()


class ClamdSession:
    """Commands inside an IDSESSION. Not thread-safe: one per worker."""

    def __init__(self, sock: socket.socket, address: Address) -> None:
        self.sock = sock
        self.address = address
        self.buf = bytearray()
        self.broken = False
        self._next_id = 1

    def _strip(self, line: bytes) -> bytes:
        text = line.decode("utf-8", "replace")
        m = _SESSION_PREFIX.match(text)
        if not m:
            # Errors about the session itself come unnumbered.
            self.broken = True
            return line
        if int(m.group(1)) != self._next_id:
            self.broken = True
            raise ClamdProtocolError(f"reply for request {m.group(1)}, expected {self._next_id}")
        self._next_id += 1
        return text[m.end() :].encode()

    def ping(self) -> None:
        try:
            _send(self.sock, b"zPING\0")
            reply = self._strip(_recv_until_nul(self.sock, self.buf))
        except ClamdError:
            self.broken = True
            raise
        if reply != b"PONG":
            raise ClamdProtocolError(f"unexpected PING reply {reply[:100]!r}")

    def scan_fd(self, fd: int) -> ScanReply:
        try:
            if self.address.can_pass_fds:
                reply = _fildes_raw(self.sock, b"zFILDES\0", fd, self.buf)
            else:
                reply = _instream_raw(self.sock, b"zINSTREAM\0", _pread_chunks(fd), self.buf)
            return parse_scan_reply(self._strip(reply))
        except ClamdError:
            self.broken = True
            raise


class PipelinedSession:
    """One ``IDSESSION`` with many ``FILDES`` requests in flight, replies matched by id.

    clamd numbers the requests of a session from 1 in the order it reads them, scans them
    on its threads and answers ``<id>: <reply>`` as each one finishes — not in the order
    they were sent. :meth:`submit` sends the command and the descriptor in one message (so
    request ids follow the calls); :meth:`read` returns the complete replies that arrived.

    Nothing is ever guessed: a reply whose id is not in flight, a line without an id (an
    error about the session itself), a connection closed or a reply cut short marks the
    session broken (:attr:`error`) and the requests still in flight (:attr:`in_flight`)
    have no answer — the caller decides what becomes of them (never "clean"). The caller
    keeps the number in flight bounded, so that clamd's replies always fit in the socket
    buffer and neither side blocks on the other (clamd(8), IDSESSION).

    Not thread-safe: one thread submits and reads.
    """

    _CMD = (b"zFILDES\0\0",)  # the command, then the byte that carries the descriptor
    _FD = struct.Struct("i")  # one descriptor in an SCM_RIGHTS message

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        # Non-blocking, waits done here with poll(): one system call per read or send when
        # there is something to read or room to send (a socket timeout polls every time).
        sock.setblocking(False)
        self.sock = sock
        self.timeout = timeout
        self.in_flight: set[int] = set()
        self.error: ClamdError | None = None
        self._buf = b""
        self._last_id = 0
        self._early: list[tuple[int, ScanReply]] = []  # read while waiting to send
        self._send_failed = False

    def _poll(self, events: int) -> int:
        poller = select.poll()
        poller.register(self.sock, events)
        ready = poller.poll(self.timeout * 1000)
        return ready[0][1] if ready else 0

    def submit(self, fd: int) -> int:
        """Send one descriptor to scan; returns its request id. Raises :class:`ClamdError`
        (and the session is broken) when it cannot be sent."""
        if self.error is not None:
            raise self.error
        try:
            while True:
                try:
                    # socket.send_fds, without building an array per file.
                    self.sock.sendmsg(self._CMD, [(_SOL_SOCKET, _SCM_RIGHTS, self._FD.pack(fd))])
                    break
                except BlockingIOError:
                    # clamd is not reading: it may be waiting for us to read its replies
                    # (clamd(8): read whenever a send would block, or both sides stall).
                    events = self._poll(select.POLLOUT | select.POLLIN)
                    if not events:
                        raise TimeoutError from None
                    if events & ~select.POLLOUT:
                        self._early.extend(self._receive())
                        if self.error is not None:
                            raise self.error from None
        except TimeoutError as exc:
            self.error = ClamdTimeout("clamd did not accept the file in time")
            raise self.error from exc
        except OSError as exc:
            self.error = ClamdConnectionError(f"connection to clamd lost: {exc}")
            self._send_failed = True
            raise self.error from exc
        self._last_id += 1
        self.in_flight.add(self._last_id)
        return self._last_id

    def read(self, wait: bool = True) -> list[tuple[int, ScanReply]]:
        """The replies that are complete: waits up to the timeout for at least one when
        ``wait`` (none arriving in time is :class:`ClamdTimeout`), else takes only what has
        already arrived. Never raises: a problem is left in :attr:`error`, after the
        replies received before it."""
        if self._early:
            out, self._early = self._early, []
            return out
        if self.error is not None or not self.in_flight:
            return []
        if wait:
            while True:
                out = self._receive(wait=True)
                if out or self.error is not None:
                    return out
        return self._receive()

    def salvage(self) -> list[tuple[int, ScanReply]]:
        """Once broken: the complete replies clamd sent before, not yet returned. When the
        break was a failed send (clamd closed the connection), what it answered before is
        still in the socket and is read; after a reply that made no sense, nothing more is
        believed."""
        out, self._early = self._early, []
        if not self._send_failed:
            return out
        self._send_failed = False
        err, self.error = self.error, None
        while self.in_flight and self.error is None:
            got = self._receive()
            if not got:
                break
            out.extend(got)
        self.error = err
        return out

    def _receive(self, wait: bool = False) -> list[tuple[int, ScanReply]]:
        try:
            while True:
                try:
                    data = self.sock.recv(65536)
                    break
                except BlockingIOError:
                    if not wait:
                        return []
                    if not self._poll(select.POLLIN):
                        raise TimeoutError from None
        except TimeoutError:
            self.error = ClamdTimeout(f"no reply from clamd in {self.timeout:g} s")
            return []
        except OSError as exc:
            self.error = ClamdConnectionError(f"connection to clamd lost: {exc}")
            return []
        if not data:
            self.error = ClamdConnectionError(
                "clamd closed the session with requests in flight"
                + (" (in the middle of a reply)" if self._buf else "")
            )
            return []
        *lines, self._buf = (self._buf + data).split(b"\0")
        out: list[tuple[int, ScanReply]] = []
        in_flight = self.in_flight
        for line in lines:
            num, sep, rest = line.partition(b": ")
            rid = int(num) if sep and num.isdigit() and len(num) < 12 else 0
            if rid not in in_flight:
                text = line[:200].decode("utf-8", "replace")
                self.error = ClamdProtocolError(
                    f"reply for request {rid}, not in flight: {text!r}"
                    if rid
                    else f"clamd ended the session: {text!r}"
                )
                return out
            in_flight.discard(rid)
            # "fd[12]: OK" is most replies: one shared object, no parsing.
            ok = len(rest) > 4 and rest.endswith(b": OK")
            out.append((rid, _OK if ok else parse_scan_reply(rest)))
        return out

    def close(self) -> None:
        """End the session (``END`` when it is still sound) and close the connection."""
        with contextlib.suppress(OSError):
            if self.error is None:
                self.sock.sendall(b"zEND\0")
        self.sock.close()


def _send(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except TimeoutError as exc:
        raise ClamdTimeout("clamd did not accept data in time") from exc
    except OSError as exc:
        raise ClamdConnectionError(f"connection to clamd lost: {exc}") from exc


def _pread_chunks(fd: int) -> Iterator[bytes]:
    offset = 0
    while True:
        chunk = pread(fd, CHUNK_SIZE, offset)
        if not chunk:
            return
        offset += len(chunk)
        yield chunk


def _fildes(sock: socket.socket, cmd: bytes, fd: int, buf: bytearray) -> ScanReply:
    return parse_scan_reply(_fildes_raw(sock, cmd, fd, buf))


def _instream(
    sock: socket.socket, cmd: bytes, chunks: Iterator[bytes], buf: bytearray
) -> ScanReply:
    return parse_scan_reply(_instream_raw(sock, cmd, chunks, buf))


def _fildes_raw(sock: socket.socket, cmd: bytes, fd: int, buf: bytearray) -> bytes:
    # The command and the descriptor in one message (clamd reads the descriptor from any
    # message of the command): one system call and one wake-up of clamd per file.
    try:
        socket.send_fds(sock, [cmd + b"\0"], [fd])
    except TimeoutError as exc:
        raise ClamdTimeout("clamd did not accept the file in time") from exc
    except OSError as exc:
        raise ClamdConnectionError(f"connection to clamd lost: {exc}") from exc
    return _recv_until_nul(sock, buf)


def _instream_raw(
    sock: socket.socket, cmd: bytes, chunks: Iterator[bytes], buf: bytearray
) -> bytes:
    _send(sock, cmd)
    try:
        for chunk in chunks:
            sock.sendall(_LEN.pack(len(chunk)) + chunk)
        sock.sendall(_LEN.pack(0))
    except TimeoutError as exc:
        raise ClamdTimeout("clamd did not accept data in time") from exc
    except OSError as exc:
        # clamd closes the stream when StreamMaxLength is reached: its reply is still there.
        try:
            return _recv_until_nul(sock, buf)
        except ClamdError:
            raise ClamdConnectionError(f"connection to clamd lost: {exc}") from exc
    return _recv_until_nul(sock, buf)
