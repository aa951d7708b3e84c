"""Generated reference pages are up to date, and every error class is documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hygie.errors import all_error_classes
from hygie.i18n_extract import _import_all

ROOT = Path(__file__).resolve().parents[2]


def test_generated_reference_pages_are_up_to_date() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_error_classes_have_unique_codes_french_messages_and_banded_exit_codes() -> None:
    _import_all()
    classes = [c for c in all_error_classes() if c.__name__ != "AppError"]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), codes
    for c in classes:
        assert c.message_fr and c.exit_code >= 2, c
        assert c.exit_code < 128, c
