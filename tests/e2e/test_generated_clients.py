"""Clients generated from openapi.yaml by real generators run the seed's flow against the live mock, and a PATCH
of one field changes that field alone (a schema default would make the client send, and reset, the rest)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ..conftest import SEED_CAMPAIGNS, WS_KEY
from ..tooling import ROOT, node_bin
from .conftest import RunningServer

pytestmark = pytest.mark.e2e
SPEC = ROOT / "openapi.yaml"
MOCK_ONLY = ("/__mock", "X-Mock-Session", "x_mock_session", "Prefer", "mock_server", "mockServer")
BERLIN_MONTHLY = {"enabled": True, "frequency": "monthly", "dayOfMonth": 15, "timeOfDay": "08:00",
                  "timezone": "Europe/Berlin"}


@pytest.fixture(scope="module")
def sendkit_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The package openapi-python-client generates, importable as `sendkit_client`."""
    where = tmp_path_factory.mktemp("python-client")
    config = where / "config.yaml"
    config.write_text("package_name_override: sendkit_client\npost_hooks: []\n")
    generator = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run([str(generator), "generate", "--path", str(SPEC), "--config", str(config), "--meta", "none",
                           "--output-path", str(where / "sendkit_client")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr  # every schema understood
    generated = "\n".join(f.read_text() for f in (where / "sendkit_client").rglob("*.py"))
    for mock_only in MOCK_ONLY:  # SendKit's contract alone: nothing of the mock's own API
        assert mock_only not in generated, mock_only
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module("sendkit_client")
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == "sendkit_client" or m.startswith("sendkit_client.")]:
            del sys.modules[name]


def _unchanged_but(before: dict[str, Any], after: dict[str, Any], *changed: str) -> dict[str, Any]:
    """The fields that differ, other than the ones named (dotted for nested)."""
    def flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": v})
        return out

    a, b = flat(before), flat(after)
    return {k: (a.get(k), b.get(k)) for k in a.keys() | b.keys() if a.get(k) != b.get(k) and k not in changed}


def test_the_python_client_runs_the_seed_flow_and_patches_one_field(sendkit_client: ModuleType,
                                                                   server: RunningServer) -> None:
    base, _ = server
    api = importlib.import_module("sendkit_client.api.reports")
    recipients = importlib.import_module("sendkit_client.api.report_recipients")
    webhooks = importlib.import_module("sendkit_client.api.webhooks")
    models = importlib.import_module("sendkit_client.models")
    for name in ("create_report", "get_report", "list_reports"):
        importlib.import_module(f"sendkit_client.api.reports.{name}")
    for name in ("create_recipient", "update_recipient"):
        importlib.import_module(f"sendkit_client.api.report_recipients.{name}")
    for name in ("create_webhook", "update_webhook"):
        importlib.import_module(f"sendkit_client.api.webhooks.{name}")
    with sendkit_client.AuthenticatedClient(base_url=base, token=WS_KEY) as client:  # closes its connections
        _python_flow(client, api, recipients, webhooks, models)


def _python_flow(client: Any, api: Any, recipients: Any, webhooks: Any, models: Any) -> None:

    body = models.CreateReportRequest(
        report_type=models.ReportType.CAMPAIGN, campaign_ids=SEED_CAMPAIGNS,
        period_start=date(2026, 1, 1), period_end=date(2026, 4, 17),
        sections=models.Sections(executive_summary=True, campaign_performance=True, mailbox_health=False),
    )
    created = api.create_report.sync_detailed(client=client, body=body)
    assert created.status_code == 201, created.content
    queued = created.parsed.data.reports
    assert [r.status.value for r in queued] == ["queued", "queued"] and queued[0].title == "Q1 Outreach Report"
    deadline = time.monotonic() + 10
    while (report := api.get_report.sync(queued[0].id, client=client).data).status.value != "ready":
        assert time.monotonic() < deadline, report.status
        time.sleep(0.05)
    # The answer's period bound is typed as the request's: a date in, a date out.
    assert report.data.executive_summary.totals.sent > 0 and report.period_start == date(2026, 1, 1)
    listed = api.list_reports.sync(client=client)
    assert {r.id for r in listed.data} == {r.id for r in queued} and listed.pagination.total == 2

    new = models.CreateRecipientRequest.from_dict({"name": "Mia Weber", "email": "mia.weber@example.com",
                                                   "reportType": "campaign", "campaignIds": SEED_CAMPAIGNS[:1],
                                                   "schedule": BERLIN_MONTHLY})
    before = recipients.create_recipient.sync(client=client, body=new).data.to_dict()
    patch = models.UpdateRecipientRequest(schedule=models.ScheduleInput(time_of_day="07:30"))
    assert patch.to_dict() == {"schedule": {"timeOfDay": "07:30"}}  # what the client sends: the one field
    after = recipients.update_recipient.sync(before["_id"], client=client, body=patch).data.to_dict()
    assert after["schedule"]["timeOfDay"] == "07:30"
    assert _unchanged_but(before, after, "schedule.timeOfDay", "schedule.nextScheduledAt", "updatedAt") == {}

    hook = models.CreateWebhookRequest(name="alerts", url="http://127.0.0.1:9/hooks",
                                       events=[models.WebhookEvent.REPORT_FAILED], retry_attempts=5, timeout_ms=2000)
    before = webhooks.create_webhook.sync(client=client, body=hook).data.to_dict()
    paused = models.UpdateWebhookRequest(status=models.UpdateWebhookRequestStatus.INACTIVE)
    after = webhooks.update_webhook.sync(before["_id"], client=client, body=paused).data.to_dict()
    assert (after["status"], after["retryAttempts"], after["timeoutMs"]) == ("inactive", 5, 2000)
    assert _unchanged_but(before, after, "status", "updatedAt") == {}


TS_FLOW = """
import createClient from "openapi-fetch";
import type { paths, components } from "./schema.js";

const key = process.env.SENDKIT_KEY!;
const client = createClient<paths>({ baseUrl: process.env.BASE_URL!, headers: { "X-Api-Key": key } });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const created = await client.POST("/v1/reports", {
  body: { reportType: "campaign", campaignIds: %(campaigns)s, periodStart: "2026-01-01", periodEnd: "2026-04-17",
          sections: { executiveSummary: true, campaignPerformance: true, mailboxHealth: false } },
});
if (!created.data) throw new Error(JSON.stringify(created.error));
const id: string = created.data.data.reports[0].id;
let report: components["schemas"]["Report"] | undefined;
for (let i = 0; i < 200; i++) {
  const got = await client.GET("/v1/reports/{id}", { params: { path: { id } } });
  report = got.data?.data;
  if (report?.status === "ready") break;
  await sleep(50);
}
const listed = await client.GET("/v1/reports");
const minimal: components["schemas"]["CreateRecipientRequest"] = { name: "Ada Lovelace", email: "ada@example.com" };
const recipient = await client.POST("/v1/reports/recipients", { body: minimal });
if (!recipient.data) throw new Error(JSON.stringify(recipient.error));
const patched = await client.PATCH("/v1/reports/recipients/{id}", {
  params: { path: { id: recipient.data.data._id } }, body: { active: false },
});
console.log(JSON.stringify({ status: report?.status, sent: report?.data?.executiveSummary?.totals.sent,
  listed: listed.data?.pagination.total, before: recipient.data.data, after: patched.data?.data }));
"""


def test_the_typescript_client_type_checks_strictly_and_runs_the_seed_flow(tmp_path: Path,
                                                                          server: RunningServer) -> None:
    base, _ = server
    generate, tsc = node_bin("openapi-typescript"), node_bin("tsc")
    node = "node"
    done = subprocess.run([str(generate), str(SPEC), "-o", str(tmp_path / "schema.d.ts")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    types = (tmp_path / "schema.d.ts").read_text()
    assert [m for m in MOCK_ONLY if m in types] == []
    (tmp_path / "flow.ts").write_text(TS_FLOW % {"campaigns": json.dumps(SEED_CAMPAIGNS)})
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "node_modules").symlink_to(tsc.parents[1])
    compiled = subprocess.run([str(tsc), "--strict", "--target", "es2022", "--module", "nodenext",
                               "--moduleResolution", "nodenext", "--skipLibCheck", "false", "--outDir", "out",
                               "flow.ts"], cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    ran = subprocess.run([node, "out/flow.js"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={"BASE_URL": base, "SENDKIT_KEY": WS_KEY, "PATH": "/usr/bin:/bin"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout)
    assert (result["status"], result["listed"]) == ("ready", 2) and result["sent"] > 0
    assert result["before"]["reportType"] == "workspace" and result["after"]["active"] is False
    assert _unchanged_but(result["before"], result["after"], "active", "schedule.nextScheduledAt", "updatedAt") == {}
