"""What `Prefer: delay` costs the requests that are not delayed: GET /v1/reports req/s with and without a
hundred delayed requests held in the server at once (each `delay=20000`, re-sent as it answers).

    .venv/bin/python bench/simulation.py [--duration 5] [--rounds 3]

Prints medians of the rounds, side by side in one run, and their ratio. A Python thread load generator
on the same two cores, so compare the ratio, not the absolute figures.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import HOST, WS_KEY, load_python, server  # noqa: E402


def hold(port: int, count: int, stop: threading.Event) -> list[threading.Thread]:
    """`count` connections, each with a delayed request in the server, re-sent when it is answered."""
    request = (f"GET /v1/reports HTTP/1.1\r\nHost: {HOST}\r\nX-Api-Key: {WS_KEY}\r\nPrefer: delay=20000\r\n"
               "\r\n").encode()

    def one() -> None:
        with socket.create_connection((HOST, port)) as sock:
            sock.settimeout(0.5)
            while not stop.is_set():
                sock.sendall(request)
                while not stop.is_set():
                    try:
                        if sock.recv(65536):
                            break
                    except TimeoutError:
                        continue

    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    return threads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"alone": [], "with 100 delayed": []}
    with server() as (_, port, _ready):
        load_python(port, "GET", "/v1/reports", None, duration=0.5, conns=2, max_requests=200)
        for _ in range(args.rounds):
            figures["alone"].append(load_python(port, "GET", "/v1/reports", None, args.duration, 8, 10**6)["rps"])
            stop = threading.Event()
            threads = hold(port, 100, stop)
            load_python(port, "GET", "/v1/reports", None, duration=1.0, conns=2, max_requests=10**6)  # settle
            row = load_python(port, "GET", "/v1/reports", None, args.duration, 8, 10**6)
            assert row["errors"] == 0, row
            figures["with 100 delayed"].append(row["rps"])
            stop.set()
            for t in threads:
                t.join(timeout=5)
    alone, loaded = (statistics.median(figures[k]) for k in ("alone", "with 100 delayed"))
    print(f"GET /v1/reports req/s, python threads, c=8, medians of {args.rounds}: alone {alone:.0f}, "
          f"with 100 delayed requests in flight {loaded:.0f} (ratio {loaded / alone:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
