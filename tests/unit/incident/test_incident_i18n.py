"""Every French text of the incident capability has an English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

import hygie
from hygie.errors import AppError
from hygie.i18n import _, known_translations, set_language
from hygie.incident import errors

SRC = Path(hygie.__file__).parent


def _messages() -> list[str]:
    out: list[str] = []
    for filename, _line, message, _c, _x in extract_from_dir(
        str(SRC),
        method_map=[("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")],
        options_map={"**/templates/**.j2": {"trimmed": "false"}},
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    ):
        if filename.startswith("incident/") or filename in (
            "cli/incident.py",
            "cli/kit.py",
            "cli/prompts.py",
        ):
            out.append(message[0] if isinstance(message, tuple) else message)
    for cls in vars(errors).values():
        if (
            isinstance(cls, type)
            and issubclass(cls, AppError)
            and cls.__module__ == errors.__name__
        ):
            out += [cls.message_fr, cls.hint_fr]
    return [m for m in out if m]


def test_every_incident_text_has_english() -> None:
    en = known_translations("en")
    keys = {k[0] if isinstance(k, tuple) else k for k in en}
    missing = sorted({m for m in _messages() if m not in keys})
    assert missing == []


def test_english_kit_title() -> None:
    set_language("en")
    try:
        assert _("Kit d'urgence cyber") == "Cyber emergency kit"
    finally:
        set_language("fr")
