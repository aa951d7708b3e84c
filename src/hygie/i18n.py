"""Translations through gettext catalogs (Babel).

French is the source language: every user-facing string in the code and in the catalogue
YAML is written in French and marked for translation. English lives in ``locale/en/*.po``
(one file per capability, merged at load time so that modules do not fight over one file).
The ``.po`` files are read with Babel at first use, so no compile step is needed.
"""

from __future__ import annotations

import contextvars
import functools
import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("fr", "en")
DEFAULT_LANG = "fr"

_lang: contextvars.ContextVar[str] = contextvars.ContextVar("hygie_lang", default=DEFAULT_LANG)


@functools.cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT_LANG:
        return gettext.NullTranslations()
    # Babel only when another language is asked for (French, the default, needs no catalog).
    from babel.messages.pofile import read_po
    from babel.support import Translations

    merged: Translations | None = None
    for po_path in sorted((LOCALE_DIR / lang).glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        tr = Translations()
        # Babel catalog -> plain dict of msgid -> msgstr, skipping fuzzy and empty entries.
        for msg in catalog:
            if not msg.id or msg.fuzzy:
                continue
            if isinstance(msg.id, tuple):
                if isinstance(msg.string, tuple) and all(msg.string):
                    for i, s in enumerate(msg.string):
                        tr._catalog[(str(msg.id[0]), i)] = str(s)
            elif isinstance(msg.string, str) and msg.string:
                tr._catalog[str(msg.id)] = msg.string
        if merged is None:
            merged = tr
        else:
            merged._catalog.update(tr._catalog)
    return merged if merged is not None else gettext.NullTranslations()


def set_language(lang: str) -> None:
    """Choose the language of user-facing text for this context (thread/task)."""
    if lang not in SUPPORTED:
        # A programming error here: fronts check what the user typed first (cli.app raises
        # UsageError). i18n imports nothing of hygie, so errors -> i18n stays one-way.
        raise ValueError(f"unsupported language {lang!r} (choices: {', '.join(SUPPORTED)})")
    _lang.set(lang)


def get_language() -> str:
    return _lang.get()


def _(message: str) -> str:
    """Translate a French source string into the current language."""
    if not message:
        return message
    return _translations(_lang.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(_lang.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def known_translations(lang: str) -> dict[object, str]:
    """The merged catalog for ``lang`` (meta-tests check every text is translated)."""
    tr = _translations(lang)
    return dict(getattr(tr, "_catalog", {}))
