"""Small shared helpers for the fetch tests."""

from __future__ import annotations

from typing import Any

from archiver.config import FetchSettings


def quick(**overrides: Any) -> FetchSettings:
    """Settings for local tests: loopback allowed, no politeness delay, short deadlines.

    robots.txt and retries are off unless a test turns them on (test_robots,
    test_retry), so other tests see exactly the requests they make.
    """
    values: dict[str, Any] = {
        "allow_private_networks": True,
        "per_host_delay": 0.0,
        "respect_robots": False,
        "max_retries": 0,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "total_timeout": 5.0,
    }
    values.update(overrides)
    return FetchSettings(**values)
