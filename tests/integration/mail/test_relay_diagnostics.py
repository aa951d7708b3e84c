"""Upstream TLS failures have their own reply and log reason; ``--check`` reports them.

Each case is a real aiosmtpd upstream on 127.0.0.1 with a trustme certificate made wrong in
one way: an authority the relay does not trust, a certificate for another host name, an
expired certificate, no STARTTLS, implicit TLS spoken to a plain server, a wrong password.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import smtplib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from hygie.cli.app import main
from hygie.mail import GuardRelay, RelaySettings, check_upstream
from tests.mailtools import Sink, free_port, make_message, run_sink, scanner

pytestmark = pytest.mark.integration

ENHANCED = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


def _settings(sink: Sink, ca: Path | None, **kw: Any) -> RelaySettings:
    base: dict[str, Any] = {
        "listen_host": "127.0.0.1",
        "listen_port": free_port(),
        "upstream_host": sink.host,
        "upstream_port": sink.port,
        "upstream_tls": "starttls",
        "upstream_user": sink.user,
        "upstream_ca": ca,
        "scan_timeout_s": 5.0,
        "upstream_timeout_s": 5.0,
    }
    base.update(kw)
    return RelaySettings(**base)


def _other_ca(tmp_path: Path) -> Path:
    p = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(p))
    return p


def _through_relay(
    settings: RelaySettings, password: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> tuple[int, str, list[str]]:
    caplog.set_level("INFO", logger="hygie.mail.relay")
    with (
        GuardRelay(
            settings, scanner=scanner(), upstream_password=password, quarantine=tmp_path / "q"
        ) as r,
        smtplib.SMTP("127.0.0.1", r.settings.listen_port, timeout=20) as c,
    ):
        c.ehlo()
        assert c.mail("idel@cabinet.example")[0] == 250
        assert c.rcpt("dr.martin@gmail.com")[0] == 250
        code, resp = c.data(make_message(body="bonjour"))
    logs = [rec.getMessage() for rec in caplog.records if "upstream failure" in rec.getMessage()]
    return code, resp.decode(), logs


@pytest.fixture
def tls_sink() -> Iterator[Sink]:
    with run_sink() as s:
        yield s


CASES = ["tls_untrusted", "tls_hostname", "tls_expired", "no_starttls", "tls_protocol", "auth"]


@contextlib.contextmanager
def broken_upstream(case: str, tmp_path: Path) -> Iterator[tuple[RelaySettings, str]]:
    """A real upstream wrong in the way ``case`` names, and the relay settings aimed at it."""
    if case == "tls_untrusted":  # the relay trusts another authority
        with run_sink() as s:
            yield _settings(s, _other_ca(tmp_path)), s.password
    elif case == "tls_hostname":  # a valid certificate, for another host name
        with run_sink(cert_names=("mail.autre-cabinet.example",)) as s:
            yield _settings(s, s.ca_file(tmp_path)), s.password
    elif case == "tls_expired":
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        with run_sink(cert_not_after=past) as s:
            yield _settings(s, s.ca_file(tmp_path)), s.password
    elif case == "no_starttls":  # a plain server: the relay must not send in clear
        with run_sink(tls=False, auth=False) as s:
            yield _settings(s, s.ca_file(tmp_path), upstream_user=None), s.password
    elif case == "tls_protocol":  # implicit TLS (port 465 style) spoken to a STARTTLS server
        with run_sink() as s:
            yield _settings(s, s.ca_file(tmp_path), upstream_tls="tls"), s.password
    elif case == "auth":
        with run_sink() as s:
            yield _settings(s, s.ca_file(tmp_path)), "wrong-password"
    elif case == "unreachable":
        with run_sink() as s:
            yield _settings(s, s.ca_file(tmp_path), upstream_port=free_port()), s.password
    else:  # pragma: no cover
        raise AssertionError(case)


EXPECTED = {
    # reason: (enhanced code, words of the French reply, exit code of --check)
    "tls_untrusted": ("4.7.5", "pas reconnu", 61),
    "tls_hostname": ("4.7.5", "autre nom", 61),
    "tls_expired": ("4.7.5", "expire", 61),
    "no_starttls": ("4.7.5", "STARTTLS", 61),
    "tls_protocol": ("4.7.5", "protocole TLS", 61),
    "auth": ("4.7.8", "s'identifier", 62),
    "unreachable": ("4.4.1", "ne repond pas", 60),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_upstream_failure_has_its_own_reply_and_log_reason(
    case: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    enhanced, words, _exit = EXPECTED[case]
    with broken_upstream(case, tmp_path) as (settings, password):
        code, text, logs = _through_relay(settings, password, tmp_path, caplog)
    assert code == 451, text
    assert text.startswith(enhanced + " ") and len(ENHANCED.findall(text)) == 1, text
    assert words in text, text
    assert text.isascii()
    assert logs == [logs[0]] and f"reason={case}" in logs[0], logs
    if case != "unreachable":
        assert "ne repond pas" not in text  # a bad certificate never reads like an outage


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_check_reports_the_reason(case: str, tmp_path: Path) -> None:
    with broken_upstream(case, tmp_path) as (settings, password):
        result = check_upstream(settings, password)
    assert not result.ok and result.reason == case


@pytest.mark.parametrize("case", ["tls_hostname", "tls_untrusted", "no_starttls", "auth"])
def test_check_cli_exit_code_and_json(
    case: str,
    tmp_path: Path,
    hygie_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hygie.secrets import set_secret

    monkeypatch.setenv("HYGIE_KEYRING", "file")
    _enhanced, _words, exit_code = EXPECTED[case]
    with broken_upstream(case, tmp_path) as (settings, password):
        cfg = hygie_home / "config" / "config.toml"
        cfg.parent.mkdir(parents=True)
        lines = [
            "[mail.relay]",
            f'upstream = "127.0.0.1:{settings.upstream_port}"',
            f'upstream_tls = "{settings.upstream_tls}"',
            f'upstream_ca = "{settings.upstream_ca}"',
        ]
        if settings.upstream_user:
            lines.append(f'upstream_user = "{settings.upstream_user}"')
            set_secret("mail.relay.upstream_password", password)
        cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(SystemExit) as exc:
            main(["mail", "relay", "--check", "--json"])
    out, err = capsys.readouterr()
    assert exc.value.code == exit_code, err
    doc = json.loads(out)
    assert doc["status"] == "error" and doc["error"]["exit_code"] == exit_code
    assert "ne répond pas" not in doc["error"]["message"]
    assert password not in out + err


def test_check_cli_ok(
    tmp_path: Path,
    hygie_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hygie.secrets import set_secret

    monkeypatch.setenv("HYGIE_KEYRING", "file")
    with run_sink() as s:
        cfg = hygie_home / "config" / "config.toml"
        cfg.parent.mkdir(parents=True)
        cfg.write_text(
            f'[mail.relay]\nupstream = "127.0.0.1:{s.port}"\nupstream_user = "{s.user}"\n'
            f'upstream_ca = "{s.ca_file(tmp_path)}"\n',
            encoding="utf-8",
        )
        set_secret("mail.relay.upstream_password", s.password)
        with pytest.raises(SystemExit) as exc:
            main(["mail", "relay", "--check", "--json"])
    out, _err = capsys.readouterr()
    assert exc.value.code == 0
    check = json.loads(out)["data"]["upstream_check"]
    assert check["ok"] is True and check["logged_in"] is True
    assert check["tls_version"] in ("TLSv1.2", "TLSv1.3")


def test_success_reply_has_one_enhanced_code(tls_sink: Sink, tmp_path: Path) -> None:
    settings = _settings(tls_sink, tls_sink.ca_file(tmp_path))
    with GuardRelay(
        settings, scanner=scanner(), upstream_password=tls_sink.password, quarantine=tmp_path
    ) as r:
        with smtplib.SMTP("127.0.0.1", r.settings.listen_port, timeout=20) as c:
            c.ehlo()
            c.mail("idel@cabinet.example")
            c.rcpt("dr.martin@gmail.com")
            code, resp = c.data(make_message(body="bonjour"))
        assert code == 250
        assert resp.decode() == "2.0.0 queued by sink"  # the sink's own "2.0.0", not doubled
        tls_sink.fail_rcpt_code = 550
        with smtplib.SMTP("127.0.0.1", r.settings.listen_port, timeout=20) as c:
            c.ehlo()
            c.mail("idel@cabinet.example")
            c.rcpt("dr.martin@gmail.com")
            code, resp = c.data(make_message(body="bonjour"))
        assert code == 550 and resp.decode() == "5.0.0 refused by test sink"
