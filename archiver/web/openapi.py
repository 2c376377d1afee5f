"""The OpenAPI 3.1 description of ``/api/``, generated, and served at ``/api/openapi.json``.

Nothing here is written by hand but the list of operations: parameters,
bodies and responses are the JSON Schemas of the models in ``schemas.py``,
the same models the API validates its input with and sends its output
through. A query model's fields are its query parameters; a nested model
among them is a group of parameters (``style: form``, ``explode``), which
lets the document say that ``after`` and ``before`` exclude each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from archiver import __version__
from archiver.web import action_schemas, capture_schemas, history_schemas, schemas
from archiver.web.security import CHALLENGE

REF = "#/components/schemas/{model}"
Method = Literal["get", "post", "patch", "delete"]

ERRORS = {
    400: "The parameters or the body are not what this document describes.",
    401: "No bearer credentials (see WWW-Authenticate).",
    403: "The web token is wrong, or no web token is configured (writes are off).",
    404: "No such article, version or source.",
    409: "A source of that name exists already.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    503: "The archive is unavailable right now (the database is unreachable...).",
}
READ_ERRORS = (400, 503)
WRITE_ERRORS = (400, 401, 403, 413, 415, 503)


@dataclass(frozen=True)
class Operation:
    path: str
    method: Method
    summary: str
    ok: dict[int, tuple[type[BaseModel], str]]
    query: type[schemas.Query] | None = None
    path_params: type[schemas.Query] | None = None
    body: type[schemas.Shape] | None = None
    errors: tuple[int, ...] = READ_ERRORS
    write: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


OPERATIONS = (
    Operation(
        "/api/articles", "get",
        "Articles, newest first by first seen or sorted (keyset pages), with facet counts.",
        {200: (schemas.ArticlePage, "A page of articles.")},
        query=schemas.ArticlesQuery,
    ),
    Operation(
        "/api/articles/{article_id}", "get",
        "One article: metadata, clean text, aliases, capture counts.",
        {200: (schemas.Article, "The article.")},
        query=schemas.ArticleQuery, path_params=schemas.ArticlePath, errors=(*READ_ERRORS, 404),
    ),
    Operation(
        "/api/articles/{article_id}/versions", "get",
        "Every version with its time, word count and change, and the corrections in place.",
        {200: (history_schemas.History, "The history.")},
        path_params=schemas.ArticlePath, errors=(*READ_ERRORS, 404),
    ),
    Operation(
        "/api/articles/{article_id}/reextractions/{number}", "get",
        "A correction in place (a re-extraction): the version's text before it.",
        {200: (history_schemas.Reextraction, "The correction and the old text.")},
        path_params=history_schemas.ReextractionPath, errors=(*READ_ERRORS, 404),
    ),
    Operation(
        "/api/articles/{article_id}/diff", "get",
        "Word-level diff between two versions; metadata changes in fields.",
        {200: (schemas.Diff, "The diff.")},
        query=schemas.DiffQuery, path_params=schemas.ArticlePath, errors=(*READ_ERRORS, 404),
    ),
    Operation(
        "/api/articles/{article_id}/captures", "get",
        "The article's captures (fetch attempts), newest first: time, status, URLs, body hash,"
        " error, and the path of what was fetched (served sandboxed).",
        {200: (capture_schemas.Captures, "The captures (at most 100).")},
        path_params=schemas.ArticlePath, errors=(*READ_ERRORS, 404),
    ),
    Operation(
        "/api/search", "get",
        "Full-text search over titles and clean text, best first; an archived URL finds"
        " its article.",
        {200: (schemas.SearchResults, "Ranked matches.")},
        query=schemas.SearchQuery,
    ),
    Operation(
        "/api/sources", "get",
        "Every source with its schedule, health and article count.",
        {200: (schemas.Sources, "The sources.")},
        errors=(503,),
    ),
    Operation(
        "/api/sources", "post",
        "Add a source (checked like `archiver source add`).",
        {201: (schemas.Source, "Added.")},
        body=schemas.NewSource, errors=(*WRITE_ERRORS, 409), write=True,
    ),
    Operation(
        "/api/sources/{name}/{action}", "post",
        "Pause or resume a source.",
        {200: (schemas.Source, "The source.")},
        path_params=schemas.SourcePath, errors=(401, 403, 404, 503), write=True,
    ),
    Operation(
        "/api/sources/{name}/poll", "post",
        "Poll a source once now (like `archiver source run`), paused or not.",
        {
            200: (action_schemas.Poll, "What the poll found and archived."),
            502: (action_schemas.PollFailure, "The poll failed: the source could not be read."),
        },
        path_params=action_schemas.SourceName, errors=(401, 403, 404, 503), write=True,
    ),
    Operation(
        "/api/sources/{name}", "patch",
        "Change a source's schedule: `every` or `cron`.",
        {200: (schemas.Source, "The source with its new schedule.")},
        path_params=action_schemas.SourceName, body=action_schemas.NewSchedule,
        errors=(*WRITE_ERRORS, 404), write=True,
    ),
    Operation(
        "/api/sources/{name}", "delete",
        "Remove a source (its archived articles stay, no longer linked to it).",
        {200: (schemas.Source, "The source as it was.")},
        path_params=action_schemas.SourceName, errors=(401, 403, 404, 503), write=True,
    ),
    Operation(
        "/api/articles/{article_id}/check", "post",
        "Re-check an article now (its canonical URL, as the daemon's re-checks do).",
        {
            200: (schemas.AddResult, "Updated (a new version) or unchanged."),
            502: (schemas.AddFailure, "The re-check failed: the fetch or the extraction."),
        },
        path_params=schemas.ArticlePath, errors=(401, 403, 404, 503), write=True,
    ),
    Operation(
        "/api/urls", "post",
        "Archive a URL now (like `archiver add`).",
        {
            200: (schemas.AddResult, "Updated, unchanged, or a duplicate of another article."),
            201: (schemas.AddResult, "A new article."),
            502: (schemas.AddFailure, "Not archived: the fetch or the extraction failed."),
        },
        body=schemas.NewURL, errors=WRITE_ERRORS, write=True,
    ),
    Operation(
        "/api/openapi.json", "get", "This document.",
        {200: (schemas.Document, "The OpenAPI 3.1 document.")}, errors=(),
    ),
)  # fmt: skip


class _Generator(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # a property's name is its title


def _models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    found: dict[type[BaseModel], JsonSchemaMode] = {schemas.Error: "serialization"}
    for op in OPERATIONS:
        for model, _ in op.ok.values():
            found[model] = "serialization"
        for request in (op.query, op.path_params, op.body):
            if request is not None:
                found[request] = "validation"
    return list(found.items())


def _parameters(model: type[schemas.Query], where: str, defs: dict[str, Any]) -> list[Any]:
    schema = defs[model.__name__]
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        param: dict[str, Any] = {"name": name, "in": where, "required": name in required}
        if where == "path":
            param["required"] = True
        if "description" in prop:
            param["description"] = prop.pop("description")
        if prop.get("default", 0) is None:
            del prop["default"]
        if "$ref" in prop:  # a group of parameters, each as name=value
            param.update(style="form", explode=True)
        param["schema"] = prop
        out.append(param)
    return out


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERRORS[status],
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": f"The challenge: `{CHALLENGE}`.",
                "required": True,
                "schema": {"type": "string"},
            }
        }
    return response


def _operation(op: Operation, defs: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"summary": op.summary}
    parameters = []
    if op.path_params is not None:
        parameters += _parameters(op.path_params, "path", defs)
    if op.query is not None:
        parameters += _parameters(op.query, "query", defs)
    if parameters:
        doc["parameters"] = parameters
    if op.write:
        doc["security"] = [{"bearer": []}]
    if op.body is not None:
        content = {"application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}}
        doc["requestBody"] = {"required": True, "content": content}
    responses: dict[str, Any] = {}
    for status, (model, description) in sorted(op.ok.items()):
        content = {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}
        responses[str(status)] = {"description": description, "content": content}
    for status in sorted(op.errors):
        responses[str(status)] = _error_response(status)
    doc["responses"] = responses
    return doc


def build() -> dict[str, Any]:
    """The document, from the operations above and the models of ``schemas.py``."""
    _, top = models_json_schema(_models(), ref_template=REF, schema_generator=_Generator)
    defs: dict[str, Any] = top["$defs"]
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, defs)
    parameter_models = {m.__name__ for op in OPERATIONS for m in (op.query, op.path_params) if m}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "archiver API",
            "version": __version__,
            "description": (
                "Read the archive and add to it. Times are RFC 3339, in UTC. Writes need"
                " `Authorization: Bearer <web.token>`: without credentials they answer 401,"
                " with a wrong token 403, and with no token configured 403. Errors are"
                " `{error, status}`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {k: v for k, v in sorted(defs.items()) if k not in parameter_models},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@cache
def _serialized() -> str:
    return json.dumps(build())


def document() -> dict[str, Any]:
    """The document served at ``/api/openapi.json`` (a fresh copy each call)."""
    doc: dict[str, Any] = json.loads(_serialized())
    return doc
