"""Real worker processes over one real Redis: the console script, as a team or a CI farm would run it.

Two `serve` processes on two ports over one store are two workers a test can address one by one;
`serve --workers 2` is the same on one port, behind the kernel's choice of worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from ..conftest import SEED_BODY, WS_KEY, redis_store_url
from ..redis_server import RedisServer
from .conftest import SCRIPT, RunningServer, free_port, running

HEADERS = {"X-Api-Key": WS_KEY}
QUICK = ("--queued-seconds", "0.2", "--processing-seconds", "0.3")


@contextmanager
def two_workers(tmp_path: Path, store: str, *flags: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    with ExitStack() as stack:
        servers = [stack.enter_context(running(tmp_path / f"worker{n}.log", "--store", store, *QUICK, *flags))
                   for n in range(2)]
        yield servers[0], servers[1]


def created(response: requests.Response) -> list[str]:
    assert response.status_code == 201, response.text
    return [r["id"] for r in response.json()["data"]["reports"]]


def test_a_report_made_on_one_worker_is_read_forced_and_deleted_on_the_other(
        tmp_path: Path, redis_server: RedisServer) -> None:
    with two_workers(tmp_path, redis_store_url(redis_server), "--clock", "manual") as (one, other):
        made = created(requests.post(f"{one.url}/v1/reports", json=SEED_BODY, headers=HEADERS, timeout=5))
        assert made[0] == "5fd99d2f5f9abfeb15dcfcb8"  # the README's id: the seed's, whichever worker answers
        read = requests.get(f"{other.url}/v1/reports/{made[0]}", headers=HEADERS, timeout=5)
        assert read.status_code == 200 and read.json()["data"]["status"] == "queued"
        requests.post(f"{other.url}/__mock/clock", json={"advance": 5}, timeout=5)
        assert requests.get(f"{one.url}/v1/reports/{made[0]}", headers=HEADERS, timeout=5).json()["data"][
            "status"] == "ready"
        assert requests.delete(f"{one.url}/v1/reports/{made[1]}", headers=HEADERS, timeout=5).status_code == 200
        assert requests.get(f"{other.url}/v1/reports/{made[1]}", headers=HEADERS, timeout=5).status_code == 404


def test_a_thousand_parallel_creates_through_two_workers_lose_no_id_and_repeat_none(
        tmp_path: Path, redis_server: RedisServer) -> None:
    with two_workers(tmp_path, redis_store_url(redis_server)) as (one, other):
        def create(n: int) -> list[str]:
            base = (one if n % 2 else other).url
            return created(requests.post(f"{base}/v1/reports", json={"reportType": "workspace"}, headers=HEADERS,
                                         timeout=30))

        with ThreadPoolExecutor(16) as pool:
            made = [rid for batch in pool.map(create, range(1000)) for rid in batch]
        assert len(made) == len(set(made)) == 1000
        listed = requests.get(f"{one.url}/v1/reports", params={"limit": 1}, headers=HEADERS, timeout=5).json()
        assert listed["pagination"]["total"] == 1000


class Receiver:
    """A webhook receiver on loopback that counts each event it gets."""

    def __init__(self) -> None:
        self.events: list[dict[str, object]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.events.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_report_ready_reaches_a_webhook_once_with_two_workers_ticking(
        tmp_path: Path, redis_server: RedisServer) -> None:
    receiver = Receiver()
    try:
        with two_workers(tmp_path, redis_store_url(redis_server)) as (one, other):
            hook = {"name": "ready", "url": receiver.url, "events": ["report.ready"]}
            assert requests.post(f"{one.url}/v1/webhooks", json=hook, headers=HEADERS, timeout=5).status_code == 201
            made = [rid for n in range(6) for rid in created(requests.post(
                f"{(one if n % 2 else other).url}/v1/reports", json=SEED_BODY, headers=HEADERS, timeout=5))]
            deadline = time.monotonic() + 15
            while len(receiver.events) < len(made) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)  # both tickers have had twenty more chances to send one again
            counts = Counter(str(e["data"]["_id"]) for e in receiver.events)  # type: ignore[index]
            assert counts == Counter(made), counts
            attempts = requests.get(f"{other.url}/__mock/webhook-deliveries", headers=HEADERS, timeout=5).json()
            assert len(attempts["data"]) == len(made)  # one attempt logged per event, whoever made it
    finally:
        receiver.close()


def test_redis_killed_and_restarted_mid_run_gives_503s_never_a_500_and_recovers(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path / "redis", appendonly=True).start()
    statuses: Counter[int] = Counter()
    stop = threading.Event()
    try:
        with two_workers(tmp_path, redis.url) as (one, other):
            def load(base: str) -> None:
                while not stop.is_set():
                    for method, path in (("POST", "/v1/reports"), ("GET", "/v1/reports")):
                        answer = requests.request(method, base + path, json={"reportType": "workspace"},
                                                  headers=HEADERS, timeout=10)
                        statuses[answer.status_code] += 1
                        assert answer.headers["Content-Type"] == "application/json"
                        if answer.status_code == 503:
                            assert answer.headers["Retry-After"] == "1" and answer.json()["code"] == 503

            threads = [threading.Thread(target=load, args=(s.url,)) for s in (one, other, one, other)]
            for t in threads:
                t.start()
            time.sleep(0.5)
            redis.kill()
            time.sleep(1.0)
            redis.start()
            time.sleep(1.5)
            stop.set()
            for t in threads:
                t.join(timeout=15)
            assert set(statuses) <= {200, 201, 503} and statuses[503] > 0 and statuses[201] > 0, statuses
            after = requests.post(f"{other.url}/v1/reports", json={"reportType": "workspace"}, headers=HEADERS,
                                  timeout=5)
            assert after.status_code == 201  # recovered by itself, no restart of the mock
            assert "Traceback" not in one.log.read_text() + other.log.read_text()
    finally:
        stop.set()
        redis.stop()


def test_serve_workers_runs_several_processes_on_one_port_and_restarts_one_that_dies(
        tmp_path: Path, redis_server: RedisServer) -> None:
    with running(tmp_path / "workers.log", "--store", redis_store_url(redis_server), "--workers", "2") as server:
        made = created(requests.post(f"{server.url}/v1/reports", json=SEED_BODY, headers=HEADERS, timeout=5))
        text = server.log.read_text()
        assert "shared by 2 workers" in text
        pids = [int(line.split("pid ")[1].rstrip(")")) for line in text.splitlines() if "started (pid" in line]
        assert len(pids) == 2
        os.kill(pids[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while "starting it again" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "starting it again" in server.log.read_text()
        for _ in range(20):  # whichever worker answers, the report is there
            assert requests.get(f"{server.url}/v1/reports/{made[0]}", headers=HEADERS, timeout=5).status_code == 200


def test_several_workers_on_the_embedded_store_are_refused_with_what_to_do() -> None:
    done = subprocess.run([SCRIPT, "serve", "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--store redis://" in done.stderr and "workers=2" in done.stderr


def test_a_store_that_cannot_be_reached_stops_start_up_naming_it() -> None:
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"
    done = subprocess.run([SCRIPT, "serve", "--store", url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--store redis://***@127.0.0.1" in done.stderr and "secret" not in done.stderr



def test_two_workers_serve_http_and_https_side_by_side(tmp_path: Path, redis_server: RedisServer) -> None:
    tls_port = free_port()
    flags = ("--store", redis_store_url(redis_server), "--workers", "2", "--tls-port", str(tls_port),
             "--data-dir", str(tmp_path / "data"))
    with running(tmp_path / "workers.log", *flags) as server:
        ca = str(tmp_path / "data" / "tls" / "ca.pem")
        secure = f"https://127.0.0.1:{tls_port}"
        made = created(requests.post(f"{secure}/v1/reports", json=SEED_BODY, headers=HEADERS, timeout=5, verify=ca))
        for _ in range(10):  # whichever worker answers, on either listener, the report is there
            assert requests.get(f"{server.url}/v1/reports/{made[0]}", headers=HEADERS, timeout=5).status_code == 200
            assert requests.get(f"{secure}/v1/reports/{made[1]}", headers=HEADERS, timeout=5, verify=ca).status_code == 200
        assert f"sendkit-mock on {server.url} and {secure} |" in server.log.read_text()
