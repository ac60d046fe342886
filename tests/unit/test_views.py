"""web/views.py: handlers get the arguments connexion's own decorators gave them, from a plan made once."""

from typing import Any

import pytest
from connexion import FlaskApp
from connexion.resolver import Resolver

from sendkit_mock.spec import Document, OperationIndex
from sendkit_mock.web import views
from sendkit_mock.web.json_codec import FastJsonifier
from sendkit_mock.web.wsgi_bridge import serve_on_the_loop

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getThing",
                "parameters": [
                    {"name": "pageSize", "in": "query", "schema": {"type": "integer"}},
                    {"name": "type", "in": "query", "schema": {"type": "string"}},
                    {"name": "exact", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "unused", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
            "post": {
                "operationId": "changeThing",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
            "put": {
                "operationId": "replaceThing",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "nullable": True}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
        },
    },
}


def recording() -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    calls: list[tuple[str, dict[str, Any]]] = []

    def get_thing(thing_id: str, page_size: int | None = None, type_: str | None = None,
                  exact: bool | None = None) -> Any:
        calls.append(("getThing", {"thing_id": thing_id, "page_size": page_size, "type_": type_, "exact": exact}))
        return {"thing": thing_id}

    def change_thing(thing_id: str, body: Any) -> Any:
        calls.append(("changeThing", {"thing_id": thing_id, "body": body}))
        return {"changed": body}, 201, {"X-Changed": "yes"}

    def replace_thing(thing_id: str, body: Any) -> Any:
        calls.append(("replaceThing", {"thing_id": thing_id, "body": body}))
        return {"replaced": body}

    return {"getThing": get_thing, "changeThing": change_thing, "replaceThing": replace_thing}, calls


def served(bound: bool) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    handlers, calls = recording()
    app = FlaskApp(__name__)
    jsonifier = FastJsonifier()
    app.add_api(SPEC, resolver=Resolver(function_resolver=handlers.__getitem__), pythonic_params=True,
                jsonifier=jsonifier)
    planned = views.plans(OperationIndex([Document("test", "", SPEC)]), handlers)
    serve_on_the_loop(app, frozenset(), prepare=(lambda: views.bind(app.app, planned, jsonifier)) if bound else None)
    return app, calls


REQUESTS = [
    ("get", "/things/a1?pageSize=7&type=x&exact=true", None),
    ("get", "/things/a2", None),
    ("post", "/things/a3", b'{"n": 1}'),
    ("post", "/things/a4", b""),
    ("put", "/things/a5", b""),
    ("put", "/things/a6", b'{"n": [1, 2]}'),
]


def exchange(app: Any) -> list[tuple[int, str, bytes]]:
    answers = []
    with app.test_client() as client:
        for method, url, body in REQUESTS:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            response = client.request(method, url, content=body, headers=headers)
            answers.append((response.status_code, response.headers.get("content-type", ""), response.content))
    return answers


def test_the_bound_views_pass_what_connexions_decorators_pass_and_answer_alike() -> None:
    (theirs, their_calls), (ours, our_calls) = served(bound=False), served(bound=True)
    assert exchange(ours) == exchange(theirs)
    assert our_calls == their_calls
    assert ("getThing", {"thing_id": "a1", "page_size": 7, "type_": "x", "exact": True}) in our_calls
    assert ("changeThing", {"thing_id": "a3", "body": {"n": 1}}) in our_calls
    assert not any(c == ("changeThing", {"thing_id": "a4", "body": {}}) for c in our_calls)  # refused before: 400
    assert ("replaceThing", {"thing_id": "a5", "body": None}) in our_calls  # a nullable one: None


def test_a_parameter_the_views_cannot_bind_stops_the_build_naming_it() -> None:
    spec = {"paths": {"/x": {"get": {"operationId": "listX", "parameters": [
        {"name": "ids", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}]}}}}

    def list_x(ids: list[str]) -> Any:
        return ids

    with pytest.raises(views.UnsupportedParameter, match=r"listX: parameter 'ids' \(array\)"):
        views.plans(OperationIndex([Document("test", "", spec)]), {"listX": list_x})
