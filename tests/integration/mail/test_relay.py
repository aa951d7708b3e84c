"""smtplib client → hygie guard relay → a real aiosmtpd upstream with STARTTLS and AUTH."""

from __future__ import annotations

import contextlib
import smtplib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hygie.mail import GuardRelay, RelaySettings
from hygie.mail.store import relay_counts
from tests.mailtools import VALID_NIR, Sink, free_port, make_message, run_sink, scanner

pytestmark = pytest.mark.integration

PATIENT_BODY = f"Madame X, NIR {VALID_NIR}, pansement à domicile."


@pytest.fixture
def sink() -> Iterator[Sink]:
    with run_sink() as s:
        yield s


def _settings(sink: Sink, tmp_path: Path, **kw: Any) -> RelaySettings:
    base = RelaySettings(
        listen_host="127.0.0.1",
        listen_port=free_port(),
        upstream_host=sink.host,
        upstream_port=sink.port,
        upstream_tls="starttls",
        upstream_user=sink.user,
        upstream_ca=sink.ca_file(tmp_path),
        scan_timeout_s=5.0,
        upstream_timeout_s=5.0,
    )
    return replace(base, **kw)


@pytest.fixture
def relay(sink: Sink, tmp_path: Path) -> Iterator[GuardRelay]:
    r = GuardRelay(
        _settings(sink, tmp_path),
        scanner=scanner(),
        upstream_password=sink.password,
        quarantine=tmp_path / "q",
        stats_flush_every_s=0.0,
    )
    with r:
        yield r


def _send(relay: GuardRelay, rcpts: list[str], data: bytes) -> dict[str, Any]:
    s = relay.settings
    with smtplib.SMTP(s.listen_host, s.listen_port, timeout=10) as c:
        return c.sendmail("idel@cabinet.example", rcpts, data)


def test_clean_message_is_relayed_byte_for_byte(relay: GuardRelay, sink: Sink) -> None:
    data = make_message(body="Bonjour,\r\n.ligne qui commence par un point\r\nà demain", size=2000)
    _send(relay, ["dr.martin@gmail.com"], data)
    assert len(sink.received) == 1
    _mail_from, rcpts, got = sink.received[0]
    assert rcpts == ["dr.martin@gmail.com"]
    assert got == data


def test_patient_data_to_webmail_is_refused_with_french_reason(
    relay: GuardRelay, sink: Sink
) -> None:
    data = make_message(body=PATIENT_BODY)
    with pytest.raises(smtplib.SMTPDataError) as exc:
        _send(relay, ["dr.martin@gmail.com"], data)
    assert exc.value.smtp_code == 550
    text = exc.value.smtp_error.decode()
    assert "MSSante" in text and "NIR" in text
    assert VALID_NIR not in text
    assert sink.received == []


def test_patient_data_in_attachment_names_the_part(relay: GuardRelay, sink: Sink) -> None:
    data = make_message(attachment=("compte-rendu.txt", PATIENT_BODY.encode()))
    with pytest.raises(smtplib.SMTPDataError) as exc:
        _send(relay, ["secretariat@cabinet-voisin.fr"], data)
    assert "compte-rendu.txt" in exc.value.smtp_error.decode()
    assert sink.received == []


def test_patient_data_to_mssante_only_is_relayed(relay: GuardRelay, sink: Sink) -> None:
    data = make_message(to="dr.martin@infirmiers.mssante.fr", body=PATIENT_BODY)
    _send(relay, ["dr.martin@infirmiers.mssante.fr", f"{VALID_NIR}@patient.mssante.fr"], data)
    assert [r[2] for r in sink.received] == [data]


def test_mixed_recipients_are_all_refused(relay: GuardRelay, sink: Sink) -> None:
    data = make_message(body=PATIENT_BODY)
    with pytest.raises(smtplib.SMTPDataError):
        _send(relay, ["dr.martin@infirmiers.mssante.fr", "x@mssante.fr.example.com"], data)
    assert sink.received == []


def test_upstream_down_gives_temporary_error(sink: Sink, tmp_path: Path) -> None:
    settings = _settings(sink, tmp_path, upstream_port=free_port())
    r = GuardRelay(settings, scanner=scanner(), upstream_password="x", quarantine=tmp_path)
    with r, pytest.raises(smtplib.SMTPDataError) as exc:
        _send(r, ["dr.martin@gmail.com"], make_message())
    assert 400 <= exc.value.smtp_code < 500


def test_upstream_temporary_refusal_is_passed_as_4xx(relay: GuardRelay, sink: Sink) -> None:
    sink.fail_rcpt_code = 451
    with pytest.raises(smtplib.SMTPDataError) as exc:
        _send(relay, ["dr.martin@gmail.com"], make_message())
    assert exc.value.smtp_code == 451
    sink.fail_rcpt_code = 550
    with pytest.raises(smtplib.SMTPDataError) as exc:
        _send(relay, ["dr.martin@gmail.com"], make_message())
    assert exc.value.smtp_code == 550
    assert sink.received == []


def test_wrong_upstream_password_is_temporary(sink: Sink, tmp_path: Path) -> None:
    with (
        GuardRelay(
            _settings(sink, tmp_path),
            scanner=scanner(),
            upstream_password="wrong",
            quarantine=tmp_path,
        ) as r,
        pytest.raises(smtplib.SMTPDataError) as exc,
    ):
        _send(r, ["dr.martin@gmail.com"], make_message())
    assert exc.value.smtp_code == 451
    assert sink.received == []


def test_warn_relays_with_header_and_same_body(sink: Sink, tmp_path: Path) -> None:
    with GuardRelay(
        _settings(sink, tmp_path, policy="warn"),
        scanner=scanner(),
        upstream_password=sink.password,
        quarantine=tmp_path,
    ) as r:
        data = make_message(body=PATIENT_BODY)
        _send(r, ["dr.martin@gmail.com"], data)
    got = sink.received[0][2]
    assert got.startswith(b"X-Hygie-Warning: patient-data;")
    assert got.endswith(data)
    assert VALID_NIR.encode() not in got.split(b"\r\n", 1)[0]


def test_oversize_is_refused(sink: Sink, tmp_path: Path) -> None:
    with (
        GuardRelay(
            _settings(sink, tmp_path, max_size=5000),
            scanner=scanner(),
            upstream_password=sink.password,
            quarantine=tmp_path,
        ) as r,
        pytest.raises(smtplib.SMTPException),
    ):
        _send(r, ["dr.martin@gmail.com"], make_message(size=20000))
    assert sink.received == []


def test_scanner_crash_and_timeout_fail_closed(sink: Sink, tmp_path: Path) -> None:
    def crashing(raw: bytes, *, deadline: float) -> Any:
        raise ValueError(f"boom {VALID_NIR}")  # an exception's text never reaches the reply

    def slow(raw: bytes, *, deadline: float) -> Any:  # the real scanner, out of time
        return scanner()(raw, deadline=time.monotonic() - 1.0)

    for fn, words in ((crashing, "Message illisible"), (slow, "Verification trop longue")):
        with (
            GuardRelay(
                _settings(sink, tmp_path),
                scanner=fn,
                upstream_password=sink.password,
                quarantine=tmp_path,
            ) as r,
            pytest.raises(smtplib.SMTPDataError) as exc,
        ):
            _send(r, ["dr.martin@gmail.com"], make_message())
        assert exc.value.smtp_code == 554
        text = exc.value.smtp_error.decode()
        assert words in text and VALID_NIR not in text and "boom" not in text
    assert sink.received == []


def test_client_password_required_when_set(sink: Sink, tmp_path: Path) -> None:
    with GuardRelay(
        _settings(sink, tmp_path),
        scanner=scanner(),
        upstream_password=sink.password,
        client_password="local-pass",
        quarantine=tmp_path,
    ) as r:
        s = r.settings
        with smtplib.SMTP(s.listen_host, s.listen_port, timeout=10) as c:
            with pytest.raises(smtplib.SMTPSenderRefused) as exc:
                c.sendmail("a@b.fr", ["dr.martin@gmail.com"], make_message())
            assert exc.value.smtp_code == 530
        with (
            smtplib.SMTP(s.listen_host, s.listen_port, timeout=10) as c,
            pytest.raises(smtplib.SMTPAuthenticationError),
        ):
            c.login("hygie", "wrong")
        with smtplib.SMTP(s.listen_host, s.listen_port, timeout=10) as c:
            c.login("hygie", "local-pass")
            c.sendmail("a@b.fr", ["dr.martin@gmail.com"], make_message())
    assert len(sink.received) == 1


def test_stats_are_counted_without_content(relay: GuardRelay, sink: Sink) -> None:
    _send(relay, ["dr.martin@gmail.com"], make_message())
    with pytest.raises(smtplib.SMTPDataError):
        _send(relay, ["dr.martin@gmail.com"], make_message(body=PATIENT_BODY))
    relay.stats.flush()
    counts = relay_counts()
    assert counts["by_decision"] == {"relayed_clean": 1, "rejected_patient_data": 1}
    assert VALID_NIR not in str(counts)


def test_log_line_has_no_address_nor_identifier(
    relay: GuardRelay, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="hygie.mail.relay")
    with pytest.raises(smtplib.SMTPDataError):
        _send(
            relay,
            [f"{VALID_NIR}@patient.mssante.fr", "x@gmail.com"],
            make_message(body=PATIENT_BODY),
        )
    lines = [r.getMessage() for r in caplog.records if "decision=" in r.getMessage()]
    assert len(lines) == 1
    assert "decision=rejected_patient_data" in lines[0] and "FR_NIR:1" in lines[0]
    assert VALID_NIR not in lines[0] and "gmail" not in lines[0] and "@" not in lines[0]


def test_malformed_corpus_through_the_relay(relay: GuardRelay, sink: Sink) -> None:
    from tests.unit.mail.test_relay_decide import MALFORMED

    scan = scanner()
    for name, raw in sorted(MALFORMED.items()):
        if not raw:
            continue
        before = len(sink.received)
        try:
            _send(relay, ["dr.martin@gmail.com"], raw)
            accepted = True
        except smtplib.SMTPResponseException as exc:
            assert 400 <= exc.smtp_code < 600, name
            accepted = False
        if accepted:
            assert scan(raw, deadline=time.monotonic() + 5).verdict == "clean", name
            assert len(sink.received) == before + 1
        else:
            assert len(sink.received) == before, name


def test_upstream_connection_is_reused_and_a_stale_one_is_replaced(
    relay: GuardRelay, sink: Sink
) -> None:
    _send(relay, ["dr.martin@gmail.com"], make_message(body="un"))
    pool = relay.handler.pool
    assert len(pool._idle) == 1
    first = pool._idle[0][0]
    _send(relay, ["dr.martin@gmail.com"], make_message(body="deux"))
    assert pool._idle[0][0] is first  # reused: no new handshake
    assert first.sock is not None
    first.sock.shutdown(socket.SHUT_RDWR)  # the connection died while idle
    _send(relay, ["dr.martin@gmail.com"], make_message(body="trois"))
    assert len(sink.received) == 3
    assert pool._idle[0][0] is not first


def test_scanner_in_worker_processes(sink: Sink, tmp_path: Path) -> None:
    r = GuardRelay(
        _settings(sink, tmp_path, scan_workers=1),
        upstream_password=sink.password,
        quarantine=tmp_path,
    )
    assert r.process_scanner is not None
    with r:
        _send(r, ["dr.martin@gmail.com"], make_message(body="bonjour"))
        with pytest.raises(smtplib.SMTPDataError) as exc:
            _send(r, ["dr.martin@gmail.com"], make_message(body=PATIENT_BODY))
    assert exc.value.smtp_code == 550 and "NIR" in exc.value.smtp_error.decode()
    assert len(sink.received) == 1


def test_dead_scanner_worker_fails_closed(sink: Sink, tmp_path: Path) -> None:
    from tests.mailtools import dying_scanner

    r = GuardRelay(
        _settings(sink, tmp_path, scan_workers=1),
        scanner=dying_scanner,
        upstream_password=sink.password,
        quarantine=tmp_path,
    )
    with r:
        for _ in range(2):
            with pytest.raises(smtplib.SMTPDataError) as exc:
                _send(r, ["dr.martin@gmail.com"], make_message(body="bonjour"))
            assert exc.value.smtp_code == 554
    assert sink.received == []


def test_8bit_and_dot_lines_are_relayed_byte_for_byte(relay: GuardRelay, sink: Sink) -> None:
    data = (
        b"From: a@cabinet.fr\r\nTo: b@gmail.com\r\nSubject: =?utf-8?q?R=C3=A9union?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        + "Réunion à 14 h, café prévu.\r\n".encode()
        + b".\r\n..\r\n. point\r\n"
        + b"x" * 990
        + b"\r\nfin sans saut"
    )
    with smtplib.SMTP(relay.settings.listen_host, relay.settings.listen_port, timeout=10) as c:
        c.sendmail("a@cabinet.fr", ["b@gmail.com"], data, mail_options=["BODY=8BITMIME"])
    got = sink.received[0][2]
    assert got == data + b"\r\n"  # smtplib terminates the last line; nothing else changes


def test_implicit_tls_upstream(tmp_path: Path) -> None:
    with run_sink(implicit=True) as tls_sink:
        settings = _settings(tls_sink, tmp_path, upstream_tls="tls")
        with GuardRelay(
            settings, scanner=scanner(), upstream_password=tls_sink.password, quarantine=tmp_path
        ) as r:
            data = make_message()
            _send(r, ["dr.martin@gmail.com"], data)
        assert [m[2] for m in tls_sink.received] == [data]


@pytest.mark.parametrize("fake_end", [b"\n.\r\n", b"\r\n.\n", b"\n.\n", b"\r.\r\n"])
def test_smtp_smuggling_sequences_stay_inside_the_message(
    relay: GuardRelay, sink: Sink, fake_end: bytes
) -> None:
    """A body holding a bare-LF "end of data" and a second transaction (SMTP smuggling) is one
    message for the relay, and reaches the upstream as one message, dots stuffed."""
    smuggled = (
        b"MAIL FROM:<admin@cabinet.example>\r\nRCPT TO:<victime@gmail.com>\r\nDATA\r\n"
        b"Subject: faux\r\n\r\nmessage introduit\r\n"
    )
    body = b"From: a@cabinet.fr\r\nTo: b@gmail.com\r\nSubject: x\r\n\r\nbonjour" + fake_end
    data = body + smuggled + b"fin\r\n"
    with socket.create_connection(("127.0.0.1", relay.settings.listen_port), timeout=10) as s:
        f = s.makefile("rb")
        f.readline()
        for cmd in (b"EHLO t", b"MAIL FROM:<a@cabinet.fr>", b"RCPT TO:<b@gmail.com>", b"DATA"):
            s.sendall(cmd + b"\r\n")
            line = f.readline()
            while line[3:4] == b"-":
                line = f.readline()
        s.sendall(data + b".\r\n")
        assert f.readline().startswith(b"250")
        s.sendall(b"QUIT\r\n")
    # One message, to the one recipient; the smuggled transaction is text inside it. (A dot
    # after a bare LF is doubled on the way out, as smtplib does: an upstream that would take
    # LF "." as an end of data sees LF ".." instead.)
    assert [m[1] for m in sink.received] == [["b@gmail.com"]]
    got = sink.received[0][2]
    assert got.startswith(body[: body.index(b"bonjour") + 7]) and got.endswith(
        smuggled + b"fin\r\n"
    )
    assert b"\n.\r\n" not in got and b"\n.\n" not in got


# --- the upstream transaction opened while the message is scanned -------------------------
def _wait_for(predicate: Any, what: str) -> None:
    """Wait (bounded) for something another thread does after the reply."""
    deadline = time.monotonic() + 10
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_scanned_message_opens_upstream_first_and_sends_data_after(
    relay: GuardRelay, sink: Sink
) -> None:
    data = make_message(body="Bonjour, à demain.")
    _send(relay, ["dr.martin@gmail.com"], data)
    assert sink.events == ["MAIL", "RCPT", "DATA"]
    assert [r[2] for r in sink.received] == [data]


def test_refused_message_is_never_sent_upstream_and_the_transaction_is_reset(
    relay: GuardRelay, sink: Sink
) -> None:
    with pytest.raises(smtplib.SMTPDataError) as exc:
        _send(relay, ["dr.martin@gmail.com"], make_message(body=PATIENT_BODY))
    assert exc.value.smtp_code == 550
    _wait_for(lambda: "RSET" in sink.events, "the upstream transaction was not reset")
    assert sink.events == ["MAIL", "RCPT", "RSET"]  # opened while scanning, never DATA
    assert sink.received == []
    # The reset connection goes back to the pool and carries the next message.
    _wait_for(lambda: len(relay.handler.pool._idle) == 1, "connection not back in the pool")
    first = relay.handler.pool._idle[0][0]
    _send(relay, ["dr.martin@gmail.com"], make_message(body="Bonjour"))
    assert len(sink.received) == 1
    assert relay.handler.pool._idle[0][0] is first


def test_patient_data_is_refused_as_such_even_when_upstream_refuses_the_recipient(
    relay: GuardRelay, sink: Sink
) -> None:
    sink.fail_rcpt_code = 550
    with pytest.raises(smtplib.SMTPDataError) as exc:
        _send(relay, ["dr.martin@gmail.com"], make_message(body=PATIENT_BODY))
    assert exc.value.smtp_code == 550
    assert "NIR" in exc.value.smtp_error.decode()  # the guard's reason, not the upstream's
    assert "DATA" not in sink.events


def test_refusal_does_not_wait_for_a_silent_upstream(sink: Sink, tmp_path: Path) -> None:
    """An upstream that accepts the connection and never answers: the refusal is given while
    the upstream is still silent (the transaction opened alongside is not waited for)."""
    silent = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    accepted = threading.Event()

    def accept() -> None:
        with contextlib.suppress(OSError):
            conn, _addr = silent.accept()
            held.append(conn)
            accepted.set()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    settings = _settings(
        sink,
        tmp_path,
        upstream_port=silent.getsockname()[1],
        upstream_tls="none",
        upstream_user="",
        upstream_timeout_s=60.0,
    )
    r = GuardRelay(settings, scanner=scanner(), quarantine=tmp_path / "q")
    try:
        with r:
            with pytest.raises(smtplib.SMTPDataError) as exc:
                _send(r, ["dr.martin@gmail.com"], make_message(body=PATIENT_BODY))
            assert exc.value.smtp_code == 550
            assert accepted.wait(10)  # the transaction was being opened...
            assert held and held[0].fileno() != -1  # ...and the upstream has not answered
            for conn in held:  # let the pending opening fail now, so stop() is quick
                conn.close()
    finally:
        silent.close()
        t.join(5)


def test_upstream_connection_lost_during_the_scan_is_opened_again(
    sink: Sink, tmp_path: Path
) -> None:
    """The upstream transaction waits for the scan; if its connection dies meanwhile, DATA
    fails before anything was sent and the transaction is opened once more."""
    from hygie.scan import scan_email

    def slow_scanner(raw: bytes, *, deadline: float) -> Any:
        time.sleep(0.5)  # the sink drops the connection during this
        return scan_email(raw, deadline=deadline)

    r = GuardRelay(
        _settings(sink, tmp_path),
        scanner=slow_scanner,
        upstream_password=sink.password,
        quarantine=tmp_path / "q",
    )
    data = make_message(body="Bonjour, à demain.")
    with r:
        sink.drop_after_rcpt_s = 0.1
        _send(r, ["dr.martin@gmail.com"], data)
    assert [x[2] for x in sink.received] == [data]  # delivered, once
    assert sink.events == ["MAIL", "RCPT", "MAIL", "RCPT", "DATA"]


def test_an_error_after_the_scan_still_resets_the_upstream_transaction(
    sink: Sink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = GuardRelay(
        _settings(sink, tmp_path, policy="quarantine"),
        scanner=scanner(),
        upstream_password=sink.password,
        quarantine=tmp_path / "q",
    )

    def broken_put(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    with r:
        monkeypatch.setattr(r.handler.quarantine, "put", broken_put)
        with pytest.raises(smtplib.SMTPResponseException):
            _send(r, ["dr.martin@gmail.com"], make_message(body=PATIENT_BODY))
        _wait_for(lambda: "RSET" in sink.events, "the upstream transaction was not reset")
    assert sink.events == ["MAIL", "RCPT", "RSET"]
    assert sink.received == []
