"""The mock against both its documents, SendKit's contract (openapi.yaml, `/openapi.json`) and its own API
(`/__mock/openapi.json`): Schemathesis, in-process, every operation, every check.

* `test_workspace_key`, `test_platform_key`: one test per operation, running the examples, coverage and
  fuzzing phases with positive and negative data, for a workspace key (`X-Api-Key`) and for a platform key
  (`Authorization: Bearer` and `X-Workspace-Id`); `test_control_plane` the same for the mock's own API. `case.call_and_validate()` runs every check the config
  enables, and the config enables all of them (`not_a_server_error`, the conformance checks,
  `positive_data_acceptance`, `negative_data_rejection`, `unsupported_method`, `missing_required_header`,
  `ignored_auth`, ...); `test_every_phase_mode_and_check_is_on` holds the config to that.
* `test_report_links_stateful`, `test_all_links_stateful`: Schemathesis' state machine through the OpenAPI
  links (POST /v1/reports -> GET / DELETE /v1/reports/{id}; recipients and webhooks likewise), each
  scenario on a fresh mock, every check on every step.

Every rule JSON Schema can say is in openapi.yaml (period bounds, time zones, a campaign report's
campaignIds). Two rules no schema can say: a platform key names its workspace (else 400), and a period's end
is not before its start (else a 400 naming periodEnd; openapi.yaml states it in words, `x-sendkit-inferred`,
and as `x-sendkit-not-before`, since JSON Schema cannot compare two fields). Others answer with statuses
Schemathesis accepts for valid data but reach nothing interesting: unknown campaign, recipient or cursor ids
(404), a taken e-mail (409). Hooks registered on these schemas alone (never globally) keep *positive* cases
to them, so `positive_data_acceptance` holds every operation to the strict check and runs reach created
reports and real pages: `map_case` for generated cases, `before_add_examples` for the schema's examples.
Negative cases go out as generated. The hooks read the rules in their own words, not through the server's
code. (`st run`, which takes no hook, accepts a 400 for positive data on POST /v1/reports instead:
tests/e2e/test_schemathesis_cli.py.)

Deterministic: a fixed seed and no example database. `SENDKIT_CONTRACT_SEED=<n>` picks another seed and
`SENDKIT_CONTRACT_EXAMPLES=<n>` another example budget, to explore further.
"""

from __future__ import annotations

import atexit
import copy
import functools
import itertools
import os
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, seed
from hypothesis import settings as hypothesis_settings
from schemathesis import Case, GenerationMode, HookContext
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.transport import Response
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER
from schemathesis.schemas import BaseSchema

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.clock import exact, parse_exact
from sendkit_mock.delivery.senders import RecordingSender
from sendkit_mock.domain.auth import Authenticator
from sendkit_mock.domain.world import load_world
from sendkit_mock.session import snapshot
from tests.conftest import PLATFORM_KEY, SEED_CAMPAIGNS, START, WS_ID, WS_KEY
from tests.redis_server import RedisServer
from tests.tooling import command

SEED = int(os.environ.get("SENDKIT_CONTRACT_SEED", "20261117"))
MAX_EXAMPLES = int(os.environ.get("SENDKIT_CONTRACT_EXAMPLES", "60"))
STATEFUL_EXAMPLES = max(10, MAX_EXAMPLES // 3)
WORKSPACE_HEADER = "X-Workspace-Id"


def _config(auth: dict[str, dict[str, str]]) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # Every phase of a parametrized test, both generation modes, every check: spelled out, so a
            # changed default cannot quietly narrow the run (test_every_phase_mode_and_check_is_on).
            # The stateful runs set their own Hypothesis settings (run_links).
            "phases": {
                "examples": {"enabled": True, "fill-missing": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
            },
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "database": "none",
            },
            "checks": {"enabled": True},
            "auth": {"openapi": auth},
        }
    )


# Reads of reports that a platform key may make without X-Workspace-Id: they address the user's own
# (organizational) reports. Every other call of a platform key names its workspace.
_USER_SCOPED_READS = {("GET", "/v1/reports"), ("GET", "/v1/reports/{id}"), ("DELETE", "/v1/reports/{id}")}


def _bound(value: str, *, end: bool) -> datetime | None:
    """The instant a period bound names (a date as an end covers its whole day), to the microsecond; None
    when Python cannot read it."""
    text = value.upper()
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text))  # it reads six digits at most
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def period_in_order(body: dict[str, Any]) -> None:
    """A period's end is not before its start. Where that is not plainly so (reversed, equal to the
    microsecond, unreadable here, or the end left out, when it is today, which a generated start may be
    after), the end becomes the start: a period of one day or of no time, which the mock takes."""
    start, end = body.get("periodStart"), body.get("periodEnd")
    if not isinstance(start, str):
        return
    start_at, end_at = _bound(start, end=False), _bound(end, end=True) if isinstance(end, str) else None
    if start_at is None or end_at is None or end_at <= start_at:
        body["periodEnd"] = start


def _contract_names() -> list[str]:
    """The operation ids and tags of SendKit's contract, read from openapi.yaml."""
    contract = yaml.safe_load((Path(__file__).parents[2] / "openapi.yaml").read_text(encoding="utf-8"))
    names: list[str] = []
    for item in contract["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                names += [operation["operationId"], *operation.get("tags", [])]
    return sorted(set(names))


CONTRACT_NAMES = _contract_names()


def consistent_positive_cases(server: MockServer, key: str, platform: bool) -> Callable[[Case], None]:
    """Make a positive case obey the semantic rules, so that only a server bug can make it a 4xx."""
    world = server.world  # the same fixtures after every reset
    principal = Authenticator(world).authenticate(key)
    assert principal is not None
    workspace = world.workspace(WS_ID)
    assert workspace is not None and principal.user.id == workspace.owner_id
    campaigns = SEED_CAMPAIGNS + [c for c in workspace.campaigns_by_id if c not in SEED_CAMPAIGNS]
    assert set(SEED_CAMPAIGNS) <= set(workspace.campaigns_by_id)
    recipients_of_workspace = [r.id for r in workspace.recipients]
    owned = [ws for ws in world.workspaces if ws.owner_id == workspace.owner_id]
    recipients_of_user = [r.id for ws in owned for r in ws.recipients]

    fresh = itertools.count(1)

    def some_campaigns(generated: object, *, at_least: int) -> list[str]:
        wanted = len(generated) if isinstance(generated, list) else at_least
        return campaigns[: max(at_least, min(wanted, len(campaigns)))]

    def create_report(body: dict[str, Any], _headers: dict[str, Any]) -> None:
        if body.get("reportType") == "campaign":  # 1 to 10 campaigns of the workspace
            body["campaignIds"] = some_campaigns(body.get("campaignIds"), at_least=1)
        if body.get("recipientIds"):  # recipients of the workspace (organizational: of the user)
            organizational = body.get("reportType") == "organizational"
            known = recipients_of_user if organizational else recipients_of_workspace
            body["recipientIds"] = known[: min(len(body["recipientIds"]), len(known))]

    def write_recipient(body: dict[str, Any], _headers: dict[str, Any]) -> None:
        email = body.get("email")
        if isinstance(email, str) and "@" in email:  # new in the workspace (a taken one is a 409)
            unique = f"u{next(fresh)}.{email}"
            body["email"] = unique if len(unique) <= 254 else email
        if body.get("campaignIds"):  # campaigns of the workspace
            body["campaignIds"] = some_campaigns(body["campaignIds"], at_least=0)

    def newest_report(headers: dict[str, Any]) -> str | None:
        page = server.mock.service.page(principal, headers.get(WORKSPACE_HEADER), cursor=None, limit=1)
        return page.items[0].id if page.items else None

    def newest_recipient(headers: dict[str, Any]) -> str | None:
        page = server.mock.recipients.page(principal, headers.get(WORKSPACE_HEADER), cursor=None, limit=1)
        return page.items[0].id if page.items else None

    def contract_names(generated: str) -> str:
        # `operations` names operation ids or tags of SendKit's contract (an unknown one is a 400 naming it):
        # a positive case names as many real ones as the generated list had items.
        wanted = len(generated.split(","))
        return ",".join(CONTRACT_NAMES[i % len(CONTRACT_NAMES)] for i in range(wanted))

    def newest_webhook(headers: dict[str, Any]) -> str | None:
        page = server.mock.webhooks.page(principal, headers.get(WORKSPACE_HEADER), page=1, limit=1)
        return page.items[0].id if page.items else None

    def state_document(body: dict[str, Any], _headers: dict[str, Any]) -> None:
        # A state document's entries are the mock's internals (seqs, timelines, id counts): a schema for each
        # would be as long as the code that reads them, so a positive case sends a real one.
        body.clear()
        body.update(snapshot.export(server.mock.sessions.build("contract")))

    def clock_move(body: dict[str, Any], headers: dict[str, Any]) -> None:
        # A positive `set` is an instant no earlier than the session's clock (an earlier one is a 409).
        if isinstance(body.get("set"), str):
            clock = server.mock.session(headers.get("X-Mock-Session")).clock
            try:
                wanted = parse_exact(body["set"].upper())
            except ValueError:
                return
            if wanted < clock.now():
                body["set"] = exact(clock.now())

    def harmless_settings(body: dict[str, Any], _headers: dict[str, Any]) -> None:
        # Latency, injected 5xx and a rate limit would slow or fail the cases after this one: switched off.
        body.update({k: None for k in ("latency", "rateLimit") if k in body})
        body.update({k: 0 for k in ("errorRate",) if k in body})
        body.update({k: min(float(body[k]), 1.0) for k in ("queuedSeconds", "processingSeconds")
                     if isinstance(body.get(k), (int, float))})

    def harmless_stub(body: dict[str, Any], headers: dict[str, Any]) -> None:
        # A stub's fields hold rules of the contract it names (an operation, its documented statuses and
        # examples): a positive case is a real stub that slows nothing, keeping what was generated for the
        # parts any value fits; a session near its cap of 100 is emptied first.
        kept = {k: body[k] for k in ("times", "query") if k in body}  # a GET takes no bodyContains
        body.clear()
        body.update({"method": "GET", "path": "/v1/reports", "delayMs": 0, **kept})
        stubs = server.mock.session(headers.get("X-Mock-Session")).stubs
        if len(stubs.all()) >= 90:
            stubs.clear()

    body_rules: dict[tuple[str, str], Callable[[dict[str, Any], dict[str, Any]], None]] = {
        ("POST", "/stubs"): harmless_stub,
        # the mock's own API (its paths are below its base path, /__mock)
        ("PATCH", "/settings"): harmless_settings,
        ("PUT", "/state"): state_document,
        ("POST", "/clock"): clock_move,
        ("POST", "/v1/reports"): create_report,
        ("POST", "/v1/reports/recipients"): write_recipient,
        ("PATCH", "/v1/reports/recipients/{id}"): write_recipient,
    }
    # A cursor is the id of an item of the scope being listed: the newest one, if any.
    cursor_rules: dict[tuple[str, str], Callable[[dict[str, Any]], str | None]] = {
        ("GET", "/v1/reports"): newest_report,
        ("GET", "/v1/reports/recipients"): newest_recipient,
        ("GET", "/v1/webhooks"): newest_webhook,
    }

    def make_consistent(case: Case) -> None:
        if case.headers and "Prefer" in case.headers:  # a preference asks for another answer: left out
            case.headers = {k: v for k, v in case.headers.items() if k != "Prefer"}
        if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
            return  # negative data goes out as generated
        operation = (case.method.upper(), case.operation.path)
        # Copies: an example's containers can be the very objects of the loaded schema.
        headers = dict(case.headers or {})
        body = copy.deepcopy(case.body) if isinstance(case.body, dict) else None
        query = dict(case.query or {})
        # A call names the key's own workspace (a platform key: one its user owns); a platform key
        # names it on every workspace-scoped call.
        creates_report = operation == ("POST", "/v1/reports")
        organizational = creates_report and (body or {}).get("reportType") == "organizational"
        workspace_scoped = operation not in _USER_SCOPED_READS and not organizational
        if WORKSPACE_HEADER in headers or (platform and workspace_scoped):
            headers[WORKSPACE_HEADER] = WS_ID
            case.headers = headers
        if body is not None:
            period_in_order(body)  # wherever a body has a period: POST /v1/reports today
            if operation in body_rules:
                body_rules[operation](body, headers)
            case.body = body
        if isinstance(query.get("operations"), str) and operation == ("GET", "/coverage"):
            query["operations"] = contract_names(query["operations"])
            case.query = query
        if "cursor" in query and operation in cursor_rules:
            newest = cursor_rules[operation](headers)
            if newest is None:
                del query["cursor"]
            else:
                query["cursor"] = newest
            case.query = query

    return make_consistent


def register_schema_hooks(schema: BaseSchema, make_consistent: Callable[[Case], None]) -> None:
    """On this schema only: generated cases (`map_case`) and the schema's own examples, which no
    `map_case` hook sees (`before_add_examples`)."""

    def map_case(context: HookContext, case: Case) -> Case:
        make_consistent(case)
        return case

    def before_add_examples(context: HookContext, examples: list[Case]) -> None:
        for case in examples:
            make_consistent(case)

    schema.hook(map_case)
    schema.hook(before_add_examples)


# --- the schemas -----------------------------------------------------------------------------------


class MockServer:
    """The ASGI app Schemathesis calls: one mock, which `reset` replaces with a fresh, empty one, over the
    embedded store or (`shared`) over a real Redis, started on first use and stopped when the run ends."""

    settings = Settings(seed=42, queued_seconds=0, processing_seconds=0)
    world = load_world(settings.fixtures)  # immutable: loaded once, shared by every reset
    resets = itertools.count()

    def __init__(self, shared: bool = False) -> None:
        self.shared = shared
        self._mock: Any = None

    def reset(self) -> None:
        self._mock = None  # built on first use: the Redis one only once a test runs

    @property
    def mock(self) -> Any:
        if self._mock is None:
            self._mock = self._build()
        return self._mock

    def _build(self) -> Any:
        self.webhook_calls = RecordingSender()  # webhooks the mock calls get a 200 here, not the network
        settings = self.settings
        if self.shared:  # a fresh key prefix: a new, empty world in the one Redis
            settings = settings.replace(store=f"{shared_redis().url}?prefix=contract{next(self.resets)}")
        return create_mock(settings, clock=ManualClock(START), world=self.world, sender=self.webhook_calls)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.shared and self._mock is None and (scope["type"] == "lifespan" or scope.get("path") in DOCUMENTS):
            await _document_server().app(scope, receive, send)  # loading the contract needs no Redis (collection)
            return
        await self.mock.app(scope, receive, send)


@functools.cache
def _document_server() -> Any:
    return create_mock(MockServer.settings, clock=ManualClock(START), world=MockServer.world)


def _needs_redis() -> None:
    """Skips (fails under .ci/run) saying what to install, before any case reaches a Redis-backed mock."""
    command("redis-server", "apt-get install redis-server (Debian's package)")


@functools.cache
def shared_redis() -> RedisServer:
    server = RedisServer(Path(tempfile.mkdtemp(prefix="sendkit-contract-redis-"))).start()
    atexit.register(server.stop)
    return server


DOCUMENTS = ("/openapi.json", "/__mock/openapi.json")  # SendKit's contract, the mock's own API


def contract_schema(server: MockServer, key: str, *, platform: bool, bearer: bool,
                    document: str = DOCUMENTS[0]) -> BaseSchema:
    auth = {"BearerAuth": {"bearer": key}} if bearer else {"ApiKeyAuth": {"api_key": key}}
    schema = schemathesis.openapi.from_asgi(document, server, config=_config(auth))
    register_schema_hooks(schema, consistent_positive_cases(server, key, platform))
    return schema


workspace_schema = contract_schema(MockServer(), WS_KEY, platform=False, bearer=False)
platform_schema = contract_schema(MockServer(), PLATFORM_KEY, platform=True, bearer=True)
workspace_redis_schema = contract_schema(MockServer(shared=True), WS_KEY, platform=False, bearer=False)
platform_redis_schema = contract_schema(MockServer(shared=True), PLATFORM_KEY, platform=True, bearer=True)
control_schema = contract_schema(MockServer(), WS_KEY, platform=False, bearer=False, document=DOCUMENTS[1])
control_redis_schema = contract_schema(MockServer(shared=True), WS_KEY, platform=False, bearer=False,
                                       document=DOCUMENTS[1])


def _call_and_validate(case: Case) -> None:
    case.call_and_validate()


test_workspace_key = workspace_schema.parametrize()(_call_and_validate)
test_platform_key = platform_schema.parametrize()(_call_and_validate)
test_control_plane = control_schema.parametrize()(_call_and_validate)


def _call_and_validate_on_redis(case: Case) -> None:
    _needs_redis()
    case.call_and_validate()


test_workspace_key_on_redis = workspace_redis_schema.parametrize()(_call_and_validate_on_redis)
test_platform_key_on_redis = platform_redis_schema.parametrize()(_call_and_validate_on_redis)
test_control_plane_on_redis = control_redis_schema.parametrize()(_call_and_validate_on_redis)


# --- stateful: through the links (POST /v1/reports -> GET / DELETE /v1/reports/{id}, and the others) ---

stateful_server = MockServer()
stateful_schema = contract_schema(stateful_server, WS_KEY, platform=False, bearer=False)
reports_stateful_schema = stateful_schema.include(tag="Reports")
stateful_redis_server = MockServer(shared=True)
stateful_redis_schema = contract_schema(stateful_redis_server, WS_KEY, platform=False, bearer=False).include(
    tag="Reports")


def run_links(schema: BaseSchema, examples: int, server: MockServer = stateful_server) -> set[tuple[str, int]]:
    """Run Schemathesis' state machine for `schema`'s links; every step runs every check. The (operation,
    status) pairs it saw."""
    seen: set[tuple[str, int]] = set()

    @seed(SEED)
    class Links(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each scenario on an empty mock: the ids a scenario sees, and so the values its links
            # carry, are the same when Hypothesis replays it (otherwise: FlakyStrategyDefinition).
            server.reset()

        def after_call(self, response: Response, case: Case) -> None:
            super().after_call(response, case)
            seen.add((f"{case.method} {case.operation.path}", response.status_code))

    run_state_machine_as_test(
        Links,
        settings=hypothesis_settings(
            max_examples=examples,
            stateful_step_count=8,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        ),
    )
    return seen


def test_report_links_stateful() -> None:
    seen = run_links(reports_stateful_schema, STATEFUL_EXAMPLES)
    # The run followed the links for real: reports were created, then read and deleted by their ids.
    chain = {("POST /v1/reports", 201), ("GET /v1/reports/{id}", 200), ("DELETE /v1/reports/{id}", 200)}
    assert chain <= seen


def test_all_links_stateful() -> None:
    seen = run_links(stateful_schema, STATEFUL_EXAMPLES)
    assert {status for _, status in seen if 200 <= status < 300}


def test_report_links_stateful_on_redis() -> None:
    _needs_redis()
    seen = run_links(stateful_redis_schema, STATEFUL_EXAMPLES, stateful_redis_server)
    chain = {("POST /v1/reports", 201), ("GET /v1/reports/{id}", 200), ("DELETE /v1/reports/{id}", 200)}
    assert chain <= seen


SCHEMAS = [workspace_schema, platform_schema, stateful_schema, reports_stateful_schema, workspace_redis_schema,
           platform_redis_schema, stateful_redis_schema, control_schema, control_redis_schema]
NAMES = ["workspace", "platform", "stateful", "reports-stateful", "workspace-redis", "platform-redis",
         "stateful-redis", "control", "control-redis"]


@pytest.mark.parametrize("schema", SCHEMAS, ids=NAMES)
def test_every_phase_mode_and_check_is_on(schema: BaseSchema) -> None:
    load_all_checks()
    config = schema.config
    assert CHECKS.get_all_names()
    for result in schema.get_all_operations():
        operation = result.ok()
        for phase in ("examples", "coverage", "fuzzing"):
            assert config.phases_for(operation=operation).get_by_name(name=phase).enabled
            assert set(config.generation_for(operation=operation, phase=phase).modes) == set(GenerationMode)
            checks = config.checks_config_for(operation=operation, phase=phase)
            disabled = [name for name in CHECKS.get_all_names() if not checks.get_by_name(name=name).enabled]
            assert disabled == []


@pytest.mark.parametrize("schema", SCHEMAS, ids=NAMES)
def test_hooks_stay_on_their_schema(schema: BaseSchema) -> None:
    for name in ("map_case", "before_add_examples"):
        assert schema.hooks.get_all_by_name(name)
        assert not GLOBAL_HOOK_DISPATCHER.get_all_by_name(name)


# --- found by the runs above -----------------------------------------------------------------------------
# Schema-valid periods that domain/periods.py once rejected or crashed on; random runs reach them only now
# and then (SENDKIT_CONTRACT_SEED=2 found the first), so they are pinned here.


def post_period(period: dict[str, str]) -> Response:
    """POST a workspace report with this period; the response is checked against the contract."""
    case = workspace_schema["/v1/reports"]["POST"].Case(
        headers={"X-Api-Key": WS_KEY},
        body={"reportType": "workspace", **period},
        media_type="application/json",
    )
    response = case.call()
    case.validate_response(response)
    return response


@pytest.mark.parametrize(
    "period",
    [
        pytest.param({"periodStart": "2026-01-01t00:00:00z"}, id="lowercase-t-and-z-was-400"),
        pytest.param(
            {"periodStart": "2026-01-01T00:00:00.0000001Z", "periodEnd": "2026-01-01T00:00:00.0000002Z"},
            id="bounds-less-than-a-microsecond-apart-was-400",
        ),
        pytest.param({"periodEnd": "2099-12-31"}, id="latest-end-date"),
        pytest.param({"periodStart": "1970-01-01", "periodEnd": "1970-01-01"}, id="earliest-single-day"),
        pytest.param({"periodStart": "1970-01-01T00:00:00+01:00"}, id="an-offset-into-1969-in-utc"),
        pytest.param({"periodStart": "2026-04-01T00:00:00Z", "periodEnd": "2026-03-31"}, id="an-empty-period"),
    ],
)
def test_schema_valid_periods_are_accepted(period: dict[str, str]) -> None:
    response = post_period(period)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "period",
    [
        pytest.param({"periodEnd": "0001-01-07"}, id="default-start-before-year-1-was-500"),
        pytest.param({"periodEnd": "9999-12-31"}, id="end-after-9999-was-500"),
        pytest.param({"periodStart": "0001-01-01T00:00:00+01:00"}, id="before-year-1-in-utc-was-500"),
        pytest.param({"periodStart": "0985-04-02"}, id="year-985-was-an-unannounced-400"),
    ],
)
def test_periods_outside_the_documented_range_are_a_400(period: dict[str, str]) -> None:
    response = post_period(period)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0]["message"] == (
        "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time from 1970 to 2099")


def test_a_reversed_period_is_a_400_naming_period_end() -> None:
    """The rule the hooks keep positive cases to (openapi.yaml: `x-sendkit-not-before`, inferred)."""
    response = post_period({"periodStart": "2026-05-01", "periodEnd": "2026-04-01"})
    assert response.status_code == 400, response.text
    assert response.json()["details"] == [{"field": "periodEnd", "message": "Must not be before periodStart"}]


@pytest.mark.parametrize(
    ("period", "end"),
    [
        pytest.param({"periodStart": "2026-05-01", "periodEnd": "2026-04-01"}, "2026-05-01", id="reversed-dates"),
        pytest.param({"periodStart": "2026-05-01T00:00:00Z", "periodEnd": "2026-04-30"}, "2026-05-01T00:00:00Z",
                     id="an-end-date-covering-the-day-before"),
        pytest.param({"periodStart": "2026-01-01T00:00:00.0000002Z", "periodEnd": "2026-01-01T00:00:00.0000001Z"},
                     "2026-01-01T00:00:00.0000002Z", id="reversed-below-a-microsecond"),
        pytest.param({"periodStart": "2099-12-31"}, "2099-12-31", id="no-end-is-today-which-a-start-may-be-after"),
        pytest.param({"periodStart": "2026-01-01", "periodEnd": "2026-01-01"}, "2026-01-01", id="one-day-kept"),
        pytest.param({"periodStart": "2026-01-01", "periodEnd": "2026-04-17t00:00:00z"}, "2026-04-17t00:00:00z",
                     id="in-order-kept"),
        pytest.param({"periodEnd": "2026-04-17"}, "2026-04-17", id="no-start-kept"),
    ],
)
def test_positive_cases_keep_their_period_in_order(period: dict[str, str], end: str) -> None:
    body = dict(period)
    period_in_order(body)
    assert body["periodEnd"] == end
    assert post_period(body).status_code == 201
