"""What stubs cost a request: CPU per GET /v1/reports in-process, with no stub and with one on another
operation (each request looks for a stub of its own operation). Prints the medians and their ratio."""

import statistics
import time
from datetime import UTC, datetime

from sendkit_mock import ManualClock, Settings, create_mock

K = {"X-Api-Key": "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"}


def run(stubbed: bool) -> float:
    mock = create_mock(Settings(seed=42, journal_size=0), clock=ManualClock(datetime(2026, 4, 17, tzinfo=UTC)))
    with mock.app.test_client() as client:
        if stubbed:
            client.post("/__mock/stubs", json={"method": "POST", "path": "/v1/reports", "status": 503, "times": None})
        for _ in range(200):
            client.get("/v1/reports", headers=K)
        rounds = []
        for _ in range(5):
            started = time.process_time()
            for _ in range(400):
                client.get("/v1/reports", headers=K)
            rounds.append((time.process_time() - started) / 400 * 1e6)
        return statistics.median(rounds)


a, b, a2, b2 = run(False), run(True), run(False), run(True)
print(f"GET /v1/reports, CPU us/request (in-process, median of 5x400): no stub {a:.0f}/{a2:.0f}, "
      f"a stub on another operation {b:.0f}/{b2:.0f}, ratio {(b + b2) / (a + a2):.3f}")
