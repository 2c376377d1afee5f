"""The sources page and what it does: pause or resume, poll now, change the schedule, remove
(after a confirmation page); and an article's "check now".

The page shows each source's schedule, poll health and extraction health (the
shares of empty, very short and undated extractions over its last polls, and
whether one jumped: ``archiver.store.health``). Signed in (``signin.py``),
each source has its buttons; every post is CSRF-checked (``security.py``) and
answers with the page and a line saying what happened. The steps are the
CLI's own (``actions.py``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archiver.errors import ArchiverError, InputError, NotFoundError
from archiver.web import actions, captures, load, security
from archiver.web.forms import form_fields
from archiver.web.state import render, state_of


async def sources_page(
    request: Request, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    web = state_of(request)
    found = await web.read(lambda s: s.sources())
    rechecks = await web.read(lambda s: s.recheck_health())
    health = await web.read(lambda s: s.extraction_health())
    full = {"nav": "sources", "sources": found, "rechecks": rechecks, "health": health,
            "message": None, "error": None, **(context or {})}  # fmt: skip
    return await render(request, "sources.html", full, status)


async def sources(request: Request) -> Response:
    return await sources_page(request)


async def _guarded(request: Request) -> tuple[dict[str, str], Response | None]:
    fields = await form_fields(request)
    web = state_of(request)
    try:
        security.check_form(request, fields, web.token, signed_in=web.signed_in(request))
    except security.Forbidden as exc:
        return fields, await sources_page(request, {"error": str(exc)}, 403)
    return fields, None


def _status(exc: ArchiverError) -> int:
    return 404 if isinstance(exc, NotFoundError) else 400


async def _act(request: Request, name: str, doing: Any) -> Response:
    """Run ``doing(name)`` (a coroutine giving the message), answer with the page."""
    try:
        message = await doing(name)
    except (InputError, NotFoundError) as exc:
        return await sources_page(request, {"error": actions.field_words(str(exc))}, _status(exc))
    return await sources_page(request, {"message": message})


async def pause(request: Request) -> Response:
    return await _paused(request, True)


async def resume(request: Request) -> Response:
    return await _paused(request, False)


async def _paused(request: Request, paused: bool) -> Response:
    fields, refused = await _guarded(request)
    if refused is not None:
        return refused
    web = state_of(request)

    async def doing(name: str) -> str:
        changed = await web.read(lambda s: load.set_paused(s, name, paused))
        return f"Source {changed.name} {'paused' if changed.paused else 'resumed'}."

    return await _act(request, fields.get("name", ""), doing)


async def poll(request: Request) -> Response:
    fields, refused = await _guarded(request)
    if refused is not None:
        return refused
    web = state_of(request)

    name = fields.get("name", "")
    try:
        result = await actions.poll_now(web.opened, name)
    except NotFoundError as exc:
        return await sources_page(request, {"error": str(exc)}, 404)
    if result.error is not None:
        return await sources_page(request, {"error": actions.poll_line(result)}, 502)
    return await sources_page(request, {"message": actions.poll_line(result)})


def schedule_fields(raw: str) -> tuple[str | None, str | None]:
    """The form's one schedule field: a cron line has spaces, a duration has none."""
    text = raw.strip()
    if not text:
        raise InputError("schedule: give a duration (15m, 2h, 1d) or a cron line (*/10 * * * *)")
    return (None, text) if " " in text else (text, None)


async def schedule(request: Request) -> Response:
    fields, refused = await _guarded(request)
    if refused is not None:
        return refused
    web = state_of(request)

    async def doing(name: str) -> str:
        every, cron = schedule_fields(fields.get("schedule", ""))
        changed = await web.read(lambda s: actions.set_schedule(s, name, every, cron))
        when = f"cron {changed.cron}" if changed.cron else f"every {fields['schedule'].strip()}"
        return f"Source {changed.name} is now polled {when}."

    return await _act(request, fields.get("name", ""), doing)


async def confirm_remove(request: Request) -> Response:
    """The confirmation step: what removing the source means, and the button that does it."""
    name = request.query_params.get("name", "")
    try:
        found = await state_of(request).read(lambda s: s.source(name))
    except NotFoundError as exc:
        return await sources_page(request, {"error": str(exc)}, 404)
    return await render(request, "remove.html", {"nav": "sources", "source": found})


async def remove(request: Request) -> Response:
    fields, refused = await _guarded(request)
    if refused is not None:
        return refused
    if fields.get("confirm") != "yes":
        return await sources_page(request, {"error": "confirm: removal was not confirmed"}, 400)
    web = state_of(request)

    async def doing(name: str) -> str:
        gone = await web.read(lambda s: actions.remove(s, name))
        kept = f"its {gone.article_count} articles stay" if gone.article_count else "no articles"
        return f"Removed source {gone.name} ({kept})."

    return await _act(request, fields.get("name", ""), doing)


async def check(request: Request) -> Response:
    """An article's "check now": re-check it at once, answer with its page."""
    article_id: int = request.path_params["article_id"]
    fields = await form_fields(request)
    web = state_of(request)
    try:
        security.check_form(request, fields, web.token, signed_in=web.signed_in(request))
    except security.Forbidden as exc:
        return await article_page(request, article_id, {"error": str(exc)}, 403)
    await web.read(lambda s: load.detail(s, article_id, None))  # 404 before any fetch
    result = await actions.check_now(web.opened, article_id)
    line = actions.check_line(result)
    if result.outcome == "error":
        return await article_page(request, article_id, {"error": line}, 502)
    return await article_page(request, article_id, {"message": line})


async def article_page(
    request: Request, article_id: int, context: dict[str, Any], status: int = 200
) -> Response:
    web = state_of(request)
    found = await web.read(lambda s: load.detail(s, article_id, None))
    fetched = await web.read(lambda s: s.captures(article_id, limit=captures.LIMIT))
    full = {"nav": "home", "d": found, "fetches": fetched, **context}
    return await render(request, "article.html", full, status)


routes: list[BaseRoute] = [
    Route("/sources", sources, methods=["GET"], name="sources"),
    Route("/sources/pause", pause, methods=["POST"], name="source_pause"),
    Route("/sources/resume", resume, methods=["POST"], name="source_resume"),
    Route("/sources/poll", poll, methods=["POST"], name="source_poll"),
    Route("/sources/schedule", schedule, methods=["POST"], name="source_schedule"),
    Route("/sources/remove", confirm_remove, methods=["GET"], name="source_remove_confirm"),
    Route("/sources/remove", remove, methods=["POST"], name="source_remove"),
    Route("/articles/{article_id:int}/check", check, methods=["POST"], name="check"),
]
