"""The very first ``hygie audit`` on a fresh home (issue #14): no probe error, and a real finding
recorded just before (a NIR mailed to a Gmail address) shows in M04.

Both commands run as separate processes, as the nurse runs them: the audit's providers open a
brand-new store from their threads while capability modules register their migrations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mailtools import VALID_NIR, make_message

pytestmark = pytest.mark.integration

HYGIE = str(Path(sys.executable).with_name("hygie"))


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HYGIE_HOME": str(home), "HYGIE_KEYRING": "file", "HYGIE_LANG": "fr"}
    return subprocess.run(
        [HYGIE, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_first_audit_shows_the_exposure_and_no_probe_error(tmp_path: Path) -> None:
    home = tmp_path / "home"
    sent = tmp_path / "envoyes"
    sent.mkdir()
    (sent / "a.eml").write_bytes(make_message(to="dr.martin@gmail.com", body=f"NIR {VALID_NIR}"))
    cp = _run(["mail", "exposure", str(sent)], home)
    assert cp.returncode == 1, cp.stderr
    # The exposure is recorded; the store is now the only thing in the home.
    cp = _run(["audit", "--json"], home)
    assert cp.returncode in (0, 1), cp.stderr
    doc = json.loads(cp.stdout)["data"]
    errors = [f for f in doc["facts"] if "erreur de la sonde" in (f.get("reason") or "")]
    assert errors == []
    m04 = next(m for m in doc["measures"] if m["id"] == "M04")
    exposure = next(c for c in m04["checks"] if c["id"] == "M04.exposure_sent_patient_data")
    assert exposure["status"] == "fail" and "1 message envoyé hors MSSanté" in exposure["evidence"]
    assert VALID_NIR not in cp.stdout
