"""Find every user-facing French string of hygie (code, templates, catalogue, errors).

Used by ``scripts/i18n.py`` (check and update the English .po files) and by the meta-test
that says every text exists in both languages.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir

import hygie
from hygie.audit import catalogue_source_strings
from hygie.errors import all_error_classes

SRC = Path(hygie.__file__).parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str | None
    where: str


def _import_all() -> None:
    """Import every hygie module so that every AppError subclass is registered."""
    for mod in pkgutil.walk_packages([str(SRC)], prefix="hygie."):
        if ".tests" in mod.name or mod.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(mod.name)
        except Exception:  # an optional dependency missing must not hide the others
            continue


def source_messages() -> list[Message]:
    out: list[Message] = []
    method_map = [("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")]
    options = {"**/templates/**.j2": {"trimmed": "false"}}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(SRC), method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        where = f"src/hygie/{filename}:{lineno}"
        if isinstance(message, tuple):
            singular, plural = message[0], message[1] if len(message) > 1 else None
            if singular:
                out.append(Message(str(singular), str(plural) if plural else None, where))
        elif message:
            out.append(Message(str(message), None, where))
    for text in catalogue_source_strings():
        out.append(Message(text, None, "catalogue"))
    _import_all()
    for cls in all_error_classes():
        for text in (cls.message_fr, cls.hint_fr):
            if text and PLACEHOLDER.fullmatch(text.strip()) is None:
                out.append(Message(text, None, f"errors:{cls.__name__}"))
    return out


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))
