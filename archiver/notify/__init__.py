"""notify stage: webhooks told of new articles, new versions and failed captures.

``settings``: the ``[notify]`` config; ``payload``: the JSON body, its signature
and headers; ``deliver``: the ``Deliverer`` that ``archiver run`` drives, which
claims due outbox rows (``archiver.store.outbox``), POSTs them through the
guarded ``archiver.fetch.webhook.WebhookSender`` and retries with backoff;
``status``: the webhooks' lines and JSON in ``archiver status``.
"""
