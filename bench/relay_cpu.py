#!/usr/bin/env python3
"""The relay's own CPU time per message, with the real scanner and with a no-op scanner.

    python bench/relay_cpu.py [--messages 300] [--clients 4]

Wall-clock throughput swings with the load of a shared machine; CPU time per message does
much less. A ``GuardRelay`` runs in its own process (plain sink, the same clean 50 KB message
as bench/relay.py), once with ``hygie.scan.scan_email`` and once with a scanner that answers
"clean" at once; the relay process's CPU time (``/proc/<pid>/stat``, Linux) over the
throughput phase is divided by the number of messages. The difference is the scan; the
no-op figure is what the relay itself costs (receive, decide, send).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import relay as b

CHILD = """
import os, signal, sys, tempfile, threading
os.environ["HYGIE_HOME"] = tempfile.mkdtemp()
from hygie.mail import GuardRelay, RelaySettings
from hygie.scan import ScanResult, scan_email
port, up, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def noop(raw, *, deadline):
    return ScanResult("clean", (), False, None, None)
s = RelaySettings("127.0.0.1", port, "127.0.0.1", up, upstream_tls="none")
g = GuardRelay(s, scanner=noop if mode == "no-op" else scan_email)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
g.start()
stop.wait()
g.stop()
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(mode: str, msgs: list[bytes], clients: int) -> tuple[float, float]:
    sink = b.Sink(tls=False)
    port = b.free_port()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(port), str(sink.port), mode])
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        b.latencies(lambda: b.open_relay(port), msgs[:20])  # warm-up
        c0 = cpu_seconds(proc.pid)
        tp = b.throughput(lambda: b.open_relay(port), msgs, clients)
        c1 = cpu_seconds(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
        sink.controller.stop()
    return (c1 - c0) / len(msgs) * 1000, tp


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    if not Path("/proc/self/stat").exists():
        sys.exit("needs /proc (Linux)")
    msgs = [b.message(50, i) for i in range(args.messages)]
    print(
        f"{args.messages} messages of 50 KB, {args.clients} clients, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    for mode in ("real", "no-op"):
        ms, tp = measure(mode, msgs, args.clients)
        print(f"scanner {mode:<6} relay CPU per message {ms:6.2f} ms   ({tp:.0f} msg/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
