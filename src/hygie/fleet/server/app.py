"""The fleet server's web application (Starlette): the device API, and later the operator UI.

:func:`create_app` builds it for one database; :func:`app_from_env` is the factory uvicorn
imports in each worker process (``hygie fleet serve`` puts the settings in the environment:
worker processes inherit it, and the database URL stays off every command line).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass

from starlette.applications import Starlette
from starlette.routing import Route

from hygie.fleet.protocol import DEVICE_PATH, HEALTH_PATH, JOIN_PATH, REPORTS_PATH
from hygie.fleet.server import api
from hygie.fleet.server.auth import JoinLimiter
from hygie.fleet.server.db import async_pool
from hygie.fleet.server.ingest import Ingestor
from hygie.fleet.server.rollup import RollupKeeper

log = logging.getLogger("hygie.fleet.server.app")

ENV_SETTINGS = "HYGIE_FLEET_SERVER_SETTINGS"
PARTITIONS_EVERY_S = 6 * 3600


@dataclass(frozen=True)
class AppSettings:
    database: str
    pool_min: int = 2
    pool_max: int = 10
    join_failures: int = 30  # failed join attempts per client address per 10 minutes

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> AppSettings:
        return cls(**json.loads(os.environ[ENV_SETTINGS]))


async def _keep_partitions(settings: AppSettings) -> None:
    """Create next months' report partitions now and then (the server may run for months)."""
    from hygie.fleet.server.db import connect
    from hygie.fleet.server.migrate import ensure_partitions

    while True:
        await asyncio.sleep(PARTITIONS_EVERY_S)
        try:

            def run() -> None:
                with connect(settings.database, autocommit=True) as conn:
                    ensure_partitions(conn)

            await asyncio.to_thread(run)
        except Exception as exc:  # logged; the default partition catches reports meanwhile
            log.error("fleet: creating report partitions failed", exc_info=exc)


def create_app(settings: AppSettings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = async_pool(settings.database, min_size=settings.pool_min, max_size=settings.pool_max)
        await pool.open(wait=True, timeout=30)
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT measure_id FROM measure ORDER BY position")
            order = tuple(str(r[0]) for r in await cur.fetchall())
        rollup_keeper = RollupKeeper(pool)  # statistics (fleet-scale), told of each stored batch
        ingestor = Ingestor(pool, order, on_stored=rollup_keeper.stored)
        ingestor.start()
        app.state.api = api.ApiState(
            pool=pool,
            ingestor=ingestor,
            limiter=JoinLimiter(max_failures=settings.join_failures),
            order=order,
        )
        keeper = asyncio.create_task(_keep_partitions(settings))
        rollups = asyncio.create_task(rollup_keeper.run())
        try:
            yield
        finally:
            keeper.cancel()
            rollups.cancel()
            await ingestor.stop()
            await pool.close()

    routes = [
        Route(JOIN_PATH, api.join, methods=["POST"]),
        Route(REPORTS_PATH, api.reports, methods=["POST"]),
        Route(DEVICE_PATH, api.device_get, methods=["GET"]),
        Route(DEVICE_PATH, api.device_delete, methods=["DELETE"]),
        Route(HEALTH_PATH, api.health, methods=["GET"]),
    ]
    from hygie.fleet.server.ui import ui_routes  # here: the UI imports this package's modules

    # after the device API: the operators' web pages (fleet-ui)
    return Starlette(routes=[*routes, *ui_routes(settings.database)], lifespan=lifespan)


def log_to_stderr() -> None:
    """A server's log goes to stderr (systemd's journal), identifiers masked like hygie.log."""
    from hygie.log import MaskingFormatter

    logger = logging.getLogger("hygie")
    if not any(getattr(h, "_fleet", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(MaskingFormatter("%(levelname)s %(name)s: %(message)s"))
        handler._fleet = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def app_from_env() -> Starlette:
    """uvicorn's factory (``hygie.fleet.server.app:app_from_env``), in each worker process."""
    log_to_stderr()
    return create_app(AppSettings.from_env())
