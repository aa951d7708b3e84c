"""``hygie fleet``: campaigns that count measure statuses across computers, never patient data.

Public surface (fronts import only these names):

* the report a device sends — :class:`FleetReport`, :func:`build_report`,
  :func:`validate_report`, :func:`report_schema` (closed JSON schema);
* the HTTP contract shared by device and server — :mod:`hygie.fleet.protocol`.

The server lives in :mod:`hygie.fleet.server` (PostgreSQL), the device side in
:mod:`hygie.fleet.device` (SQLite queue, keyring token). See docs/explanation/fleet-design.md.
"""

from __future__ import annotations

from hygie.fleet.errors import FleetError, ReportInvalid
from hygie.fleet.protocol import (
    ANONYMOUS_THRESHOLD,
    CAMPAIGN_MODES,
    CampaignMode,
    DeviceToken,
    valid_department,
    valid_label,
)
from hygie.fleet.report import (
    REPORT_SCHEMA_ID,
    FleetReport,
    build_report,
    report_schema,
    validate_report,
)

__all__ = [
    "ANONYMOUS_THRESHOLD",
    "CAMPAIGN_MODES",
    "REPORT_SCHEMA_ID",
    "CampaignMode",
    "DeviceToken",
    "FleetError",
    "FleetReport",
    "ReportInvalid",
    "build_report",
    "report_schema",
    "valid_department",
    "valid_label",
    "validate_report",
]
