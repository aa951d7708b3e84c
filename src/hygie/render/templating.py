"""The one way hygie builds a Jinja2 environment for its HTML (reports, kit, sheets, web)."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, select_autoescape

from hygie.i18n import _, ngettext


@functools.cache
def template_environment(folder: str) -> Environment:
    """An autoescaping environment over ``src/hygie/<folder>`` with ``_`` and ``ngettext``.

    Translations are looked up at render time, so one cached environment serves every
    language. Callers may add their own globals and filters to the returned environment.
    """
    env = Environment(
        loader=PackageLoader("hygie", folder),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["_"] = _
    env.globals["ngettext"] = ngettext
    return env
