"""A small HTTP load tool: N concurrent clients request a list of URLs in turn for a
while and report latency percentiles per group, as JSON.

    python benchmarks/load.py --base http://127.0.0.1:8000 --token TOKEN \\
        --urls urls.json --clients 4 --seconds 30 [--while-pid PID] --out result.json

``urls.json`` maps a group name to a list of paths, requested in turn across the groups
(the first path of each group, then the second, ...). Each client keeps one connection
(keep-alive), as a browser does; a request that fails or answers non-2xx is counted as
an error. The entry "all requests" sums the groups. With --while-pid, the load stops
when that process ends (or after --seconds, whichever comes first). Kept deliberately
simple (threads and httpx2) so what it measures is clear.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path

import httpx2 as httpx
import psutil


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (an ended child not yet waited for does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


ALL = "all requests"  # the entry of the result summing every group


def summary(values: list[float], errors: int, wall: float) -> dict[str, float | None]:
    """Requests, errors, latency percentiles in ms and requests per second of a group."""
    return {"requests": len(values), "errors": errors,
            "p50_ms": 1000 * statistics.median(values) if values else None,
            "p95_ms": 1000 * percentile(values, 0.95) if values else None,
            "p99_ms": 1000 * percentile(values, 0.99) if values else None,
            "per_second": len(values) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--urls", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--while-pid", type=int, help="stop when this process ends")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    groups: dict[str, list[str]] = json.loads(args.urls.read_text(encoding="utf-8"))
    # the groups interleaved, so that a short run samples each as a long one does
    work = [(group, paths[i]) for i in range(max(map(len, groups.values())))
            for group, paths in groups.items() if i < len(paths)]
    latencies: dict[str, list[float]] = {g: [] for g in groups}
    errors: dict[str, int] = dict.fromkeys(groups, 0)
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}

    def going() -> bool:
        return time.monotonic() < stop and (args.while_pid is None or alive(args.while_pid))

    def client(offset: int) -> None:
        with httpx.Client(base_url=args.base, headers=headers, timeout=30) as session:
            i = offset
            while going():
                group, path = work[i % len(work)]
                i += 1
                started = time.perf_counter()
                try:
                    ok = session.get(path).is_success
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    if ok:
                        latencies[group].append(elapsed)
                    else:
                        errors[group] += 1

    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(args.clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies[ALL] = [v for values in latencies.values() for v in values]
    errors[ALL] = sum(errors.values())
    result = {group: summary(values, errors[group], wall)
              for group, values in latencies.items()}
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
