"""Flask on the event loop (web/wsgi_bridge.py): answers as a2wsgi gave them, and the operations that wait on
the network still on a thread, so a webhook the mock sends to itself is answered instead of timing out."""

import asyncio
import threading
from typing import Any

import pytest
import requests
from a2wsgi import WSGIMiddleware
from connexion import FlaskApp

from sendkit_mock import Settings, create_mock
from sendkit_mock.delivery.executors import InlineExecutor, PoolExecutor
from sendkit_mock.testing.threaded import ThreadedServer
from sendkit_mock.web.wsgi_bridge import OnTheLoop, serve_on_the_loop

from ..conftest import ws


def drive(app: Any, body_chunks: list[bytes], *, disconnect: bool = False) -> list[dict[str, Any]]:
    """One request through an ASGI app, its body in the given chunks; the messages the app sent."""
    incoming = [{"type": "http.request", "body": c, "more_body": i < len(body_chunks) - 1}
                for i, c in enumerate(body_chunks)]
    if disconnect:
        incoming[-1:] = [{"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/echo", "root_path": "", "query_string": b"x=1",
             "http_version": "1.1", "headers": [(b"content-type", b"text/plain")], "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))
    return sent


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read()
    start_response("207 Multi-Status", [("Content-Type", "text/plain"), ("X-Thread", threading.current_thread().name)])
    return [environ["QUERY_STRING"].encode(), b":", body]


def test_a_body_in_chunks_reaches_flask_whole_and_the_answer_goes_back_in_one_piece() -> None:
    start, body = drive(OnTheLoop(echo, frozenset()), [b"hello ", b"world"])
    assert start["status"] == 207 and (b"content-type", b"text/plain") in start["headers"]
    assert body == {"type": "http.response.body", "body": b"x=1:hello world"}


def test_calls_on_several_threads_at_once_all_wait_for_the_preparation() -> None:
    """The first calls of a test client used from a thread pool: none may reach Flask before `prepare` (which
    binds the views that pass the session) has run; one that did was a 500."""
    prepared = threading.Event()
    seen: list[bool] = []

    def prepare() -> None:
        prepared.wait(2)  # held until every thread is at the door

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(prepared.is_set())
        return echo(environ, start_response)

    app = OnTheLoop(wsgi, frozenset(), prepare=prepare)
    threads = [threading.Thread(target=drive, args=(app, [b"x"])) for _ in range(8)]
    for t in threads:
        t.start()
    threading.Timer(0.3, prepared.set).start()
    for t in threads:
        t.join(10)
    assert seen == [True] * 8


def test_a_client_gone_before_its_body_ends_gets_no_answer_and_raises_nothing() -> None:
    assert drive(OnTheLoop(echo, frozenset()), [b"hel", b"lo"], disconnect=True) == []


def test_an_error_in_flask_reaches_connexion_as_an_exception() -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise LookupError("from the view")

    with pytest.raises(LookupError, match="from the view"):
        drive(OnTheLoop(broken, frozenset()), [b""])


def test_connexion_still_reaches_flask_through_a2wsgi_where_the_bridge_replaces_it() -> None:
    """The one private seam: when connexion moves it, this fails, and so does every build of the mock."""
    app = FlaskApp(__name__)
    assert isinstance(app._middleware_app.asgi_app, WSGIMiddleware)
    serve_on_the_loop(app, frozenset({"testWebhook"}))
    assert isinstance(app._middleware_app.asgi_app, OnTheLoop)

    class Moved:
        _middleware_app = type("Inner", (), {"asgi_app": object()})()
        app = None

    with pytest.raises(RuntimeError, match="no longer reaches Flask through a2wsgi"):
        serve_on_the_loop(Moved(), frozenset())


@pytest.mark.parametrize("executor", [PoolExecutor(2), InlineExecutor()], ids=["pool", "inline"])
def test_a_webhook_aimed_at_the_mock_itself_is_answered_by_it(executor: Any) -> None:
    """testWebhook waits for the receiver's answer; with the receiver on the same loop that answer only comes
    because the operation runs on a thread. With an inline executor (the plugin's) the clock's deliveries too."""
    mock = create_mock(Settings(clock_mode="manual", queued_seconds=0, processing_seconds=1),
                       executor=executor, background=True)
    with ThreadedServer(mock.app, http="httptools") as server:
        hook = {"name": "to myself", "url": f"{server.url}/v1/reports", "events": ["report.ready"]}
        created = requests.post(f"{server.url}/v1/webhooks", json=hook, headers=ws(), timeout=10)
        assert created.status_code == 201, created.text
        test = requests.post(f"{server.url}/v1/webhooks/{created.json()['data']['_id']}/test", headers=ws(),
                             timeout=10)
        assert test.json()["data"] == {"statusCode": 401, "delivered": False, "error": "HTTP 401"}
        if isinstance(executor, InlineExecutor):
            report = requests.post(f"{server.url}/v1/reports", json={"reportType": "workspace"}, headers=ws(),
                                   timeout=10)
            assert report.status_code == 201
            moved = requests.post(f"{server.url}/__mock/clock", json={"advance": 5}, timeout=10)
            assert moved.status_code == 200
            ready = [a for a in requests.get(f"{server.url}/__mock/webhook-deliveries", headers=ws(),
                                             timeout=10).json()["data"] if a["event"] == "report.ready"]
            assert [a["statusCode"] for a in ready] == [401]  # the mock's own answer, not a timeout
    executor.shutdown()
