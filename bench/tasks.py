"""/healthz latency while the task consumer runs CPU-bound tasks beside the gevent web workers.

    .venv/bin/python bench/tasks.py [--seconds 2] [--tasks 3] [--workers 1]

Starts `achats serve` as the README documents it for one machine (gunicorn + gevent, the task
consumer as its own process) on a scratch SQLite database, probes /healthz every 20 ms for a
baseline, then enqueues CPU-bound tasks (`achats cpu-task`, a busy loop of --seconds each, the
stand-in for a PDF to parse) and probes again while the consumer runs them. Prints p50/p95/p99/max
of both phases and how long the consumer took for each task.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    ACHATS,
    achats,
    bench_env,
    free_port,
    machine,
    percentile,
    running,
    serve_cmd,
    today,
)


def probe(base: str, seconds: float) -> list[float]:
    """GET /healthz every 20 ms for `seconds`; the latencies in ms."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as resp:
            resp.read()
        latencies.append((time.perf_counter() - start) * 1000)
        time.sleep(0.02)
    return latencies


def row(name: str, values: list[float]) -> str:
    return (f"| {name} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 95):.1f} | "
            f"{percentile(values, 99):.1f} | {max(values):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="CPU time of each task")
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="achats-bench-tasks-") as tmp:
        port = free_port()
        env = bench_env(f"sqlite:///{tmp}/bench.db", redis_url=None, port=port, workers=args.workers,
                        extra={"ACHATS_TASKS_DB": f"{tmp}/tasks.db"})
        achats(env, "init")
        with running("tasks", serve_cmd(port, args.workers), env, port, Path(tmp)) as server:
            time.sleep(2)  # the consumer starts beside the server
            baseline = probe(server.base, 4)
            durations: list[float] = []

            def run_tasks() -> None:
                for _ in range(args.tasks):
                    start = time.perf_counter()
                    subprocess.run([ACHATS, "cpu-task", "--seconds", str(args.seconds), "--wait"], env=env,
                                   check=True, capture_output=True, timeout=120)
                    durations.append(time.perf_counter() - start)

            worker = threading.Thread(target=run_tasks)
            worker.start()
            during: list[float] = []
            while worker.is_alive():
                during += probe(server.base, 0.5)
            worker.join()

    print(f"# /healthz while CPU-bound tasks run — {today()}, {machine()}")
    print(f"`achats serve` ({args.workers} web worker(s), gevent) and its task consumer; "
          f"{args.tasks} tasks of {args.seconds:.1f} s of CPU each, one after the other.\n")
    print("| phase | requests | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(row("idle", baseline))
    print(row("tasks running", during))
    print("\nEach task, enqueued until its result came back (s): "
          + ", ".join(f"{d:.2f}" for d in durations))


if __name__ == "__main__":
    main()
