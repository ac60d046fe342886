"""The composition root: the only place where the framework, the domain and the settings meet."""

from __future__ import annotations

from . import web  # noqa: F401  (first: it imports connexion without connexion's own import-time warning)

# isort: split
import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from connexion import FlaskApp
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.validators import TextResponseBodyValidator
from starlette.exceptions import HTTPException

from . import __version__, spec
from .api.canned import canned
from .api.control import ControlApi
from .api.recipients import RecipientsApi
from .api.reports import ReportsApi
from .api.webhooks import WebhooksApi
from .clock import Clock, ManualClock, SystemClock
from .delivery.executors import Executor, InlineExecutor, PoolExecutor
from .delivery.outbox import Outbox
from .delivery.senders import HttpSender, Sender, system_resolver
from .delivery.webhooks import WebhookDispatcher
from .domain.auth import Authenticator
from .domain.content import ContentFactory
from .domain.destinations import Resolver as HostResolver
from .domain.recipients import RecipientService
from .domain.service import ReportService
from .domain.stores import StoresFactory
from .domain.webhooks import WebhookService
from .domain.world import World, load_world
from .errors import ApiError, need
from .resources import spec_path
from .runtime.background import Background
from .runtime.connections import Connections
from .runtime.incidents import Incidents, Reloads
from .session import snapshot
from .session.sessions import Session, SessionParts, Sessions
from .settings import Settings
from .simulation.answers import Answers
from .simulation.stubs import StubRules
from .stores.memory import InMemoryStores
from .web import errors, views
from .web.admin import AdminGuard, OwnOrigin
from .web.dashboard import DashboardRoutes
from .web.docs import DocsRoutes
from .web.incoming import Intake, SessionSelector
from .web.json_codec import FastJsonifier
from .web.middleware import HeadAsGet, RequestGuard, RequestMemo
from .web.recorder import JournalRecorder
from .web.responses import CompiledResponseBodyValidator
from .web.routes import ContractCors, MethodGuard, answer_headers
from .web.security import security_map
from .web.simulator import Simulation
from .web.validation import RequestBodyValidator, RequestParameterValidator
from .web.wsgi_bridge import serve_on_the_loop

APP_CLASS = FlaskApp  # the one-line choice: connexion.AsyncApp serves the same handlers


@dataclass(slots=True)
class Mock:
    """A built mock: the ASGI app, its sessions, and shortcuts to the `default` session for tests."""

    app: Any
    settings: Settings
    clock: Clock  # the base clock every session's clock follows (or starts from, in manual mode)
    sessions: Sessions
    background: Background
    connections: Connections  # the server's open connections, for faults: serve with connections.protocol()
    incidents: Incidents  # the mock's own failures (500s, answers that broke the contract), by session
    reloads: Reloads  # serve --watch: reloads made and the last one refused

    def session(self, name: str | None = None) -> Session:
        return self.sessions.get(name)

    @property
    def service(self) -> ReportService:
        return self.session().reports

    @property
    def recipients(self) -> RecipientService:
        return self.session().recipients

    @property
    def webhooks(self) -> WebhookService:
        return self.session().webhooks

    @property
    def dispatcher(self) -> WebhookDispatcher:
        return self.session().dispatcher

    @property
    def outbox(self) -> Outbox:
        return self.session().outbox

    def tick(self) -> None:
        """Run what the clocks made due in every session: schedules, recipient e-mails, webhook attempts."""
        for session in self.sessions.all():
            session.tick()

    def advance(self, seconds: float) -> None:
        """Move the base ManualClock on and tick, as the server's background thread would."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("advance() needs the mock to be built with a ManualClock")
        self.clock.advance(seconds)
        self.tick()

    def start_background(self) -> None:
        self.background.start()

    def stop_background(self) -> None:
        self.background.stop()


EXPIRY_TICKS = 200  # a shared store's idle and surplus sessions are dropped every 200 ticks (10 s by default)


def _real_time_ticker(sessions: Sessions, interval: float, clock: Clock) -> Callable[[], None]:
    ticks = itertools.count()

    def tick() -> None:
        if next(ticks) % EXPIRY_TICKS == 0:
            sessions.expire()
        if sessions.directory is not None and not sessions.directory.claim_round(interval):
            return  # another worker ticks every session this round
        for session in sessions.ticking(clock.now()):
            session.tick()

    return tick


def create_mock(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    stores: StoresFactory | None = None,
    world: World | None = None,
    sender: Sender | None = None,
    executor: Executor | None = None,
    background: bool = False,
    resolver: HostResolver | None = None,
    keep: Mock | None = None,
) -> Mock:
    """Build the mock. Background work runs inline on `tick()` unless an executor says otherwise; with
    `background`, the app's ASGI lifespan starts the ticker thread and stops it (and the executor).
    `resolver`: host name -> addresses, for the webhook destination check (the system's by default).
    `keep`: a mock this one replaces (serve --watch): its sessions' state, connections and incidents go on
    under the new world and contract."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    world = world or load_world(settings.fixtures)
    executor = executor or InlineExecutor()
    auth = Authenticator(world)
    stores = stores or _stores(settings)
    destinations = settings.destinations(resolver or system_resolver)
    parts = SessionParts(settings, world, clock, sender or HttpSender(), executor, auth,
                         ContentFactory(world, settings.seed), stores, destinations)
    sessions = Sessions(parts.build, settings.max_sessions, stores.directory)
    connections, incidents, reloads = Connections(), Incidents(), Reloads(settings.watch)
    if keep is not None:
        connections, incidents, reloads = keep.connections, keep.incidents, keep.reloads
        if stores.directory is None:  # a shared store keeps every session by itself
            for old in keep.sessions.all():
                sessions.put(parts.build(old.name, stores=old.stores))
    elif settings.state is not None:
        default = sessions.build()
        snapshot.read_file(settings.state, default)  # StateFileError names the file and the entries
        sessions.put(default)
    ticking = Background(_real_time_ticker(sessions, settings.tick_seconds, clock), settings.tick_seconds, executor)
    store_kind = "memory" if settings.store == "memory" else "redis"
    documents = spec.load(spec_path())
    rules = StubRules(spec.OperationIndex([documents.sendkit]), _answers(documents.sendkit, settings.seed))
    control = ControlApi(auth, sessions, world, lambda: {"version": __version__, "seed": str(settings.seed),
                                                         "store": store_kind, "reload": reloads.to_json()}, rules)
    app = _web_app(settings, world, sessions, connections, incidents, control,
                   ticking.lifespan if background else None, _waiting_operations(executor))
    return Mock(app, settings, clock, sessions, ticking, connections, incidents, reloads)


def _waiting_operations(executor: Executor) -> frozenset[str]:
    """The operations whose handlers can wait on the network, or work through a whole journal or state
    document (a count parsing up to 1,000 bodies took 68 ms): they run on a thread, where the loop keeps
    answering between the interpreter's switches; the others on the loop."""
    delivering = {"mockMoveClock", "mockForceReportStatus"} if executor.inline else set()
    whole = {"mockCountRequests", "mockRequests", "mockState", "mockReplaceState", "mockCoverage"}
    return frozenset({"testWebhook", *delivering, *whole})


def _stores(settings: Settings) -> StoresFactory:
    """Where sessions live: in this process (the default), or in a Redis that several workers share."""
    if settings.store == "memory":
        return InMemoryStores(max_reports=settings.max_reports, journal_size=settings.journal_size,
                              total_reports=settings.max_reports_total, log_bytes=settings.log_budget_mib << 20)
    need("redis", "redis")
    from .stores.redis import RedisStores  # redis-py is imported only by those who ask for it

    return RedisStores.connect(settings.store, max_reports=settings.max_reports, journal_size=settings.journal_size,
                               max_sessions=settings.max_sessions, idle_seconds=settings.session_idle_seconds)


def create_app(settings: Settings | None = None, **parts: Any) -> Any:
    """The ASGI app alone, ticking while the server runs (its lifespan): for `uvicorn --factory` and others."""
    settings = settings or Settings()
    return create_mock(settings, executor=PoolExecutor(settings.delivery_workers), background=True, **parts).app


def _web_app(settings: Settings, world: World, sessions: Sessions, connections: Connections, incidents: Incidents,
             control: ControlApi, lifespan: Callable[[Any], Any] | None, waiting: frozenset[str]) -> Any:
    """connexion's app over the two documents (SendKit's contract, then the mock's own API): routing,
    validation both ways, and every error in SendKit's shape."""
    documents = spec.load(spec_path())
    index = spec.OperationIndex(documents)
    operations = _operations(control, _answers(documents.sendkit, settings.seed))
    jsonifier = FastJsonifier()
    app = APP_CLASS(__name__, lifespan=lifespan)
    definitions = [{"url": f"{d.spec_path}.json", "name": d.title} for d in documents]  # Swagger UI's list
    for document, ui in ((documents.sendkit, SwaggerUIOptions(serve_spec=False, swagger_ui_template_arguments={
            "urls": definitions})), (documents.mock, SwaggerUIOptions(serve_spec=False, swagger_ui=False))):
        app.add_api(
            copy.deepcopy(document.document),  # a dict (connexion would render a file as a Jinja template,
            # `{{company}}` -> ``), and a copy: add_api resolves it in place
            swagger_ui_options=ui,  # DocsRoutes serves the documents as written
            resolver=Resolver(function_resolver=lambda operation_id: _resolve(operations, operation_id)),
            strict_validation=True,
            validate_responses=True,
            pythonic_params=True,
            jsonifier=jsonifier,
            validator_map={
                "parameter": RequestParameterValidator,
                "body": MediaTypeDict({"*/*json": RequestBodyValidator}),
                "response": MediaTypeDict({"*/*json": CompiledResponseBodyValidator,
                                           "text/plain": TextResponseBodyValidator}),
            },
            security_map=security_map(control.auth),
        )
    planned = views.plans(index, operations)
    serve_on_the_loop(app, threaded=waiting, prepare=lambda: _bind_views(app, planned, jsonifier))
    hosts = tuple(h.strip() for h in (settings.allowed_hosts or "").split(",") if h.strip())
    app.add_middleware(OwnOrigin, MiddlewarePosition.BEFORE_SWAGGER, allowed_hosts=hosts)  # before the page
    app.add_middleware(AdminGuard, MiddlewarePosition.BEFORE_SWAGGER, token=settings.admin_token)  # and its token
    app.add_middleware(DocsRoutes, MiddlewarePosition.BEFORE_SWAGGER, documents=documents)
    shown_key = None if settings.admin_token else world.workspaces[0].api_key  # with a token, no key in the page
    app.add_middleware(DashboardRoutes, MiddlewarePosition.BEFORE_SWAGGER, key=shown_key)
    app.add_middleware(RequestGuard, MiddlewarePosition.BEFORE_SWAGGER, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(MethodGuard, MiddlewarePosition.BEFORE_SWAGGER)
    app.add_middleware(SessionSelector, MiddlewarePosition.BEFORE_SWAGGER)
    app.add_middleware(errors.LastResort, MiddlewarePosition.BEFORE_EXCEPTION, incidents=incidents)
    app.add_middleware(Intake, MiddlewarePosition.BEFORE_EXCEPTION, index=index, sessions=sessions,
                       max_body_bytes=settings.max_body_bytes)
    if sessions.directory is not None:  # a shared store's request memo; the embedded one needs none
        app.add_middleware(RequestMemo, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(HeadAsGet, MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(JournalRecorder, MiddlewarePosition.BEFORE_EXCEPTION)
    origins = [o.strip() for o in settings.cors_origins.split(",")]
    app.add_middleware(ContractCors, MiddlewarePosition.BEFORE_EXCEPTION, every_method=index.every_method,
                       origins=origins, expose=answer_headers([documents.sendkit.document, documents.mock.document]))
    app.add_middleware(Simulation, MiddlewarePosition.BEFORE_VALIDATION, connections=connections)  # key checked
    handlers = errors.ErrorHandlers(incidents)
    app.add_error_handler(ApiError, handlers.on_api_error)
    app.add_error_handler(ProblemException, handlers.on_problem)
    app.add_error_handler(HTTPException, errors.on_http_exception)
    app.add_error_handler(Exception, handlers.on_unexpected)
    return app


def _bind_views(app: Any, planned: dict[str, views.Plan], jsonifier: FastJsonifier) -> None:
    bound = views.bind(app.app, planned, jsonifier)
    if bound != len(planned):
        raise RuntimeError(f"web/views.py bound {bound} of the contract's {len(planned)} operations: connexion "
                           "registers its Flask views otherwise than it did")


def _operations(control: ControlApi, answers: Answers) -> dict[str, Any]:
    """Every operation's handler; an API handler answers from the contract when `Prefer` asks it to."""
    reports, recipients, webhooks = ReportsApi(), RecipientsApi(), WebhooksApi()
    api: dict[str, Callable[..., Any]] = {
        "createReport": reports.create,
        "getReport": reports.get,
        "listReports": reports.list,
        "deleteReport": reports.delete,
        "createRecipient": recipients.create,
        "listRecipients": recipients.list,
        "getRecipient": recipients.get,
        "updateRecipient": recipients.update,
        "deleteRecipient": recipients.delete,
        "createWebhook": webhooks.create,
        "listWebhooks": webhooks.list,
        "getWebhook": webhooks.get,
        "updateWebhook": webhooks.update,
        "deleteWebhook": webhooks.delete,
        "testWebhook": webhooks.test,
    }
    return {name: canned(name, handler, answers) for name, handler in api.items()} | {
        "mockServer": control.server,
        "mockWorld": control.world_view,
        "mockReports": control.reports,
        "mockReport": control.report,
        "mockDeliveries": control.deliveries,
        "mockOutbox": control.outbox_entries,
        "mockWebhookDeliveries": control.webhook_attempts,
        "mockReset": control.reset,
        "mockClock": control.clock,
        "mockMoveClock": control.move_clock,
        "mockForceReportStatus": control.force_status,
        "mockState": control.state,
        "mockReplaceState": control.replace_state,
        "mockRequests": control.requests,
        "mockClearRequests": control.clear_requests,
        "mockCountRequests": control.count_requests,
        "mockSettings": control.settings,
        "mockChangeSettings": control.change_settings,
        "mockCoverage": control.coverage,
        "mockStubs": control.stubs,
        "mockAddStub": control.add_stub,
        "mockRemoveStub": control.remove_stub,
        "mockClearStubs": control.clear_stubs,
    }


@lru_cache(maxsize=4)
def _answers(contract: spec.Document, seed: int | str) -> Answers:
    return Answers(contract, seed)


def _resolve(operations: dict[str, Any], operation_id: str) -> Any:
    try:
        return operations[operation_id]
    except KeyError:
        raise ValueError(f"openapi.yaml names operation {operation_id!r}, which has no handler") from None
