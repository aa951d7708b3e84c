"""The real CLI as a subprocess: set-password from stdin, config file, relay, SIGTERM."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.mailtools import VALID_NIR, free_port, make_message, run_sink

pytestmark = pytest.mark.integration

HYGIE = str(Path(sys.executable).with_name("hygie"))


def _wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "relay exited early"
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("relay did not listen")


def test_cli_relay_end_to_end(tmp_path: Path, hygie_home: Path) -> None:
    env = dict(os.environ, HYGIE_HOME=str(hygie_home), HYGIE_KEYRING="file")
    with run_sink() as sink:
        ca = sink.ca_file(tmp_path)
        port = free_port()
        cfg = hygie_home / "config" / "config.toml"
        cfg.parent.mkdir(parents=True)
        cfg.write_text(
            "[mail.relay]\n"
            f'listen = "127.0.0.1:{port}"\n'
            f'upstream = "127.0.0.1:{sink.port}"\n'
            f'upstream_user = "{sink.user}"\n'
            f'upstream_ca = "{ca}"\n'
            "scan_workers = 0\n",
            encoding="utf-8",
        )
        r = subprocess.run(
            [HYGIE, "mail", "relay", "set-password"],
            input=(sink.password + "\n").encode(),
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert r.returncode == 0, r.stderr
        proc = subprocess.Popen(
            [HYGIE, "mail", "relay"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            _wait_port(port, proc)
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
                c.sendmail("a@cabinet.fr", ["x@gmail.com"], make_message(body="bonjour"))
                with pytest.raises(smtplib.SMTPDataError):
                    c.sendmail(
                        "a@cabinet.fr", ["x@gmail.com"], make_message(body=f"NIR {VALID_NIR}")
                    )
        finally:
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert len(sink.received) == 1
    log = err.decode()
    assert "decision=relayed_clean" in log and "decision=rejected_patient_data" in log
    assert VALID_NIR not in log and "gmail" not in log and sink.password not in log
    stats = subprocess.run(
        [HYGIE, "mail", "relay", "stats", "--json"],
        env=env,
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert b'"relayed_clean": 1' in stats.stdout and b'"rejected_patient_data": 1' in stats.stdout
