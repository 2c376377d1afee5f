"""The job queue: ``daemon.queue = "procrastinate"``, work spread over ``archiver worker``s.

::

    archiver run (scheduler)   defers   poll_source(source)      queue "polls"
                                        recheck_article(article) queue "rechecks"
    a poll's hung article URL  defers   archive_url(url)         queue "archive"
    every worker, periodically          retry_stalled            queue "maintenance"
                                        remove_old_jobs          queue "builtin"

Jobs live in PostgreSQL (procrastinate, through ``PsycopgConnector``); each is a
thin wrapper around the plain async step the inline runner calls
(``poll_source``, ``archive_url``). The App is built from settings by
``build_app`` (app.py), never at import time; its tasks are registered in
tasks.py, the scheduler's deferrals are in defer.py, the one-scheduler-per-
database lock in dblock.py and the queue's health for ``archiver status`` in
status.py. Nothing is imported here: procrastinate loads only where the queue is on.
"""
