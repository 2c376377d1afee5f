"""archiver.daemon.memory: glibc arena limit and a rate-limited malloc_trim."""

from __future__ import annotations

import platform

import pytest

from archiver.daemon import memory

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="the remedies are glibc's")
def test_limit_arenas_is_accepted_by_glibc() -> None:
    assert memory.limit_arenas(memory.ARENAS) is True


def test_trimmer_trims_at_most_once_per_interval() -> None:
    now = [100.0]
    trim = memory.Trimmer(every=60.0, monotonic=lambda: now[0])
    assert trim() is GLIBC  # the first call trims
    now[0] += 59.0
    assert trim() is False  # too soon
    now[0] += 1.0
    assert trim() is GLIBC  # 60 s after the first
    assert trim() is False
