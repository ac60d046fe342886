"""The README's install lines, each run as written in a fresh virtualenv (a clone, a git URL, a wheel `make dist`
builds), give the base install: it serves and greets the user with the banner alone, imports none of the
extras' packages, and each feature of an extra says which `pip install` adds it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
UVICORN_LINE = re.compile(r"^INFO: {5}(Started server process|Waiting for application|Application (startup|shutdown)|"
                          r"Uvicorn running on|Shutting down|Finished server process|127\.0\.0\.1:\d+ - )")
EXTRAS_PACKAGES = ("schemathesis", "hypothesis", "redis", "trustme", "jsf", "platformdirs")
RUN = {"capture_output": True, "text": True, "timeout": 600}


def install_lines() -> dict[str, str]:
    section = README[README.index("### Install"):README.index("### The fixture")]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line.split("  #")[0].strip() for line in block.group(1).strip().splitlines()]
    assert len(lines) == 3, lines
    return dict(zip(("clone", "git", "wheel"), lines, strict=True))


def install(how: str, where: Path) -> Path:
    """The README's line for `how`, in a fresh virtualenv, with its pip; our clone stands for `sendkit-mock`
    and for the git URL (file://localhost/..., its committed HEAD: pip refuses a git+file URL without a host), and the pins of constraints.txt apply as in our CI."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, **RUN)
    line = install_lines()[how].replace("$SENDKIT_MOCK_GIT", f"file://localhost{ROOT}").replace(
        "cd sendkit-mock", f"cd {ROOT}").replace("./sendkit-mock", str(ROOT)).replace("sendkit-mock/dist/",
                                                                                     f"{ROOT}/dist/")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "PIP_CONSTRAINT": str(ROOT / "constraints.txt"),
           "HOME": str(where), "MAKEFLAGS": ""}
    done = subprocess.run(["bash", "-c", "set -euo pipefail\n" + line.replace("pip install", "pip install -q")],
                          cwd=where, env=env, **RUN)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install("wheel", tmp_path_factory.mktemp("wheel"))


@pytest.mark.parametrize("how", ["clone", "git"])
def test_the_clone_and_git_url_lines_install_the_base(how: str, tmp_path: Path) -> None:
    bin_dir = install(how, tmp_path)
    version = subprocess.run([str(bin_dir / "sendkit-mock"), "--version"], **RUN)
    assert version.returncode == 0 and version.stdout.startswith("sendkit-mock "), version.stderr
    listed = subprocess.run([str(bin_dir / "python"), "-m", "pip", "list", "--format=json"], **RUN)
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert "sendkit-mock" in names and not names & set(EXTRAS_PACKAGES)


def test_the_installed_script_prints_the_banner_and_uvicorn_alone(wheel: Path, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([str(wheel / "sendkit-mock"), "serve", "--port", str(port)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                assert requests.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("the installed server did not answer within 20 s")
        for asset in ("/", "/dashboard/dashboard.js", "/dashboard/dashboard.css"):  # the dashboard ships whole
            assert requests.get(f"http://127.0.0.1:{port}{asset}", timeout=5).status_code == 200, asset
        dynamic = requests.get(f"http://127.0.0.1:{port}/v1/reports", timeout=5, headers={
            "X-Api-Key": "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68", "Prefer": "dynamic=true"})
        assert dynamic.status_code == 400 and "pip install 'sendkit-mock[dynamic]'" in dynamic.text
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    banner, doors, store, *rest = output.splitlines()
    assert banner.startswith(f"sendkit-mock on http://127.0.0.1:{port}"), output
    assert doors.startswith(f"control plane http://127.0.0.1:{port}/__mock: open (loopback only)"), output
    assert store.startswith("store: memory (this process"), output
    assert [line for line in rest if not UVICORN_LINE.match(line)] == [], output


def test_the_base_imports_no_extra_while_it_serves(wheel: Path) -> None:
    script = """
import sys
from sendkit_mock import Settings, create_mock
mock = create_mock(Settings(seed=1))
with mock.app.test_client() as client:
    key = {"X-Api-Key": "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"}
    assert client.post("/v1/reports", json={"reportType": "workspace"}, headers=key).status_code == 201
    assert client.get("/v1/reports", headers=key).status_code == 200
    assert client.get("/").status_code == 200
print(sorted({name.split(".")[0] for name in sys.modules}))
"""
    done = subprocess.run([str(wheel / "python"), "-c", script], **RUN)
    assert done.returncode == 0, done.stderr
    imported = set(json.loads(done.stdout.strip().replace("'", '"')))
    assert "connexion" in imported and not imported & set(EXTRAS_PACKAGES)


@pytest.mark.parametrize(("args", "extra"), [
    (["contract", "--base-url", "http://127.0.0.1:9", "--api-key", "sk_x"], "contract"),
    (["serve", "--tls", "--port", "0"], "tls"),
    (["serve", "--store", "redis://127.0.0.1:9/0"], "redis"),
    (["ca"], "tls"),
])
def test_a_feature_of_a_missing_extra_says_which_install_adds_it(wheel: Path, args: list[str], extra: str,
                                                                  tmp_path: Path) -> None:
    done = subprocess.run([str(wheel / "sendkit-mock"), *args], cwd=tmp_path, **RUN, env={"HOME": str(tmp_path)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"pip install 'sendkit-mock[{extra}]'" in done.stderr and "Traceback" not in done.stderr


def test_the_ci_snippets_install_the_way_the_install_section_does() -> None:
    git_line = install_lines()["git"]
    snippets = re.findall(r"pip install (\"sendkit-mock\[contract\] @ git\+\$SENDKIT_MOCK_GIT\")", README)
    assert len(snippets) == 2 and git_line.startswith('pip install "sendkit-mock @ git+$SENDKIT_MOCK_GIT"')
