"""Webhooks against real local receivers: signatures, retries, and a hanging receiver that slows nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from typing import Any

import pytest
import requests

from sendkit_mock import ManualClock, Settings, create_mock
from sendkit_mock.delivery.senders import HttpSender
from sendkit_mock.testing.receiver import Receiver, serve

from ..conftest import SEED_BODY, START, WS_KEY, ws

pytestmark = pytest.mark.e2e


def test_signed_delivery_retry_on_500_and_give_up_over_real_http() -> None:
    with serve(Receiver(statuses=[500, 200])) as flaky, serve(Receiver(statuses=[500])) as broken:
        mock = create_mock(Settings(), clock=ManualClock(START))  # the real HttpSender, inline
        with mock.app.test_client() as client:
            flaky_hook = client.post("/v1/webhooks", headers=ws(), json={
                "name": "flaky", "url": flaky.url, "events": ["report.ready"], "timeoutMs": 2000}).json()["data"]
            client.post("/v1/webhooks", headers=ws(), json={
                "name": "broken", "url": broken.url, "events": ["report.ready"], "retryAttempts": 1, "timeoutMs": 2000})
            client.post("/v1/reports", json={"reportType": "workspace"}, headers=ws())
            for _ in range(6):
                mock.advance(1)
            log = client.get("/__mock/webhook-deliveries", headers=ws()).json()["data"]
    headers, body = flaky.calls[0]
    assert headers["X-Webhook-Signature"] == hmac.new(flaky_hook["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Event"] == "report.ready" and json.loads(body)["event"] == "report.ready"
    assert [c[1] for c in flaky.calls] == [body, body]  # the retry resends the same signed body
    assert len(broken.calls) == 2  # one attempt and one retry, then it gives up
    outcomes = sorted((a["url"] == flaky.url, a["attempt"], a["statusCode"]) for a in log)
    assert outcomes == [(False, 1, 500), (False, 2, 500), (True, 1, 500), (True, 2, 200)]
    assert all(a["latencyMs"] >= 0 for a in log)


def test_an_unreachable_receiver_is_logged_not_raised() -> None:
    mock = create_mock(Settings(), clock=ManualClock(START))
    with mock.app.test_client() as client:
        hook = client.post("/v1/webhooks", headers=ws(), json={
            "name": "nobody", "url": "http://127.0.0.1:9/none", "events": ["report.ready"], "timeoutMs": 1000}).json()["data"]
        answer = client.post(f"/v1/webhooks/{hook['_id']}/test", headers=ws()).json()["data"]
    assert answer["delivered"] is False and answer["statusCode"] is None and "Connection" in answer["error"]


def test_a_hanging_receiver_delays_neither_the_api_nor_other_webhooks(server: Any) -> None:
    base, _ = server
    release = threading.Event()
    headers = {"X-Api-Key": WS_KEY}
    with serve(Receiver(hang=release)) as hanging, serve(Receiver()) as healthy:
        for name, receiver in (("hangs", hanging), ("healthy", healthy)):
            requests.post(f"{base}/v1/webhooks", headers=headers, timeout=5, json={
                "name": name, "url": receiver.url, "events": ["report.ready"], "timeoutMs": 30000}).raise_for_status()
        requests.post(f"{base}/v1/reports", headers=headers, json={"reportType": "workspace"}, timeout=5).raise_for_status()
        assert hanging.arrived.wait(10), "the hanging receiver was never called"
        assert healthy.arrived.wait(10), "a hanging webhook held up another webhook"
        # The hanging call is still open: the API answers all the same.
        created = requests.post(f"{base}/v1/reports", headers=headers, json=SEED_BODY, timeout=5)
        assert created.status_code == 201 and not release.is_set()
        listed = requests.get(f"{base}/v1/reports", headers=headers, timeout=5)
        assert listed.json()["pagination"]["total"] == 3
        release.set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = requests.get(f"{base}/__mock/webhook-deliveries", headers=headers, timeout=5).json()["data"]
        if len(log) >= 2:
            break
        time.sleep(0.05)
    assert {a["url"] for a in log} >= {hanging.url, healthy.url}


def test_the_sender_connects_to_the_checked_address_and_sends_the_host_by_name() -> None:
    """No second look-up between the check and the call: the address checked is the one connected to."""
    with serve(Receiver()) as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        outcome = HttpSender().send(f"http://hooks.invalid:{port}/sendkit", b"{}", {"Content-Type": "application/json"},
                                    5, address="127.0.0.1")
        assert outcome.delivered, outcome
        [(headers, body)] = receiver.calls
        assert headers["Host"] == f"hooks.invalid:{port}" and body == b"{}"
