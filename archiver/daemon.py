"""``archiver run``: the long-running process.

It opens the store (applying migrations), starts the pipeline services and
waits for SIGINT/SIGTERM. Sources, schedules and re-checks plug in here.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from archiver.config import Settings
from archiver.pipeline import open_services

log = logging.getLogger("archiver.daemon")


async def run_daemon(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set or the process receives SIGINT/SIGTERM."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with open_services(settings):
            log.info(
                "daemon started (data: %s, database: %s)",
                settings.home,
                settings.db_url.split(":")[0],
            )
            await stop.wait()
            log.info("daemon stopping")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("daemon stopped")
