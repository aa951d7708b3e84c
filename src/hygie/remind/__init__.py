"""Reminders: hygie speaks up when a measure slips (a missed backup, a disk left plugged in,
an overdue restore test…), on the desktop and on the dashboard's overview.

Public surface (fronts import only these):

* :func:`remind` — evaluate and notify (CLI ``hygie remind``, the schedule);
* :func:`banner` — what the dashboard's overview shows, from the last recorded audit;
* :func:`snooze` — silence one reminder for a day or a week;
* :class:`Reminder`, :class:`RemindResult`, :class:`Candidate`, :data:`RULE_LABELS_FR`.
"""

from hygie.remind.errors import RemindConfigError, UnknownReminder
from hygie.remind.rules import CANDIDATE_RULES, RULE_LABELS_FR, Candidate, Thresholds
from hygie.remind.service import (
    SNOOZE_DAYS,
    Reminder,
    RemindResult,
    banner,
    remind,
    snooze,
)

__all__ = [
    "CANDIDATE_RULES",
    "RULE_LABELS_FR",
    "SNOOZE_DAYS",
    "Candidate",
    "RemindConfigError",
    "RemindResult",
    "Reminder",
    "Thresholds",
    "UnknownReminder",
    "banner",
    "remind",
    "snooze",
]
