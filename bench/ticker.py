"""What idle sessions cost the real-time ticker: the time of one tick over N sessions with nothing due.

    python bench/ticker.py [--sessions 1000] [--store memory|redis://HOST:PORT/DB]
"""

from __future__ import annotations

import argparse
import time

from sendkit_mock import Settings, create_mock
from sendkit_mock.app import _real_time_ticker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--store", default="memory")
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    mock = create_mock(Settings(store=args.store))
    for n in range(args.sessions):
        mock.sessions.get(f"idle{n}")
    tick = _real_time_ticker(mock.sessions, 0.05, mock.clock)
    tick()  # the first one also expires sessions
    times = []
    for _ in range(args.ticks):
        time.sleep(0.06)  # past the round a shared store's ticker claims (50 ms), as the next tick would be
        started = time.perf_counter()
        tick()
        times.append(time.perf_counter() - started)
    print(f"one tick over {args.sessions:,} idle sessions ({args.store}): best {min(times) * 1000:.2f} ms, "
          f"median {sorted(times)[len(times) // 2] * 1000:.2f} ms (the ticker runs every 50 ms)")


if __name__ == "__main__":
    main()
