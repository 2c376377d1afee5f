"""Plain records: the data every stage exchanges, with no database in them.

Dataclasses only (no SQLAlchemy, no I/O), so that any stage may import them:
``articles`` holds what the archive step and the browsing side pass to and get
from the store (captures, versions, articles, sources, search hits, status,
re-check health); ``browse`` the filters, cursors, pages and counts of
browsing; ``learning`` what site-template learning, re-extraction and
extraction health use. The store (``archiver.store``) turns them into rows and
back; nothing outside it sees a model or a session.
"""
