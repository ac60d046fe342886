"""What connexion's response validation costs per request: the same mock with it on and off.

    python bench/probe_response_validation.py [--samples 300]

An experiment, not part of the server: it flips `validate_responses` by wrapping `add_api` for the
duration of `create_mock` only. Prints p50 per request through the in-process test client.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

WS_KEY = "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"
SEED_BODY = {
    "reportType": "campaign",
    "campaignIds": ["664f0a1b2c3d4e5f6a7b8c01", "664f0a1b2c3d4e5f6a7b8c02"],
    "periodStart": "2026-01-01",
    "periodEnd": "2026-04-17",
    "sections": {"executiveSummary": True, "campaignPerformance": True, "mailboxHealth": False},
}


def build(validate: bool) -> Any:
    import sendkit_mock.app as appmod
    from sendkit_mock import ManualClock, Settings, create_mock

    original = appmod.APP_CLASS.add_api

    def add_api(self: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["validate_responses"] = validate
        return original(self, *args, **kwargs)

    appmod.APP_CLASS.add_api = add_api
    try:
        # no queue time: every report is ready at once, so GET by id renders (and validates) `data`
        settings = Settings(max_reports=200_000, queued_seconds=0, processing_seconds=0)
        return create_mock(settings, clock=ManualClock())
    finally:
        appmod.APP_CLASS.add_api = original


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=300)
    args = p.parse_args()
    mocks = {flag: build(flag) for flag in (True, False)}
    ids = {}
    for flag, mock in mocks.items():
        principal = mock.service.auth.authenticate(WS_KEY)
        for _ in range(100):
            ids[flag] = mock.service.create(principal, None, SEED_BODY)[0].id
        mock.clock.advance(1)
    headers = {"X-Api-Key": WS_KEY}
    clients = {flag: mock.app.test_client() for flag, mock in mocks.items()}
    for client in clients.values():
        client.__enter__()
    try:
        print(f"{'request':<28} {'validated p50':>14} {'unvalidated p50':>16}  share of the time")
        for label, path_for in (
            ("GET /v1/reports/{id} ready", lambda flag: f"/v1/reports/{ids[flag]}"),
            ("GET /v1/reports (25)", lambda flag: "/v1/reports"),
            ("GET /v1/reports?limit=100", lambda flag: "/v1/reports?limit=100"),
        ):
            lat: dict[bool, list[float]] = {True: [], False: []}
            for i in range(-20, args.samples):  # alternate, so machine noise falls on both
                for flag, client in clients.items():
                    t0 = time.perf_counter()
                    r = client.get(path_for(flag), headers=headers)
                    if i >= 0:
                        lat[flag].append((time.perf_counter() - t0) * 1e3)
                    assert r.status_code == 200, r.text[:200]
            on, off = statistics.median(lat[True]), statistics.median(lat[False])
            print(f"{label:<28} {on:>11.2f} ms {off:>13.2f} ms  {(on - off) / on:>6.0%}")
    finally:
        for client in clients.values():
            client.__exit__(None, None, None)


if __name__ == "__main__":
    main()
