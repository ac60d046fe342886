"""Every place the mock leans on something a library does not promise: one module each, and here a test that
fails, naming that module, the day the library moves it. What a public extension point can do goes through it
(validator_map, security_map, add_middleware, add_error_handler, Flask's view_functions, uvicorn's --http
protocol class); these are what is left.

| library   | what is used                                                     | the one module using it   |
|-----------|------------------------------------------------------------------|---------------------------|
| connexion | FlaskApp's `_middleware_app.asgi_app`, an a2wsgi WSGIMiddleware  | web/wsgi_bridge.py        |
| connexion | body validators' `_parse`/`_validate` and `_schema`, `_encoding`, `_nullable`, `_required` | web/validation.py |
| connexion | response validators' `_parse`/`_validate` and `_schema`          | web/responses.py          |
| connexion | `decorators.parameter.pythonic`, `SyncResponseDecorator.build_framework_response`, a view's `operation_id` | web/views.py |
| uvicorn   | the HTTP protocol classes' `client`, `connection_made`/`_lost`   | runtime/connections.py    |
| uvicorn   | the protocols' `data_received`, `transport`, `loop`, `cycle` (`response_started`/`_complete`, `keep_alive`, `disconnected`, `message_event`), `flow` (`read_paused`, `pause_reading`, `resume_reading`), `server_state.default_headers`; httptools' `on_message_begin`/`on_headers_complete`/`on_message_complete`; h11's `conn.their_state` | runtime/connections.py |
| asyncio   | the words of a failed `accept()` and of its failed retry (`_start_serving`) on the `asyncio` logger | runtime/limits.py |
| httpx     | the `httpx._main` module, marked absent so its CLI is not loaded | cli.py                    |
| rstr      | `Xeger._handle_repeat`                                           | simulation/generator.py   |
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from sendkit_mock import Settings, create_mock


def test_connexion_flask_app_reaches_flask_through_a2wsgi_where_the_bridge_looks() -> None:  # web/wsgi_bridge.py
    from a2wsgi import WSGIMiddleware
    from connexion import FlaskApp

    app = FlaskApp(__name__)
    assert isinstance(app._middleware_app.asgi_app, WSGIMiddleware)


def test_connexion_body_validators_keep_what_web_validation_overrides() -> None:  # web/validation.py
    from connexion.validators import JSONRequestBodyValidator

    validator = JSONRequestBodyValidator(schema={"type": "object"}, required=True, nullable=False, encoding="utf-8",
                                         strict_validation=True)
    for attribute in ("_schema", "_encoding", "_nullable", "_required"):
        assert hasattr(validator, attribute), attribute
    assert inspect.iscoroutinefunction(JSONRequestBodyValidator._parse)
    assert list(inspect.signature(JSONRequestBodyValidator._parse).parameters) == ["self", "stream", "scope"]
    assert list(inspect.signature(JSONRequestBodyValidator._validate).parameters) == ["self", "body"]


def test_connexion_response_validators_keep_what_web_responses_overrides() -> None:  # web/responses.py
    from connexion.validators import JSONResponseBodyValidator

    validator = JSONResponseBodyValidator({}, schema={"type": "object"}, nullable=False, encoding="utf-8")
    assert hasattr(validator, "_schema")
    assert list(inspect.signature(JSONResponseBodyValidator._parse).parameters) == ["self", "stream"]
    assert list(inspect.signature(JSONResponseBodyValidator._validate).parameters) == ["self", "body"]


def test_connexion_views_carry_their_operation_id_and_the_helpers_views_use_are_there() -> None:  # web/views.py
    from connexion.decorators.parameter import pythonic
    from connexion.decorators.response import SyncResponseDecorator

    assert pythonic("reportType") == "report_type" and pythonic("id") == "id_"
    assert callable(getattr(SyncResponseDecorator, "build_framework_response", None))
    mock = create_mock(Settings())  # the build counts the views it replaced and fails on a shortfall
    from starlette.testclient import TestClient

    with TestClient(mock.app) as client:
        assert client.get("/__mock/clock").status_code == 200  # the first request binds the views


@pytest.mark.parametrize("module", ["uvicorn.protocols.http.httptools_impl", "uvicorn.protocols.http.h11_impl"])
def test_uvicorn_protocols_have_the_hooks_the_connection_registry_takes(module: str) -> None:
    # runtime/connections.py
    import importlib

    protocol: Any = next(v for k, v in vars(importlib.import_module(module)).items()
                         if k.endswith("Protocol") and isinstance(v, type) and v.__module__ == module)
    assert callable(protocol.connection_made) and callable(protocol.connection_lost)
    assert "self.client" in inspect.getsource(protocol.connection_made)


def test_httpx_keeps_its_command_line_in_the_module_cli_marks_absent() -> None:  # cli.py
    import importlib.util

    assert importlib.util.find_spec("httpx._main") is not None


def test_rstr_keeps_the_repeat_hook_the_generator_bounds() -> None:  # simulation/generator.py
    from rstr.xeger import Xeger

    assert list(inspect.signature(Xeger._handle_repeat).parameters)[:4] == ["self", "start_range", "end_range",
                                                                            "value"]


@pytest.mark.parametrize("parser", ["httptools", "h11"])
def test_uvicorn_protocols_keep_what_the_connection_bounds_use(parser: str) -> None:  # runtime/connections.py
    import asyncio
    import importlib

    import uvicorn
    from uvicorn.server import ServerState

    module = importlib.import_module(f"uvicorn.protocols.http.{parser}_impl")
    protocol_class = next(v for k, v in vars(module).items()
                          if k.endswith("Protocol") and isinstance(v, type) and v.__module__ == module.__name__)
    loop = asyncio.new_event_loop()
    try:
        protocol = protocol_class(uvicorn.Config(lambda *a: None, h11_max_incomplete_event_size=16_384),
                                  ServerState(), {}, _loop=loop)
    finally:
        loop.close()
    for attribute in ("transport", "loop", "client", "cycle", "flow", "server_state", "data_received"):
        assert hasattr(protocol, attribute), attribute
    assert isinstance(protocol.server_state.default_headers, list)
    if parser == "httptools":  # the parser calls these back; the bounds wrap them to follow the request
        for callback in ("on_message_begin", "on_headers_complete", "on_message_complete"):
            assert callable(getattr(protocol, callback, None)), callback
    else:  # h11 calls nothing back: its connection's state is read instead
        import h11

        assert protocol.conn.their_state is h11.IDLE
    cycle = inspect.getsource(module.RequestResponseCycle.__init__)
    for attribute in ("response_started", "response_complete", "keep_alive", "disconnected", "message_event"):
        assert f"self.{attribute} =" in cycle, attribute


def test_uvicorn_flow_control_keeps_what_the_body_timeout_reads() -> None:  # runtime/connections.py
    from uvicorn.protocols.http.flow_control import FlowControl

    assert "self.read_paused = False" in inspect.getsource(FlowControl.__init__)
    assert callable(FlowControl.pause_reading) and callable(FlowControl.resume_reading)


def test_asyncio_words_its_accept_errors_as_the_filter_expects() -> None:  # runtime/limits.py
    import asyncio.selector_events

    from sendkit_mock.runtime.limits import ACCEPT_ERROR, ACCEPT_RETRY

    source = inspect.getsource(asyncio.selector_events.BaseSelectorEventLoop._accept_connection)
    assert f"'message': '{ACCEPT_ERROR}'" in source and "self._start_serving" in source
    assert "f'Exception in callback {" in inspect.getsource(asyncio.events.Handle._run)
    assert ACCEPT_RETRY.startswith("Exception in callback ") and ACCEPT_RETRY.endswith(
        f"{asyncio.selector_events.BaseSelectorEventLoop.__name__}._start_serving(")
