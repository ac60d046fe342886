"""Control-plane figures: reset time of a session holding 10 and 500 reports, and what the request journal
costs per request (req/s of a real server with the journal on, the default, and off: --journal-size 0).

    python bench/control.py [--duration 5] [--connections 8] [--rounds 3]

Rounds alternate journal on / off on the same machine, and the medians are compared, since absolute
figures move from run to run on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import SEED_BODY, call, load_python, load_wrk, server  # noqa: E402

from sendkit_mock import ManualClock, Settings, create_mock  # noqa: E402


def reset_ms(reports: int, repeats: int = 20) -> dict[str, float]:
    """POST /__mock/reset over HTTP to a real server, each time on a session refilled with `reports` reports;
    and the session's rebuild alone, in-process."""
    body = json.dumps(SEED_BODY, separators=(",", ":"))
    over_http = []
    with server() as (_, port, _ready):
        for _ in range(repeats):
            for _ in range(reports // 2):  # the seed body makes two reports
                call(port, "POST", "/v1/reports", body, headers={"X-Mock-Session": "bench"})
            status, raw = call(port, "GET", "/v1/reports?limit=1", headers={"X-Mock-Session": "bench"})
            assert json.loads(raw)["pagination"]["total"] == reports, raw
            started = time.perf_counter()
            status, _ = call(port, "POST", "/__mock/reset", headers={"X-Mock-Session": "bench"})
            over_http.append((time.perf_counter() - started) * 1000)
            assert status == 200
    mock = create_mock(Settings(), clock=ManualClock())
    direct = []
    for _ in range(repeats):
        started = time.perf_counter()
        mock.sessions.reset("bench")
        direct.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(over_http), "max_ms": max(over_http), "direct_ms": statistics.median(direct)}


def journal_cost(duration: float, conns: int, rounds: int) -> dict[str, list[float]]:
    body = json.dumps(SEED_BODY, separators=(",", ":"))
    figures: dict[str, list[float]] = {"on POST": [], "off POST": [], "on GET": [], "off GET": []}
    for _ in range(rounds):
        for label, extra in (("on", ()), ("off", ("--journal-size", "0"))):
            with server("--queued-seconds", "0", "--processing-seconds", "0", *extra) as (_, port, _ready):
                status, raw = call(port, "POST", "/v1/reports", body)
                assert status == 201, raw
                rid = json.loads(raw)["data"]["reports"][0]["id"]
                for kind, method, path, payload in (("POST", "POST", "/v1/reports", body),
                                                    ("GET", "GET", f"/v1/reports/{rid}", None)):
                    load_python(port, method, path, payload, duration=0.5, conns=2, max_requests=200)
                    if shutil.which("wrk"):
                        row = load_wrk(port, method, path, payload, duration, conns)
                    else:
                        row = load_python(port, method, path, payload, duration, conns, 200_000)
                    assert row["errors"] == 0, row
                    figures[f"{label} {kind}"].append(row["rps"])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for n in (10, 500):
        figure = reset_ms(n)
        print(f"reset of a session with {n:>3} reports: median {figure['median_ms']:.2f} ms, "
              f"max {figure['max_ms']:.2f} ms over HTTP (POST /__mock/reset); "
              f"the rebuild alone {figure['direct_ms']:.2f} ms")
    cost = journal_cost(args.duration, args.connections, args.rounds)
    tool = "wrk" if shutil.which("wrk") else "python threads"
    for kind in ("POST", "GET"):
        on, off = statistics.median(cost[f"on {kind}"]), statistics.median(cost[f"off {kind}"])
        print(f"{kind} req/s, {tool}, c={args.connections}, medians of {args.rounds}: journal on {on:.0f}, "
              f"off {off:.0f} (on/off = {on / off:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
