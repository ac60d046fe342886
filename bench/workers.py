"""What the shared store costs and how workers scale over it: req/s, p99, the CPU per request of the workers
and of Redis, and the req/s Redis's own CPU per request allows (its ceiling), for a valid POST and a GET of a
ready report, on 1 worker over the embedded store and N workers over one Redis.

    python bench/workers.py [--duration 5] [--rounds 3] [--connections 8] [--workers 1,2,4]

Counts of workers above the machine's cores are left out (said so): N workers on fewer cores measure the
cores, not the mock. Where the machine has a core for Redis, one for wrk and one per worker, each is pinned
to its own (steady figures); otherwise nothing is pinned and the figures share the box.

Starts its own redis-server (Debian's package; installed when missing, as root) on a free port in a
temporary directory, and each server with `sendkit-mock serve`; rounds alternate the setups; figures are
medians. Every answer is checked (status, and `ready` in the GET's body): a fast wrong answer is a failure.
The POST rounds create in a session of their own, reset after each round, so the reports they made do not move
(and get announced by the ticker) during the GET rounds that follow.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
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
POSTS = "bench-posts"  # the session the POST rounds create in, reset after each: a GET round sees no ticker work


def ensure_redis() -> str:
    found = shutil.which("redis-server")
    if found is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True, capture_output=True,
                       timeout=600)
        found = shutil.which("redis-server")
    if found is None:
        sys.exit("bench/workers.py needs redis-server: apt-get install redis-server")
    return found


def start_redis(directory: Path, core: int | None = None) -> tuple[subprocess.Popen[bytes], int]:
    port = compare.free_port()
    pin = ["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []
    process = subprocess.Popen([*pin, ensure_redis(), "--port", str(port), "--bind", "127.0.0.1", "--dir",
                                str(directory), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            return process, port
        except redis.ConnectionError:
            time.sleep(0.02)
    sys.exit("redis-server did not start")


def redis_cpu(port: int) -> float:
    """Seconds of CPU the Redis server has used (INFO cpu: user and system, its main thread included)."""
    info: dict[str, Any] = redis.Redis(port=port).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


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


def paused(servers: list[compare.Server], stop: bool) -> None:
    """Freeze (or thaw) the servers not under load: only the measured one's work reaches Redis."""
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGSTOP if stop else signal.SIGCONT)


def plan(cores: int, counts: list[int]) -> tuple[list[int], dict[str, Any]]:
    """The worker counts this machine can measure, and the cores for Redis, wrk and the workers (None: unpinned)."""
    kept = [n for n in counts if n <= cores]
    for n in counts:
        if n > cores:
            print(f"{n} workers left out: this machine has {cores} cores", file=sys.stderr)
    pinned = cores >= 2 + max(kept, default=1)
    return kept, {"redis": 0 if pinned else None, "wrk": 1 if pinned else None,
                  "workers": (lambda n: f"2-{1 + n}") if pinned else (lambda n: None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4", help="worker counts over Redis (default: 1,2,4)")
    args = parser.parse_args()
    counts, cores = plan(os.cpu_count() or 1, [int(n) for n in args.workers.split(",")])
    wrk = compare.ensure_wrk()
    script = str(Path(sys.executable).parent / "sendkit-mock")
    with tempfile.TemporaryDirectory() as tmp:
        redis_process, redis_port = start_redis(Path(tmp), cores["redis"])
        url = f"redis://127.0.0.1:{redis_port}/0"
        setups: dict[str, tuple[list[str], int | str | None]] = {"1 worker, memory": ([], cores["workers"](1))}
        for n in counts:
            setups[f"{n} worker{'s' if n > 1 else ''}, Redis"] = (
                ["--store", f"{url}?prefix=w{n}", *(["--workers", str(n)] if n > 1 else [])], cores["workers"](n))
        trips = round_trips(url)
        servers: dict[str, compare.Server] = {}
        try:
            for i, (label, (flags, core)) in enumerate(setups.items()):
                port = compare.free_port()
                server = compare.Server("sendkit-mock", [script, "serve", "--port", str(port), "--no-access-log",
                                                         *flags], port)
                logs = Path(tmp) / f"setup{i}"
                logs.mkdir()
                server.start(logs, core=core)
                compare.prepare(server)
                servers[label] = server
            results: dict[tuple[str, str], list[dict[str, float]]] = {}
            for _ in range(args.rounds):
                for workload in WORKLOADS:
                    for label, server in servers.items():
                        others = [s for s in servers.values() if s is not server]
                        paused(others, True)  # their tickers would count in Redis's figures
                        commands_before, cpu_before = commands(redis_port), redis_cpu(redis_port)
                        posting = workload.method == "POST"
                        try:
                            run = compare.wrk(wrk, server, workload, args.duration, args.connections,
                                              core=cores["wrk"], session=POSTS if posting else None)
                            if posting:  # its reports gone: the ticker announces none of them in later rounds
                                status, raw = compare.call(server.port, "POST", "/__mock/reset", None, key=False,
                                                           session=POSTS)
                                assert status == 200, raw
                        finally:
                            paused(others, False)
                        if run["wrong"]:
                            sys.exit(f"{label}: {run['wrong']:.0f} wrong answers to {workload.name}")
                        run["redis_per_request"] = (commands(redis_port) - commands_before) / run["total"]
                        run["redis_us"] = (redis_cpu(redis_port) - cpu_before) * 1e6 / run["total"]
                        results.setdefault((workload.name, label), []).append(run)
        finally:
            for server in servers.values():
                server.stop()
            redis_process.terminate()
            redis_process.wait(10)
    where = "Redis on core 0, wrk on core 1, the workers on cores of their own" if cores["wrk"] is not None \
        else "whole box, unpinned"
    print(f"bench/workers.py --duration {args.duration} --rounds {args.rounds} --connections {args.connections} "
          f"--workers {args.workers} (medians; {os.cpu_count()} cores, {where})")
    print(f"{'workload':34} {'setup':18} {'req/s':>7} {'vs memory':>9} {'per worker':>10} {'p99 ms':>7} "
          f"{'worker us/req':>13} {'Redis us/req':>12} {'Redis ceiling req/s':>19} {'Redis cmds/req':>14}")
    for workload in WORKLOADS:
        base = statistics.median(r["rps"] for r in results[(workload.name, "1 worker, memory")])
        one = None
        for label in setups:
            runs = results[(workload.name, label)]
            rps = statistics.median(r["rps"] for r in runs)
            workers = int(label.split()[0])
            if "Redis" in label and one is None:
                one = rps
            scaling = f"{rps / workers / one:9.2f}x" if "Redis" in label and one else f"{'':>10}"
            worker_us = 1e6 / statistics.median(r["per_cpu_s"] for r in runs)
            redis_us = statistics.median(r["redis_us"] for r in runs) if "Redis" in label else float("nan")
            ceiling = f"{1e6 / redis_us:19,.0f}" if redis_us == redis_us and redis_us > 0 else f"{'-':>19}"
            cmds = statistics.median(r["redis_per_request"] for r in runs)
            print(f"{workload.name:34} {label:18} {rps:7.0f} {rps / base:8.2f}x {scaling} "
                  f"{statistics.median(r['p99_ms'] for r in runs):7.1f} {worker_us:13.0f} "
                  f"{redis_us:12.1f} {ceiling} {cmds:14.1f}")
    print("  per worker: req/s per worker against 1 worker over Redis; worker us/req: CPU of every worker process;")
    print("  Redis us/req and cmds/req: everything Redis ran (inside Lua, the measured server's ticker included; the")
    print("  other servers are paused), per request;")
    print("  Redis ceiling: the req/s at which that CPU fills one Redis core")
    for name, count in trips.items():
        print(f"Redis round trips per request (redis-py calls; a Lua call or a pipeline is one): {name}: {count:.1f}")


if __name__ == "__main__":
    main()
