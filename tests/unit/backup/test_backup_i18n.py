"""Every user-facing French string of hygie backup has an English translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hygie
from hygie.i18n import known_translations

PKG = Path(hygie.__file__).parent


def backup_strings() -> list[str]:
    files = [*(PKG / "backup").rglob("*.py"), PKG / "cli" / "backup.py"]
    out: list[str] = []
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                out.append(node.args[0].value)
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in {"message_fr", "hint_fr", "INSTALL_RESTIC_FR"}
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                out.append(node.value.value)
    tpl = (PKG / "backup" / "templates" / "recovery_sheet.html.j2").read_text(encoding="utf-8")
    out += [m[1] for m in re.finditer(r'_\("((?:[^"\\]|\\.)*)"\)', tpl)]
    return out


def test_every_backup_string_has_an_english_msgstr() -> None:
    en = known_translations("en")
    strings = backup_strings()
    assert len(strings) > 80
    missing = [s for s in strings if not en.get(s)]
    assert missing == []
