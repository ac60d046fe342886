"""HTTPS from the real console script, and the seed page's five snippets run against it as the page prints them
(tests/e2e/snippets), but for the URL and the key: curl, Python, Node, Go and Ruby. Every client checks the
certificate against the CA it is given the way that client is told (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, ...),
and a client given another CA refuses the server.

Two of the page's snippets do not run anywhere as printed, the real API included: the Go one imports
encoding/json without using it (Go refuses to compile that) and the Python one writes JSON's `true` and `false`
(NameError). FIXES holds the smallest change that makes each run, and a test proves each is still needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import requests
import trustme

from ..conftest import WS_KEY
from ..tooling import command
from .conftest import SCRIPT, free_port, running

pytestmark = pytest.mark.e2e
SNIPPETS = Path(__file__).parent / "snippets"
GOCACHE = Path.home() / ".cache" / "sendkit-mock-go"  # kept between runs: the standard library compiles once
SEED_URL = "https://api.sendkit.ai/v1/reports"
FIXES = {  # the page's mistakes, each replaced by the smallest change that runs
    "create_reports.go": [('"encoding/json"\n', "")],
    "create_reports.py": [(": true", ": True"), (": false", ": False")],
}


class Both(NamedTuple):
    http: str
    https: str
    ca: Path
    log: Path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def ca(data_dir: Path) -> Path:
    """The local CA as `sendkit-mock ca` prints it (made by that call)."""
    done = subprocess.run([SCRIPT, "ca", "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, data_dir: Path, ca: Path) -> Iterator[Both]:
    """HTTP on --port and HTTPS on --tls-port, one mock behind both."""
    log = tmp_path_factory.mktemp("both") / "server.log"
    tls_port = free_port()
    with running(log, "--tls-port", str(tls_port), "--data-dir", str(data_dir), "--clock", "manual") as served:
        yield Both(served.url, f"https://127.0.0.1:{tls_port}", ca, log)


@pytest.fixture(scope="module")
def wrong_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA that did not sign the mock's certificate."""
    path = tmp_path_factory.mktemp("wrong") / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


def snippet(name: str, url: str, fixed: bool = True) -> str:
    """The page's snippet with the mock's URL and a fixture key in place of the page's (and its FIXES)."""
    text = (SNIPPETS / name).read_text()
    assert SEED_URL in text and "YOUR_API_KEY" in text
    for mistake, fix in FIXES.get(name, []) if fixed else []:
        assert mistake in text
        text = text.replace(mistake, fix)
    return text.replace(SEED_URL, f"{url}/v1/reports").replace("YOUR_API_KEY", WS_KEY)


def run(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**os.environ, **(env or {})})


def answered(base: str, ca: Path, since: int) -> list[dict[str, Any]]:
    """The journal's POST /v1/reports entries after the first `since`: what each client got back."""
    entries = requests.get(f"{base}/__mock/requests?method=POST&path=/v1/reports&limit=100", verify=str(ca),
                           timeout=5).json()["data"]
    return entries[::-1][since:]


def posts(base: str, ca: Path) -> int:
    return len(answered(base, ca, 0))


def assert_documented(entry: dict[str, Any]) -> None:
    """201 and the two queued campaign reports, as the page documents."""
    assert entry["status"] == 201, entry
    reports = entry["answer"]["data"]["reports"]
    assert [(r["reportType"], r["status"]) for r in reports] == [("campaign", "queued")] * 2
    assert entry["answer"]["data"]["message"] == "2 reports queued for generation"


def test_the_pages_go_and_python_snippets_fail_as_printed(tmp_path: Path) -> None:
    go = command("go", "apt-get install golang-go")
    (tmp_path / "main.go").write_text(snippet("create_reports.go", "https://127.0.0.1:1", fixed=False))
    built = run([go, "run", "main.go"], env={"GOCACHE": str(GOCACHE), "GO111MODULE": "off"}, cwd=tmp_path)
    assert built.returncode != 0 and 'imported and not used: "encoding/json"' in built.stderr
    ran = run([sys.executable, "-c", snippet("create_reports.py", "https://127.0.0.1:1", fixed=False)])
    assert ran.returncode != 0 and "NameError: name 'true' is not defined" in ran.stderr


def test_sendkit_mock_ca_prints_one_ca_and_keeps_it(data_dir: Path, ca: Path) -> None:
    first = ca.read_bytes()
    assert ca.is_relative_to(data_dir) and first.startswith(b"-----BEGIN CERTIFICATE-----")
    again = run([SCRIPT, "ca", "--data-dir", str(data_dir)])
    assert again.returncode == 0 and Path(again.stdout.strip()) == ca and ca.read_bytes() == first
    assert oct((ca.parent / "ca-key.pem").stat().st_mode & 0o777) == "0o600"  # the signing key is the user's alone


def test_the_banner_gives_both_urls_the_ca_and_how_each_client_trusts_it(both: Both) -> None:
    banner, *_, tls = both.log.read_text().splitlines()[:4]
    assert f"on {both.http} and {both.https} |" in banner
    for hint in (f"SSL_CERT_FILE={both.ca}", f"NODE_EXTRA_CA_CERTS={both.ca}", f"REQUESTS_CA_BUNDLE={both.ca}",
                 f"curl --cacert {both.ca}"):
        assert hint in tls


def test_go_snippet_over_http_and_https_reaches_one_mock(both: Both, tmp_path: Path, wrong_ca: Path) -> None:
    go = command("go", "apt-get install golang-go")
    env = {"GOCACHE": str(GOCACHE), "GO111MODULE": "off"}  # a lone file, no module: as `go run main.go` of the page
    before = posts(both.https, both.ca)
    for name, url, extra in (("http", both.http, {}), ("https", both.https, {"SSL_CERT_FILE": str(both.ca)})):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.go").write_text(snippet("create_reports.go", url))
        done = run([go, "run", "main.go"], env={**env, **extra}, cwd=tmp_path / name)
        assert done.returncode == 0 and done.stdout.strip() == "Response Status: 201 Created", done.stdout + done.stderr
    over_http, over_https = answered(both.https, both.ca, before)
    assert_documented(over_http)
    assert_documented(over_https)
    listed = requests.get(f"{both.http}/v1/reports", headers={"X-Api-Key": WS_KEY}, timeout=5).json()["data"]
    made = {r["id"] for entry in (over_http, over_https) for r in entry["answer"]["data"]["reports"]}
    assert made <= {r["id"] for r in listed}  # what came in over HTTPS is there over HTTP: one state
    refused = run([go, "run", "main.go"], env={**env, "SSL_CERT_FILE": str(wrong_ca)}, cwd=tmp_path / "https")
    assert refused.returncode != 0 and "x509: certificate signed by unknown authority" in refused.stderr


def test_ruby_snippet_over_https(both: Both, tmp_path: Path, wrong_ca: Path) -> None:
    ruby = command("ruby", "apt-get install ruby")
    script = tmp_path / "create_reports.rb"
    script.write_text(snippet("create_reports.rb", both.https))
    done = run([ruby, str(script)], env={"SSL_CERT_FILE": str(both.ca)})
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert_documented({"status": 201, "answer": body})
    refused = run([ruby, str(script)], env={"SSL_CERT_FILE": str(wrong_ca)})
    assert refused.returncode != 0 and "certificate verify failed" in refused.stderr


def test_curl_python_and_node_snippets_over_https(both: Both, tmp_path: Path, wrong_ca: Path) -> None:
    node = command("node", "apt-get install nodejs (Node.js 20 or newer)")
    curl = command("curl", "apt-get install curl")
    shell = snippet("create_reports.sh", both.https.replace("127.0.0.1", "localhost"))  # the name, too
    clients = {
        "curl": lambda ca: run(["bash", "-c", shell.replace("curl ", f"curl -sS --fail-with-body --cacert {ca} ", 1)
                                .replace("curl ", f"{curl} ", 1)]),
        "python": lambda ca: run([sys.executable, "-c", snippet("create_reports.py", both.https)],
                                 env={"REQUESTS_CA_BUNDLE": str(ca)}),
        "node": lambda ca: run([node, "--input-type=module", "-e", snippet("create_reports.mjs", both.https)],
                               env={"NODE_EXTRA_CA_CERTS": str(ca)}),
    }
    for name, client in clients.items():
        before = posts(both.https, both.ca)
        done = client(both.ca)
        assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"
        (entry,) = answered(both.https, both.ca, before)
        assert_documented(entry)
        refused = client(wrong_ca)
        assert refused.returncode != 0, f"{name} trusted a CA that did not sign the mock's certificate"
        assert posts(both.https, both.ca) == before + 1, f"{name}'s request went through with the wrong CA"


def test_tls_alone_serves_https_on_the_port(tmp_path: Path, data_dir: Path, ca: Path) -> None:
    with running(tmp_path / "server.log", "--tls", "--data-dir", str(data_dir), https_ca=ca) as served:
        assert served.url.startswith("https://")
        listed = requests.get(f"{served.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, verify=str(ca), timeout=5)
        assert listed.status_code == 200
        with pytest.raises(requests.ConnectionError):  # no plain HTTP on an HTTPS port
            requests.get(served.url.replace("https://", "http://") + "/v1/reports", timeout=5)


def test_serve_with_the_users_own_certificate(tmp_path: Path) -> None:
    theirs = trustme.CA()
    leaf = theirs.issue_cert("localhost", "127.0.0.1")
    cert, key, their_ca = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "their-ca.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    theirs.cert_pem.write_to_path(str(their_ca))
    with running(tmp_path / "server.log", "--tls-cert", str(cert), "--tls-key", str(key), https_ca=their_ca) as served:
        listed = requests.get(f"{served.url}/v1/reports", headers={"X-Api-Key": WS_KEY}, verify=str(their_ca), timeout=5)
        assert listed.status_code == 200
        assert f"tls: your certificate {cert}" in served.log.read_text()


@pytest.mark.parametrize("case", ["missing cert", "key of another certificate", "not PEM", "only one"])
def test_a_certificate_that_cannot_be_served_stops_start_up_naming_the_file(tmp_path: Path, case: str) -> None:
    ca = trustme.CA()
    cert, key, other = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "other-key.pem"
    leaf = ca.issue_cert("localhost")
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    ca.issue_cert("localhost").private_key_pem.write_to_path(str(other))
    flags, expected = {
        "missing cert": (["--tls-cert", str(tmp_path / "nope.pem"), "--tls-key", str(key)],
                         f"--tls-cert {tmp_path / 'nope.pem'}: no such file"),
        "key of another certificate": (["--tls-cert", str(cert), "--tls-key", str(other)],
                                       f"--tls-key {other} is not the key of --tls-cert {cert}"),
        "not PEM": (["--tls-cert", str(cert), "--tls-key", str(SNIPPETS / "create_reports.go")],
                    f"--tls-key {SNIPPETS / 'create_reports.go'}: no PEM private key in it"),
        "only one": (["--tls-cert", str(cert)], "--tls-cert and --tls-key go together"),
    }[case]
    done = run([SCRIPT, "serve", "--port", str(free_port()), *flags])
    assert done.returncode == 2 and expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
