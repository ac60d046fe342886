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

from compare import HOST, SEED_BODY, WS_KEY, call, ensure_wrk, free_port, rss_kib  # noqa: E402

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
response = function(status, headers, body)
  if status == 400 then refused = refused + 1
  elseif status ~= 200 and status ~= 201 then wrong = wrong + 1 end
end
threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local w, r = 0, 0
  for _, t in ipairs(threads) do w = w + t:get("wrong"); r = r + t:get("refused") end
  io.write(string.format("wrong answers: %%d, invalid creates answered 400: %%d of %%d requests\n", w, r,
                         summary.requests))
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
            script.write(LUA % {"key": WS_KEY, "body": SEED_BODY, "ready": ready, "poll": POLLED})
        seconds = int(args.minutes * 60)
        load = subprocess.Popen([*pin(1), wrk_binary, "-t1", f"-c{args.connections}", f"-d{seconds}s",
                                 "--timeout", "10s", "-s", script.name, f"http://{HOST}:{port}/"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started = time.monotonic()
        print(f"{'t s':>6} {'RSS MiB':>8}", flush=True)
        while load.poll() is None:
            time.sleep(args.every)
            rss = rss_kib([server.pid])[0] / 1024
            samples.append((time.monotonic() - started, rss))
            print(f"{samples[-1][0]:6.0f} {rss:8.1f}", flush=True)
        out = load.communicate()[0]
        os.unlink(script.name)
        print("\n".join(line for line in out.strip().splitlines() if line.startswith(("Requests/sec", "wrong", "p99")))
              if out else "(no wrk output)")
        summarise(samples, out)
        if args.json:
            args.json.write_text(json.dumps({"samples": samples, "wrk": out}, indent=1))
    finally:
        server.terminate()
        server.wait(10)


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
