"""Flask views over the framework-free handlers, their arguments bound once per operation from the contract.

connexion's FlaskApp calls each handler through decorators it builds again on every request (a URI parser,
the parameter decorator, the response decorator), and reads the body and the form data even for a GET: a
quarter of the CPU of a ready report's GET. By the time Flask has the request, connexion's middleware has
routed, authenticated and validated it; what is left is handing the handler its arguments and making its
return a response. These views do the first from a plan made once per operation, the way connexion would:
path and query parameters under connexion's Python names (`id` -> `id_`, `reportType` -> `report_type`),
integers as int, the JSON body as `body`, and the request's context (`token_info`, `mock_session`,
`mock_exchange`) where the handler takes it. The response is connexion's own: its response decorator's
`build_framework_response`, with the app's jsonifier.

They replace connexion's views in Flask's `view_functions` (Flask's public registry) after connexion has
registered them, which it does when its middleware stack is built, before the first request reaches Flask.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import flask
from connexion.context import context
from connexion.decorators.parameter import pythonic
from connexion.decorators.response import SyncResponseDecorator
from connexion.frameworks.flask import Flask as FlaskFramework
from connexion.jsonifier import Jsonifier

from ..spec import OperationIndex, deref
from .bodies import parse_body
from .incoming import CONTEXT_KEY, UNPARSED

_CONVERT: dict[str | None, Callable[[str], Any]] = {
    "string": str, None: str, "integer": int, "number": float,
    "boolean": lambda text: text.lower() == "true",
}
SESSION = "mock_session"
_CONTEXT = ("token_info", "user", SESSION, "mock_exchange")


class UnsupportedParameter(ValueError):
    """A parameter these views cannot bind as connexion would (an array, an object): extend `_convert`."""


@dataclass(frozen=True, slots=True)
class Plan:
    operation_id: str
    handler: Callable[..., Any]
    path: tuple[tuple[str, str, Callable[[str], Any]], ...]  # (name in the contract, Python name, convert)
    query: tuple[tuple[str, str, Callable[[str], Any]], ...]
    body: bool
    context: tuple[str, ...]  # what the handler takes of the request's context
    absent_body: Any = None  # what an empty body is passed as: connexion's rule (the schema's default, or {})
    produces: str | None = None  # the operation's one JSON media type; None: connexion's response decorator decides


def plans(index: OperationIndex, handlers: Mapping[str, Callable[..., Any]]) -> dict[str, Plan]:
    """A plan per operation of the documents that has a handler."""
    out: dict[str, Plan] = {}
    for operation_id, operation in index.by_id.items():
        handler = handlers.get(operation_id)
        if handler is None:
            continue
        document, spec = operation.document.document, operation.spec
        takes = set(inspect.signature(handler).parameters)
        bound = {where: tuple((p["name"], pythonic(p["name"]), _convert(document, operation_id, p))
                              for p in operation.parameters if p["in"] == where and pythonic(p["name"]) in takes)
                 for where in ("path", "query")}
        out[operation_id] = Plan(operation_id, handler, bound["path"], bound["query"],
                                 "requestBody" in spec and "body" in takes,
                                 tuple(key for key in _CONTEXT if key in takes),
                                 _absent_body(document, spec), _produces(document, spec))
    return out


def bind(app: flask.Flask, planned: Mapping[str, Plan], jsonifier: Jsonifier) -> int:
    """Replace connexion's views of the planned operations; how many were replaced."""
    replaced = 0
    for endpoint, view in list(app.view_functions.items()):
        plan = planned.get(getattr(view, "operation_id", None) or "")
        if plan is not None:
            app.view_functions[endpoint] = _view(plan, _responder(plan, app, jsonifier))
            replaced += 1
    return replaced


def _responder(plan: Plan, app: flask.Flask, jsonifier: Jsonifier) -> Callable[[Any], Any]:
    """A handler's return as connexion's response decorator makes it: a body, or (body, status[, headers]).
    A JSON body of an operation that produces one JSON type is encoded here; anything else goes to connexion."""
    connexions = SyncResponseDecorator(framework=FlaskFramework, jsonifier=jsonifier).build_framework_response
    content_type, response_class = plan.produces, app.response_class

    def respond(result: Any) -> Any:
        if content_type is None:
            return connexions(result)
        headers: dict[str, str] = {}
        if type(result) is tuple:
            if len(result) == 3:
                data, status, headers = result
            elif len(result) == 2 and type(result[1]) is int:
                data, status = result
            else:
                return connexions(result)
        else:
            data, status = result, None
        if not isinstance(data, dict | list) or any(k.lower() == "content-type" for k in headers):
            return connexions(result)
        headers["Content-Type"] = content_type
        return response_class(jsonifier.dumps(data), status=status or 200, headers=headers, mimetype=content_type)

    return respond


def _view(plan: Plan, respond: Callable[[Any], Any]) -> Callable[..., Any]:
    def view(**view_args: Any) -> Any:
        request = flask.request
        kwargs: dict[str, Any] = {py: convert(view_args[name]) for name, py, convert in plan.path
                                  if name in view_args}
        if plan.query:
            args = request.args
            for name, py, convert in plan.query:
                value = args.get(name)
                if value is not None:
                    kwargs[py] = convert(value)
        if plan.body:
            found = context.get(CONTEXT_KEY)
            if found is not None and found.parsed is not UNPARSED:  # validation parsed it
                body = found.parsed
            else:
                raw = request.get_data(cache=False)
                body = parse_body(raw.decode(request.mimetype_params.get("charset", "utf-8"))) if raw else None
            kwargs["body"] = copy.deepcopy(plan.absent_body) if body is None else body
        if plan.context:
            known = context
            for key in plan.context:
                if key == SESSION:  # looked up now, past the key check (incoming.SessionSelector)
                    kwargs[key] = known[CONTEXT_KEY].session
                elif key in known:
                    kwargs[key] = known[key]
        return respond(plan.handler(**kwargs))

    view.__name__ = plan.operation_id
    return view


def _absent_body(document: Mapping[str, Any], operation: Mapping[str, Any]) -> Any:
    content: Mapping[str, Any] = deref(document, operation.get("requestBody", {})).get("content", {})
    media: Mapping[str, Any] = next(iter(content.values()), {})
    schema = deref(document, media.get("schema", {}))
    return None if schema.get("nullable") else schema.get("default", {})


def _produces(document: Mapping[str, Any], operation: Mapping[str, Any]) -> str | None:
    types = {media for response in operation.get("responses", {}).values()
             for media in deref(document, response).get("content", {})}
    only = types.pop() if len(types) == 1 else None
    return only if only is not None and only.split(";")[0].strip().endswith("json") else None


def _convert(document: Mapping[str, Any], operation_id: str, parameter: Mapping[str, Any]) -> Callable[[str], Any]:
    schema = deref(document, parameter.get("schema", {}))
    kind = schema.get("type")
    if kind not in _CONVERT or "default" in schema:
        raise UnsupportedParameter(f"{operation_id}: parameter {parameter['name']!r} ({kind}"
                                   f"{', with a default' if 'default' in schema else ''}) is not bound by web/views.py")
    return _CONVERT[kind]
