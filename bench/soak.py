"""Memory over a long run with the caps in force: `sendkit-mock serve` as a user starts it, under mixed load.

    python bench/soak.py                      # 10 minutes, RSS sampled every 10 s
    python bench/soak.py --minutes 2 --every 5

The server runs with its defaults (real clock, the access log on, at most 100,000 reports and 1,000 journal
entries per session, 1,000 sessions), pinned to core 0; wrk (installed by bench/compare.py when missing) on
core 1 sends, over 8 connections, a mix: valid and invalid creates, polls of a ready report (kept in a session of
its own, as the default session's report cap drops its oldest), list pages, and
one request in ten in one of 1,500 named sessions, so sessions are made and evicted all along. Every answer's
status is checked (200 or 201, 400 for the invalid creates, which are counted). It prints RSS over time, then
whether it is flat: the first, last and peak RSS, and the range and slope over the second half.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compare import HOST, SEED_BODY, WS_KEY, call, cpu_seconds, ensure_wrk, free_port, rss_kib  # noqa: E402

POLLED = "soak-polled"  # the session of the report the mix polls: used all along, so never the one evicted
LUA = r"""
local key = "%(key)s"
local body = [[%(body)s]]
local invalid = [[{"reportType":"campaign","periodStart":"2026-01-01"}]]
local n = 0
wrong = 0
refused = 0
-- the polled report lives in a session of its own: the default session's report cap drops its oldest
local cases = {
  {"POST", "/v1/reports", body},
  {"GET", "/v1/reports/%(ready)s", nil, "%(poll)s"},
  {"GET", "/v1/reports?limit=20", nil},
  {"POST", "/v1/reports", invalid},
  {"GET", "/v1/reports/%(ready)s", nil, "%(poll)s"},
  {"POST", "/v1/reports", body},
  {"GET", "/v1/reports?limit=5&status=ready", nil},
  {"GET", "/v1/reports/%(ready)s", nil, "%(poll)s"},
  {"GET", "/v1/reports?limit=20", nil},
}
request = function()
  n = n + 1
  local headers = {["X-Api-Key"] = key, ["Content-Type"] = "application/json"}
  if n %% 10 == 0 then
    headers["X-Mock-Session"] = "soak-" .. (math.random(1500))
    return wrk.format("GET", "/v1/reports?limit=1", headers, nil)
  end
  local case = cases[(n %% #cases) + 1]
  if case[4] then headers["X-Mock-Session"] = case[4] end
  return wrk.format(case[1], case[2], headers, case[3])
end
-- answers from 8 connections interleave: each is checked against the statuses the mix can give
answered = 0
w404, w429, w503 = 0, 0, 0
response = function(status, headers, body)
  if status == 400 then refused = refused + 1
  elseif status ~= 200 and status ~= 201 then
    wrong = wrong + 1
    if status == 404 then w404 = w404 + 1 elseif status == 429 then w429 = w429 + 1
    elseif status == 503 then w503 = w503 + 1 end
  end
  answered = answered + 1
  if answered %% 200 == 0 then  -- the count so far, for soak.py's throughput over time
    local f = io.open("%(counts)s", "w")
    f:write(answered)
    f:close()
  end
end
threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local w, r, a, b, c = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    w = w + t:get("wrong"); r = r + t:get("refused")
    a = a + t:get("w404"); b = b + t:get("w429"); c = c + t:get("w503")
  end
  io.write(string.format("wrong answers: %%d (404: %%d, 429: %%d, 503: %%d), invalid creates answered 400: %%d of "
                         .. "%%d requests\n", w, a, b, c, r, summary.requests))
  io.write(string.format("p99 ms: %%.1f\n", latency:percentile(99) / 1000))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", type=Path, help="also write the samples here")
    args = parser.parse_args()
    wrk_binary = ensure_wrk()
    port = free_port()
    pin = (lambda core: ["taskset", "-c", str(core)]) if shutil.which("taskset") and (os.cpu_count() or 1) > 1 \
        else (lambda core: [])
    mock = str(Path(sys.executable).parent / "sendkit-mock")
    server = subprocess.Popen([*pin(0), mock, "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    samples: list[tuple[float, float]] = []
    rates: list[tuple[float, int, float]] = []  # (t, answers so far, the server's CPU seconds so far)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, raw = call(port, "POST", "/v1/reports", SEED_BODY, key=True, session=POLLED)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        ready = json.loads(raw)["data"]["reports"][0]["id"]
        time.sleep(4.5)  # queued 1 s + processing 3 s on the real clock
        status, raw = call(port, "GET", f"/v1/reports/{ready}", None, key=True, session=POLLED)
        assert status == 200 and json.loads(raw)["data"]["status"] == "ready", raw
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            counts = Path(script.name).with_suffix(".count")
            script.write(LUA % {"key": WS_KEY, "body": SEED_BODY, "ready": ready, "poll": POLLED, "counts": counts})
        seconds = int(args.minutes * 60)
        load = subprocess.Popen([*pin(1), wrk_binary, "-t1", f"-c{args.connections}", f"-d{seconds}s",
                                 "--timeout", "10s", "-s", script.name, f"http://{HOST}:{port}/"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started = time.monotonic()
        print(f"{'t s':>6} {'RSS MiB':>8} {'answers':>9} {'req/s':>7} {'req/CPU-s':>9}", flush=True)
        last = (0.0, 0, cpu_seconds([server.pid]))
        rates.append(last)  # the load's start: the first window's origin
        while load.poll() is None:
            time.sleep(args.every)
            rss = rss_kib([server.pid])[0] / 1024
            now, answered, cpu = time.monotonic() - started, answered_so_far(counts), cpu_seconds([server.pid])
            samples.append((now, rss))
            if load.poll() is None:  # a window that ran under load all along
                rates.append((now, answered, cpu))
            rps = (answered - last[1]) / (now - last[0])
            per_cpu = (answered - last[1]) / (cpu - last[2]) if cpu > last[2] else float("nan")
            last = (now, answered, cpu)
            print(f"{now:6.0f} {rss:8.1f} {answered:9d} {rps:7.0f} {per_cpu:9.0f}", flush=True)
        out = load.communicate()[0]
        os.unlink(script.name)
        counts.unlink(missing_ok=True)
        print("\n".join(line for line in out.strip().splitlines() if line.startswith(("Requests/sec", "wrong", "p99")))
              if out else "(no wrk output)")
        summarise(samples, out)
        throughput(rates, args.minutes)
        if args.json:
            args.json.write_text(json.dumps({"samples": samples, "wrk": out}, indent=1))
    finally:
        server.terminate()
        server.wait(10)


def answered_so_far(counts: Path) -> int:
    try:
        return int(counts.read_text() or 0)
    except (OSError, ValueError):
        return 0


def throughput(rates: list[tuple[float, int, float]], minutes: float) -> None:
    """The first and the last sixth of the run (5 minutes of 30), by wall clock and by the server's CPU."""
    if len(rates) < 5:  # the start and four samples
        print("too few samples for throughput")
        return
    span = minutes * 60 / 6
    first = rates[:max(2, sum(r[0] <= span + 1e-6 for r in rates))]  # a sample a little late still ends it
    final = rates[-max(2, sum(r[0] >= rates[-1][0] - span - 1e-6 for r in rates)):]

    def window(a: tuple[float, int, float], b: tuple[float, int, float]) -> tuple[float, float]:
        return (b[1] - a[1]) / (b[0] - a[0]), (b[1] - a[1]) / (b[2] - a[2]) if b[2] > a[2] else float("nan")

    (rps1, cpu1), (rps2, cpu2) = window(first[0], first[-1]), window(final[0], final[-1])
    print(f"throughput: first {span:.0f} s {rps1:.0f} req/s ({cpu1:.0f} per CPU-s), last {span:.0f} s "
          f"{rps2:.0f} req/s ({cpu2:.0f} per CPU-s): {rps2 / rps1:.2f}x by the clock, {cpu2 / cpu1:.2f}x by CPU")


def summarise(samples: list[tuple[float, float]], out: str) -> None:
    if len(samples) < 4:
        print("too few samples for a slope")
        return
    half = samples[len(samples) // 2:]
    times, values = [t for t, _ in half], [v for _, v in half]
    slope = statistics.linear_regression(times, values).slope * 60 if len(set(times)) > 1 else 0.0
    print(f"\nRSS: first {samples[0][1]:.0f} MiB, last {samples[-1][1]:.0f}, peak {max(v for _, v in samples):.0f}; "
          f"second half {min(values):.0f}-{max(values):.0f} MiB, slope {slope:+.2f} MiB/min")


if __name__ == "__main__":
    main()
