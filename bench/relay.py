#!/usr/bin/env python3
"""Benchmark: messages through ``hygie mail relay`` versus straight to the same SMTP sink.

    python bench/relay.py [--messages 300] [--size-kb 50] [--clients 4] [--rounds 3] [--plain]

A real aiosmtpd sink runs in this process on loopback (STARTTLS + AUTH with a trustme
certificate, or plain with ``--plain``). The relay is the real CLI, started as a subprocess
(``hygie mail relay``) with its own HYGIE_HOME, the upstream password set through
``hygie mail relay set-password`` (stdin) and the sink's CA in ``[mail.relay] upstream_ca``.
Each message is a clean ~50 KB message to a non-MSSanté recipient, so the relay scans all of
it. Latency: one client, one message at a time, over a kept-open SMTP session (both paths);
added latency = relay p50/p99 minus direct p50/p99. Throughput: ``--clients`` concurrent
clients. The two paths alternate over ``--rounds`` rounds (a burst of load from other work hits
both alike). Targets: relay throughput >= 0.5x direct in the same run, p99 added latency
<= 20 ms.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def message(size_kb: int, i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "idel@cabinet.example"
    msg["To"] = "dr.martin@gmail.com"
    msg["Subject"] = f"Tournée {i}"
    line = "Compte rendu de tournée sans donnée nominative, matériel à commander. "
    msg.set_content((line * (size_kb * 1024 // len(line) + 1))[: size_kb * 1024])
    return msg.as_bytes().replace(b"\n", b"\r\n")


class Sink:
    def __init__(self, tls: bool) -> None:
        import trustme
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.count = 0
        self.lock = threading.Lock()
        self.port = free_port()
        self.ca = trustme.CA()
        kw: dict[str, Any] = {}
        if tls:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert("127.0.0.1").configure_cert(ctx)

            def auth(server: Any, session: Any, env: Any, mech: str, data: Any) -> Any:
                ok = isinstance(data, LoginPassword) and data.password == b"bench-pass"
                return AuthResult(success=ok, handled=False)

            kw = dict(
                tls_context=ctx, require_starttls=True, authenticator=auth, auth_required=True
            )
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                with sink.lock:
                    sink.count += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kw)
        self.controller.start()
        self.tls = tls

    def client_ctx(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx


def open_direct(sink: Sink) -> smtplib.SMTP:
    c = smtplib.SMTP("127.0.0.1", sink.port, timeout=30)
    if sink.tls:
        c.starttls(context=sink.client_ctx())
        c.login("cabinet", "bench-pass")
    return c


def open_relay(port: int) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", port, timeout=30)


def latencies(opener: Any, msgs: list[bytes]) -> list[float]:
    out: list[float] = []
    c = opener()
    try:
        for m in msgs:
            t0 = time.perf_counter()
            c.sendmail("idel@cabinet.example", ["dr.martin@gmail.com"], m)
            out.append((time.perf_counter() - t0) * 1000)
    finally:
        c.quit()
    return out


def throughput(opener: Any, msgs: list[bytes], clients: int) -> float:
    chunks = [msgs[i::clients] for i in range(clients)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        list(ex.map(lambda ch: latencies(opener, ch), chunks))
    return len(msgs) / (time.perf_counter() - t0)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def start_relay(sink: Sink, home: Path, workers: int | None) -> tuple[subprocess.Popen[bytes], int]:
    hygie = str(Path(sys.executable).with_name("hygie"))
    env = dict(os.environ, HYGIE_HOME=str(home), HYGIE_KEYRING="file")
    (home / "config").mkdir(parents=True)
    ca = home / "upstream-ca.pem"
    sink.ca.cert_pem.write_to_path(str(ca))
    port = free_port()
    lines = [
        "[mail.relay]",
        f'listen = "127.0.0.1:{port}"',
        f'upstream = "127.0.0.1:{sink.port}"',
        f'upstream_tls = "{"starttls" if sink.tls else "none"}"',
        f'upstream_ca = "{ca}"',
    ]
    if workers is not None:
        lines.append(f"scan_workers = {workers}")
    if sink.tls:
        lines.append('upstream_user = "cabinet"')
        subprocess.run(
            [hygie, "mail", "relay", "set-password"], input=b"bench-pass\n", env=env, check=True
        )
    (home / "config" / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = (home / "relay.log").open("wb")
    proc = subprocess.Popen([hygie, "mail", "relay"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("relay did not start: " + (home / "relay.log").read_text())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--size-kb", type=int, default=50)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3, help="alternating direct/relay rounds")
    ap.add_argument("--plain", action="store_true", help="sink without STARTTLS/AUTH")
    ap.add_argument(
        "--scan-workers", type=int, default=None, help="relay scan_workers (default: its own)"
    )
    args = ap.parse_args()
    msgs = [message(args.size_kb, i) for i in range(args.messages)]
    sink = Sink(tls=not args.plain)
    load_start = os.getloadavg()
    direct: list[float] = []
    relayed: list[float] = []
    tps: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_relay(sink, Path(tmp), args.scan_workers)
        try:
            latencies(lambda: open_relay(port), msgs[:20])  # warm-up (imports, caches)
            latencies(lambda: open_direct(sink), msgs[:20])
            # Alternate the two paths so that a burst of load from other work on the machine
            # hits both alike; each round measures both, back to back.
            for _ in range(args.rounds):
                direct += latencies(lambda: open_direct(sink), msgs)
                relayed += latencies(lambda: open_relay(port), msgs)
                tp_d = throughput(lambda: open_direct(sink), msgs, args.clients)
                tp_r = throughput(lambda: open_relay(port), msgs, args.clients)
                tps.append((tp_d, tp_r))
        finally:
            proc.terminate()
            proc.wait(10)
    expected = 2 * (20 + 2 * args.rounds * args.messages)
    assert sink.count == expected, (sink.count, expected)
    mode = "plain" if args.plain else "STARTTLS+AUTH"
    workers = "default" if args.scan_workers is None else args.scan_workers
    load_end = os.getloadavg()
    print(
        f"{args.messages} messages of {args.size_kb} KB x {args.rounds} rounds, sink {mode}, "
        f"{args.clients} clients, relay scan_workers={workers}, load average "
        f"{load_start[0]:.1f} (start) / {load_end[0]:.1f} (end)"
    )
    print(f"{'round':<8}{'direct msg/s':>14}{'relay msg/s':>13}{'ratio':>8}")
    for i, (d, r) in enumerate(tps, 1):
        print(f"{i:<8}{d:>14.1f}{r:>13.1f}{r / d:>8.2f}")
    ratios = sorted(r / d for d, r in tps)
    best_d = max(d for d, _r in tps)
    best_r = max(r for _d, r in tps)
    print(f"{'path':<22}{'best msg/s':>11}{'p50 ms':>9}{'p99 ms':>9}")
    for name, lat, tp in (
        ("direct to sink", direct, best_d),
        ("via hygie relay", relayed, best_r),
    ):
        print(f"{name:<22}{tp:>11.1f}{pct(lat, 50):>9.2f}{pct(lat, 99):>9.2f}")
    add50 = pct(relayed, 50) - pct(direct, 50)
    add99 = pct(relayed, 99) - pct(direct, 99)
    print(f"added latency: p50 {add50:.2f} ms, p99 {add99:.2f} ms (target p99 <= 20 ms)")
    print(
        f"ratio relay/direct: best/best {best_r / best_d:.2f}, per round median "
        f"{ratios[len(ratios) // 2]:.2f} (min {ratios[0]:.2f}, max {ratios[-1]:.2f}); "
        "target >= 0.5"
    )
    sink.controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
