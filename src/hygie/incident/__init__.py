"""Incident response and the emergency kit (issues #6, #14): ``hygie kit`` and ``hygie incident``.

This module is the capability's public surface: fronts (CLI, dashboard) import from here and
nothing else of the package. Before an incident: the kit (contacts, printable kit, drills).
During: the journal anchored outside itself (:mod:`.journal`, :mod:`.anchors`), the six steps
(:mod:`.steps`, walked by :mod:`.guide`), the isolation flow with its journaling
(:mod:`.isolation` over :mod:`.network`), the read-only snapshot (:mod:`.triage`) and "am I
attacked?" (:mod:`.attack_check` over :mod:`.signs`). After: the cybermalveillance.gouv.fr and
CNIL drafts (:mod:`.report`). The audit reads :mod:`.facts` (M11, M12); the checks are in
:mod:`.checks`.
"""

from __future__ import annotations

from hygie.incident.anchors import AnchorCheck, WrittenCode, check_code, last_recorded_code
from hygie.incident.attack_check import CheckResult, run_check
from hygie.incident.destination import same_disk_as_system
from hygie.incident.errors import CheckInconclusive, ConfirmationRequired
from hygie.incident.guide import GuideResult, GuideUI, run_guide
from hygie.incident.guide import start as start_incident
from hygie.incident.isolation import (
    IsolationOutcome,
    current_incident,
    isolate,
    reconnect,
)
from hygie.incident.isolation import apply as apply_isolation
from hygie.incident.isolation import plan as plan_isolation
from hygie.incident.journal import Entry, Journal, Verification, verify
from hygie.incident.kit import (
    FIELD_LABELS,
    FIELDS,
    ROLE_LABELS,
    ROLES,
    KitConfig,
    build_kit,
    empty_config,
    load_kit_config,
    render_kit_html,
    save_kit_config,
    update_kit_config,
    write_kit,
)
from hygie.incident.report import (
    NO,
    UNKNOWN,
    YES,
    Drafts,
    ReportAnswers,
    build_drafts,
    load_answers,
)
from hygie.incident.state import kit_generated_at, last_drill_at, record_drill, record_kit
from hygie.incident.steps import (
    CNIL_BREACH_URL,
    CYBERMALVEILLANCE_URL,
    DMP_URL,
    STEPS,
    Step,
    step,
)
from hygie.incident.triage import run_triage

__all__ = [
    "CNIL_BREACH_URL",
    "CYBERMALVEILLANCE_URL",
    "DMP_URL",
    "FIELDS",
    "FIELD_LABELS",
    "NO",
    "ROLES",
    "ROLE_LABELS",
    "STEPS",
    "UNKNOWN",
    "YES",
    "AnchorCheck",
    "CheckInconclusive",
    "CheckResult",
    "ConfirmationRequired",
    "Drafts",
    "Entry",
    "GuideResult",
    "GuideUI",
    "IsolationOutcome",
    "Journal",
    "KitConfig",
    "ReportAnswers",
    "Step",
    "Verification",
    "WrittenCode",
    "apply_isolation",
    "build_drafts",
    "build_kit",
    "check_code",
    "current_incident",
    "empty_config",
    "isolate",
    "kit_generated_at",
    "last_drill_at",
    "last_recorded_code",
    "load_answers",
    "load_kit_config",
    "plan_isolation",
    "reconnect",
    "record_drill",
    "record_kit",
    "render_kit_html",
    "run_check",
    "run_guide",
    "run_triage",
    "same_disk_as_system",
    "save_kit_config",
    "start_incident",
    "step",
    "update_kit_config",
    "verify",
    "write_kit",
]
