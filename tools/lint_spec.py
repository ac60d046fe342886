"""Lint both documents, openapi.yaml and the mock's own API as served, with Spectral (`spectral:oas`, every
rule) and Redocly (`recommended`): no error, no warning.

Both are Node tools pinned in tools/node/package-lock.json; `npm ci` installs them on first use. Without Node
the step says what to install and passes, unless SENDKIT_MOCK_REQUIRE_TOOLS=1 (CI), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sendkit_mock.spec import load

ROOT = Path(__file__).resolve().parents[1]
NODE_TOOLS = ROOT / "tools" / "node"
SPEC = ROOT / "openapi.yaml"


def main() -> int:
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("lint: Node.js and npm are not installed (apt-get install nodejs npm): Spectral and Redocly skipped")
        return 1 if os.environ.get("SENDKIT_MOCK_REQUIRE_TOOLS") == "1" else 0
    bin_dir = NODE_TOOLS / "node_modules" / ".bin"
    if not (bin_dir / "spectral").exists() or not (bin_dir / "redocly").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_TOOLS, check=True)
    documents = load(SPEC)
    with tempfile.TemporaryDirectory(prefix="sendkit-lint-") as tmp:
        mock = Path(tmp) / "mock-api.yaml"  # the mock's API as served: bundled with SendKit's components
        mock.write_text(documents.mock.text)
        results = [lint(bin_dir, SPEC, "openapi.yaml"), lint(bin_dir, mock, "the mock's API (/__mock/openapi.json)")]
    return 0 if all(results) else 1


def lint(bin_dir: Path, spec: Path, name: str) -> bool:
    spectral = subprocess.run([str(bin_dir / "spectral"), "lint", str(spec), "--ruleset", str(ROOT / ".spectral.yaml"),
                               "--fail-severity=warn"], cwd=ROOT, capture_output=True, text=True)
    redocly = subprocess.run([str(bin_dir / "redocly"), "lint", str(spec), "--config", str(ROOT / "redocly.yaml"),
                              "--format=json"], cwd=ROOT, capture_output=True, text=True)
    totals = json.loads(redocly.stdout or "{}").get("totals", {"errors": "?", "warnings": "?"})
    ok = spectral.returncode == 0 and redocly.returncode == 0 and totals["errors"] == totals["warnings"] == 0
    print(f"lint {name}: Spectral (spectral:oas, all rules): {'clean' if spectral.returncode == 0 else 'problems'}; "
          f"Redocly (recommended): {totals['errors']} errors, {totals['warnings']} warnings")
    if not ok:
        problems = json.loads(redocly.stdout or "{}").get("problems")
        print(spectral.stdout, spectral.stderr, json.dumps(problems, indent=1), redocly.stderr,
              sep="\n", file=sys.stderr)
    return ok


if __name__ == "__main__":
    sys.exit(main())
