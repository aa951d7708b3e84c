"""A tiny ClamAV signature database, generated on the spot (tests, benchmark, demos).

No network: freshclam cannot run offline, so tests and the benchmark build their own
database: an MD5 (``.hdb``) signature of the EICAR test file (assembled in memory), an MD5
signature of ``clam.exe`` from Debian's ``clamav-testfiles`` (clamd unpacks archives and
packers, so it catches every ``clam.*`` variant), and a body (``.ndb``) signature of a marker
string. Nothing malicious is ever stored in hygie's repository.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from hygie.media.canaries import eicar_bytes

TESTFILES = Path("/usr/share/clamav-testfiles")
BODY_MARKER = b"HYGIE-TEST-BODY-SIGNATURE-7f3a"
EICAR_NAME = "Hygie.Test.EICAR"
CLAMEXE_NAME = "Hygie.Test.ClamExe"
BODY_NAME = "Hygie.Test.Body"


def build_test_database(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    eicar = eicar_bytes()
    lines = [f"{hashlib.md5(eicar).hexdigest()}:{len(eicar)}:{EICAR_NAME}"]
    clam = TESTFILES / "clam.exe"
    if clam.exists():
        data = clam.read_bytes()
        lines.append(f"{hashlib.md5(data).hexdigest()}:{len(data)}:{CLAMEXE_NAME}")
    (folder / "hygie-test.hdb").write_text("\n".join(lines) + "\n", encoding="ascii")
    (folder / "hygie-test.ndb").write_text(
        f"{BODY_NAME}:0:*:{BODY_MARKER.hex()}\n", encoding="ascii"
    )
    return folder
