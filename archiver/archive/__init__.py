"""The archive step, the one place where a URL becomes (or does not become) a version.

::

    archive_url(url, services)                                     step.py
      fetch (conditional GET)  ── 304 / same bytes ──────────────▶ unchanged (no extraction)
      extract (process pool) → identify (canonical, aliases)
      clean_blocks: the host's template and volatile blocks out     chrome.py
      same text as the current version ──────────────────────────▶ unchanged
      settle: re-extraction, chrome churn, volatile blocks           settle.py
        explain the difference ─────────────────────────────────▶ unchanged (corrected in place)
        otherwise ──────────────────────────────────────────────▶ updated (a new version)
      Store.record: capture, version, aliases, next re-check, in one transaction

``open_services`` (services.py) opens what a step needs; the CLI, the daemon,
the web and the job queue all call the same ``archive_url``.
"""

from archiver.archive.services import PipelineStats, Services, open_services
from archiver.archive.step import SKIPPED, AddResult, archive_url

__all__ = ["SKIPPED", "AddResult", "PipelineStats", "Services", "archive_url", "open_services"]
