"""The daemon: the runner that schedules polls and re-checks, its jobs and its lock.

What a poll does (fetch a source, walk it, archive what is new) lives in
``archiver.sources``; the archive step itself in ``archiver.archive``.
"""

from archiver.daemon.runner import Daemon, run_daemon

__all__ = ["Daemon", "run_daemon"]
