"""Start-up with --tls beside plain start-up, in one run, interleaved (the machine's noise hits both alike).

    python bench/tls.py              # 7 start-ups of each
    python bench/tls.py --runs 15

Each start-up is `sendkit-mock serve` spawned on a free 127.0.0.1 port, timed to the first 200 of an
authenticated GET /v1/reports (over HTTPS with the CA trusted, for --tls). The local CA is made once first,
in a temporary data directory, so the figure is a start with the CA in place: what every start but the first
costs. Prints the medians and their ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
WS_KEY = "sk_4a2be3efa1ee546f088b9e44a35b5b609f3677e04d8c9c68"
SCRIPT = shutil.which("sendkit-mock", path=os.path.dirname(sys.executable)) or "sendkit-mock"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_up(flags: list[str], context: ssl.SSLContext | None) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([SCRIPT, "serve", "--port", str(port), "--log-level", "warning", "--no-access-log",
                             *flags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 60:
            if proc.poll() is not None:
                raise RuntimeError(f"serve {' '.join(flags)} exited with {proc.returncode}")
            conn: http.client.HTTPConnection = (
                http.client.HTTPSConnection(HOST, port, timeout=2, context=context) if context
                else http.client.HTTPConnection(HOST, port, timeout=2))
            try:
                conn.request("GET", "/v1/reports?limit=1", headers={"X-Api-Key": WS_KEY})
                if conn.getresponse().status == 200:
                    return time.perf_counter() - started
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.005)
        raise RuntimeError("no answer within 60 s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="start-ups of each kind")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as data:
        made = time.perf_counter()
        ca = subprocess.run([SCRIPT, "ca", "--data-dir", data], capture_output=True, text=True, check=True)
        print(f"local CA made by `sendkit-mock ca` in {time.perf_counter() - made:.2f} s (once per machine)")
        context = ssl.create_default_context(cafile=ca.stdout.strip())
        plain: list[float] = []
        tls: list[float] = []
        for _ in range(runs):
            plain.append(start_up([], None))
            tls.append(start_up(["--tls", "--data-dir", data], context))
    for name, times in (("plain", plain), ("--tls", tls)):
        print(f"{name:>6}: median {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
              f"{runs} runs)")
    print(f" ratio: {statistics.median(tls) / statistics.median(plain):.3f}x  (--tls over plain, medians; "
          "target <= 1.2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
