"""The API twins of the sources page's actions and of an article's "check now": poll a
source now, change its schedule, remove it; re-check an article now.

Like every write, they need ``Authorization: Bearer <web token>`` (``security.py``);
the steps are the CLI's own (``actions.py``); errors are ``{error, status}``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archiver import browse_json as shape
from archiver.browse_json import poll_json
from archiver.web import action_schemas, actions, load, reading, schemas, security
from archiver.web.api import body, send
from archiver.web.state import state_of


async def poll(request: Request) -> Response:
    web = state_of(request)
    security.require_bearer(request, web.token)
    result = await actions.poll_now(web.opened, request.path_params["name"])
    if result.error is not None:
        return send(action_schemas.PollFailure, {**poll_json(result), "status": 502}, 502)
    return send(action_schemas.Poll, poll_json(result))


async def source(request: Request) -> Response:
    """``PATCH``: a new schedule; ``DELETE``: remove the source (its articles stay)."""
    web = state_of(request)
    name: str = request.path_params["name"]
    if request.method == "DELETE":
        security.require_bearer(request, web.token)
        gone = await web.read(lambda s: actions.remove(s, name))
        return send(schemas.Source, shape.source_json(gone))
    new = reading.body(action_schemas.NewSchedule, await body(request))
    changed = await web.read(lambda s: actions.set_schedule(s, name, new.every, new.cron))
    return send(schemas.Source, shape.source_json(changed))


async def check(request: Request) -> Response:
    web = state_of(request)
    security.require_bearer(request, web.token)
    article_id: int = request.path_params["article_id"]
    await web.read(lambda s: load.detail(s, article_id, None))  # 404 before any fetch
    result = await actions.check_now(web.opened, article_id)
    if result.outcome == "error":
        return send(schemas.AddFailure, {**shape.add_json(result), "status": 502}, 502)
    return send(schemas.AddResult, shape.add_json(result))


routes: list[BaseRoute] = [  # before api.routes: /sources/{name}/poll is not an {action}
    Route("/sources/{name}/poll", poll, methods=["POST"]),
    Route("/sources/{name}", source, methods=["PATCH", "DELETE"]),
    Route("/articles/{article_id:int}/check", check, methods=["POST"]),
]
