"""The web UI and JSON API: ``archiver serve`` and ``archiver run --serve``."""

from archiver.web.app import create_app

__all__ = ["create_app"]
