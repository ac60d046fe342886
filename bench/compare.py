"""sendkit-mock beside Stoplight Prism and Connexion's own mock, measured side by side in one run.

    python bench/compare.py [--duration 5] [--rounds 3] [--connections 8] [--servers mock,prism,...]
    python bench/compare.py --servers sendkit-mock --baseline DIR   # this checkout beside another one
    make bench-compare ARGS="--rounds 5"

Installs what is missing into a cache outside the repository ($XDG_CACHE_HOME or ~/.cache, then
sendkit-mock-bench/): Prism 5.14.2 from npm, and wrk from Debian (apt-get, as root). Every server runs on
127.0.0.1, pinned to core 0 where there are two cores, with wrk (one thread, N connections) on core 1. For each
workload the rounds alternate the servers (A B C A B C ..., after a 1 s warm-up of each) and the medians are
printed: requests/s, requests per CPU-second of the server (what moves least on a shared machine), p99, and
the ratios of sendkit-mock to each peer.
Every answer is checked by wrk (its status, and for the mock's report the `ready` status in the body): a fast
wrong answer is a failure, printed as such. `limit` is a bare ASGI app on the same uvicorn answering fixed bytes:
the distance to it is what the stack costs before any work of ours. `floor` is connexion's FlaskApp built as the
mock builds it (validation both ways, the mock's validators, bridge and views) answering recorded answers, with
none of the mock's features (bench/floor.py): no mock with every feature on can cost less.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOCKS = ("sendkit-mock", "baseline")  # prepared through the control plane (the peers answer static examples)
CHECKED = (*MOCKS, "floor")  # answers checked to the body (the floor answers a ready report it recorded)
SPEC = ROOT / "openapi.yaml"
HOST = "127.0.0.1"
WS_KEY = "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"
PRISM_VERSION = "5.14.2"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sendkit-mock-bench"
SEED_BODY = json.dumps({
    "reportType": "campaign", "campaignIds": ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"],
    "periodStart": "2026-01-01", "periodEnd": "2026-04-17",
    "sections": {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": False},
}, separators=(",", ":"))
INVALID_BODY = '{"reportType":"campaign","periodStart":"2026-01-01"}'
LIMIT_APP = '''
BODY = b'{"success":true,"data":{"id":"5fd99d2f5f9abfeb15dcfcb8","status":"ready"}}'
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
'''


@dataclass(frozen=True)
class Workload:
    name: str
    method: str
    path: str  # {id}: the ready report the set-up made
    body: str | None
    key: bool
    expect: tuple[int, ...]
    body_has: str | None = None  # checked on sendkit-mock's answers only (the peers answer static examples)


WORKLOADS = [
    Workload("valid POST /v1/reports", "POST", "/v1/reports", SEED_BODY, True, (201,)),
    Workload("invalid POST (no campaignIds)", "POST", "/v1/reports", INVALID_BODY, True, (400, 422)),
    Workload("POST without a key", "POST", "/v1/reports", SEED_BODY, False, (401,)),
    Workload("GET /v1/reports/{id} (ready)", "GET", "/v1/reports/{id}", None, True, (200,), '"status":"ready"'),
    Workload("GET /v1/reports (a page)", "GET", "/v1/reports?limit=20", None, True, (200,)),
]


# --------------------------------------------------------------------------- tools, installed when missing
def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True, timeout=600)
        found = shutil.which("wrk")
    if not found:
        sys.exit("bench/compare.py needs wrk: apt-get install wrk (Debian), brew install wrk (macOS)")
    return found


def ensure_prism() -> Path:
    home = CACHE / f"prism-{PRISM_VERSION}"
    binary = home / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("bench/compare.py needs npm for Prism: apt-get install nodejs npm")
        home.mkdir(parents=True, exist_ok=True)
        print(f"installing Prism {PRISM_VERSION} into {home} ...", file=sys.stderr)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                        f"@stoplight/prism-cli@{PRISM_VERSION}"], cwd=home, check=True, timeout=900)
    return binary


# --------------------------------------------------------------------------- servers
@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    ready_path: str = "/v1/reports"
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0
    idle_rss_mib: float = 0.0
    report_id: str = "5fd99d2f5f9abfeb15dcfcb8"

    def start(self, log_dir: Path, core: int | str | None) -> None:
        pin = ["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []
        log = (log_dir / f"{self.name}.log").open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen([*pin, *self.command], stdout=log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **self.env}, start_new_session=True)
        deadline = started + 60
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{self.name} exited at start: see {log_dir / (self.name + '.log')}")
            try:
                call(self.port, "GET", self.ready_path, None, key=True)
                break
            except OSError:
                time.sleep(0.01)
        else:
            sys.exit(f"{self.name} did not answer within 60 s")
        self.startup_s = time.perf_counter() - started
        time.sleep(0.5)
        self.idle_rss_mib = rss_kib(self.pids())[0] / 1024

    def pids(self) -> list[int]:
        assert self.process is not None
        found, frontier = [], [self.process.pid]
        while frontier:
            pid = frontier.pop()
            found.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                children = []
            frontier += [int(c) for c in children]
        return found

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def rss_kib(pids: list[int]) -> tuple[int, int]:
    """(VmRSS, VmHWM) summed over the processes, in KiB."""
    rss = hwm = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        rss += int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) if "VmRSS" in text else 0  # type: ignore[union-attr]
        hwm += int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) if "VmHWM" in text else 0  # type: ignore[union-attr]
    return rss, hwm


def call(port: int, method: str, path: str, body: str | None, *, key: bool,
         session: str | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} | ({"X-Api-Key": WS_KEY} if key else {}) \
        | ({"X-Mock-Session": session} if session else {})
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", data=body.encode() if body else None,
                                     method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def servers(wanted: list[str], tmp: Path, baseline: Path | None = None) -> list[Server]:
    python = sys.executable
    mock_script = str(Path(python).parent / "sendkit-mock")
    limit = tmp / "limit_app.py"
    limit.write_text(LIMIT_APP)
    built: dict[str, Callable[[int], Server]] = {
        "sendkit-mock": lambda p: Server("sendkit-mock", [mock_script, "serve", "--port", str(p)], p),
        # another checkout of the mock (`--baseline DIR`, with its own .venv): before and after a change
        "baseline": lambda p: Server("baseline", [str((baseline or ROOT) / ".venv" / "bin" / "sendkit-mock"), "serve",
                                                  "--port", str(p)], p),
        "prism": lambda p: Server("prism", [str(ensure_prism()), "mock", str(SPEC), "-p", str(p), "-h", HOST], p),
        "prism-silent": lambda p: Server("prism-silent", [str(ensure_prism()), "mock", str(SPEC), "-p", str(p),
                                                          "-h", HOST, "-v", "silent"], p),
        "connexion-mock": lambda p: Server("connexion-mock", [python, "-m", "connexion", "run", str(SPEC),
                                                              "--mock", "all", "-p", str(p), "-H", HOST], p),
        # connexion's FlaskApp as the mock builds it, with none of the mock's features (bench/floor.py)
        "floor": lambda p: Server("floor", [python, str(ROOT / "bench" / "floor.py"), "--port", str(p)], p),
        "limit": lambda p: Server("limit", [python, "-m", "uvicorn", "--app-dir", str(tmp), "limit_app:app",
                                            "--host", HOST, "--port", str(p), "--no-access-log",
                                            "--log-level", "warning"], p),
    }
    unknown = [w for w in wanted if w not in built]
    if unknown:
        sys.exit(f"unknown servers {unknown}: choose from {', '.join(built)}")
    return [built[name](free_port()) for name in wanted]


# --------------------------------------------------------------------------- load
WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_TOTAL = re.compile(r"(\d+) requests in")
WRK_P99 = re.compile(r"99%\s+([\d.]+)(us|ms|s)\b")
WRK_WRONG = re.compile(r"wrong answers: (\d+)")


def wrk(binary: str, server: Server, workload: Workload, duration: int, connections: int,
        core: int | str | None, session: str | None = None) -> dict[str, float]:
    """One wrk run against `server` (in the mock's `session` when one is named); its figures."""
    path = workload.path.replace("{id}", server.report_id)
    check_body = workload.body_has if server.name in CHECKED else None
    expect = workload.expect if server.name != "limit" else (200,)  # the limit answers 200 and fixed bytes
    lua = [f'wrk.method = "{workload.method}"', 'wrk.headers["Content-Type"] = "application/json"']
    if workload.key:
        lua.append(f'wrk.headers["X-Api-Key"] = "{WS_KEY}"')
    if workload.body is not None:
        lua.append(f"wrk.body = [[{workload.body}]]")
    if session is not None:
        lua.append(f'wrk.headers["X-Mock-Session"] = "{session}"')
    expected = " or ".join(f"status == {s}" for s in expect)
    body_ok = f' and string.find(body, [[{check_body}]], 1, true) ~= nil' if check_body else ""
    lua += [
        "wrong = 0",
        f"response = function(status, headers, body) if not (({expected}){body_ok}) then wrong = wrong + 1 end end",
        "threads = {}",
        "setup = function(thread) table.insert(threads, thread) end",
        "done = function(summary, latency, requests) local n = 0 "
        "for _, t in ipairs(threads) do n = n + t:get('wrong') end io.write('wrong answers: ' .. n .. '\\n') end",
    ]
    pin = ["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua) + "\n")
    before = cpu_seconds(server.pids())
    done = subprocess.run([*pin, binary, "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
                           "-s", script.name, f"http://{HOST}:{server.port}{path}"],
                          capture_output=True, text=True, timeout=duration + 60)
    cpu = cpu_seconds(server.pids()) - before
    os.unlink(script.name)
    out = done.stdout
    if done.returncode != 0 or not WRK_RPS.search(out):
        raise RuntimeError(f"wrk against {server.name} failed: {done.stderr or out}")
    total = int(WRK_TOTAL.search(out).group(1))  # type: ignore[union-attr]
    p99 = WRK_P99.search(out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": float(WRK_RPS.search(out).group(1)),  # type: ignore[union-attr]
        "per_cpu_s": total / cpu if cpu > 0 else float("nan"),
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "wrong": float(WRK_WRONG.search(out).group(1)) if WRK_WRONG.search(out) else 0.0,  # type: ignore[union-attr]
        "total": float(total),
    }


def prepare(server: Server) -> None:
    """A ready report for the GET workload (the peers answer any id with their example)."""
    if server.name not in MOCKS:
        return
    status, raw = call(server.port, "POST", "/v1/reports", SEED_BODY, key=True)
    assert status == 201, raw
    server.report_id = json.loads(raw)["data"]["reports"][0]["id"]
    status, raw = call(server.port, "POST", "/__mock/clock", '{"advance": 10}', key=False)
    assert status == 200, raw
    status, raw = call(server.port, "GET", f"/v1/reports/{server.report_id}", None, key=True)
    assert status == 200 and json.loads(raw)["data"]["status"] == "ready", raw


# --------------------------------------------------------------------------- the table
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--servers", default="sendkit-mock,prism,prism-silent,connexion-mock,limit")
    parser.add_argument("--workloads", default="", help="comma-separated indexes (0-4) of the workloads to run")
    parser.add_argument("--json", type=Path, help="also write the medians here")
    parser.add_argument("--baseline", type=Path, help="a checkout of the mock with its own .venv, run as the server "
                        "`baseline` (git worktree add DIR main && make -C DIR .venv/.installed-stamp)")
    args = parser.parse_args()
    if args.baseline is not None and "baseline" not in args.servers.split(","):
        args.servers += ",baseline"
    wrk_binary = ensure_wrk()
    two_cores = (os.cpu_count() or 1) >= 2
    server_core, load_core = (0, 1) if two_cores else (None, None)
    picked = [WORKLOADS[int(i)] for i in args.workloads.split(",") if i] or WORKLOADS
    with tempfile.TemporaryDirectory(prefix="sendkit-compare-") as tmp:
        running = servers(args.servers.split(","), Path(tmp), args.baseline)
        try:
            for server in running:  # one at a time, so start-up is measured on a quiet machine
                server.start(Path(tmp), server_core)
                prepare(server)
            results: dict[str, dict[str, list[dict[str, float]]]] = {}
            for workload in picked:
                for server in running:  # warm-up, not counted: Prism's JIT, the mock's caches, the connections
                    wrk(wrk_binary, server, workload, 1, args.connections, load_core)
                for _ in range(args.rounds):
                    for server in running:
                        figures = wrk(wrk_binary, server, workload, args.duration, args.connections, load_core)
                        results.setdefault(workload.name, {}).setdefault(server.name, []).append(figures)
            peaks = {s.name: rss_kib(s.pids())[1] / 1024 for s in running}
            report(running, picked, results, peaks, args)
        finally:
            for server in running:
                server.stop()


def report(running: list[Server], picked: list[Workload], results: dict[str, dict[str, list[dict[str, float]]]],
           peaks: dict[str, float], args: argparse.Namespace) -> None:
    def median(workload: str, server: str, key: str) -> float:
        return statistics.median(r[key] for r in results[workload][server])

    names = [s.name for s in running]
    print(f"\n{os.cpu_count()} cores, {args.connections} connections, {args.rounds} rounds of {args.duration} s "
          f"(medians); server on core 0, wrk on core 1\n")
    print(f"| workload | {' | '.join(f'{n} req/s · req/CPU-s · p99 ms' for n in names)} |")
    print("|---|" + "---|" * len(names))
    for workload in picked:
        cells = []
        for name in names:
            wrong = sum(r["wrong"] for r in results[workload.name][name])
            cell = (f"{median(workload.name, name, 'rps'):.0f} · {median(workload.name, name, 'per_cpu_s'):.0f} · "
                    f"{median(workload.name, name, 'p99_ms'):.1f}")
            cells.append(cell + (f" **{wrong:.0f} wrong**" if wrong else ""))
        print(f"| {workload.name} | {' | '.join(cells)} |")
    if "sendkit-mock" in names:
        peers = [n for n in names if n != "sendkit-mock"]
        print("\nsendkit-mock / peer, requests per CPU-second (p99 ratio: lower is better for the mock)\n")
        print(f"| workload | {' | '.join(f'/ {p}' for p in peers)} |")
        print("|---|" + "---|" * len(peers))
        for workload in picked:
            mine = median(workload.name, "sendkit-mock", "per_cpu_s")
            mine_p99 = median(workload.name, "sendkit-mock", "p99_ms")
            cells = [f"{mine / median(workload.name, p, 'per_cpu_s'):.2f}× (p99 "
                     f"{mine_p99 / median(workload.name, p, 'p99_ms'):.2f}×)" for p in peers]
            print(f"| {workload.name} | {' | '.join(cells)} |")
    print("\n| server | start-up s | idle RSS MiB | peak RSS MiB |\n|---|---|---|---|")
    for server in running:
        print(f"| {server.name} | {server.startup_s:.2f} | {server.idle_rss_mib:.0f} | {peaks[server.name]:.0f} |")
    if args.json:
        medians = {w.name: {n: {k: median(w.name, n, k) for k in ("rps", "per_cpu_s", "p99_ms")} for n in names}
                   for w in picked}
        args.json.write_text(json.dumps({"medians": medians, "servers": {
            s.name: {"startup_s": s.startup_s, "idle_rss_mib": s.idle_rss_mib, "peak_rss_mib": peaks[s.name]}
            for s in running}}, indent=2))


if __name__ == "__main__":
    main()
