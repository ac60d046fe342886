"""The pytest plugin (entry point `pytest11`): the mock as a fixture, as pytest-httpserver and respx are.

* `sendkit_mock`: a mock served on a free 127.0.0.1 port in a thread, started once per pytest process (so
  pytest-xdist workers never share one) and reset for every test; any client talks real HTTP to `.url`.
* `sendkit_mock_app`: the in-process app and its test client, no socket at all, for the fastest tests.
* `@pytest.mark.sendkit_mock(seed=7, fixtures="world.yaml", clock="real", queued_seconds=0, ...)`: any
  setting of `sendkit-mock serve` for one test (or a module, through `pytestmark`); each distinct set of
  settings gets its own server, kept for the tests that ask for the same. `tls=True` adds HTTPS beside
  HTTP: `.tls_url`, and `.ca_file` to give the client (`tls_cert=`, `tls_key=` serve your own certificate).
  Override the fixture `sendkit_mock_settings` (a dict of the same names) in a conftest.py to change them
  for a whole suite.
* A failure of the mock's own during a test (a 500, an answer that broke openapi.yaml) fails that test, with
  the mock's traceback.

Defaults differ from `serve` in one way: the clock is manual, so nothing moves until a test moves it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .coverage_report import KIND, Gathered, compute, summary, write_html
from .handle import MockHandle, http_transport, snake
from .receiver import ReceivedCall, Receiver, serve

if TYPE_CHECKING:
    from ..app import Mock
    from ..runtime.incidents import Incidents
    from ..settings import Settings

MARKER = "sendkit_mock"
PLUGIN_DEFAULTS: dict[str, Any] = {"clock_mode": "manual"}
ALIASES = {"clock": "clock_mode"}
_WATCHED = pytest.StashKey[tuple["Incidents", str]]()
_GATHERED = pytest.StashKey[Gathered]()
_FOUND = pytest.StashKey[dict[str, Any]]()
_GATE = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sendkit-mock")
    group.addoption("--sendkit-mock-coverage", default="", metavar="term,json,html",
                    help="the API coverage of this run's requests to sendkit_mock: term (every operation's answers), "
                         "json (sendkit-mock-coverage.json), html (sendkit-mock-coverage.html); a short summary "
                         "always, when a test used the fixture")
    group.addoption("--sendkit-mock-coverage-fail-under", type=float, default=None, metavar="N",
                    help="fail the run when less than N%% of SendKit's documented answers were met (or none was "
                         "checked)")
    group.addoption("--sendkit-mock-coverage-operations", default="", metavar="ID,TAG",
                    help="judge the coverage on these operations only: operation ids (createReport) or tags of the "
                         "contract (Reports), comma-separated; every operation by default")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_GATHERED] = Gathered()
    if config.getoption("--sendkit-mock-coverage-operations"):
        try:  # a misspelt name fails the run at its start, not after it
            compute(Gathered(), str(config.getoption("--sendkit-mock-coverage-operations")))
        except ValueError as exc:
            raise pytest.UsageError(f"--sendkit-mock-coverage-operations: {exc}") from None
    config.addinivalue_line(
        "markers", f"{MARKER}(**settings): settings of the sendkit_mock fixture for this test: seed=7, "
        "fixtures='world.yaml', clock='manual'|'real', queued_seconds=0, ... (any `sendkit-mock serve` setting)")


class SendkitMock(MockHandle):
    """The `sendkit_mock` fixture: a handle on the test's session, plus a webhook receiver of its own."""

    def __init__(self, mock: Mock, url: str, receiver: Receiver, transport: Any = None) -> None:
        super().__init__(transport or http_transport(url), mock.service.world, url=url,
                         admin_token=mock.settings.admin_token)
        self.mock, self._receiver = mock, receiver
        self.others: set[str] = set()  # the sessions other_session() opened during the test
        self.client: Any = None  # sendkit_mock_app: the in-process app's test client
        self.tls_url: str | None = None  # with tls=True: the same mock over HTTPS (`url` stays HTTP)
        self.ca_file: Path | None = None  # with tls=True: the CA that signed its certificate, for the client

    def reset(self) -> None:
        """The session rebuilt over fresh stores, as `POST /__mock/reset` does, without the round trip: the
        mock is in this process (what every test's set-up costs: bench/plugin.py)."""
        self.mock.sessions.reset(self.session)

    def other_session(self, name: str) -> MockHandle:
        other = super().other_session(name)
        self.others.add(name)  # its requests count in the run's API coverage too
        return other

    def gather_into(self, gathered: Gathered) -> None:
        """This test's requests, of its session and of each other session it opened (each opened fresh)."""
        for name in (self.session, *sorted(self.others)):
            gathered.take(self.mock.session(name))
        self.others.clear()

    @property
    def webhook_url(self) -> str:
        """A receiver that answers 200 and keeps what it got: register it as a webhook's `url`."""
        return self._receiver.url

    @property
    def webhooks_received(self) -> list[dict[str, Any]]:
        """The JSON bodies the receiver got during this test, oldest first."""
        return self._receiver.received()

    @property
    def webhook_calls(self) -> list[ReceivedCall]:
        """Each call the receiver got during this test, whole: `.method`, `.path`, `.headers`, `.header(name)`,
        `.body` (the raw bytes, as signed) and `.json()`."""
        return self._receiver.received_calls()

    def webhook_responds(self, status: int, times: int = 1) -> None:
        """The receiver answers the next `times` calls with `status` (then 200 again): the mock's retries,
        tested."""
        self._receiver.respond(status, times)


@dataclass
class _Running:
    mock: Mock
    url: str
    stop: Any
    tls_url: str | None = None
    ca_file: Path | None = None


class SendkitMockServers:
    """The servers of this pytest process, one per distinct settings, started when first asked for."""

    def __init__(self, receiver: Receiver, gathered: Gathered | None = None) -> None:
        self.receiver = receiver
        self.gathered = gathered or Gathered()
        self._running: dict[Settings, _Running] = {}
        self._last: SendkitMock | None = None  # the handle the last test had: its requests not gathered yet

    def get(self, settings: Settings) -> _Running:
        if settings not in self._running:
            from ..app import create_mock
            from ..delivery.executors import InlineExecutor
            from ..runtime.limits import Limits
            from ..runtime.tls import certificate_for
            from .threaded import ThreadedServer

            # Inline delivery: a webhook or an e-mail that fell due is sent before the control call that moved
            # the clock answers, so a test sees it on its next line.
            mock = create_mock(settings, executor=InlineExecutor(), background=True)
            protocol = mock.connections.protocol(Limits.of(mock.settings))  # the mock's own connection bounds
            server = ThreadedServer(mock.app, http=protocol).start()
            running = _Running(mock, server.url, server.stop)
            certificate = certificate_for(settings)
            if certificate is not None:  # tls=True: HTTPS beside HTTP, on the same app
                secure = ThreadedServer(mock.app, http=protocol, certificate=certificate,
                                        lifespan="off").start()

                def stop_both() -> None:
                    secure.stop()
                    server.stop()

                running = _Running(mock, server.url, stop_both, secure.url, certificate.ca_file)
            self._running[settings] = running
        return self._running[settings]

    def fresh(self, settings: Settings) -> SendkitMock:
        """A handle on the `default` session of the server for `settings`, reset: what each test starts from."""
        running = self.get(settings)
        handle = SendkitMock(running.mock, running.url, self.receiver)
        handle.tls_url, handle.ca_file = running.tls_url, running.ca_file
        if self._last is not None:
            self._last.gather_into(self.gathered)  # the last test's requests, for the coverage
        self._last = handle
        handle.reset()
        self.receiver.clear()
        running.mock.incidents.take(handle.session)  # what an earlier test left is that test's
        return handle

    def stop_all(self) -> None:
        if self._last is not None:
            self._last.gather_into(self.gathered)
            self._last = None
        for running in self._running.values():
            running.stop()
        self._running.clear()


def settings_for(base: dict[str, Any], marker: pytest.Mark | None, here: Path) -> Settings:
    """The plugin's defaults, then the suite's `sendkit_mock_settings`, then the test's marker."""
    from ..settings import Settings, SettingsError

    names = {f.name for f in dataclasses.fields(Settings)}
    wanted = {**PLUGIN_DEFAULTS, **base, **(marker.kwargs if marker else {})}
    if marker and marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes settings by name, not {marker.args!r}")
    values: dict[str, Any] = {}
    for name, value in wanted.items():
        name = ALIASES.get(name, name)
        if name not in names and snake(name) in names:
            raise pytest.UsageError(f"@pytest.mark.{MARKER}: settings take snake_case names, as serve's flags "
                                    f"do: {snake(name)}={value!r}, not {name}")
        if name not in names:
            raise pytest.UsageError(f"@pytest.mark.{MARKER}: no setting {name!r}; the settings are "
                                    + ", ".join(sorted(names | set(ALIASES))))
        if name in ("fixtures", "state", "tls_cert", "tls_key", "data_dir") and value is not None:
            path = Path(value)
            value = path if path.is_absolute() or not (here / path).exists() else here / path
        values[name] = value
    try:
        return Settings(**values)
    except (SettingsError, TypeError) as exc:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {exc}") from None


@pytest.fixture(scope="session")
def sendkit_mock_servers(pytestconfig: pytest.Config) -> Iterator[SendkitMockServers]:
    with serve(Receiver()) as receiver:
        servers = SendkitMockServers(receiver, pytestconfig.stash.get(_GATHERED, None))
        try:
            yield servers
        finally:
            servers.stop_all()


@pytest.fixture
def sendkit_mock_settings() -> dict[str, Any]:
    """Settings for every `sendkit_mock` of the suite (override in a conftest.py); a marker's win."""
    return {}


@pytest.fixture
def sendkit_mock(request: pytest.FixtureRequest, sendkit_mock_servers: SendkitMockServers,
                 sendkit_mock_settings: dict[str, Any]) -> SendkitMock:
    """A served mock, its `default` session reset for this test: `.url`, `.keys`, `.clock`, `.requests()`,
    `.assert_requested()`, `.force_status()`, `.outbox`, `.webhook_deliveries`, `.webhook_url`, `.headers`."""
    settings = settings_for(sendkit_mock_settings, request.node.get_closest_marker(MARKER), request.path.parent)
    handle = sendkit_mock_servers.fresh(settings)
    request.node.stash[_WATCHED] = (handle.mock.incidents, handle.session)
    return handle


@pytest.fixture
def sendkit_mock_app(request: pytest.FixtureRequest, sendkit_mock_settings: dict[str, Any]) -> Iterator[Any]:
    """The mock in-process, no socket: `.client` (a test client of the ASGI app) and the `sendkit_mock`
    helpers over it; webhooks go to `.webhook_url` like the served fixture's."""
    from ..app import create_mock
    from ..delivery.executors import InlineExecutor

    settings = settings_for(sendkit_mock_settings, request.node.get_closest_marker(MARKER), request.path.parent)
    mock = create_mock(settings, executor=InlineExecutor())
    with serve(Receiver()) as receiver, mock.app.test_client() as client:

        def transport(method: str, path: str, body: Any, headers: Any) -> tuple[int, Any]:
            response = client.request(method, path, json=body, headers=dict(headers))
            try:
                return response.status_code, response.json()
            except ValueError:
                return response.status_code, response.text

        handle = SendkitMock(mock, "http://testserver", receiver, transport)
        handle.client = client
        request.node.stash[_WATCHED] = (mock.incidents, handle.session)
        yield handle
        gathered = request.config.stash.get(_GATHERED, None)
        if gathered is not None:
            handle.gather_into(gathered)


class MockFailed(Exception):
    """The mock failed while it answered this test's request: the mock's own error, not the client's."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    watched = item.stash.get(_WATCHED, None)
    try:
        result = yield
    except BaseException:
        if watched is not None:
            for incident in watched[0].take(watched[1]):
                item.add_report_section("call", "sendkit-mock", incident.describe())
        raise
    if watched is not None:
        incidents = watched[0].take(watched[1])
        if incidents:
            raise MockFailed("\n\n".join(i.describe() for i in incidents))
    return result


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: a worker's gathered requests join the controller's."""
    text = getattr(node, "workeroutput", {}).get(KIND)
    if text:
        node.config.stash[_GATHERED].merge(text)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    gathered = config.stash.get(_GATHERED, None)
    if gathered is None:
        return
    if hasattr(config, "workerinput"):  # an xdist worker: its share goes to the controller
        config.workeroutput[KIND] = gathered.dumps()  # type: ignore[attr-defined]
        return
    if not gathered.entries and not _asked(config):
        return
    found = compute(gathered, str(config.getoption("--sendkit-mock-coverage-operations")))  # checked at configure
    config.stash[_FOUND] = found
    wanted = {part.strip() for part in str(config.getoption("--sendkit-mock-coverage")).split(",") if part.strip()}
    if "json" in wanted:
        (config.rootpath / "sendkit-mock-coverage.json").write_text(json.dumps(found, indent=1))
    if "html" in wanted:
        write_html(found, config.rootpath / "sendkit-mock-coverage.html")
    floor = config.getoption("--sendkit-mock-coverage-fail-under")
    percent = found["answers"]["percent"]
    if floor is not None and (percent is None or percent < floor) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        config.stash[_GATE] = (f"sendkit-mock coverage: FAIL: {'not checked' if percent is None else f'{percent}%'}"
                               f" of documented answers met, under --sendkit-mock-coverage-fail-under={floor:g}")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    found = config.stash.get(_FOUND, None)
    if found is None:
        return
    wanted = str(config.getoption("--sendkit-mock-coverage"))
    for line in summary(found, detailed="term" in wanted):
        terminalreporter.write_line(line)
    for kind in ("json", "html"):
        if kind in wanted:
            terminalreporter.write_line(f"  written: {config.rootpath / ('sendkit-mock-coverage.' + kind)}")
    gate = config.stash.get(_GATE, None)
    if gate is not None:
        terminalreporter.write_line(gate, red=True)


def _asked(config: pytest.Config) -> bool:
    return bool(config.getoption("--sendkit-mock-coverage")) or \
        config.getoption("--sendkit-mock-coverage-fail-under") is not None or \
        bool(config.getoption("--sendkit-mock-coverage-operations"))
