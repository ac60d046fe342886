"""The mock's own cost per request, without a network or a load generator: the ASGI app driven in-process.

    python bench/inprocess.py                       # every workload, microseconds of CPU per request
    python bench/inprocess.py --profile get --top 40  # cProfile of one workload, sorted by own time
    python bench/inprocess.py --requests 4000 --concurrency 8 --repeat 9
    python bench/inprocess.py --no-access-log --no-journal    # what those two cost (bench/floor.py: all off)

The app is built as `serve` builds it (sessions, the journal, validation both ways, the access log) and called
by N concurrent tasks on one event loop, as uvicorn would call it; each answer's status is checked. What it
prints is process CPU time per request (all threads: the event loop and Flask's worker threads), which moves
far less than wall time on a shared machine; the best of several runs is what other tenants of the machine
disturbed least. The side-by-side comparison with Prism is bench/compare.py.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

WS_KEY = b"sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"
SEED_BODY = json.dumps({
    "reportType": "campaign", "campaignIds": ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"],
    "periodStart": "2026-01-01", "periodEnd": "2026-04-17",
    "sections": {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": False},
}, separators=(",", ":")).encode()
INVALID_BODY = b'{"reportType":"campaign","periodStart":"2026-01-01"}'

# name: (method, path, body, key, expected status)
WORKLOADS: dict[str, tuple[str, str, bytes | None, bool, int]] = {
    "post": ("POST", "/v1/reports", SEED_BODY, True, 201),
    "invalid": ("POST", "/v1/reports", INVALID_BODY, True, 400),
    "nokey": ("POST", "/v1/reports", SEED_BODY, False, 401),
    "get": ("GET", "/v1/reports/{id}", None, True, 200),
    "list": ("GET", "/v1/reports?limit=20", None, True, 200),
    "recipients": ("GET", "/v1/reports/recipients?limit=20", None, True, 200),  # e-mails, zones: one schema each
}


async def call(app: Any, method: str, target: str, body: bytes | None, key: bool) -> tuple[int, bytes]:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1:4010"), (b"content-type", b"application/json")]
    if key:
        headers.append((b"x-api-key", WS_KEY))
    if body is not None:
        headers.append((b"content-length", str(len(body)).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 4010)}
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body or b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def lifespan(app: Any) -> asyncio.Queue[dict[str, Any]]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put))
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    return inbox


async def run(args: argparse.Namespace) -> None:
    from sendkit_mock.app import create_mock
    from sendkit_mock.cli import tune_garbage_collector
    from sendkit_mock.delivery.executors import PoolExecutor
    from sendkit_mock.runtime.access_log import AccessLog
    from sendkit_mock.settings import Settings

    settings = Settings(clock_mode="manual", log_level="warning", store=args.store,
                        **({} if args.journal else {"journal_size": 0}))
    mock = create_mock(settings, executor=PoolExecutor(settings.delivery_workers), background=True)
    tune_garbage_collector()
    app = AccessLog(mock.app) if args.access_log else mock.app
    await lifespan(app)
    for _ in range(30):
        status, raw = await call(app, "POST", "/v1/reports", SEED_BODY, True)
        assert status == 201, raw
    report_id = json.loads(raw)["data"]["reports"][0]["id"]
    status, raw = await call(app, "POST", "/__mock/clock", b'{"advance": 10}', False)
    assert status == 200, raw
    picked = [w.strip() for w in (args.profile or args.workloads).split(",")]
    for name in picked:
        profiler = cProfile.Profile() if args.profile else None
        await measure(app, name, report_id, requests=args.requests, concurrency=args.concurrency,
                      repeat=args.repeat, profiler=profiler)
        if profiler:
            pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)


async def measure(app: Any, name: str, report_id: str, *, requests: int, concurrency: int, repeat: int,
                  profiler: cProfile.Profile | None = None) -> None:
    """One workload through `app` by `concurrency` tasks, after a warm-up; prints the CPU per request (best
    and median of `repeat` runs). bench/floor.py measures its app with it too."""
    method, target, body, key, expected = WORKLOADS[name]
    target = target.replace("{id}", report_id)

    async def worker(count: int) -> None:
        for _ in range(count):
            status, raw = await call(app, method, target, body, key)
            if status != expected:
                raise SystemExit(f"{method} {target}: {status} (expected {expected}): {raw[:300]!r}")

    per_task = max(1, requests // concurrency)
    await asyncio.gather(*(worker(max(1, per_task // 10)) for _ in range(concurrency)))  # warm up
    runs = []
    for _ in range(repeat):
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        await asyncio.gather(*(worker(per_task) for _ in range(concurrency)))
        if profiler:
            profiler.disable()
        runs.append(time.process_time() - cpu)
    total = per_task * concurrency
    best, median = min(runs), statistics.median(runs)
    print(f"{name:8} {1e6 * best / total:6.0f} us CPU/request (best of {repeat}; median "
          f"{1e6 * median / total:.0f})  {total / best:6.0f} req/CPU-s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default=",".join(WORKLOADS), help=f"comma-separated: {', '.join(WORKLOADS)}")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5, help="runs per workload: the best and the median are shown")
    parser.add_argument("--profile", help="one workload, run under cProfile")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    parser.add_argument("--no-journal", dest="journal", action="store_false", help="what the journal costs: off")
    parser.add_argument("--store", default="memory", help="memory, or a Redis URL (a running redis-server)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
