"""What the pytest plugin's `sendkit_mock` fixture costs each test: the reset it does before the test (the
`default` session rebuilt over fresh stores, the webhook receiver and the incidents cleared), measured over
real HTTP against the fixture's own threaded server, after a test that left 10 and 500 reports behind.

    python bench/plugin.py [--repeats 50]

The issue's bar is 5 ms per test; the figures are medians and the worst of the runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request

from sendkit_mock.testing.plugin import SendkitMockServers, settings_for
from sendkit_mock.testing.receiver import Receiver, serve

SEED = {"reportType": "campaign", "campaignIds": ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"],
        "periodStart": "2026-01-01", "periodEnd": "2026-04-17"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    settings = settings_for({}, None, __import__("pathlib").Path("."))
    with serve(Receiver()) as receiver:
        servers = SendkitMockServers(receiver)
        try:
            handle = servers.fresh(settings)  # starts the server
            for reports in (0, 10, 500):
                timings = []
                for _ in range(args.repeats):
                    for _ in range(reports // 2):
                        request = urllib.request.Request(
                            handle.url + "/v1/reports", data=json.dumps(SEED).encode(), method="POST",
                            headers={"Content-Type": "application/json", "X-Api-Key": handle.keys.workspace})
                        urllib.request.urlopen(request).read()
                    started = time.perf_counter()
                    handle = servers.fresh(settings)
                    timings.append((time.perf_counter() - started) * 1000)
                median = statistics.median(timings)
                print(f"fixture reset after a test with {reports:>3} reports: median {median:.2f} ms,"
                      f" max {max(timings):.2f} ms ({args.repeats} tests)")
        finally:
            servers.stop_all()


if __name__ == "__main__":
    main()
