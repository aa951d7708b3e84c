"""The nurse's side of ``hygie fleet``: join a campaign, queue and deliver reports, leave.

Public surface (fronts import only these names): :func:`prepare_join` then :func:`join`,
:func:`queue_report`, :func:`deliver`, :func:`status`, :func:`leave`, :func:`after_audit`
(what the CLI's and the dashboard's audits call), :func:`preview_report`, and their types.
Never imports psycopg nor :mod:`hygie.fleet.server` (tests/unit/fleet/test_device_imports.py).
"""

from __future__ import annotations

from hygie.fleet.device.service import (
    QUICK_TIMEOUT,
    DeliveryResult,
    DeviceStatus,
    JoinPlan,
    Membership,
    after_audit,
    deliver,
    join,
    leave,
    mask_code,
    prepare_join,
    preview_report,
    queue_report,
    status,
)
from hygie.fleet.device.state import QUEUE_LIMIT

__all__ = [
    "QUEUE_LIMIT",
    "QUICK_TIMEOUT",
    "DeliveryResult",
    "DeviceStatus",
    "JoinPlan",
    "Membership",
    "after_audit",
    "deliver",
    "join",
    "leave",
    "mask_code",
    "prepare_join",
    "preview_report",
    "queue_report",
    "status",
]
