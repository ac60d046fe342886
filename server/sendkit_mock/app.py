"""The composition root: the only place where the framework, the domain and the settings meet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from connexion import FlaskApp
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.jsonifier import Jsonifier
from connexion.middleware import MiddlewarePosition
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from .api.reports import ReportsApi
from .clock import Clock, SystemClock
from .domain.content import ContentFactory
from .domain.ids import IdFactory
from .domain.lifecycle import Lifecycle
from .domain.service import ReportService
from .domain.world import World, load_world
from .errors import ApiError
from .resources import spec_path
from .settings import Settings
from .store import InMemoryReportStore, ReportStore
from .web import errors
from .web.middleware import HeadAsGet, RequestGuard
from .web.routes import AllowedMethods
from .web.security import security_map
from .web.validation import RequestBodyValidator, RequestParameterValidator

APP_CLASS = FlaskApp  # the one-line choice: connexion.AsyncApp serves the same handlers


@dataclass(frozen=True, slots=True)
class Mock:
    """A built mock: the ASGI app and the parts a test may want to reach."""

    app: Any
    settings: Settings
    clock: Clock
    service: ReportService


def create_mock(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    store: ReportStore | None = None,
    world: World | None = None,
) -> Mock:
    settings = settings or Settings()
    clock = clock or SystemClock()
    world = world or load_world(settings.fixtures)
    lifecycle = Lifecycle(settings.queued_seconds, settings.processing_seconds, settings.failure_rate, settings.seed)
    service = ReportService(
        world=world,
        store=store if store is not None else InMemoryReportStore(settings.max_reports),
        clock=clock,
        ids=IdFactory(settings.seed),
        lifecycle=lifecycle,
        content=ContentFactory(world, settings.seed),
    )
    reports = ReportsApi(service)
    operations = {
        "createReport": reports.create,
        "getReport": reports.get,
        "listReports": reports.list,
        "deleteReport": reports.delete,
    }
    app = APP_CLASS(__name__)
    app.add_api(
        spec_path(),
        resolver=Resolver(function_resolver=lambda operation_id: _resolve(operations, operation_id)),
        strict_validation=True,
        validate_responses=True,
        pythonic_params=True,
        jsonifier=Jsonifier(json, separators=(",", ":")),
        validator_map={
            "parameter": RequestParameterValidator,
            "body": MediaTypeDict({"*/*json": RequestBodyValidator}),
        },
        security_map=security_map(service.auth),
    )
    app.add_middleware(RequestGuard, MiddlewarePosition.BEFORE_SWAGGER, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(HeadAsGet, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(
        CORSMiddleware,
        MiddlewarePosition.BEFORE_EXCEPTION,
        allow_origins=[o.strip() for o in settings.cors_origins.split(",")],
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.add_error_handler(ApiError, errors.on_api_error)
    app.add_error_handler(ProblemException, errors.on_problem)
    app.add_error_handler(HTTPException, errors.http_exception_handler(AllowedMethods(_load_spec())))
    app.add_error_handler(Exception, errors.on_unexpected)
    return Mock(app=app, settings=settings, clock=clock, service=service)


def create_app(settings: Settings | None = None, **parts: Any) -> Any:
    """The ASGI app alone, for `uvicorn --factory` and other servers."""
    return create_mock(settings, **parts).app


def _load_spec() -> dict[str, Any]:
    loaded = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _resolve(operations: dict[str, Any], operation_id: str) -> Any:
    try:
        return operations[operation_id]
    except KeyError:
        raise ValueError(f"openapi.yaml names operation {operation_id!r}, which has no handler") from None
