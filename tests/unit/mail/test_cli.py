"""``hygie mail`` from the command line: exit codes, JSON, no identifier where it must not be."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hygie.cli.app import main
from tests.mailtools import BAD_KEY_NIR, VALID_NIR


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_address_all_mssante_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["mail", "address", "a@infirmiers.mssante.fr", f"{VALID_NIR}@patient.mssante.fr"], capsys
    )
    assert code == 0
    assert "MSSanté" in out
    assert VALID_NIR not in out


def test_address_one_not_mssante_exit_1_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["mail", "address", "--json", "a@mssante.fr", "b@mssante.fr.example.com"], capsys
    )
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "hygie.mail.address/1"
    assert doc["status"] == "findings"
    kinds = [a["kind"] for a in doc["data"]["addresses"]]
    assert kinds == ["mssante_pro", "other"]
    assert doc["data"]["all_mssante"] is False


def test_address_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--lang", "en", "mail", "address", "x@gmail.com"], capsys)
    assert code == 1
    assert "free webmail" in out


def test_patient_address_prints_the_address(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["mail", "patient-address", VALID_NIR], capsys)
    assert code == 0
    assert out.strip() == f"{VALID_NIR}@patient.mssante.fr"


def test_patient_address_wrong_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["mail", "patient-address", "--json", BAD_KEY_NIR], capsys)
    assert code == 21
    doc = json.loads(out)
    assert doc["error"]["code"] == "invalid_nir"
    assert "clé" in err
    assert BAD_KEY_NIR not in err and BAD_KEY_NIR not in out


def test_relay_check_refuses_open_relay(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["mail", "relay", "--check", "--listen", "0.0.0.0:2525", "--upstream", "smtp.x.fr:587"],
        capsys,
    )
    assert code == 22
    assert "relais ouvert" in err


def test_relay_check_refuses_cleartext_remote_upstream(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["mail", "relay", "--check", "--upstream", "smtp.x.fr:25", "--upstream-tls", "none"],
        capsys,
    )
    assert code == 22
    assert "en clair" in err


def test_relay_check_reads_config_section(
    capsys: pytest.CaptureFixture[str], hygie_home: Path
) -> None:
    from tests.mailtools import run_sink

    cfg = hygie_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True)
    with run_sink(tls=False, auth=False) as sink:
        cfg.write_text(
            f'[mail.relay]\nupstream = "127.0.0.1:{sink.port}"\nupstream_tls = "none"\n'
            'policy = "quarantine"\nquarantine_days = 7\n',
            encoding="utf-8",
        )
        code, out, _ = run(["mail", "relay", "--check", "--json"], capsys)
    assert code == 0
    data = json.loads(out)["data"]
    assert data["upstream"] == f"127.0.0.1:{sink.port}"
    assert data["policy"] == "quarantine" and data["quarantine_days"] == 7
    assert data["listen"] == "127.0.0.1:2525"
    assert data["client_auth"] is False
    assert data["upstream_check"]["ok"] is True
    assert "8BITMIME" in data["upstream_check"]["extensions"]


def test_set_password_reads_stdin_never_argv(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, hygie_home: Path
) -> None:
    monkeypatch.setenv("HYGIE_KEYRING", "file")
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-upstream\n"))
    code, out, _ = run(["mail", "relay", "set-password"], capsys)
    assert code == 0
    from hygie.mail import SECRET_UPSTREAM
    from hygie.secrets import get_secret

    assert get_secret(SECRET_UPSTREAM) == "s3cret-upstream"
    assert "s3cret" not in out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, _ = run(["mail", "relay", "set-password", "--client"], capsys)
    assert code == 25


def test_relay_stats_empty(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["mail", "relay", "stats", "--json"], capsys)
    assert code == 0
    assert json.loads(out)["data"]["total"] == 0


def test_non_loopback_listen_requires_tls_for_auth(tmp_path: Path) -> None:
    import trustme

    from hygie.mail import GuardRelay, RelaySettings

    ca = trustme.CA()
    cert = ca.issue_cert("relay.cabinet.lan")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "c.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "k.pem"))
    settings = RelaySettings(
        listen_host="192.0.2.10",
        listen_port=2525,
        upstream_host="smtp.x.fr",
        upstream_port=587,
        tls_cert=tmp_path / "c.pem",
        tls_key=tmp_path / "k.pem",
    )
    kw = GuardRelay(settings, client_password="p")._smtp_kwargs()
    assert kw["auth_required"] is True
    assert kw["auth_require_tls"] is True
    assert kw["require_starttls"] is True
    loop = GuardRelay(RelaySettings("127.0.0.1", 2525, "smtp.x.fr", 587))._smtp_kwargs()
    assert "authenticator" not in loop and "tls_context" not in loop


def test_exposure_cli_on_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.mailtools import make_message

    (tmp_path / "a.eml").write_bytes(make_message(to="x@orange.fr", body=f"NIR {VALID_NIR}"))
    (tmp_path / "b.eml").write_bytes(make_message(to="x@orange.fr"))
    code, out, _ = run(["mail", "exposure", "--json", str(tmp_path)], capsys)
    assert code == 1
    data = json.loads(out)["data"]
    assert data["sent_patient_data_non_mssante"] == 1 and data["messages_seen"] == 2
    assert VALID_NIR not in out and "orange" not in out
    code, out, _ = run(["mail", "exposure", "--no-record", str(tmp_path / "b.eml")], capsys)
    assert code == 0
    assert "Aucun message avec des données de patients hors MSSanté" in out
