"""Every user-facing French text has an English translation with the same placeholders."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from hygie.i18n import _, known_translations, ngettext, set_language

ROOT = Path(__file__).resolve().parents[2]


def _problems() -> list[tuple[object, str]]:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["i18n_script"] = mod
    spec.loader.exec_module(mod)
    return list(mod.problems())


def test_every_text_exists_in_both_languages() -> None:
    missing = [(m.where, m.msgid, why) for m, why in _problems()]  # type: ignore[attr-defined]
    assert missing == []


def test_english_catalogue_is_loaded_and_french_is_the_source() -> None:
    assert len(known_translations("en")) > 300
    set_language("en")
    assert _("le pare-feu est activé") == "the firewall is on"
    assert ngettext("{n} mise à jour en attente", "{n} mises à jour en attente", 2) == (
        "{n} updates pending"
    )
    set_language("fr")
    assert _("le pare-feu est activé") == "le pare-feu est activé"
