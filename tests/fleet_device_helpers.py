"""Helpers of the device-side fleet tests: a scripted HTTP server on 127.0.0.1 and a clock.

The scripted server is a real HTTP server (stdlib, loopback) whose answers a test chooses,
to reach what the real ``hygie fleet serve`` only gives in rare states (a 503, a 422 for one
report, a redirect, a Retry-After). Join, report, leave against the real server are in
tests/integration/fleet/test_device_*.py.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hygie.fleet.protocol import DeviceToken


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, Any] | None, dict[str, str]]
Script = Callable[[Seen], Reply]


@dataclass
class Scripted:
    url: str
    seen: list[Seen] = field(default_factory=list)
    script: Script | None = None
    token: DeviceToken = field(default_factory=lambda: DeviceToken.new(1))
    campaign: dict[str, str] = field(
        default_factory=lambda: {"name": "URPS test", "mode": "anonymous"}
    )

    def reports(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/reports")]


def default_reply(server: Scripted, seen: Seen) -> Reply:
    if seen.path == "/api/v1/join":
        body = {
            "device_id": str(server.token.device_id),
            "token": str(server.token),
            "campaign": server.campaign,
        }
        return 201, body, {}
    if seen.path == "/api/v1/reports":
        return 201, {"status": "stored"}, {}
    if seen.path == "/api/v1/device" and seen.method == "DELETE":
        return 204, None, {}
    return 404, {"error": "not_found", "message": "?"}, {}


@contextmanager
def scripted_server(tls_context: Any = None) -> Iterator[Scripted]:
    holder: dict[str, Scripted] = {}

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            seen = Seen(self.command, self.path, dict(self.headers.items()), self.rfile.read(n))
            server = holder["s"]
            server.seen.append(seen)
            reply = server.script(seen) if server.script else None
            status, body, headers = reply or default_reply(server, seen)
            raw = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if raw:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    scheme = "http"
    if tls_context is not None:
        httpd.socket = tls_context.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    holder["s"] = Scripted(url=f"{scheme}://127.0.0.1:{httpd.server_address[1]}")
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield holder["s"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(5)


class FakeClock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def new_report_id() -> str:
    return str(uuid.uuid4())


class Relay:
    """A TCP relay on 127.0.0.1 in front of the real server: a stable address for the device
    while the server behind it is stopped and started again (on another port), and the exact
    bytes each side sent, as they crossed the wire."""

    def __init__(self, target_port: int | None) -> None:
        import socket

        self.target_port = target_port
        self.to_server = bytearray()
        self.to_device = bytearray()
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        import socket

        while not self._closed:
            try:
                client, _addr = self._sock.accept()
            except OSError:
                return
            port = self.target_port
            if port is None:
                client.close()  # "the server is down": connection closed at once
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                client.close()
                continue
            for a, b, sink in (
                (client, upstream, self.to_server),
                (upstream, client, self.to_device),
            ):
                threading.Thread(target=self._pipe, args=(a, b, sink), daemon=True).start()

    def _pipe(self, src: Any, dst: Any, sink: bytearray) -> None:
        import socket

        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    sink.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        self._thread.join(5)
