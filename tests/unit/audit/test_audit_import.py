"""Importing the audit's public surface stays light: a capability's facts and checks import
``hygie.audit`` and must not pay for the renderers (Jinja2, Rich) they never use."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_audit_package_imports_no_renderer() -> None:
    code = (
        "import sys, json, hygie.audit\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jinja2', 'rich') or m.startswith('hygie.audit.render'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_renderers_load_when_used() -> None:
    """The lazy exports are the real renderers (same results as the modules' own)."""
    from hygie.audit import AuditResult, render_html
    from hygie.audit.model import Score
    from hygie.audit.render import report

    result = AuditResult(
        "2026-11-29T10:00:00+00:00", 1.0, "linux", "fr", "test", (), Score(None, 0, 0, 0), (), ()
    )
    assert render_html(result) == report.render_html(result)
    assert "<html" in render_html(result).lower()
