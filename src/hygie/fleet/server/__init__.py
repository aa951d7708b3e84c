"""The fleet server (PostgreSQL): schema migrations, campaigns, the device API, statistics.

Public surface for the CLI and the operator UI (``hygie fleet init|serve|campaign|stats``):

* connections: :func:`connect`, :func:`open_pool`, :func:`async_pool`, :func:`describe_host`;
* schema: :func:`migrate` (-> :class:`MigrationResult`), :func:`current_version`,
  :func:`latest_version`, :func:`ensure_partitions`;
* campaigns: :func:`create_campaign`, :func:`list_campaigns`, :func:`find_campaign`,
  :func:`get_campaign`, :func:`close_campaign`, :func:`remove_device`, :class:`Campaign`;
* statistics: :func:`campaign_stats` (-> :class:`CampaignStats`), :func:`refresh_rollups`;
* operator accounts: :func:`add_operator`, :func:`list_operators`, :func:`remove_operator`,
  :func:`check_name`, :func:`check_new_password`, :data:`MIN_PASSWORD`;
* the web app and its runner: :func:`create_app`, :class:`AppSettings`,
  :class:`ServeSettings`, :func:`parse_listen`, :func:`run_server`.

Needs the ``fleet-server`` extra (psycopg, psycopg_pool); a nurse's computer never imports it.
"""

from __future__ import annotations

from hygie.fleet.server.app import AppSettings, create_app
from hygie.fleet.server.campaigns import (
    Campaign,
    NewCampaign,
    clean_name,
    close_campaign,
    create_campaign,
    find_campaign,
    get_campaign,
    list_campaigns,
    remove_device,
)
from hygie.fleet.server.db import async_pool, connect, describe_host, open_pool
from hygie.fleet.server.migrate import (
    MigrationResult,
    current_version,
    ensure_partitions,
    latest_version,
    migrate,
)
from hygie.fleet.server.rollup import refresh as refresh_rollups
from hygie.fleet.server.serve import ServeSettings, parse_listen
from hygie.fleet.server.serve import run as run_server
from hygie.fleet.server.stats import CampaignStats, campaign_stats
from hygie.fleet.server.ui.accounts import (
    MIN_PASSWORD,
    add_operator,
    check_name,
    check_new_password,
    list_operators,
    remove_operator,
)

__all__ = [
    "MIN_PASSWORD",
    "AppSettings",
    "Campaign",
    "CampaignStats",
    "MigrationResult",
    "NewCampaign",
    "ServeSettings",
    "add_operator",
    "async_pool",
    "campaign_stats",
    "check_name",
    "check_new_password",
    "clean_name",
    "close_campaign",
    "connect",
    "create_app",
    "create_campaign",
    "current_version",
    "describe_host",
    "ensure_partitions",
    "find_campaign",
    "get_campaign",
    "latest_version",
    "list_campaigns",
    "list_operators",
    "migrate",
    "open_pool",
    "parse_listen",
    "refresh_rollups",
    "remove_device",
    "remove_operator",
    "run_server",
]
