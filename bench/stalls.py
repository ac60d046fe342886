"""How long the control plane's heaviest calls take, and the worst latency of a small API call made meanwhile
(how long the event loop was held): a journal of 1,000 requests with 16 KB bodies, then a count by body, a
count by a backtracking pattern, the state export and import, a page of the journal.

    python bench/stalls.py

It measures and prints; it asserts nothing. The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
from attacks import start  # noqa: E402

KEY = {"X-Api-Key": "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"}


def while_probed(base: str, name: str, call: Callable[[], requests.Response]) -> None:
    """`call`, while another client sends small GETs; how long each took."""
    worst, done = [0.0], threading.Event()

    def probe() -> None:
        with requests.Session() as http:
            while not done.is_set():
                started = time.perf_counter()
                http.get(f"{base}/v1/reports?limit=1", headers=KEY, timeout=30)
                worst[0] = max(worst[0], time.perf_counter() - started)

    thread = threading.Thread(target=probe)
    thread.start()
    time.sleep(0.3)
    started = time.perf_counter()
    answer = call()
    took = time.perf_counter() - started
    time.sleep(0.2)
    done.set()
    thread.join()
    print(f"{name:32} {answer.status_code}  took {took * 1000:6.0f} ms   worst GET meanwhile {worst[0] * 1000:5.0f} ms")


def main() -> None:
    server, base = start([])
    try:
        http = requests.Session()
        body = {"reportType": "workspace", "title": "t" * 16_000, "nested": [{"a": i} for i in range(200)]}
        for _ in range(1_000):
            http.post(f"{base}/v1/reports", json=body, headers=KEY)
        count = f"{base}/__mock/requests/count"
        while_probed(base, "count by body", lambda: http.post(count, json={"bodyContains": {"nested": [{"a": 9}]}}))
        while_probed(base, "count by (a+)+b", lambda: http.post(count, json={"pathPattern": "/v1/(a+)+b"}))
        while_probed(base, "export with the journal", lambda: http.get(f"{base}/__mock/state?journal=true"))
        while_probed(base, "a page of 100 requests", lambda: http.get(f"{base}/__mock/requests?limit=100"))
        state = http.get(f"{base}/__mock/state?journal=true").json()["data"]
        state["journal"] = state["journal"][:60]
        while_probed(base, "import", lambda: http.put(f"{base}/__mock/state", json=state))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
