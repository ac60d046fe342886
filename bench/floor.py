"""The floor under the mock: what connexion's FlaskApp costs a request before any of the mock's features.

    python bench/floor.py --port 4011          # serve it (bench/compare.py --servers ...,floor does)
    python bench/floor.py --inprocess          # CPU per request through the ASGI app, as bench/inprocess.py

The contract's API on the stack exactly as the mock builds it (app.py `_web_app`): `openapi.yaml` through
connexion's FlaskApp with strict request validation and response validation, the mock's compiled validators,
its JSON codec and security handlers, Flask called on the loop (web/wsgi_bridge.py) through views bound once
(web/views.py), uvicorn with the same protocol class. What it leaves out is the mock: no sessions, store,
journal, access log, CORS, guards, simulation or ticker; each handler returns an answer recorded from a real
mock at start-up (a created report, the ready report, a page). A mock with every feature on cannot cost less
than this, so the floor's requests per CPU-second are the ceiling of any bar set against a peer.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess  # noqa: E402  (bench/inprocess.py: the request driver and the workloads)


def recorded() -> dict[str, tuple[Any, int]]:
    """The answers of a real mock (embedded store, manual clock) to the workloads, by operation."""
    from sendkit_mock.app import create_mock
    from sendkit_mock.delivery.executors import InlineExecutor
    from sendkit_mock.settings import Settings

    mock = create_mock(Settings(clock_mode="manual", log_level="warning"), executor=InlineExecutor())

    async def answers() -> dict[str, tuple[Any, int]]:
        status, raw = await inprocess.call(mock.app, "POST", "/v1/reports", inprocess.SEED_BODY, True)
        created = (json.loads(raw), status)
        report_id = created[0]["data"]["reports"][0]["id"]
        await inprocess.call(mock.app, "POST", "/__mock/clock", b'{"advance": 10}', False)
        status, raw = await inprocess.call(mock.app, "GET", f"/v1/reports/{report_id}", None, True)
        ready = (json.loads(raw), status)
        status, raw = await inprocess.call(mock.app, "GET", "/v1/reports?limit=20", None, True)
        return {"createReport": created, "getReport": ready, "listReports": (json.loads(raw), status)}

    return asyncio.run(answers())


def floor_app(kind: str = "flask") -> tuple[Any, str]:
    """The stack with recorded answers; and the ready report's id. `kind` "async": connexion's AsyncApp (no
    Flask: connexion calls the handlers on the loop), for the figure of the road not taken."""
    from connexion import AsyncApp, FlaskApp
    from connexion.datastructures import MediaTypeDict
    from connexion.exceptions import ProblemException
    from connexion.resolver import Resolver
    from connexion.validators import TextResponseBodyValidator
    from starlette.exceptions import HTTPException

    from sendkit_mock import spec
    from sendkit_mock.domain.auth import Authenticator
    from sendkit_mock.domain.world import load_world
    from sendkit_mock.errors import ApiError
    from sendkit_mock.resources import default_fixtures_path, spec_path
    from sendkit_mock.runtime.incidents import Incidents
    from sendkit_mock.web import errors, views
    from sendkit_mock.web.json_codec import FastJsonifier
    from sendkit_mock.web.responses import CompiledResponseBodyValidator
    from sendkit_mock.web.security import security_map
    from sendkit_mock.web.validation import RequestBodyValidator, RequestParameterValidator
    from sendkit_mock.web.wsgi_bridge import serve_on_the_loop

    answers = recorded()

    def create_report(body: Any) -> Any:
        return answers["createReport"]

    def get_report(id_: str) -> Any:
        return answers["getReport"]

    def list_reports(limit: int | None = None) -> Any:
        return answers["listReports"]

    handlers = {"createReport": create_report, "getReport": get_report, "listReports": list_reports}
    documents = spec.load(spec_path())
    jsonifier = FastJsonifier()
    app = FlaskApp(__name__) if kind == "flask" else AsyncApp(__name__)
    app.add_api(
        copy.deepcopy(documents.sendkit.document),
        swagger_ui_options=None,
        resolver=Resolver(function_resolver=lambda operation_id: handlers.get(operation_id, get_report)),
        strict_validation=True, validate_responses=True, pythonic_params=True, jsonifier=jsonifier,
        validator_map={
            "parameter": RequestParameterValidator,
            "body": MediaTypeDict({"*/*json": RequestBodyValidator}),
            "response": MediaTypeDict({"*/*json": CompiledResponseBodyValidator,
                                       "text/plain": TextResponseBodyValidator}),
        },
        security_map=security_map(Authenticator(load_world(default_fixtures_path()))),
    )
    handlers_of_errors = errors.ErrorHandlers(Incidents())  # every error in SendKit's shape, as the mock's
    app.add_error_handler(ApiError, handlers_of_errors.on_api_error)
    app.add_error_handler(ProblemException, handlers_of_errors.on_problem)
    app.add_error_handler(HTTPException, errors.on_http_exception)
    index = spec.OperationIndex(documents)
    planned = views.plans(index, handlers)
    if kind == "flask":
        serve_on_the_loop(app, frozenset(), prepare=lambda: views.bind(app.app, planned, jsonifier))
    return app, answers["getReport"][0]["data"]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, help="serve on 127.0.0.1:PORT")
    parser.add_argument("--inprocess", action="store_true", help="measure through the ASGI app instead")
    parser.add_argument("--app", choices=("flask", "async"), default="flask",
                        help="connexion's FlaskApp (the mock's stack) or its AsyncApp")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app, report_id = floor_app(args.app)
    if args.inprocess:
        async def every_workload() -> None:
            for name in ("post", "invalid", "nokey", "get", "list"):
                await inprocess.measure(app, name, report_id, requests=args.requests, concurrency=8,
                                        repeat=args.repeat)

        asyncio.run(every_workload())
        sys.stdout.flush()
        os._exit(0)  # connexion's worker threads of the recording mock are not daemons
    if args.port is None:
        parser.error("--port or --inprocess")
    import uvicorn

    from sendkit_mock.runtime.connections import Connections
    from sendkit_mock.runtime.limits import Limits
    from sendkit_mock.settings import Settings

    print(f"report {report_id}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, loop="asyncio",
                ws="none", http=Connections().protocol(Limits.of(Settings())))


if __name__ == "__main__":
    main()
