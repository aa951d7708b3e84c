"""Mail integration tests keep their secrets (quarantine key, passwords) in HYGIE_HOME."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _file_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYGIE_KEYRING", "file")
