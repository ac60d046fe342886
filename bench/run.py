"""Start-up, memory and throughput figures for sendkit-mock.

    python bench/run.py            # everything (under a minute on 2 cores)
    python bench/run.py --quick    # shorter runs, 20k stored reports
    make bench ARGS="--quick"

It measures and prints; it asserts nothing. Every server it starts listens on 127.0.0.1 only and is
stopped on the way out (try/finally, SIGTERM handler, and PR_SET_PDEATHSIG on Linux as a last resort).

Sections:
  startup  spawn `sendkit-mock serve`, time to the first 200 of an authenticated GET /v1/reports; idle RSS
  store    in a child Python: RSS with N stored reports, and GET-by-id / list timings at 100 vs N reports
  load     requests/s on one uvicorn worker: POST /v1/reports, GET /v1/reports/{id}, GET /v1/reports
           with wrk when it is on PATH, else a bounded Python load generator (threads + http.client)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # all traffic stays on loopback
WS_KEY = "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"
SEED_BODY: dict[str, Any] = {
    "reportType": "campaign",
    "campaignIds": ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"],
    "periodStart": "2026-01-01",
    "periodEnd": "2026-04-17",
    "sections": {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": False},
}
STORE_BODIES = (
    '{"reportType":"workspace"}',
    '{"reportType":"campaign","campaignIds":["664f0a1b2c3d4e5f6a7b8c01"]}',
)
TARGETS = {"startup_s": 1.0, "idle_rss_mib": 80.0, "store_rss_mib": 200.0}
MIB = 1024 * 1024


# ------------------------------------------------------------------------------------ helpers
def rss_kib(pid: int | str = "self") -> dict[str, int]:
    """VmRSS and VmHWM (peak) in KiB from /proc; empty where /proc is missing."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def mib(kib: int | None) -> float | None:
    return None if kib is None else kib / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None or value != value:  # None or NaN
        return "n/a"
    return f"{value:,.{digits}f}{unit}"


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Servers:
    """Every server process this run starts; `stop_all` is idempotent and runs from finally/atexit."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, port: int, *extra: str, log_level: str = "warning") -> subprocess.Popen[bytes]:
        exe = shutil.which("sendkit-mock", path=str(Path(sys.executable).parent))
        exe = exe or shutil.which("sendkit-mock")
        cmd = [exe] if exe else [sys.executable, "-m", "sendkit_mock"]
        cmd += ["serve", "--host", HOST, "--port", str(port), "--log-level", log_level, *extra]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stderr:
            proc.stderr.close()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in list(self.procs):
            with contextlib.suppress(Exception):
                self.stop(proc)


SERVERS = Servers()


def call(
    port: int, method: str, path: str, body: str | None = None, timeout: float = 5.0,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"X-Api-Key": WS_KEY, **(headers or {})}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_ready(proc: subprocess.Popen[bytes], port: int, deadline_s: float = 30.0) -> float:
    """Seconds from now until the first 200 of an authenticated GET /v1/reports."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < deadline_s:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {err[-2000:]}")
        try:
            status, _ = call(port, "GET", "/v1/reports?limit=1", timeout=2.0)
            if status == 200:
                return time.perf_counter() - t0
        except (ConnectionError, OSError, http.client.HTTPException):
            pass
        time.sleep(0.005)
    raise RuntimeError(f"no answer on port {port} within {deadline_s}s")


@contextlib.contextmanager
def server(*extra: str, log_level: str = "warning") -> Iterator[tuple[subprocess.Popen[bytes], int, float]]:
    port = free_port()
    t0 = time.perf_counter()
    proc = SERVERS.start(port, *extra, log_level=log_level)
    try:
        wait_ready(proc, port)
        ready = time.perf_counter() - t0  # from just before the spawn
        yield proc, port, ready
    finally:
        SERVERS.stop(proc)


# ------------------------------------------------------------------------------------ 1+2: startup
def bench_startup(runs: int) -> dict[str, Any]:
    times, idle, warm = [], [], []
    for _ in range(runs):
        with server() as (proc, port, ready):
            times.append(ready)
            time.sleep(0.3)
            idle.append(rss_kib(proc.pid).get("VmRSS"))
            # one of each request, so lazily built parts (validators, JSON encoders) are in
            status, raw = call(port, "POST", "/v1/reports", json.dumps(SEED_BODY))
            rid = json.loads(raw)["data"]["reports"][0]["id"] if status == 201 else "x"
            call(port, "GET", f"/v1/reports/{rid}")
            call(port, "GET", "/v1/reports")
            time.sleep(0.1)
            warm.append(rss_kib(proc.pid).get("VmRSS"))
    idle_k = [v for v in idle if v]
    warm_k = [v for v in warm if v]
    return {
        "runs": runs,
        "startup_s": times,
        "startup_median_s": statistics.median(times),
        "startup_min_s": min(times),
        "startup_max_s": max(times),
        "idle_rss_mib": mib(statistics.median(idle_k)) if idle_k else None,
        "warm_rss_mib": mib(statistics.median(warm_k)) if warm_k else None,
    }


# ------------------------------------------------------------------------------------ 3: store (child)
class _Filled:
    """One mock on a manual clock, filled through `service.create` with workspace-key reports."""

    def __init__(self, capacity: int) -> None:
        from sendkit_mock import ManualClock, Settings, create_mock

        most = max(200_000, capacity + 1_000)
        self.mock = create_mock(Settings(max_reports=most, max_reports_total=most), clock=ManualClock())
        self.service = self.mock.service
        principal = self.service.auth.authenticate(WS_KEY)
        assert principal is not None, "the bench key is not in the fixtures"
        self.principal = principal
        self.made = 0
        self.sample_ids: list[str] = []

    def fill(self, upto: int, sample_every: int = 1) -> float:
        """Create reports until `upto` are stored; microseconds per report."""
        t0, start = time.perf_counter(), self.made
        while self.made < upto:
            # a fresh dict each time, as a parsed request body would be (no strings shared between reports)
            reports = self.service.create(self.principal, None, json.loads(STORE_BODIES[self.made % 2]))
            self.made += len(reports)
            if self.made % sample_every == 0:
                self.sample_ids.append(reports[-1].id)
        return (time.perf_counter() - t0) / max(1, self.made - start) * 1e6


def store_child(n: int, samples: int, trace: int) -> None:
    """Runs in a fresh interpreter; prints one JSON line with the figures."""
    import gc

    out: dict[str, Any] = {"n": n, "rss_after_import_mib": mib(rss_kib().get("VmRSS"))}
    step = max(1, n // 1000)
    big = _Filled(n)

    if trace:
        import tracemalloc

        big.fill(100)
        gc.collect()
        tracemalloc.start(1)  # from here on: only what the next n - 100 reports allocate, by source line
        big.fill(n, step)
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        out["trace"] = summarize_trace(snapshot, n - 100)
        print(json.dumps(out), flush=True)
        return

    headers = {"X-Api-Key": WS_KEY}
    with big.mock.app.test_client() as big_client:
        big_client.get("/v1/reports", headers=headers)  # build the app before the baseline
        big.fill(100, step)
        gc.collect()
        out["rss_100_mib"] = mib(rss_kib().get("VmRSS"))
        out["create_us_per_report"] = big.fill(n, step)
        big.mock.advance(60)  # all of them ready (a status page moves its index past n transitions, once) ...
        big.fill(n + 50, step)  # ... and a few queued after them
        gc.collect()
        out["rss_n_mib"] = mib(rss_kib().get("VmRSS"))
        out["hwm_n_mib"] = mib(rss_kib().get("VmHWM"))
        out["stored"] = len(big.service.store)
        out["bytes_per_report"] = (out["rss_n_mib"] - out["rss_100_mib"]) * MIB / max(1, n - 100)

        # timings: a second mock with 100 reports, requests alternating between the two, so that
        # noise from other work on the machine falls on both sides alike
        small = _Filled(100)
        small.fill(100)
        small.mock.advance(60)
        small.fill(150)
        big.service.page(big.principal, None, cursor=None, limit=25, status="ready")  # the one-time move
        with small.mock.app.test_client() as small_client:
            sides = {"at_100": (small, small_client), "at_n": (big, big_client)}
            paths: dict[str, Callable[[_Filled, int], str]] = {
                "get": lambda f, i: f"/v1/reports/{f.sample_ids[i % len(f.sample_ids)]}",
                "list": lambda f, i: "/v1/reports",
                "list_filtered": lambda f, i: "/v1/reports?reportType=campaign",
                "list_status": lambda f, i: "/v1/reports?status=ready&limit=25",
                "list_status_type": lambda f, i: "/v1/reports?status=queued&reportType=campaign&limit=25",
            }
            for key, path_for in paths.items():
                lat: dict[str, list[float]] = {side: [] for side in sides}
                for i in range(-10, samples):  # 10 warm-up rounds
                    for side, (filled, client) in sides.items():
                        path = path_for(filled, i)
                        t0 = time.perf_counter()
                        r = client.get(path, headers=headers)
                        if i >= 0:
                            lat[side].append((time.perf_counter() - t0) * 1e3)
                        if r.status_code != 200:
                            raise RuntimeError(f"{path} answered {r.status_code}: {r.text[:300]}")
                for side in sides:
                    figures = {"p50_ms": pct(lat[side], 50), "p90_ms": pct(lat[side], 90)}
                    out.setdefault(side, {})[key] = figures

            calls: dict[str, Callable[[_Filled, int], Any]] = {
                "svc_get_us": lambda f, i: f.service.get(
                    f.principal, None, f.sample_ids[i % len(f.sample_ids)]
                ),
                "svc_list_us": lambda f, i: f.service.page(f.principal, None, cursor=None, limit=25),
                "svc_list_filtered_us": lambda f, i: f.service.page(
                    f.principal, None, cursor=None, limit=25, report_type="campaign"
                ),
                "svc_list_status_us": lambda f, i: f.service.page(
                    f.principal, None, cursor=None, limit=25, status="ready"
                ),
            }
            reps = 20  # calls per timed batch
            for key, fn in calls.items():
                batches: dict[str, list[float]] = {side: [] for side in sides}
                deadline = time.perf_counter() + 1.0
                rounds = 0
                while rounds < 3 or (time.perf_counter() < deadline and rounds < 200):
                    for side, (filled, _) in sides.items():
                        t0 = time.perf_counter()
                        for i in range(reps):
                            fn(filled, rounds * reps + i)
                        batches[side].append((time.perf_counter() - t0) / reps * 1e6)
                    rounds += 1
                for side in sides:
                    out[side][key] = statistics.median(batches[side])
    print(json.dumps(out), flush=True)


def summarize_trace(snapshot: Any, count: int) -> dict[str, Any]:
    import linecache
    import tracemalloc

    snapshot = snapshot.filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats)
    lines = []
    for stat in stats[:16]:
        frame = stat.traceback[0]
        lines.append(
            {
                "where": f"{_short(frame.filename)}:{frame.lineno}",
                "code": linecache.getline(frame.filename, frame.lineno).strip()[:70],
                "bytes_per_report": stat.size / count,
                "blocks_per_report": stat.count / count,
                "share": stat.size / total if total else 0.0,
            }
        )
    return {"count": count, "total_bytes_per_report": total / count, "top": lines}


def _short(filename: str) -> str:
    if "sendkit_mock/" in filename:
        return "sendkit_mock/" + filename.split("sendkit_mock/", 1)[1]
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    return re.sub(r"^.*/lib/python3\.\d+/", "", filename)


def run_child(args: list[str], timeout: float = 900) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-6:])
        raise RuntimeError(f"store child failed ({proc.returncode}):\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_store(n: int, samples: int, trace: bool) -> dict[str, Any]:
    result = run_child(["--_store-child", str(n), "--samples", str(samples)])
    if trace:
        traced_n = min(n, 20_000)
        result["trace"] = run_child(["--_store-child", str(traced_n), "--trace"])["trace"]
    return result


# ------------------------------------------------------------------------------------ 4: load
WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_TOTAL = re.compile(r"(\d+) requests in ([\d.]+)(\w+)")
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_SOCKERR = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_PCT = re.compile(r"^\s+(50|90|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def _to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def load_wrk(
    port: int, method: str, path: str, body: str | None, duration: float, conns: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sendkit-bench-") as tmp:
        script = Path(tmp) / "req.lua"
        lua = [f'wrk.method = "{method}"', f'wrk.headers["X-Api-Key"] = "{WS_KEY}"']
        if body is not None:
            lua += ['wrk.headers["Content-Type"] = "application/json"', f"wrk.body = [[{body}]]"]
        script.write_text("\n".join(lua) + "\n")
        cmd = [
            "wrk", "-t1", f"-c{conns}", f"-d{max(1, round(duration))}s", "--latency", "--timeout", "10s",
            "-s", str(script), f"http://{HOST}:{port}{path}",
        ]  # fmt: skip
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=duration + 60,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    text = proc.stdout
    if proc.returncode != 0 or not WRK_LINE.search(text):
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or text}")
    total = WRK_TOTAL.search(text)
    non2xx = WRK_NON2XX.search(text)
    sock = WRK_SOCKERR.search(text)
    pcts = {p: _to_ms(v, u) for p, v, u in WRK_PCT.findall(text)}
    return {
        "tool": "wrk",
        "rps": float(WRK_LINE.search(text).group(1)),
        "requests": int(total.group(1)) if total else None,
        "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0),
        "p50_ms": pcts.get("50"),
        "p99_ms": pcts.get("99"),
    }


def load_python(
    port: int, method: str, path: str, body: str | None, duration: float, conns: int, max_requests: int
) -> dict[str, Any]:
    """Bounded: `conns` threads, one keep-alive connection each, stops at `duration` or `max_requests`."""
    headers = {"X-Api-Key": WS_KEY}
    if body is not None:
        headers["Content-Type"] = "application/json"
    payload = body.encode() if body is not None else None
    lock = threading.Lock()
    issued = 0
    latencies: list[list[float]] = [[] for _ in range(conns)]
    errors = [0] * conns
    deadline = time.perf_counter() + duration

    def worker(k: int) -> None:
        nonlocal issued
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if issued >= max_requests:
                        return
                    issued += 1
                t0 = time.perf_counter()
                try:
                    conn.request(method, path, body=payload, headers=headers)
                    resp = conn.getresponse()
                    resp.read()
                    if not 200 <= resp.status < 300:
                        errors[k] += 1
                except (OSError, http.client.HTTPException):
                    errors[k] += 1
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=10)
                    continue
                latencies[k].append((time.perf_counter() - t0) * 1e3)
        finally:
            conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 30)
    elapsed = time.perf_counter() - t0
    lat = [x for per in latencies for x in per]
    return {
        "tool": f"python ({conns} threads)",
        "rps": len(lat) / elapsed if elapsed else 0.0,
        "requests": len(lat),
        "errors": sum(errors),
        "p50_ms": pct(lat, 50),
        "p99_ms": pct(lat, 99),
    }


def bench_load(
    duration: float, conns: int, use_wrk: bool, max_requests: int, log_level: str
) -> dict[str, Any]:
    wrk = use_wrk and shutil.which("wrk") is not None
    results: dict[str, Any] = {"tool": "wrk" if wrk else "python", "conns": conns, "duration_s": duration}
    extra = ["--max-reports", "10000000", "--queued-seconds", "0", "--processing-seconds", "0"]
    with server(*extra, log_level=log_level) as (proc, port, _):
        body = json.dumps(SEED_BODY, separators=(",", ":"))
        status, raw = call(port, "POST", "/v1/reports", body)
        if status != 201:
            raise RuntimeError(f"POST /v1/reports answered {status}: {raw[:300]!r}")
        report_id = json.loads(raw)["data"]["reports"][0]["id"]
        cases = [
            ("POST /v1/reports (seed body, 2 reports)", "POST", "/v1/reports", body, 201),
            ("GET /v1/reports/{id} (ready report)", "GET", f"/v1/reports/{report_id}", None, 200),
            ("GET /v1/reports (first page, 25)", "GET", "/v1/reports", None, 200),
        ]
        rows = []
        for label, method, path, payload, expect in cases:
            status, raw = call(port, method, path, payload)
            if status != expect:
                raise RuntimeError(f"{method} {path} answered {status}, expected {expect}: {raw[:300]!r}")
            # short warm-up on keep-alive connections
            load_python(port, method, path, payload, duration=0.5, conns=2, max_requests=200)
            if wrk:
                row = load_wrk(port, method, path, payload, duration, conns)
            else:
                row = load_python(port, method, path, payload, duration, conns, max_requests)
            row["label"] = label
            rows.append(row)
        results["rows"] = rows
        results["server_rss_after_mib"] = mib(rss_kib(proc.pid).get("VmRSS"))
        status, raw = call(port, "GET", "/v1/reports?limit=1")
        results["stored_after"] = json.loads(raw)["pagination"]["total"] if status == 200 else None
    return results


# ------------------------------------------------------------------------------------ report
def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, IndexError):
        mem = f"{int(Path('/proc/meminfo').read_text().split()[1]) / MIB:.1f} GiB"
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wrk = shutil.which("wrk")
    wrk_v = ""
    if wrk:
        with contextlib.suppress(Exception):
            banner = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=5).stdout
            wrk_v = banner.split("[")[0].strip()
    return {
        "nproc": nproc,
        "cpu": model,
        "mem": mem,
        "python": platform.python_version(),
        "impl": platform.python_implementation(),
        "os": f"{platform.system()} {platform.release()}",
        "wrk": wrk_v or "absent",
    }


def status_of(value: float | None, target: float) -> str:
    if value is None:
        return ""
    return "under target" if value < target else "OVER target"


def print_report(m: dict[str, Any], start: dict | None, store: dict | None, load: dict | None) -> None:
    w = 54
    print()
    print("sendkit-mock bench")
    print(f"  machine: nproc={m['nproc']}  cpu={m['cpu'] or '?'}  mem={m['mem'] or '?'}")
    print(f"           {m['impl']} {m['python']}  {m['os']}  wrk: {m['wrk']}")
    print()
    print(f"{'figure':<{w}} {'value':>16}  {'target':>9}  note")
    print("-" * (w + 60))

    def row(name: str, value: str, target: str = "", note: str = "") -> None:
        print(f"{name:<{w}} {value:>16}  {target:>9}  {note}".rstrip())

    if start:
        row(
            f"start-up to first 200, median of {start['runs']}",
            fmt(start["startup_median_s"], " s", 3),
            "< 1 s",
            status_of(start["startup_median_s"], TARGETS["startup_s"]),
        )
        row(
            "start-up to first 200, min / max",
            f"{start['startup_min_s']:.3f}/{start['startup_max_s']:.3f} s",
        )
        row(
            "idle RSS after start-up (median)",
            fmt(start["idle_rss_mib"], " MiB"),
            "< 80 MiB",
            status_of(start["idle_rss_mib"], TARGETS["idle_rss_mib"]),
        )
        row("RSS after one POST/GET/list (warm)", fmt(start["warm_rss_mib"], " MiB"))
    if store:
        n = store["n"]
        row(
            f"RSS with {n:,} stored reports (in-process)",
            fmt(store["rss_n_mib"], " MiB"),
            "< 200 MiB",
            status_of(store["rss_n_mib"], TARGETS["store_rss_mib"])
            + f" (peak {fmt(store['hwm_n_mib'], ' MiB')})",
        )
        row("  same process with 100 reports", fmt(store["rss_100_mib"], " MiB"))
        row("  RSS growth per stored report", fmt(store["bytes_per_report"], " B", 0))
        row("  service.create, per report", fmt(store["create_us_per_report"], " us"))
        a, b = store["at_100"], store["at_n"]
        for key, label in (
            ("get", "GET /v1/reports/{id}"),
            ("list", "GET /v1/reports (first page)"),
            ("list_filtered", "GET /v1/reports?reportType=campaign"),
            ("list_status", "GET /v1/reports?status=ready"),
            ("list_status_type", "GET ?status=queued&reportType=campaign"),
        ):
            row(
                f"  {label} p50, 100 -> {n:,}",
                f"{a[key]['p50_ms']:.2f}->{b[key]['p50_ms']:.2f} ms",
                "",
                f"x{b[key]['p50_ms'] / a[key]['p50_ms']:.2f}  (test client)",
            )
        for key, label in (
            ("svc_get_us", "service.get"),
            ("svc_list_us", "service.list first page"),
            ("svc_list_filtered_us", "service.list reportType filter"),
            ("svc_list_status_us", "service.list status=ready"),
        ):
            row(
                f"  {label}, 100 -> {n:,}",
                f"{a[key]:.1f}->{b[key]:.1f} us",
                "",
                f"x{b[key] / a[key]:.2f}  (direct call)",
            )
    if load:
        row(
            f"throughput, 1 uvicorn worker ({load['tool']}, c={load['conns']}, {load['duration_s']:g}s)",
            "req/s",
            "",
            "p50 / p99 latency, errors",
        )
        for r in load["rows"]:
            row(
                f"  {r['label']}",
                fmt(r["rps"], "", 0),
                "",
                f"{fmt(r['p50_ms'], ' ms', 2)} / {fmt(r['p99_ms'], ' ms', 2)}, "
                f"{r['errors']} non-2xx/socket errors",
            )
        stored = load["stored_after"]
        row(
            "  server RSS after the load",
            fmt(load["server_rss_after_mib"], " MiB"),
            "",
            f"{stored:,} stored" if stored is not None else "",
        )
    if store and store.get("trace"):
        t = store["trace"]
        print()
        print(f"where stored-report memory goes (tracemalloc over {t['count']:,} service.create reports;")
        total = t["total_bytes_per_report"]
        print(f"  {total:.0f} B/report Python-allocated; RSS adds allocator/dict slack):")
        for item in t["top"]:
            print(
                f"  {item['bytes_per_report']:7.0f} B {item['blocks_per_report']:4.1f} blk "
                f"{item['share']:5.1%}  "
                f"{item['where']:<34} {item['code']}"
            )
    print()


# ------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--quick", action="store_true", help="2 start-ups, 20k stored reports, 2 s load, no tracemalloc"
    )
    p.add_argument(
        "--only", choices=["startup", "store", "load"], action="append", help="run only these sections"
    )
    p.add_argument("--runs", type=int, help="start-ups to time (default 5, quick 2)")
    p.add_argument("--reports", type=int, help="stored reports for the memory figure (default 100000)")
    p.add_argument("--samples", type=int, default=200, help="requests per timing at 100 and N reports")
    p.add_argument("--duration", type=float, help="seconds per load case (default 5, quick 2)")
    p.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections")
    p.add_argument("--max-requests", type=int, default=200_000, help="cap per load case (Python generator)")
    p.add_argument("--no-wrk", action="store_true", help="use the Python load generator even with wrk")
    p.add_argument(
        "--server-log-level", default="warning", help="load server --log-level (info: access log)"
    )
    p.add_argument("--trace", dest="trace", action="store_true", default=None, help="tracemalloc breakdown")
    p.add_argument("--no-trace", dest="trace", action="store_false")
    p.add_argument("--json", action="store_true", help="also print all figures as JSON")
    p.add_argument("--_store-child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args._store_child is not None:
        store_child(args._store_child, args.samples, int(bool(args.trace)))
        return 0

    runs = args.runs or (2 if args.quick else 5)
    n = args.reports or (20_000 if args.quick else 100_000)
    duration = args.duration or (2.0 if args.quick else 5.0)
    trace = args.trace if args.trace is not None else not args.quick
    sections = set(args.only or ["startup", "store", "load"])

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so finally blocks run
    m = machine()
    start = store = load = None
    failures: list[str] = []

    def attempt(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        t0 = time.perf_counter()
        try:
            return fn()
        except Exception as exc:  # a broken section is reported, the others still run
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            return None
        finally:
            print(f"      {name} took {time.perf_counter() - t0:.1f} s", flush=True)

    try:
        if "startup" in sections:
            print(f"[1/3] start-up x{runs} ...", flush=True)
            start = attempt("startup", lambda: bench_startup(runs))
        if "store" in sections:
            print(f"[2/3] {n:,} stored reports (child process) ...", flush=True)
            store = attempt("store", lambda: bench_store(n, args.samples, trace=trace))
        if "load" in sections:
            print(f"[3/3] load, {duration:g}s per case ...", flush=True)
            load = attempt(
                "load",
                lambda: bench_load(
                    duration, args.connections, not args.no_wrk, args.max_requests, args.server_log_level
                ),
            )
    finally:
        SERVERS.stop_all()
    print_report(m, start, store, load)
    for failure in failures:
        print(f"section failed: {failure}")
    if args.json:
        figures = {"machine": m, "startup": start, "store": store, "load": load, "failures": failures}
        print(json.dumps(figures, indent=1, default=str))
    return 0


if __name__ == "__main__":
    import atexit

    atexit.register(SERVERS.stop_all)
    sys.exit(main())
