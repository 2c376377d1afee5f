"""The daemon: sources, schedules and re-checks around the archive pipeline."""

from archiver.daemon.poll import PollResult, poll_source
from archiver.daemon.runner import Daemon, run_daemon

__all__ = ["Daemon", "PollResult", "poll_source", "run_daemon"]
