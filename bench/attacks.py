"""Replays issue 25's memory attacks against `sendkit-mock serve` and prints its RSS against the ceiling.

    python bench/attacks.py                      # the defaults: about two minutes on 2 cores
    python bench/attacks.py --sessions 200 --reports 20000
    python bench/attacks.py --baseline ../old    # the same, then against another checkout's server

It measures and prints; it asserts nothing. The server listens on 127.0.0.1 only, and every attack is
bounded in count. Phases, each after the last (the RSS printed is the server's, read from /proc):
  journal   POSTs of 64 KB bodies of `[{},{},...]` (24x their size once parsed, when the journal kept them
            parsed) and 100 headers of 100 bytes, spread over many sessions: the journal's byte budget holds
  imports   1 MiB state imports of empty journal objects into many sessions
  headers   requests with a 10 MB header (431 as it arrives)
  records   recipients and webhooks to each workspace's bound, reports up to --reports
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

KEY = "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"


def rss_mib(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def journal_attack(base: str, sessions: int, requests_per_session: int) -> None:
    body = "[" + ",".join(["{}"] * 21_000) + "]"  # 64 KB of text
    headers = {"X-Api-Key": KEY, "Content-Type": "application/json", **{f"X-Pad-{i}": "p" * 100 for i in range(100)}}
    with requests.Session() as http:
        for s in range(sessions):
            for _ in range(requests_per_session):
                http.post(f"{base}/v1/reports", data=body, headers={**headers, "X-Mock-Session": f"j{s}"})


def import_attack(base: str, sessions: int) -> None:
    with requests.Session() as http:
        state = http.get(f"{base}/__mock/state").json()["data"]
        entry = {"method": "GET", "path": "/v1/reports", "query": {}, "headers": {}, "body": None, "status": 200,
                 "durationMs": 1, "violations": [], "answer": None, "injected": None, "workspaceId": None,
                 "_id": "0" * 24, "at": "2026-04-17T10:00:00.000Z"}
        state["journal"] = [entry] * 3_000  # about 1 MiB; the journal keeps its 1,000 newest
        for s in range(sessions):
            http.put(f"{base}/__mock/state?journal=true", json=state, headers={"X-Mock-Session": f"i{s}"})


def header_attack(base: str, count: int) -> int:
    refused = 0
    for _ in range(count):
        try:
            answer = requests.get(f"{base}/v1/reports", headers={"X-Api-Key": KEY, "X-Big": "b" * 10_000_000},
                                  timeout=30)
            refused += answer.status_code == 431
        except requests.ConnectionError:
            refused += 1
    return refused


def records_attack(base: str, reports: int) -> dict[str, int]:
    counts = {"recipients": 0, "webhooks": 0, "reports": 0, "refused": 0}
    with requests.Session() as http:
        h = {"X-Api-Key": KEY}
        for n in range(1_100):
            made = http.post(f"{base}/v1/reports/recipients", headers=h,
                             json={"name": f"R {n}", "email": f"r{n}@example.com", "reportType": "workspace"})
            counts["recipients"] += made.status_code == 201
        for n in range(120):
            made = http.post(f"{base}/v1/webhooks", headers=h,
                             json={"name": f"H {n}", "url": f"http://127.0.0.1:9/{n}", "events": ["report.ready"]})
            counts["webhooks"] += made.status_code == 201
        for n in range(reports):
            made = http.post(f"{base}/v1/reports", headers={**h, "X-Mock-Session": f"r{n % 50}"},
                             json={"reportType": "workspace"})
            counts["reports"] += made.status_code == 201
            counts["refused"] += made.status_code == 503
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=100, help="sessions the journal attack spreads over")
    parser.add_argument("--per-session", type=int, default=20, help="64 KB POSTs per session")
    parser.add_argument("--imports", type=int, default=100, help="sessions given a 1 MiB state import")
    parser.add_argument("--reports", type=int, default=5_000, help="reports created, over 50 sessions")
    parser.add_argument("--log-budget-mib", type=int, default=128)
    parser.add_argument("--baseline", type=Path, help="another checkout: its server replays the same attacks "
                                                      "after this one's (with its own defaults)")
    args = parser.parse_args()
    replay("this checkout", ["--log-budget-mib", str(args.log_budget_mib)], dict(os.environ), args)
    if args.baseline is not None:
        env = {**os.environ, "PYTHONPATH": str(args.baseline.resolve() / "server")}
        replay(f"baseline {args.baseline}", [], env, args)


def start(flags: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """`sendkit-mock serve` on a free 127.0.0.1 port, quiet, once it answers; the process and its URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "sendkit_mock", "serve", "--port", str(port), "--no-access-log",
               "--log-level", "warning", *flags]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(600):
        try:
            requests.get(f"{base}/openapi.json", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    return server, base


def replay(name: str, flags: list[str], env: dict[str, str], args: argparse.Namespace) -> None:
    server, base = start(flags, env)
    print(f"--- {name}")
    try:
        idle = rss_mib(server.pid)
        print(f"idle                 RSS {idle[0]:7.1f} MiB")
        phases = [
            ("journal", lambda: journal_attack(base, args.sessions, args.per_session)),
            ("imports", lambda: import_attack(base, args.imports)),
            ("headers", lambda: header_attack(base, 20)),
            ("records", lambda: records_attack(base, args.reports)),
        ]
        for phase, run in phases:
            started = time.perf_counter()
            result = run()
            now, peak = rss_mib(server.pid)
            extra = f"  {json.dumps(result)}" if result is not None else ""
            print(f"{phase:20} RSS {now:7.1f} MiB  peak {peak:7.1f} MiB  {time.perf_counter() - started:6.1f} s{extra}")
        print(f"RSS above idle at the end: {rss_mib(server.pid)[0] - idle[0]:.1f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
