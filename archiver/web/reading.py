"""Reading requests: the query string and JSON bodies as the models of ``schemas.py``,
and pydantic's complaints as one line an API client can act on."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError
from starlette.datastructures import QueryParams

from archiver.errors import InputError
from archiver.web.schemas import Query, Shape

Q = TypeVar("Q", bound=Query)
B = TypeVar("B", bound=Shape)


def _message(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    messages = {
        "missing": "required",
        "int_parsing": "not a whole number",
        "finite_number": "must be a finite number",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "string_too_short": "must not be empty",
        "string_too_long": f"too long (over {ctx.get('max_length')} characters)",
        "string_pattern_mismatch": "not in the documented form",
        "literal_error": f"must be {ctx.get('expected')}",
        "extra_forbidden": "unknown field",
        "model_type": "must be a JSON object",
        "value_error": str(ctx.get("error", error["msg"])),
    }
    return messages.get(kind, str(error["msg"]))


def _where(loc: tuple[int | str, ...]) -> str:
    """The parameter or body field a pydantic error is about (not the union member tags)."""
    parts = loc[1:] if loc[:1] == ("cursor",) else loc  # the only nested query model
    return str(parts[0]) if parts else ""


_TYPES = {"string_type": "a string", "float_type": "a number", "int_type": "a whole number"}


def input_error(exc: ValidationError, what: str = "") -> InputError:
    """The first problem of ``exc`` as one line: ``limit: must be at most 100 (got '500')``."""
    errors = exc.errors(include_url=False)
    where = _where(errors[0]["loc"])
    same = [e for e in errors if _where(e["loc"]) == where]  # the members of a union
    specific = [e for e in same if e["type"] not in _TYPES]
    if specific:
        message = _message(specific[0])
    else:
        message = "must be " + " or ".join(dict.fromkeys(_TYPES[e["type"]] for e in same))
    got = errors[0].get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float) and len(repr(got)) < 60 else ""
    where = where or what
    return InputError(f"{where}: {message}{shown}" if where else message + shown)


def query(model: type[Q], params: QueryParams) -> Q:
    """The query string as ``model``, or an InputError saying what is wrong."""
    data: dict[str, Any] = {}

    def take(target: dict[str, Any], fields: type[Query]) -> None:
        for name, info in fields.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, Query):
                nested: dict[str, Any] = {}
                take(nested, annotation)
                target[name] = nested
                continue
            key = info.alias or name
            values = params.getlist(key)
            if len(values) > 1:
                raise InputError(f"{key}: give it once (got {len(values)} values)")
            if values:
                target[key] = values[0]

    take(data, model)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc) from None


def body(model: type[B], data: Any) -> B:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, "body") from None
