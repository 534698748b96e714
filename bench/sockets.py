"""Socket.IO server options for `achats serve`, with 1,000 authenticated clients.

    .venv/bin/python bench/sockets.py                      # every option, 1,000 clients
    .venv/bin/python bench/sockets.py --options a,b --clients 500 --emits 10 --wrk-duration 5

For each server option: start the server on a scratch SQLite database, connect N WebSocket clients
signed in with API tokens (`auth={"token": ...}`; by default N distinct accounts, made with
`achats create-user`/`create-token` for the first and the app's services for the rest), then emit
one event to all of them N_EMITS times from this process through Redis — Flask-SocketIO's external
emitter, `SocketIO(message_queue=...).emit(...)`, the path every emit of a multi-process deployment
takes — and time its arrival at every client. Meanwhile a probe GETs /healthz to see whether
emitting stalls HTTP. Then memory with the clients connected, and wrk on /healthz and / with no
socket open.

Why not 1,000 sockets of ONE user in the room user:<id>: on connect the app sends the unread
count to the user's room, i.e. to every socket of that user, so connecting n sockets of one user
costs O(n²) messages (see RESULTS.md); `--users 1` still measures that case.

The clients speak the Engine.IO 4 / Socket.IO 5 protocol directly over `websockets` (what
`io({transports: ["websocket"]})` does in the browser), in CLIENT_PROCS processes, so that the
client side stays a small part of the measured time. Needs Redis on 127.0.0.1:6379 (database 14 is
flushed) and wrk (`apt-get install -y wrk`); `websockets` and psutil in the venv (not aiohttp:
when aiohttp is installed, python-engineio imports it into the server too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from common import (  # noqa: E402
    BENCH,
    ForeignCpu,
    achats,
    bench_env,
    create_user_and_token,
    create_users_with_tokens,
    exit_on_sigterm,
    flush_redis,
    free_port,
    machine,
    percentile,
    reference_rps,
    running,
    serve_cmd,
    today,
    wait_quiet,
    wrk,
)

REDIS_URL = "redis://127.0.0.1:6379/14"

OPTIONS = {
    "a": "achats serve: gunicorn + gevent, 1 worker",
    "b": "achats serve: gunicorn + gevent, 2 workers (WebSocket only, Redis)",
    "c": "threading: socketio.run() (Werkzeug + simple-websocket)",
    "d": "threading: gunicorn gthread, 1 worker, 1,100 threads",
}


def server_command(option: str, port: int) -> tuple[list[str], int]:
    py = sys.executable
    if option == "a":
        return serve_cmd(port, 1), 1
    if option == "b":
        return serve_cmd(port, 2), 2
    if option == "c":
        return [py, str(BENCH / "threaded_server.py"), "werkzeug", str(port)], 1
    if option == "d":
        return [py, str(BENCH / "threaded_server.py"), "gthread", str(port)], 1
    raise SystemExit(f"unknown option {option}")


# --- the clients (child processes) ----------------------------------------------------------


async def _client(url: str, origin: str, token: str, arrivals: list, state: dict,
                  connected: asyncio.Event, total: int) -> None:
    from websockets.asyncio.client import connect

    try:
        async with connect(url, origin=origin, ping_interval=None, max_size=None, compression=None,
                           open_timeout=120, close_timeout=5) as ws:
            opened = await asyncio.wait_for(ws.recv(), timeout=120)
            if not (isinstance(opened, str) and opened.startswith("0")):
                raise RuntimeError(f"no Engine.IO open packet: {opened!r}")
            await ws.send("40" + json.dumps({"token": token}))
            async for data in ws:
                if not isinstance(data, str):
                    continue
                if data.startswith("42"):
                    now = time.time()
                    event, *args = json.loads(data[2:])
                    if event == "bench":
                        arrivals.append((args[0]["seq"], now - args[0]["t"]))
                elif data == "2":
                    await ws.send("3")  # Engine.IO ping -> pong
                elif data.startswith("40"):
                    state["ok"] += 1
                    if state["ok"] + state["failed"] >= total:
                        connected.set()
                elif data.startswith("44"):
                    raise RuntimeError(f"connection refused: {data}")
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - counted and reported
        if not state.get("stopping"):
            state["failed"] += 1
            state.setdefault("errors", []).append(repr(exc)[:200])
            if state["ok"] + state["failed"] >= total:
                connected.set()


async def _client_main(conn, base: str, tokens: list[str], count: int, ramp: int) -> None:
    url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    arrivals: list[tuple[int, float]] = []
    state: dict = {"ok": 0, "failed": 0}
    connected = asyncio.Event()
    tasks = []
    started = time.monotonic()
    for i in range(count):
        tasks.append(asyncio.create_task(
            _client(url, base, tokens[i % len(tokens)], arrivals, state, connected, count)))
        if (i + 1) % ramp == 0:
            await asyncio.sleep(0.05)  # a steady connection ramp, not one burst of SYNs
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(connected.wait(), timeout=180)
    conn.send({"ok": state["ok"], "failed": state["failed"], "errors": state.get("errors", [])[:3],
               "seconds": time.monotonic() - started})
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)  # "stop"
    state["stopping"] = True
    conn.send({"arrivals": arrivals, "alive": state["ok"] - state["failed"]})
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def client_process(conn, base: str, tokens: list[str], count: int, ramp: int) -> None:
    asyncio.run(_client_main(conn, base, tokens, count, ramp))


# --- the orchestrator -----------------------------------------------------------------------


@dataclass
class SocketResult:
    option: str
    connected: int = 0
    failed: int = 0
    connect_seconds: float = 0.0
    all_p50: float = 0.0
    all_p95: float = 0.0
    all_p99: float = 0.0
    msg_p50: float = 0.0
    msg_p99: float = 0.0
    delivered: int = 0
    expected: int = 0
    rss_idle: float = 0.0
    rss_connected: float = 0.0
    rss_sum: float = 0.0
    foreign_cpu: float = 0.0
    probe_p50: float = 0.0
    probe_max: float = 0.0
    wrk: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)


class HealthProbe(threading.Thread):
    """GET /healthz every 50 ms while the emits run: does emitting stall plain HTTP?"""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.times: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + 600
        while not self.stop.is_set() and time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=10).read()
                self.times.append((time.perf_counter() - t0) * 1000)
            except OSError:
                self.times.append(10_000.0)
            self.stop.wait(0.05)


def run_option(option: str, env_base: dict, accounts: list[tuple[int, str]], args, log_dir: Path) -> SocketResult:
    from flask_socketio import SocketIO

    port = free_port()
    cmd, workers = server_command(option, port)
    env = dict(env_base, ACHATS_PORT=str(port), ACHATS_WORKERS=str(workers))
    result = SocketResult(option)
    flush_redis(REDIS_URL)
    if args.max_wait:
        wait_quiet(max_wait=args.max_wait)
    with ForeignCpu() as foreign, running(option, cmd, env, port, log_dir) as server:
        time.sleep(1)
        result.rss_idle = server.memory_mib()["pss"]
        ctx = mp.get_context("spawn")
        procs = []
        share = [args.clients // args.client_procs + (1 if i < args.clients % args.client_procs else 0)
                 for i in range(args.client_procs)]
        offset = 0
        for count in share:
            # Client i signs in as account i % len(accounts), whichever process runs it.
            tokens = [accounts[(offset + k) % len(accounts)][1] for k in range(min(count, len(accounts)))]
            offset += count
            parent, child = ctx.Pipe()
            p = ctx.Process(target=client_process, args=(child, server.base, tokens, count, args.ramp),
                            daemon=True)
            p.start()
            procs.append((p, parent))
        for _, parent in procs:
            if not parent.poll(240):
                raise RuntimeError("clients did not report")
            info = parent.recv()
            result.connected += info["ok"]
            result.failed += info["failed"]
            result.errors += info["errors"]
            result.connect_seconds = max(result.connect_seconds, info["seconds"])
        print(f"  [{option}] {result.connected} connected, {result.failed} failed "
              f"in {result.connect_seconds:.1f} s", flush=True)
        time.sleep(2)  # let the connect handlers settle
        mem = server.memory_mib()
        result.rss_connected, result.rss_sum = mem["pss"], mem["rss"]

        emitter = SocketIO(message_queue=REDIS_URL)
        probe = HealthProbe(server.base)
        probe.start()
        time.sleep(0.5)
        for seq in range(args.emits + 1):  # emit 0 is a warm-up, not counted
            payload = {"seq": seq, "t": time.time()}
            if len(accounts) == 1:  # every socket is in the room user:<id>
                emitter.emit("bench", payload, to=f"user:{accounts[0][0]}")
            else:  # one emit to every connected socket
                emitter.emit("bench", payload)
            time.sleep(args.interval)
        probe.stop.set()
        probe.join(timeout=15)

        arrivals: list[tuple[int, float]] = []
        for _, parent in procs:
            parent.send("stop")
        for p, parent in procs:
            if parent.poll(60):
                arrivals += parent.recv()["arrivals"]
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
        # A separate quiet moment, then HTTP throughput with no socket open.
        time.sleep(2)
        if args.wrk_duration > 0:
            for path in ("/healthz", "/"):
                result.wrk[path] = wrk(server.base + path, duration=args.wrk_duration)

    result.foreign_cpu = foreign.mean
    per_emit: dict[int, list[float]] = {}
    for seq, latency in arrivals:
        if seq > 0:
            per_emit.setdefault(seq, []).append(latency * 1000)
    full = [max(v) for v in per_emit.values() if len(v) >= result.connected]
    everything = [x for v in per_emit.values() for x in v]
    result.delivered = len(everything)
    result.expected = args.emits * result.connected
    if full:
        result.all_p50 = percentile(full, 50)
        result.all_p95 = percentile(full, 95)
        result.all_p99 = percentile(full, 99)
    if len(full) < args.emits:
        result.errors.append(f"{args.emits - len(full)} emit(s) did not reach every client")
    result.msg_p50 = percentile(everything, 50)
    result.msg_p99 = percentile(everything, 99)
    probe_times = probe.times
    result.probe_p50 = percentile(probe_times, 50)
    result.probe_max = max(probe_times) if probe_times else float("nan")
    return result


def table(results: list[SocketResult], clients: int, emits: int) -> str:
    lines = [
        f"One emit to {clients} sockets through Redis ({emits} emits): time until the LAST",
        "client has it (p50/p95/p99 over the emits), per-message latency (p50/p99 over all",
        "deliveries), /healthz latency while emitting, server memory (PSS of all its processes),\n"
        "CPU used meanwhile by processes outside the bench (% of one core; the machine is shared).",
        "",
        "| option | connected | all p50 ms | all p95 ms | all p99 ms | msg p50 ms | msg p99 ms "
        "| /healthz p50 / max ms during emits | PSS idle MiB | PSS with sockets MiB (RSS sum) | other load % |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| ({r.option}) {OPTIONS[r.option]} | {r.connected}/{r.connected + r.failed} "
            f"in {r.connect_seconds:.1f} s | {r.all_p50:.0f} | {r.all_p95:.0f} | {r.all_p99:.0f} "
            f"| {r.msg_p50:.0f} | {r.msg_p99:.0f} | {r.probe_p50:.1f} / {r.probe_max:.0f} "
            f"| {r.rss_idle:.0f} | {r.rss_connected:.0f} ({r.rss_sum:.0f}) | {r.foreign_cpu:.0f} |")
    if any(r.wrk for r in results):
        lines += ["", "HTTP, wrk -c16 -t2 (no socket open; wrk shares the 2 cores with the server):", "",
                  "| option | URL | req/s | p50 ms | p95 ms | p99 ms | errors |", "|---|---|---|---|---|---|---|"]
        for r in results:
            for path, w in r.wrk.items():
                lines.append(f"| ({r.option}) | {path} | {w.rps:.0f} | {w.p50:.1f} | {w.p95:.1f} "
                             f"| {w.p99:.1f} | {w.errors} |")
    for r in results:
        for err in dict.fromkeys(r.errors):  # once each
            lines.append(f"\n({r.option}) note: {err}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--options", default="a,b,c,d", help="comma-separated among a,b,c,d")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--users", type=int, default=1000,
                        help="accounts the sockets sign in as (round robin); 1 = every socket as one user")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--emits", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between emits")
    parser.add_argument("--ramp", type=int, default=50, help="connections started per 50 ms")
    parser.add_argument("--wrk-duration", type=int, default=10, help="0 to skip wrk")
    parser.add_argument("--max-wait", type=int, default=300,
                        help="seconds to wait for other processes to go quiet before each option")
    parser.add_argument("--results", default=None, help="append the table to this Markdown file")
    args = parser.parse_args()
    exit_on_sigterm()

    with tempfile.TemporaryDirectory(prefix="achats-bench-") as tmp:
        tmpdir = Path(tmp)
        env = bench_env(f"sqlite:///{tmpdir / 'bench.db'}", redis_url=REDIS_URL, port=5000)
        achats(env, "init")
        accounts = [create_user_and_token(env, "bench-sockets@achats.example", "Banc Sockets")]
        if args.users > 1:
            accounts += create_users_with_tokens(env, args.users - 1)
        results = []
        yard = reference_rps(1, duration=5) if args.wrk_duration > 0 else None
        if yard is not None:
            print(f"yardstick: bare Flask + Jinja page, gunicorn + gevent, 1 worker: {yard:.0f} req/s", flush=True)
        for option in args.options.split(","):
            print(f"== ({option}) {OPTIONS[option]}", flush=True)
            try:
                results.append(run_option(option.strip(), env, accounts, args, tmpdir))
            except Exception as exc:  # noqa: BLE001 - reported, the other options still run
                print(f"  ({option}) failed: {exc}", flush=True)
                results.append(SocketResult(option, errors=[f"failed: {str(exc)[:500]}"]))
            print(table(results[-1:], args.clients, args.emits), flush=True)
    report = (f"### Socket.IO server options — {today()}\n\nMachine: {machine()}. Command: "
              f"`.venv/bin/python bench/sockets.py {' '.join(sys.argv[1:])}`\n\n"
              + (f"Yardstick at the time: a bare Flask page with a Jinja template (bench/reference_app.py, "
                 f"gunicorn + gevent, 1 worker) served {yard:.0f} req/s (issue 3: about 4,400 on this machine "
                 f"when quiet).\n\n" if yard else "")
              + table(results, args.clients, args.emits) + "\n")
    print("\n" + report)
    if args.results:
        with open(args.results, "a", encoding="utf-8") as fh:
            fh.write("\n" + report)


if __name__ == "__main__":
    main()
