"""What the shared store costs and what a second worker wins back: req/s and p99 of a valid POST and a GET of
a ready report, on 1 worker over the embedded store, 1 worker over Redis and 2 workers over Redis (the whole
box, nothing pinned), with the Redis commands each request makes.

    python bench/workers.py [--duration 5] [--rounds 3] [--connections 8]

Starts its own redis-server (Debian's package; installed when missing, as root) on a free port in a
temporary directory, and each server with `sendkit-mock serve`; rounds alternate the setups; figures are
medians. Every answer is checked (status, and `ready` in the GET's body): a fast wrong answer is a failure.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).parent))
import compare  # noqa: E402  (the side-by-side benchmark's servers, wrk runs and answer checks)

WORKLOADS = [w for w in compare.WORKLOADS if w.name.startswith(("valid POST", "GET /v1/reports/{id}"))]


def ensure_redis() -> str:
    found = shutil.which("redis-server")
    if found is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True, capture_output=True,
                       timeout=600)
        found = shutil.which("redis-server")
    if found is None:
        sys.exit("bench/workers.py needs redis-server: apt-get install redis-server")
    return found


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = compare.free_port()
    process = subprocess.Popen([ensure_redis(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            return process, port
        except redis.ConnectionError:
            time.sleep(0.02)
    sys.exit("redis-server did not start")


def commands(port: int) -> int:
    """Every command Redis has run so far (INFO commandstats)."""
    stats: dict[str, Any] = redis.Redis(port=port).info("commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")


def round_trips(url: str) -> dict[str, float]:
    """Redis round trips one request of each workload makes, counted in-process on redis-py's client (a
    pipeline or a Lua call is one), through the ASGI app with no background ticker."""
    from redis.client import Pipeline

    from sendkit_mock import ManualClock, Settings, create_mock

    counted = [0]
    plain, batched = redis.Redis.execute_command, Pipeline.execute

    def command(self: Any, *args: Any, **kwargs: Any) -> Any:
        counted[0] += 1
        return plain(self, *args, **kwargs)

    def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        counted[0] += 1
        return batched(self, *args, **kwargs)

    mock = create_mock(Settings(store=f"{url}?prefix=count"), clock=ManualClock())
    client = mock.app.test_client()
    headers = {"X-Api-Key": compare.WS_KEY, "Content-Type": "application/json"}
    made = client.post("/v1/reports", content=compare.SEED_BODY, headers=headers).json()
    rid = made["data"]["reports"][0]["id"]
    client.post("/__mock/clock", json={"advance": 10})
    client.get(f"/v1/reports/{rid}", headers=headers)
    out: dict[str, float] = {}
    redis.Redis.execute_command, Pipeline.execute = command, execute  # type: ignore[method-assign]
    try:
        for workload in WORKLOADS:
            counted[0] = 0
            for _ in range(10):
                client.request(workload.method, workload.path.replace("{id}", rid), headers=headers,
                               content=workload.body)
            out[workload.name] = counted[0] / 10
    finally:
        redis.Redis.execute_command, Pipeline.execute = plain, batched  # type: ignore[method-assign]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    wrk = compare.ensure_wrk()
    script = str(Path(sys.executable).parent / "sendkit-mock")
    with tempfile.TemporaryDirectory() as tmp:
        redis_process, redis_port = start_redis(Path(tmp))
        url = f"redis://127.0.0.1:{redis_port}/0"
        setups = {
            "1 worker, memory": [],
            "1 worker, Redis": ["--store", f"{url}?prefix=one"],
            "2 workers, Redis": ["--store", f"{url}?prefix=two", "--workers", "2"],
        }
        trips = round_trips(url)
        servers: dict[str, compare.Server] = {}
        try:
            for n, (label, flags) in enumerate(setups.items()):
                port = compare.free_port()
                server = compare.Server("sendkit-mock", [script, "serve", "--port", str(port), "--no-access-log",
                                                         *flags], port)
                logs = Path(tmp) / f"setup{n}"
                logs.mkdir()
                server.start(logs, core=None)
                compare.prepare(server)
                servers[label] = server
            results: dict[tuple[str, str], list[dict[str, float]]] = {}
            for _ in range(args.rounds):
                for workload in WORKLOADS:
                    for label, server in servers.items():
                        before = commands(redis_port)
                        run = compare.wrk(wrk, server, workload, args.duration, args.connections, core=None)
                        if run["wrong"]:
                            sys.exit(f"{label}: {run['wrong']:.0f} wrong answers to {workload.name}")
                        run["redis_per_request"] = (commands(redis_port) - before) / run["total"]
                        results.setdefault((workload.name, label), []).append(run)
        finally:
            for server in servers.values():
                server.stop()
            redis_process.terminate()
            redis_process.wait(10)
    print(f"bench/workers.py --duration {args.duration} --rounds {args.rounds} --connections {args.connections} "
          "(medians; whole box, unpinned)")
    print(f"{'workload':34} {'setup':18} {'req/s':>8} {'vs memory':>10} {'p99 ms':>8} {'Redis cmds/req':>15}")
    print("  (Redis cmds/req: every command Redis ran, those inside Lua and the tickers' included, per request)")
    for workload in WORKLOADS:
        base = statistics.median(r["rps"] for r in results[(workload.name, "1 worker, memory")])
        for label in setups:
            runs = results[(workload.name, label)]
            rps = statistics.median(r["rps"] for r in runs)
            p99 = statistics.median(r["p99_ms"] for r in runs)
            cmds = statistics.median(r["redis_per_request"] for r in runs)
            print(f"{workload.name:34} {label:18} {rps:8.0f} {rps / base:9.2f}x {p99:8.1f} {cmds:15.1f}")
    for name, count in trips.items():
        print(f"Redis round trips per request (redis-py calls; a Lua call or a pipeline is one): {name}: {count:.1f}")


if __name__ == "__main__":
    main()
