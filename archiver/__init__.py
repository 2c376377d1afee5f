"""archiver: a news archiving service."""

__version__ = "0.1.0"
